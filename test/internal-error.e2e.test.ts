/**
 * Exit 70 is idpc's own bug: one line on stderr (no stack unless IDPC_DEBUG), and the reports of the runs that
 * finished are still written. Provoked with a flavour module whose mock throws as it starts, next to portal.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { runCli } from './support/cli.js';

it('an internal error part-way: one line, exit 70, the finished run reported and written', {
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idpc-internal-'));
  const module = join(packageRoot(), 'test/fixtures/flavours/broken/index.mjs');
  const r = await runCli(
    [
      '--flavour-module',
      module,
      'run',
      '--mock',
      'portal,broken',
      '--seed',
      '1',
      '--runs',
      '1',
      '--report',
      'json',
      '--report-dir',
      dir,
    ],
    { ...process.env, CI: 'true' },
  );
  expect(r.code).toBe(70);
  expect(r.stderr.trim().split('\n')).toEqual([
    'idpc: internal error: broken flavour: create() failed on purpose (set IDPC_DEBUG=1 for details)',
  ]);
  const file = join(dir, 'idpc-report.json');
  expect(existsSync(file)).toBe(true);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { runs: { target: { flavour: string }; verdict: string }[] };
  expect(report.runs.map((x) => x.target.flavour)).toEqual(['portal']);
  expect(report.runs[0]!.verdict).toBe('CONFORMS');
});
