/**
 * Configuration mistakes are said as such: a refused valid grant (wrong secret, password, realm, path) or a
 * certificate problem ends the run before the plan with one line naming the likely cause and the setting (exit 2),
 * instead of failures charged to the IdP. The CLI as a user runs it, against a mock and a TLS server on loopback.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { packageRoot } from '../src/util/paths.js';
import { runCli } from './support/cli.js';
import { targetEnv } from './support/target-env.js';
import { startTinyAs, TINY_CLIENTS, TINY_USERS, type TinyOptions } from './support/tiny-as.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-preflight-'));
const tls = (name: string) => join(packageRoot(), 'test/fixtures/tls', name);
let kc: RunningMock;
beforeAll(async () => {
  kc = await startMock({ flavour: 'keycloak', preset: 'v12-23' });
});
afterAll(() => kc.close());

const keycloakTarget = join(packageRoot(), 'fixtures/targets/keycloak.target.yaml');
const run = (args: string[], env: Record<string, string>, seed = 1) =>
  runCli(['run', ...args, '--suites', 'grant', '--seed', String(seed), '--report-dir', dir], {
    ...process.env,
    ...env,
  });

/** The run ended before its plan with one line (no stack trace) that says `what`. */
function refusedWith(r: { code: number | null; stdout: string; stderr: string }, what: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('a refused valid grant is a configuration problem (exit 2, one line naming the setting)', () => {
  it('a wrong client secret names the client and clientSecret', async () => {
    const r = await run(['--target', keycloakTarget], {
      ...targetEnv('keycloak', kc.url),
      IDPC_KEYCLOAK_APP_SECRET: 'not-the-secret',
    });
    refusedWith(r, /client "conformance-app" was refused .*check its clientId and clientSecret/);
    expect(r.stderr).not.toContain('not-the-secret');
  });

  it('a wrong user password names the user and the password setting', async () => {
    const r = await run(['--target', keycloakTarget], {
      ...targetEnv('keycloak', kc.url),
      IDPC_KEYCLOAK_USER_PASSWORD: 'wrong-password',
    });
    refusedWith(r, /user "qa-bot" was refused .*users\[\]\.password/);
  });

  it('a realm that does not exist says so', async () => {
    const file = join(dir, 'wrong-realm.target.yaml');
    writeFileSync(file, readFileSync(keycloakTarget, 'utf8').replaceAll('/realms/master', '/realms/no-such-realm'));
    refusedWith(
      await run(['--target', file], targetEnv('keycloak', kc.url)),
      /the realm does not exist .*realms\/NAME/,
    );
  });

  it('a wrong path says the URL is not the token endpoint', async () => {
    const file = join(dir, 'wrong-path.target.yaml');
    writeFileSync(
      file,
      readFileSync(keycloakTarget, 'utf8').replaceAll('/auth/realms/master', '/keycloak/realms/master'),
    );
    refusedWith(
      await run(['--target', file], targetEnv('keycloak', kc.url)),
      /answered 404: it is not this flavour's token endpoint; check baseUrl/,
    );
  });

  it('--no-preflight judges anyway, and the report says what the preflight found', async () => {
    const r = await run(['--target', keycloakTarget, '--no-preflight', '--report', 'json'], {
      ...targetEnv('keycloak', kc.url),
      IDPC_KEYCLOAK_APP_SECRET: 'not-the-secret',
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /JUDGED ANYWAY: preflight: the password grant of user "qa-bot" with client "conformance-app" was refused/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as {
      runs: { preflight?: { refused: string[] } }[];
    };
    expect(report.runs[0]!.preflight!.refused).toHaveLength(1);
  });

  it('the right configuration passes the preflight and runs', async () => {
    const r = await run(['--target', keycloakTarget], targetEnv('keycloak', kc.url));
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe('TLS: a certificate problem is one line naming it; with the right setting the run is normal', () => {
  const pem = (name: string) => readFileSync(tls(name));
  async function tlsTarget(
    options: TinyOptions,
    extra: Record<string, unknown> = {},
  ): Promise<{ file: string; close: () => Promise<void> }> {
    const as = await startTinyAs(options);
    const [client] = TINY_CLIENTS;
    const file = join(dir, `tls-${Math.random().toString(36).slice(2)}.target.json`);
    writeFileSync(
      file,
      JSON.stringify({
        flavour: 'rfc6749',
        endpoints: { token: as.tokenUrl, revocation: as.revocationUrl, resource: as.resourceUrl },
        clients: [{ name: 'user', clientId: client!.id, clientSecret: client!.secret }],
        users: [{ username: 'alice', password: TINY_USERS.alice }],
        grants: ['password', 'client_credentials', 'refresh_token'],
        policies: { refreshRotation: 'rotate' },
        budget: { maxRequests: 400, maxBadCredentialAttempts: 40, ratePerSecond: 1000 },
        ...extra,
      }),
    );
    return { file, close: () => as.close() };
  }

  it('a certificate of a private CA: refused without tls.ca, a normal run with it (config or --tls-ca)', async () => {
    const t = await tlsTarget({ tls: { key: pem('server.key'), cert: pem('server.pem') } });
    try {
      refusedWith(
        await run(['--target', t.file], {}),
        /^idpc: preflight: TLS: 127\.0\.0\.1:\d+: its certificate is signed by an unknown CA: give the CA with tls\.ca/,
      );
      for (const seed of [1, 2, 3])
        expect((await run(['--target', t.file, '--tls-ca', tls('ca.pem')], {}, seed)).code, `seed ${seed}`).toBe(0);
      const withCa = join(dir, 'with-ca.target.json');
      writeFileSync(
        withCa,
        JSON.stringify({ ...JSON.parse(readFileSync(t.file, 'utf8')), tls: { ca: tls('ca.pem') } }),
      );
      expect((await run(['--target', withCa], {})).code).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('self-signed, another name, expired: each named', async () => {
    const cases: [TinyOptions, RegExp][] = [
      [
        { tls: { key: pem('self-signed.key'), cert: pem('self-signed.pem') } },
        /its certificate is self-signed .*DEPTH_ZERO_SELF_SIGNED_CERT/,
      ],
      [
        { tls: { key: pem('wrong-name.key'), cert: pem('wrong-name.pem') } },
        /its certificate is for another name than the URL's host/,
      ],
      [{ tls: { key: pem('expired.key'), cert: pem('expired.pem') } }, /its certificate has expired/],
    ];
    for (const [options, what] of cases) {
      const t = await tlsTarget(options);
      try {
        refusedWith(await run(['--target', t.file, '--tls-ca', tls('ca.pem')], {}), what);
      } finally {
        await t.close();
      }
    }
  });

  it('--insecure runs, warns, and marks the report', async () => {
    const t = await tlsTarget({ tls: { key: pem('self-signed.key'), cert: pem('self-signed.pem') } });
    try {
      const r = await run(['--target', t.file, '--insecure', '--report', 'json'], {});
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: --insecure .* not verified/);
      expect(r.stdout).toMatch(/\[TLS NOT VERIFIED\]/);
      expect(JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')).runs[0].target.insecureTls).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('a server that requires a client certificate (mTLS): named without one, a normal run with tls.cert and tls.key', async () => {
    const t = await tlsTarget(
      { tls: { key: pem('server.key'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true } },
      { tls: { ca: tls('ca.pem') } },
    );
    try {
      refusedWith(await run(['--target', t.file], {}), /asks for a client certificate \(mTLS\)/);
      for (const seed of [1, 2, 3]) {
        const r = await run(
          ['--target', t.file, '--tls-cert', tls('client.pem'), '--tls-key', tls('client.key')],
          {},
          seed,
        );
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
    } finally {
      await t.close();
    }
  });
});
