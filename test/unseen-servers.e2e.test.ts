/**
 * The runner on servers it was not built around: test/support/tiny-as.ts, a strict small RFC 6749 server, each time
 * with one behaviour a real server has (correct: no check may fail) or one planted departure (its check must fail).
 * Every verdict is asked at seeds 1-3 and must not change with the seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance, type FinishedRun } from '../src/runner/run.js';
import { targetOfConfig } from '../src/runner/target.js';
import type { ConfigTargetConfig } from '../src/generated/schemas.js';
import { startTinyAs, TINY_CLIENTS, TINY_USERS, type TinyOptions, type TinyServer } from './support/tiny-as.js';

const servers: TinyServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const [webApp, secondApp] = TINY_CLIENTS as [(typeof TINY_CLIENTS)[0], (typeof TINY_CLIENTS)[0]];

/** A target config for a tiny server: a user client, a second client, the user; `over` replaces what it names. */
function tinyTarget(as: TinyServer, over: Partial<ConfigTargetConfig> = {}): ConfigTargetConfig {
  return {
    flavour: 'rfc6749',
    allowHttp: true,
    endpoints: { token: as.tokenUrl, revocation: as.revocationUrl, resource: as.resourceUrl },
    clients: [
      { name: 'user', clientId: webApp.id, clientSecret: webApp.secret! },
      { name: 'other', clientId: secondApp.id, clientSecret: secondApp.secret! },
    ],
    users: [{ username: 'alice', password: TINY_USERS.alice }],
    grants: ['password', 'client_credentials', 'refresh_token'],
    policies: { refreshRotation: 'rotate' },
    budget: { maxRequests: 800, maxBadCredentialAttempts: 60, ratePerSecond: 1000, timeoutMs: 5000 },
    ...over,
  };
}

/** Runs the runner at seeds 1-3 against a fresh tiny server; every run's verdict and failures are returned. */
async function judge(
  options: TinyOptions,
  over: (as: TinyServer) => Partial<ConfigTargetConfig> = () => ({}),
): Promise<FinishedRun[]> {
  const runs: FinishedRun[] = [];
  for (const seed of [1, 2, 3]) {
    const as = await startTinyAs(options);
    servers.push(as);
    const config = tinyTarget(as, over(as));
    runs.push(await runConformance({ target: targetOfConfig(config, []), seed, numRuns: 3 }));
    await as.close();
  }
  return runs;
}

const failures = (run: FinishedRun) =>
  run.results.filter((r) => r.status === 'fail').map((r) => `${r.suite}:${r.check}${r.variant ? `:${r.variant}` : ''}`);
const statusOf = (run: FinishedRun, suite: string, check: string, variant?: string) =>
  run.results.find((r) => r.suite === suite && r.check === check && r.variant === variant)?.status;

/** The third client may use client_credentials only: TE-E6 asks it for the password grant. */
const machine = {
  name: 'service',
  clientId: 'machine-app',
  clientSecret: 'machine-app-secret-5555555555',
  grants: ['client_credentials' as const],
};

/** The user client asks for "read write": the scope checks then narrow it to "read". */
const withScope = (as: TinyServer): Partial<ConfigTargetConfig> => ({
  clients: [
    { name: 'user', clientId: webApp.id, clientSecret: webApp.secret!, scope: 'read write' },
    { name: 'other', clientId: secondApp.id, clientSecret: secondApp.secret!, scope: 'read write' },
  ],
  scopes: { narrower: 'read' },
  endpoints: { token: as.tokenUrl, revocation: as.revocationUrl, resource: as.resourceUrl },
});

