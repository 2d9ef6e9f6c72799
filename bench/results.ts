/** Where every bench writes its figures: reports/bench/<name>-<time>.json and <name>-latest.json, and stdout. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';

export function writeBenchResult(name: string, result: { date: string }): void {
  const dir = join(packageRoot(), 'reports', 'bench');
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(join(dir, `${name}-${result.date.replace(/[:.]/g, '-')}.json`), text);
  writeFileSync(join(dir, `${name}-latest.json`), text);
  process.stdout.write(text);
}
