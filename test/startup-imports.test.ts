/**
 * What each command's start-up path loads, read from the bundle's own import graph (reports/build/metafile.json, written
 * by scripts/build.mjs): the modules a command reaches by static imports, before any lazy import() of its own. Start-up
 * is a measured target (spawn to first token, bench:mocks); one static import in the wrong place (the exit codes
 * imported from the verdict module) once pulled the whole check registry and the ICU collator into `idpc mock`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';

interface Metafile {
  inputs: Record<string, { bytes: number; imports: { path: string; kind: string; external?: boolean }[] }>;
}

const meta = JSON.parse(readFileSync(join(packageRoot(), 'reports/build/metafile.json'), 'utf8')) as Metafile;

/** Every module `entry` reaches by static imports (node: builtins left out). */
function staticGraph(entry: string): string[] {
  expect(meta.inputs[entry], `${entry} is not in the bundle`).toBeDefined();
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length) {
    for (const i of meta.inputs[queue.shift()!]?.imports ?? []) {
      if (i.kind !== 'import-statement' || i.external || i.path.startsWith('node:') || seen.has(i.path)) continue;
      seen.add(i.path);
      queue.push(i.path);
    }
  }
  return [...seen];
}

const heavy = (paths: string[], pattern: RegExp) => paths.filter((p) => pattern.test(p));

describe('start-up paths load what they use', () => {
  it('the entry point loads only itself and its error module', () => {
    expect(staticGraph('dist/src/cli/main.js').sort()).toEqual([
      'dist/src/cli/errors.js',
      'dist/src/cli/main.js',
      'dist/src/verdict/exit-codes.js',
    ]);
  });

  it('idpc mock loads no check, runner, suite, fast-check, undici, ajv, yargs or jose before its first token', () => {
    const graph = staticGraph('dist/src/cli/mock.js');
    expect(
      heavy(
        graph,
        /src\/checks\/|src\/runner\/|src\/verdict\/index|dist\/suites\/|node_modules\/(fast-check|undici|ajv\/|yargs|jose)\//,
      ),
    ).toEqual([]);
    expect(graph.some((p) => p.includes('util/collate'))).toBe(false);
  });

  it('idpc run parses its options without yargs, the runner or the schemas', () => {
    expect(
      heavy(
        staticGraph('dist/src/cli/run-options.js'),
        /node_modules\/yargs|src\/runner\/run|src\/generated\/validators/,
      ),
    ).toEqual([]);
  });
});
