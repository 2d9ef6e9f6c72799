/**
 * Seed 001's technical user: a client id, a secret and a stored offline refresh token, nothing else. The run starts
 * from the stored token, judges what it can from it (refresh, JWT and claim schemas, lifetimes), leaves alone what
 * would end its session, and never leaves the user without a working token. As a user runs it: `idpc mock keycloak`
 * in one process, `idpc run --target` in another.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from './support/cli.js';
import { postForm } from './support/http.js';
import { startTinyAs, TINY_CLIENTS, TINY_USERS, type TinyServer } from './support/tiny-as.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-technical-'));
const mocks: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.stop()));
});

interface TechnicalUser {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenEndpoint: string;
}

interface Reported {
  exitCode: number;
  verdict: string;
  results: { suite: string; check: string; variant?: string; status: string; message?: string }[];
}

/** A Keycloak mock (optionally with a planted defect) and its technical user, as `idpc mock keycloak --json` prints it. */
async function keycloakWithTechnicalUser(
  planted?: Record<string, unknown>,
): Promise<{ url: string; user: TechnicalUser }> {
  const args = ['mock', 'keycloak', '--json'];
  if (planted) {
    const file = join(dir, `kc-${Object.values(planted).join('-')}.json`);
    writeFileSync(file, JSON.stringify({ flavour: 'keycloak', plantedDeviations: planted }));
    args.push('--config', file);
  }
  const mock = await startCli(args);
  mocks.push(mock);
  const user = (mock.info.technicalUsers as TechnicalUser[])[0]!;
  return { url: String(mock.info.url), user };
}

/** The target config of a technical user: only its client and its stored token (from the environment). */
function technicalTarget(url: string, user: TechnicalUser, name: string): string {
  const file = join(dir, `${name}.target.yaml`);
  writeFileSync(
    file,
    [
      'flavour: keycloak',
      'preset: v12-23',
      `baseUrl: ${url}/auth/realms/wallis`,
      'allowHttp: true',
      'clients:',
      `  - clientId: ${user.clientId}`,
      '    clientSecret: ${env:IDPC_TECH_SECRET}',
      '    refreshToken: ${env:IDPC_TECH_TOKEN}',
      'grants: [refresh_token]',
      'policies:',
      '  accessTokenLifetime: 7200   # the wallis realm of the seed document',
      'budget:',
      '  ratePerSecond: 500',
    ].join('\n'),
  );
  return file;
}

async function run(target: string, user: TechnicalUser, seed: number, tag: string): Promise<Reported> {
  const reportDir = join(dir, `${tag}-${seed}`);
  const r = await runCli(
    ['run', '--target', target, '--seed', String(seed), '--report', 'json', '--report-dir', reportDir],
    { ...process.env, IDPC_TECH_SECRET: user.clientSecret, IDPC_TECH_TOKEN: user.refreshToken },
  );
  const report = (JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs: Reported[] })
    .runs[0]!;
  expect(report.exitCode, r.stderr).toBe(r.code);
  return report;
}

const statusOf = (r: Reported, name: string) =>
  r.results.find((x) => `${x.suite}:${x.check}${x.variant ? `:${x.variant}` : ''}` === name)?.status;

