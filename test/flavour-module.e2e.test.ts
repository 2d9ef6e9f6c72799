/**
 * A flavour is one module: a throw-away fifth flavour (test/fixtures/flavours/acme, a descriptor and a mock built on
 * idp-conformance/mocks) is registered with --flavour-module, touching no generic file, and every command knows it:
 * `idpc mock acme` in one process, `idpc run --target` against it in another, `run --mock`, `validate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { runCli, startCli, type CliProcess } from './support/cli.js';

const root = packageRoot();
const MODULE = 'test/fixtures/flavours/acme/index.mjs';
const dir = mkdtempSync(join(tmpdir(), 'idpc-flavour-module-'));
const env = {
  ...process.env,
  ACME_APP_SECRET: 'acme-app-secret-4f9c2d',
  ACME_SERVICE_SECRET: 'acme-service-secret-8b1e7a',
  ACME_ALICE_PASSWORD: 'alice-password-31d5',
};
const running: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((m) => m.stop()));
});

interface Report {
  exitCode: number;
  verdict: string;
  results: { suite: string; check: string; variant?: string; status: string }[];
}

const reportOf = (reportDir: string) =>
  JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs: Report[] };

describe('a fifth flavour from a module', () => {
  it('is named by no generic file: it lives in its own folder only', () => {
    // git grep over the tracked tree: the product's folders never mention the fixture flavour.
    const grep = spawnSync(
      'git',
      ['grep', '--untracked', '-il', 'acme', '--', 'src', 'mocks', 'suites', 'schemas', 'fixtures', 'bin'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(grep.error).toBeUndefined();
    expect(grep.stdout.trim()).toBe('');
    expect(grep.status).toBe(1); // git grep: 1 = nothing found (2 would be an error)
  }, 10_000);

  it('runs as a real target: idpc mock acme in one process, idpc run --target in another, the same verdict at two seeds', async () => {
    const mock = await startCli(['--flavour-module', MODULE, 'mock', 'acme', '--json'], env);
    running.push(mock);
    expect(mock.info.flavour).toBe('acme');
    const verdicts: string[] = [];
    const planned = new Set<string>();
    for (const seed of [1, 2]) {
      const reportDir = join(dir, `target-${seed}`);
      const r = await runCli(
        [
          '--flavour-module',
          MODULE,
          'run',
          '--target',
          join(root, 'test/fixtures/flavours/acme/acme.target.yaml'),
          '--seed',
          String(seed),
          '--report',
          'json',
          '--report-dir',
          reportDir,
        ],
        { ...env, IDPC_BASE_URL: String(mock.info.url) },
      );
      expect(r.stderr).not.toMatch(/internal error/);
      const report = reportOf(reportDir).runs[0]!;
      verdicts.push(`${report.verdict}/${r.code}`);
      const ids = report.results.map((x) => `${x.suite}:${x.check}:${x.variant ?? ''}`);
      if (seed === 1) for (const id of ids) planned.add(id);
      else expect(new Set(ids)).toEqual(planned);
      // The grant, refresh and revocation suites ran against it: its token endpoint, rotation and RFC 7009 endpoint.
      for (const check of ['TE-C1', 'TE-H1', 'TE-J1'])
        expect(report.results.some((x) => x.check === check && x.status === 'pass')).toBe(true);
      expect(report.results.filter((x) => x.status === 'fail')).toEqual([]);
    }
    expect(verdicts).toEqual(['CONFORMS/0', 'CONFORMS/0']);
  }, 120_000);

  it('runs in-process with run --mock, and validate judges its bodies by RFC 6749', async () => {
    const r = await runCli(
      ['--flavour-module', MODULE, 'run', '--mock', 'acme', '--seed', '3', '--report-dir', join(dir, 'mock')],
      env,
    );
    expect(r.stdout).toMatch(/^acme \(default\) http:\/\/127\.0\.0\.1:\d+\/oauth2\/token \[mock\]/m);
    expect(r.stdout).toMatch(/verdict: CONFORMS \(exit 0\)/);
    expect(r.code).toBe(0);
    const body = join(dir, 'body.json');
    writeFileSync(body, JSON.stringify({ access_token: 'x', token_type: 'Bearer', expires_in: -1 }));
    const v = await runCli(['--flavour-module', MODULE, 'validate', '-f', 'acme', body], env);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/expires_in/);
  }, 60_000);

  it('refuses a module that cannot serve, in one line, exit 2', async () => {
    const missing = await runCli(['--flavour-module', './no/such/module.mjs', 'checks'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/flavour module \.\/no\/such\/module\.mjs: cannot load it/);
    const notAFlavour = await runCli(['--flavour-module', 'test/support/cli.ts', 'checks'], env);
    expect(notAFlavour.code).toBe(2);
    const twice = await runCli(['--flavour-module', MODULE, '--flavour-module', MODULE, 'checks'], env);
    expect(twice.stderr).toMatch(/already registered/);
    expect(twice.code).toBe(2);
  }, 30_000);
});
