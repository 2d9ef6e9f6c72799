/**
 * CI-native output and runnable reproducers, as a CI job sees them: `idpc mock` with a planted deviation in one
 * process, `idpc run --target --show-secrets` against it in another with GITHUB_ACTIONS and GITHUB_STEP_SUMMARY set.
 * One ::error line per failing check, a Markdown job summary, a complete reproduce command, and a curl line that,
 * pasted into a shell as printed, gets the failing answer again.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { runCli, startCli, type CliProcess } from './support/cli.js';
import { TARGET_SECRETS } from './support/target-env.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-ci-'));
const summary = join(dir, 'step-summary.md');
const SECRETS = TARGET_SECRETS.portal!;
let mock: CliProcess;
let run: { code: number | null; stdout: string; stderr: string };
let report: {
  reproduce?: string;
  seed: number;
  results: {
    check: string;
    status: string;
    evidence?: { curl: string; response?: { status: number; body: string } }[];
  }[];
};

beforeAll(async () => {
  const config = join(dir, 'portal.mock.json');
  // A 500 for a bad password (TE-A11) and no Cache-Control on tokens (TE-C13): two failing checks at least.
  writeFileSync(
    config,
    JSON.stringify({ flavour: 'portal', plantedDeviations: { serverErrorOnBadPassword: true, noCacheControl: true } }),
  );
  mock = await startCli(['mock', 'portal', '--json', '--config', config]);
  const env = {
    ...process.env,
    ...SECRETS,
    IDPC_BASE_URL: String(mock.info.url),
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summary,
  };
  run = await runCli(
    [
      'run',
      '--target',
      join(packageRoot(), 'fixtures/targets/portal.target.yaml'),
      '--show-secrets',
      '--seed',
      '2',
      '--runs',
      '2',
      '--report',
      'json',
      '--report-dir',
      dir,
    ],
    env,
  );
  report = (JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as { runs: (typeof report)[] }).runs[0]!;
}, 120_000);
afterAll(() => mock?.stop());

describe('on GitHub Actions', () => {
  it('prints one ::error per failing check and writes a Markdown job summary', () => {
    expect(run.code).toBe(1);
    const failing = report.results.filter((r) => r.status === 'fail');
    expect(failing.map((r) => r.check)).toEqual(expect.arrayContaining(['TE-A11', 'TE-C13']));
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(failing.length);
    for (const line of errors)
      expect(line, line).toMatch(/^::error title=portal [a-z-]+%3ATE-[A-Z0-9]+(%3A\S+)?::.+ \[.+\]/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toMatch(/^## idp-conformance: 0 of 1 target\(s\) conform$/m);
    expect(md).toMatch(/\| portal .* \| DOES NOT CONFORM \|/);
    for (const r of failing) expect(md).toContain(r.check);
    expect(md).toContain(`Repeat the run:\n\n\`\`\`sh\n${report.reproduce}\n\`\`\``);
  });

  it('warns that secrets are shown, and refuses --show-secrets for a target not on this machine', async () => {
    expect(run.stderr).toMatch(/warning: --show-secrets/);
    const remote = join(dir, 'remote.target.yaml');
    writeFileSync(
      remote,
      'flavour: rfc6749\nbaseUrl: https://idp.example.com\nclients:\n  - name: user\n    clientId: a\n    clientSecret: b\nusers:\n  - username: u\n    password: p\n',
    );
    const r = await runCli(['run', '--target', remote, '--show-secrets'], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/--show-secrets is for a target on this machine/);
  });
});

describe('reproducers', () => {
  it('the reproduce line is a complete command', () => {
    // The run's own command, in the report whatever failed; a property failure prints it on its reproduce: line.
    expect(report.reproduce).toMatch(
      new RegExp(`^idpc run --target \\S+portal\\.target\\.yaml --seed ${report.seed} --runs 2$`),
    );
    for (const line of run.stdout.split('\n').filter((l) => l.includes('reproduce: ')))
      expect(line).toMatch(/reproduce: idpc run --target \S+portal\.target\.yaml --seed -?\d+ --runs 2/);
    expect(run.stdout).not.toMatch(/idpc run \.\.\./);
  });

  it("a failure's curl line, run as printed, gets the failing answer again", () => {
    const a11 = report.results.find((r) => r.check === 'TE-A11' && r.status === 'fail')!;
    const e = a11.evidence!.find((x) => x.response?.status === 500)!;
    expect(e.curl).not.toMatch(/redacted/);
    const out = spawnSync('sh', ['-c', e.curl], { encoding: 'utf8', timeout: 10_000 });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^HTTP\/1\.1 500 /);
    expect(out.stdout.trimEnd().endsWith(e.response!.body.trimEnd())).toBe(true);
  });
});
