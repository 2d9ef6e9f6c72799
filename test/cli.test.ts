import { SUITE_NAMES } from '../src/checks/define.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { BUILT_IN_FLAVOUR_NAMES } from '../src/vocabulary/flavours.js';

const root = packageRoot();
function idpc(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    input,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tmp = mkdtempSync(join(tmpdir(), 'idpc-cli-'));

describe('idpc validate', () => {
  it('says VALID and exits 0 for a seed example', () => {
    const r = idpc(['validate', '-f', 'portal', '-k', 'token', 'fixtures/portal/seed-000-password-grant.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VALID {2}portal token-response/);
  });

  it('says INVALID with the finding and exits 1', () => {
    const r = idpc(['validate', '-f', 'rfc6749', 'fixtures/rfc6749/neg-expires-in-string.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error +TE-C7 +\/expires_in: must be integer, got string "3600"/);
  });

  it('judges a whole HTTP response from standard input, with --json', () => {
    const r = idpc(
      ['validate', '-f', 'keycloak', '-k', 'error', '--json', '-'],
      'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":"invalid_grant","error_description":"Invalid user credentials"}',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      valid: boolean;
      findings: { rule: string; severity: string; deviation?: unknown }[];
    };
    expect(report.valid).toBe(true);
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'TE-D1', severity: 'info', deviation: expect.anything() }),
      ]),
    );
  });

  it.each([
    ['malformed JSON', '{"access_token":', /is not JSON/],
    ['an empty file', '', /is empty/],
  ])('prints one line and exits 2 for %s', (_what, content, message) => {
    const file = join(tmp, `input-${Math.random()}.json`);
    writeFileSync(file, content);
    const r = idpc(['validate', '-f', 'portal', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['validate', '-f', 'portal', join(tmp, 'missing.json')], /cannot read .*missing.json: no such file/],
    [['validate', '-f', 'okta', 'x.json'], /unknown flavour "okta"/],
    [['validate', '-f', 'portal', '-k', 'claims', 'x.json'], /has no kind "claims"/],
    [['validate'], /Missing required argument: flavour/],
    [['frobnicate'], /Unknown argument: frobnicate/],
  ])('usage errors exit 2 with one line: %j', (args, message) => {
    const r = idpc(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('bad input to idpc run is exit 2 before any request', () => {
  const aFile = join(tmp, 'a-file');
  writeFileSync(aFile, 'x');
  const baseline = (check: string) => {
    const file = join(tmp, `baseline-${check.replace(/\W/g, '_')}.json`);
    writeFileSync(file, JSON.stringify({ expectedFailures: [{ check, reason: 'ticket 1' }] }));
    return file;
  };
  it.each([
    [['run', '--mock', 'portal', '--store', 'redis://[half'], /store\.url .*not a URL/],
    [['run', '--mock', 'portal', '--store', 'redis://127.0.0.1:6379/zero'], /store\.url .*the database is a number/],
    [['mock', 'portal', '--store', 'redis://127.0.0.1:6379/zero'], /store\.url .*the database is a number/],
    [['run', '--mock', 'portal', '--report-dir', join(aFile, 'reports')], /--report-dir .*a-file is not a directory/],
    [
      ['run', '--mock', 'portal', '--baseline', baseline('grant:TE-NOPE')],
      /expectedFailures\/0 \(grant:TE-NOPE\): TE-NOPE is no check of this idpc/,
    ],
    [['run', '--mock', 'portal', '--baseline', baseline('revocation:TE-A2')], /suite revocation does not report TE-A2/],
    [
      ['run', '--mock', 'portal', '--baseline', baseline('grant:TE-E6:implicit')],
      /TE-E6 has the variants password, client_credentials, not implicit/,
    ],
  ])('%j', (args, message) => {
    const r = idpc(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toMatch(/plan:|sent \d+ requests/);
  });
});

describe('idpc schemas and fixtures', () => {
  it('lists schemas and exports them so that every $ref resolves', () => {
    expect(idpc(['schemas', 'list']).stdout).toMatch(/keycloak +offline-claims/);
    const out = join(tmp, 'export');
    expect(idpc(['schemas', 'export', out]).code).toBe(0);
    // Every flavour's schemas (its home under schemas/) besides the shared groups.
    expect(readdirSync(out).sort()).toEqual(['common', 'config', 'report', ...BUILT_IN_FLAVOUR_NAMES].sort());
  });

  it('checks every bundled fixture against its label', () => {
    const r = idpc(['fixtures', 'check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ fixtures: \d+ valid, \d+ invalid; all as labelled/);
  });
});

describe('a CLI that fits its ecosystem', () => {
  it.each([
    [['replay'], /^idpc: name the failure file a run recorded: idpc replay reports\/idpc-failures\.json$/],
    [['schemas'], /^idpc: name an action: idpc schemas list, or idpc schemas export DIR$/],
    [['fixtures'], /^idpc: name an action: idpc fixtures check$/],
  ])('%j without its argument says what to give, exit 2', (args, message) => {
    const r = idpc(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('replay refuses a file that is not a failure file of idpc run: one line naming what is wrong, exit 2', () => {
    const cases: [unknown, RegExp][] = [
      [
        { mock: 'portal', failures: [{ flavour: 'portal', seed: 'x', check: 'grant:TE-C13' }] },
        /\/failures\/0\/seed: .*integer/,
      ],
      [{ mock: 'portal', failures: [] }, /\/failures: /],
      [{ failures: [{ flavour: 'portal', seed: 1, check: 'grant:TE-C13' }] }, /names neither a mock nor a target/],
    ];
    for (const [content, message] of cases) {
      const file = join(tmp, 'bad-failures.json');
      writeFileSync(file, JSON.stringify(content));
      const r = idpc(['replay', file]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/is not a failure file of idpc run/);
      expect(r.stderr).toMatch(message);
    }
  });

  it('--quiet prints one verdict line per target; colour only when asked (FORCE_COLOR) and never with NO_COLOR', () => {
    const quiet = spawnSync(
      process.execPath,
      [
        join(root, 'dist/bin/main.js'),
        'run',
        '--mock',
        'portal,infolink',
        '--quiet',
        '--runs',
        '1',
        '--report-dir',
        join(tmp, 'quiet'),
      ],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(quiet.status).toBe(0);
    const lines = quiet.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^portal \(educates\) http:\/\/127\.0\.0\.1:\d+\/oauth2\/token\/: CONFORMS \(exit 0\)$/);
    expect(lines[2]).toMatch(/^overall: 2 of 2 targets conform/);
    expect(quiet.stdout).not.toContain('\x1b[');
    const coloured = spawnSync(
      process.execPath,
      [
        join(root, 'dist/bin/main.js'),
        'run',
        '--mock',
        'portal',
        '--quiet',
        '--runs',
        '1',
        '--report-dir',
        join(tmp, 'colour'),
      ],
      { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: '' } },
    );
    expect(coloured.stdout).toContain('\x1b[32;1mCONFORMS\x1b[0m');
  }, 60_000);

  it('run --help lists every suite and the report formats', () => {
    const r = idpc(['run', '--help']);
    for (const s of SUITE_NAMES) expect(r.stdout).toContain(s);
    expect(r.stdout).toMatch(/json, junit, ndjson, html/);
  });
});

describe('progress', () => {
  const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
  it.skipIf(!hasScript)(
    `on a terminal: a live line with scenarios, requests and an ETA; on CI or into a file: none${hasScript ? '' : ' (SKIPPED: no script(1) to make a terminal)'}`,
    () => {
      const cmd = `${process.execPath} ${join(root, 'dist/bin/main.js')} run --mock portal --runs 1 --report-dir ${join(tmp, 'progress')} >/dev/null`;
      const env = { ...process.env } as Record<string, string | undefined>;
      delete env.CI;
      const tty = spawnSync('script', ['-qc', cmd, '/dev/null'], {
        encoding: 'utf8',
        env: env as NodeJS.ProcessEnv,
        timeout: 60_000,
      });
      expect(tty.stdout).toMatch(/portal: \d+\/\d+ scenarios · \d+\/\d+ requests/);
      const onCi = spawnSync('script', ['-qc', cmd, '/dev/null'], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true' },
        timeout: 60_000,
      });
      expect(onCi.stdout).not.toMatch(/scenarios ·/);
      const toFile = spawnSync('sh', ['-c', `${cmd} 2>&1`], {
        encoding: 'utf8',
        env: env as NodeJS.ProcessEnv,
        timeout: 60_000,
      });
      expect(toFile.stdout).not.toMatch(/scenarios ·/);
    },
    120_000,
  );
});