describe('a technical-user-only target (client id, secret, stored offline refresh token)', () => {
  let url: string;
  let user: TechnicalUser;
  let target: string;
  beforeAll(async () => {
    ({ url, user } = await keycloakWithTechnicalUser());
    target = technicalTarget(url, user, 'technical');
  });

  it('CONFORMS against the Keycloak mock at seeds 1-3, judging the offline token, its claims and its lifetime', {
    timeout: 180_000,
  }, async () => {
    for (const seed of [1, 2, 3]) {
      const report = await run(target, user, seed, 'clean');
      expect(
        report.verdict,
        JSON.stringify(report.results.filter((r) => r.status === 'fail' || r.message?.includes('not tested'))),
      ).toBe('CONFORMS');
      for (const name of [
        'grant:TE-G1:offline-token',
        'grant:TE-L8',
        'grant:TE-C18',
        'grant:TE-L1',
        'grant:TE-B5',
        'refresh:TE-G1:user',
        'refresh:TE-G3:garbage',
        'refresh:TE-G6',
      ]) {
        expect([name, statusOf(report, name)]).toEqual([name, expect.stringMatching(/^(pass|deviation)$/)]);
      }
      // What would end the stored session is left for a disposable grant, and says so.
      const revocation = report.results.find((r) => r.suite === 'revocation' && r.check === 'TE-I1');
      expect(revocation?.message).toMatch(/would end or narrow the session of the stored refresh token/);
    }
  });

  it('the stored token still works after the runs', async () => {
    const r = await postForm(user.tokenEndpoint, {
      grant_type: 'refresh_token',
      refresh_token: user.refreshToken,
      client_id: user.clientId,
      client_secret: user.clientSecret,
    });
    expect(r.status).toBe(200);
  });

  it.each([
    ["an offline token typed 'Refresh'", { jwtDefect: 'offline-typed-refresh' }, 'grant:TE-L8'],
    ['an offline token answered with a refresh_expires_in', { jwtDefect: 'offline-expires' }, 'grant:TE-L8'],
    ['expires_in other than the realm lifetime', { wrongExpiresIn: true }, 'grant:TE-C18'],
  ])('%s fails %s at seeds 1-3', { timeout: 180_000 }, async (_what, planted, check) => {
    const k = await keycloakWithTechnicalUser(planted);
    const file = technicalTarget(k.url, k.user, `planted-${check}-${Object.values(planted).join('')}`);
    for (const seed of [1, 2, 3]) {
      const report = await run(file, k.user, seed, `planted-${Object.values(planted).join('')}`);
      expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.suite}:${r.check}`)).toContain(check);
    }
  });
});

describe('a stored refresh token the target retires on use', () => {
  let as: TinyServer;
  afterAll(() => as?.close());

  it('without a refreshTokenFile the run refuses before its first request (exit 2, one line); with one it keeps the newest token there (0600), which works after the run', {
    timeout: 180_000,
  }, async () => {
    as = await startTinyAs();
    const [client] = TINY_CLIENTS;
    const login = await postForm(as.tokenUrl, {
      grant_type: 'password',
      username: 'alice',
      password: TINY_USERS.alice,
      client_id: client!.id,
      client_secret: client!.secret!,
    });
    const stored = String(login.json().refresh_token);
    const config = (extra: Record<string, unknown>) => {
      const file = join(dir, `rotating-${Object.keys(extra).join('-') || 'plain'}.target.json`);
      writeFileSync(
        file,
        JSON.stringify({
          flavour: 'rfc6749',
          allowHttp: true,
          endpoints: { token: as.tokenUrl, revocation: as.revocationUrl, resource: as.resourceUrl },
          clients: [{ clientId: client!.id, clientSecret: client!.secret, ...extra }],
          grants: ['refresh_token'],
          policies: { refreshRotation: 'rotate' },
          budget: { ratePerSecond: 500 },
        }),
      );
      return file;
    };
    const refused = await runCli(
      ['run', '--target', config({ refreshToken: stored }), '--report-dir', dir],
      process.env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /holds a stored refresh token, and the target's rotation is declared to retire a used refresh token .*refreshTokenFile/,
    );
    expect(as.hits.get('/token') ?? 0).toBe(1); // the login above, nothing of the run

    const tokenFile = join(dir, 'stored.token');
    writeFileSync(tokenFile, `${stored}\n`);
    const r = await runCli(
      ['run', '--target', config({ refreshTokenFile: tokenFile }), '--seed', '1', '--report-dir', dir],
      process.env,
    );
    expect(r.stdout).toMatch(/the stored refresh token of client "web-app" was rotated: the newest is in /);
    const newest = readFileSync(tokenFile, 'utf8').trim();
    expect(newest).not.toBe(stored);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(newest);
    const works = await postForm(as.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: newest,
      client_id: client!.id,
      client_secret: client!.secret!,
    });
    expect(works.status).toBe(200);
  });
});