describe('correct servers are not charged', () => {
  it('the strict server as it is: CONFORMS at seeds 1-3', async () => {
    for (const run of await judge({})) expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
  });

  it('a revocation endpoint that takes HTTP Basic only (RFC 6749 §2.3.1): revocation authenticates as the client declares', async () => {
    for (const run of await judge({ revocationAuth: ['basic'] })) {
      expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
      for (const check of ['TE-I1', 'TE-I2', 'TE-I3', 'TE-I5'])
        expect(statusOf(run, 'revocation', check), check).toBe('pass');
      for (const variant of ['wrong-type', 'unknown-value'])
        expect(statusOf(run, 'revocation', 'TE-I4', variant), variant).toBe('pass');
    }
  });

  it('a token endpoint that refuses client_secret_post (RFC 6749: MAY): TE-B2 informs, the grant checks hold', async () => {
    for (const run of await judge({ tokenAuth: ['basic'] })) {
      expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
      expect(statusOf(run, 'grant', 'TE-B2')).toBe('info');
      // Reported as a capability of the server, not charged to another check.
      expect(run.capabilities).toMatchObject({
        tokenEndpointAuth: {
          declared: ['client_secret_basic'],
          accepted: ['client_secret_basic'],
          refused: ['client_secret_post'],
        },
        disagreements: [],
      });
      expect(statusOf(run, 'grant', 'TE-A2', 'password')).toBe('pass');
      expect(statusOf(run, 'grant', 'TE-A4')).toBe('pass');
    }
  });

  it("a server that requires a scope: the client's scope goes with its grants, and a grant without one may get invalid_scope (TE-C10)", async () => {
    for (const run of await judge({ requireScope: true }, withScope)) {
      expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
      expect(run.capabilities?.scopeRequired).toBe(true);
      for (const [suite, check] of [
        ['grant', 'TE-C10'],
        ['grant', 'TE-C11'],
        ['grant', 'TE-F4'],
        ['refresh', 'TE-G7'],
        ['refresh', 'TE-G8'],
        ['refresh', 'TE-G10'],
      ])
        expect(statusOf(run, suite!, check!), check).toBe('pass');
    }
  });

  it('a server that drops an unknown scope and says so (RFC 6749 §3.3): TE-C9 holds', async () => {
    for (const run of await judge({ dropUnknownScope: true }, withScope)) {
      expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
      expect(statusOf(run, 'grant', 'TE-C9')).toBe('pass');
    }
  });
});

describe('a client_credentials-only server', () => {
  const ccOnly = {
    clients: [{ id: 'svc', secret: 'svc-secret-0123456789', grants: ['client_credentials'], scopes: ['read'] }],
  };
  const config = () => ({
    clients: [{ name: 'service', clientId: 'svc', clientSecret: 'svc-secret-0123456789' }],
    users: [],
    grants: ['client_credentials' as const],
  });

  it('CONFORMS: client authentication, invalid requests and revocation run with client_credentials; what needs a refresh token or a user is not applicable', async () => {
    for (const run of await judge(ccOnly, config)) {
      expect([run.verdict, failures(run)]).toEqual(['CONFORMS', []]);
      expect(run.capabilities).toMatchObject({
        grants: { issued: ['client_credentials'] },
        refreshTokenIssuedBy: [],
        noRefreshTokenFrom: ['client_credentials'],
      });
      for (const [suite, check, variant] of [
        ['grant', 'TE-B4'],
        ['grant', 'TE-B5'],
        ['grant', 'TE-A7'],
        ['grant', 'TE-A8'],
        ['grant', 'TE-A9'],
        ['grant', 'TE-F1'],
        ['revocation', 'TE-I3'],
        ['revocation', 'TE-I5'],
        ['revocation', 'TE-I4', 'unknown-value'],
        ['revocation', 'TE-J3', 'revoked'],
      ] as const) {
        expect(statusOf(run, suite, check, variant), `${suite}:${check}`).toBe('pass');
      }
      const na = (suite: string, check: string, variant?: string) =>
        run.results.find((r) => r.suite === suite && r.check === check && r.variant === variant);
      for (const [suite, check, variant] of [
        ['refresh', 'TE-C1'],
        ['refresh', 'TE-G1', 'user'],
        ['revocation', 'TE-I1'],
        ['grant', 'TE-E3', 'wrong-password'],
      ] as const) {
        expect(na(suite, check, variant), `${suite}:${check}`).toMatchObject({
          status: 'skip',
          skipKind: 'not-applicable',
        });
      }
    }
  });
});

