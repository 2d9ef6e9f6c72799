/**
 * `idpc run --mock a,b,...` runs the mocks side by side (this thread and worker threads): every run must report
 * exactly what it reports alone at the same seed, in the order asked; an error inside a worker is still one line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';

interface Reported {
  target: { flavour: string };
  verdict: string;
  requests: number;
  results: { suite: string; check: string; variant?: string; status: string }[];
}
const dir = mkdtempSync(join(tmpdir(), 'idpc-jobs-'));
const run = async (mock: string, tag: string): Promise<{ code: number | null; runs: Reported[]; stdout: string }> => {
  const reportDir = join(dir, tag);
  const r = await runCli(
    ['run', '--mock', mock, '--seed', '7', '--runs', '2', '--report', 'json', '--report-dir', reportDir],
    { ...process.env, CI: 'true' },
  );
  return {
    code: r.code,
    stdout: r.stdout,
    runs: (JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs: Reported[] }).runs,
  };
};
const shape = (r: Reported) => ({
  flavour: r.target.flavour,
  verdict: r.verdict,
  requests: r.requests,
  results: r.results.map((x) => `${x.suite}:${x.check}:${x.variant ?? ''}:${x.status}`),
});

describe('--mock with several flavours runs them side by side', () => {
  it('each run reports what it reports alone at the same seed, in the order asked', { timeout: 120_000 }, async () => {
    const together = await run('rator,portal,infolink', 'together');
    expect(together.code).toBe(0);
    expect(together.runs.map((r) => r.target.flavour)).toEqual(['rator', 'portal', 'infolink']);
    for (const [i, flavour] of ['rator', 'portal', 'infolink'].entries()) {
      const alone = await run(flavour, `alone-${flavour}`);
      expect(shape(together.runs[i]!)).toEqual(shape(alone.runs[0]!));
    }
    // Progress lines say which run they belong to.
    expect(together.stdout).toMatch(/^\[portal\] idpc run: portal mock/m);
    expect(together.stdout).toMatch(/^overall: 3 of 3 targets conform/m);
  });

  it('a mock config that does not fit one of the flavours: exit 2, one line, whichever thread met it', async () => {
    const file = join(dir, 'rator.mock.json');
    writeFileSync(file, JSON.stringify({ flavour: 'rator' }));
    const r = await runCli(['run', '--mock', 'rator,portal', '--mock-config', file], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`idpc: ${file}: a rator config, not portal`]);
  });
});
