/** Writes docs/checks.md from the check registry; `--check` exits 1 when the committed file is stale. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksMarkdown, listChecks } from '../src/cli/checks.js';
import { packageRoot } from '../src/util/paths.js';

const path = join(packageRoot(), 'docs', 'checks.md');
const text = checksMarkdown(listChecks());
const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write('stale: docs/checks.md (npm run gen:docs)\n');
    process.exit(1);
  }
} else if (current !== text) {
  mkdirSync(join(packageRoot(), 'docs'), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write('wrote docs/checks.md\n');
}
