/**
 * The layer rules (.dependency-cruiser.cjs; `npm test` runs them on the tree as it is, npm run check:layers) bite: in a
 * copy of the tree, one planted upward import (a check importing the runner) and one planted cycle each fail
 * `depcruise` with the rule's name.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';

const root = packageRoot();
const depcruise = (cwd: string) =>
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      'mocks',
      'suites',
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
    ],
    { cwd, encoding: 'utf8' },
  );

function copyOfTheTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'idpc-layers-'));
  for (const part of ['src', 'mocks', 'suites', 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json'])
    cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

describe('layers', () => {
  it('a planted upward import (a check importing the runner) and a planted cycle fail, naming the rule', () => {
    const dir = copyOfTheTree();
    const define = join(dir, 'src/checks/define.ts');
    writeFileSync(
      define,
      `import type { FinishedRun } from '../runner/run.js';\nexport type Planted = FinishedRun;\n${readFileSync(define, 'utf8')}`,
    );
    const store = join(dir, 'mocks/core/store.ts');
    writeFileSync(
      store,
      `import type { GrantService } from './grants.js';\nexport type PlantedCycle = GrantService;\n${readFileSync(store, 'utf8')}`,
    );
    const r = depcruise(dir);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error layer-checks: src\/checks\/define\.ts → src\/runner\/run\.ts/);
    expect(r.stdout).toMatch(/error no-circular: .*mocks\/core\/store\.ts/s);
  }, 60_000);
});