describe('lifetimes (TE-C18)', () => {
  it('expires_in other than the declared lifetime fails; the declared one passes, and the report shows what was observed', async () => {
    const declare = (as: TinyServer) => ({
      ...withScope(as),
      policies: { refreshRotation: 'rotate' as const, accessTokenLifetime: 300 },
    });
    for (const run of await judge({}, declare)) {
      expect(statusOf(run, 'grant', 'TE-C18')).toBe('pass');
      expect(run.observed?.accessTokenLifetime).toBe(300);
    }
    for (const run of await judge({ bugs: ['wrong-expires-in'] }, declare))
      expect(failures(run)).toContain('grant:TE-C18');
  });
});

describe('a guest leaves the test user able to log in', () => {
  it('a server that issues no refresh token, with a declared session limit of 3: the run stops before a fourth login, INCOMPLETE, and says what it left open', async () => {
    for (const seed of [1, 2, 3]) {
      const as = await startTinyAs({ refreshTokens: false });
      servers.push(as);
      const run = await runConformance({
        target: targetOfConfig(tinyTarget(as, { policies: { refreshRotation: 'rotate', sessionLimit: 3 } }), []),
        seed,
        numRuns: 3,
      });
      expect(as.logins.get('alice')).toBe(3);
      expect(run.verdict).toBe('INCOMPLETE');
      expect(run.interrupted).toMatch(
        /stopped before opening a session beyond user "alice"'s limit of 3 .*issued no refresh token/,
      );
      expect(run.sessionsLeftOpen).toEqual([
        { username: 'alice', sessions: 3, why: 'the grant issued no refresh token to log it out with' },
      ]);
      await as.close();
    }
  });
});

describe('a SHOULD NOT is a warning', () => {
  it('an error code in the challenge to a request without credentials (RFC 6750 §3.1): TE-J2 warns', async () => {
    for (const run of await judge({ bugs: ['error-without-credentials'] })) {
      expect(statusOf(run, 'grant', 'TE-J2')).toBe('warn');
      expect(run.verdict).toBe('CONFORMS');
    }
  });
});

describe('planted departures are found, at every seed', () => {
  const planted: [string, TinyOptions, string[]][] = [
    ['a request naming no client gets a token', { bugs: ['anonymous-token'] }, ['grant:TE-B11']],
    [
      'a secret or password compared loosely',
      { bugs: ['loose-secret'] },
      ['grant:TE-B12:secret', 'grant:TE-B12:password'],
    ],
    ['the scheme written "bearer" refused', { bugs: ['case-sensitive-bearer'] }, ['grant:TE-J1']],
    ['a GET token request with the secret in its URI served', { bugs: ['get-with-secret'] }, ['grant:TE-A9']],
    ['a 401 to Basic credentials without a challenge', { bugs: ['no-basic-challenge'] }, ['grant:TE-B13']],
    [
      'unauthorized_client answered with 401',
      { bugs: ['unauthorized-client-401'] },
      ['grant:TE-E6:password', 'grant:TE-D1'],
    ],
    ['a refresh token that works for any client', { bugs: ['refresh-any-client'] }, ['refresh:TE-G5']],
    ['an unknown scope dropped silently', { bugs: ['silent-scope-drop'] }, ['grant:TE-C9']],
    ['a scope widened to what was asked, allowed or not', { bugs: ['scope-widening'] }, ['grant:TE-F4']],
    ['the scope of a refresh ignored', { bugs: ['ignore-refresh-scope'] }, ['refresh:TE-G7']],
  ];
  for (const [what, options, expected] of planted) {
    it(`${what}: ${expected.join(', ')}`, async () => {
      for (const run of await judge(options, (as) => ({
        ...withScope(as),
        clients: [...withScope(as).clients!, machine],
      }))) {
        expect(run.verdict).toBe('DOES NOT CONFORM');
        for (const name of expected) expect(failures(run), name).toContain(name);
      }
    });
  }
});
