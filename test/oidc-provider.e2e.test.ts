/**
 * The runner against a real implementation nobody on this project wrote: oidc-provider as a generic RFC 6749
 * target (fixtures/oidc-provider/server.ts). Verdicts were checked by hand against oidc-provider's behaviour;
 * where it departs from a check, the report names the check and shows the exchange.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcProviderTarget } from '../fixtures/oidc-provider/server.js';
import { runConformance, type FinishedRun } from '../src/runner/run.js';
import { loadTargetConfig, targetOfConfig } from '../src/runner/target.js';

let op: OidcProviderTarget;
let run: FinishedRun;
let targetFile: string;

beforeAll(async () => {
  op = await startOidcProvider();
  const file = (targetFile = join(mkdtempSync(join(tmpdir(), 'idpc-op-')), 'op.target.json'));
  process.env.IDPC_OP_SECRET = 'app-secret';
  writeFileSync(
    file,
    JSON.stringify({
      flavour: 'rfc6749',
      endpoints: {
        token: op.tokenUrl,
        revocation: op.revocationUrl,
        resource: `${op.url}/me`,
        discovery: `${op.url}/.well-known/openid-configuration`,
      },
      allowHttp: true,
      clients: [
        { name: 'user', clientId: 'app', clientSecret: '${env:IDPC_OP_SECRET}', auth: 'basic', scope: 'openid' },
        { name: 'service', clientId: 'app', clientSecret: '${env:IDPC_OP_SECRET}', auth: 'basic' },
        { name: 'other', clientId: 'other', clientSecret: 'other-secret', auth: 'basic' },
      ],
      users: [{ username: 'alice', password: 'alice-password' }],
      grants: ['password', 'client_credentials', 'refresh_token'],
      policies: { refreshRotation: 'unknown' },
      budget: { maxRequests: 600, maxBadCredentialAttempts: 50, ratePerSecond: 1000, timeoutMs: 5000 },
    }),
  );
  const { config, secrets } = await loadTargetConfig(file);
  run = await runConformance({ target: targetOfConfig(config, secrets), seed: 11, numRuns: 4 });
}, 60_000);
afterAll(() => op.close());

/** The status of suite:check, or of suite:check:variant when the name has a variant. */
const status = (name: string, suite = 'grant') => {
  const [check, variant] = name.split(':') as [string, string | undefined];
  return run.results.find((r) => r.suite === suite && r.check === check && r.variant === variant)?.status;
};

describe('oidc-provider as a generic RFC 6749 target', () => {
  it('reaches the target and reports on it', () => {
    expect(run.unreachable).toBeUndefined();
    expect(run.requests).toBeGreaterThan(30);
  });

  it('verdicts that hold for oidc-provider', () => {
    for (const check of [
      'TE-A2:password',
      'TE-A4',
      'TE-C1',
      'TE-C2',
      'TE-C4',
      'TE-C5',
      'TE-C7',
      'TE-C13',
      'TE-C15',
      'TE-F1',
      'TE-F2',
      'TE-F3',
      'TE-J1',
      'TE-J3:garbage',
    ]) {
      expect(status(check), check).toBe('pass');
    }
    for (const check of [
      'TE-G1:user',
      'TE-G2',
      'TE-G3:garbage',
      'TE-G3:truncated',
      'TE-G3:unknown',
      'TE-G4',
      'TE-G5',
      'TE-H7',
    ])
      expect(status(check, 'refresh'), check).toBe('pass');
    // The password grant is enabled: informational under rfc6749.
    expect(status('TE-E8')).toBe('info');
  });

  it('its one departure under rfc6749: no Pragma: no-cache (it follows OAuth 2.1 / RFC 9111)', () => {
    const failures = run.results.filter((r) => r.status === 'fail').map((r) => `${r.suite}:${r.check}`);
    expect(failures.sort()).toEqual(['grant:TE-C14', 'refresh:TE-C14']);
    const c14 = run.results.find((r) => r.suite === 'grant' && r.check === 'TE-C14')!;
    expect(c14.message).toBe('Pragma: no Pragma: no-cache header');
    expect(c14.evidence![0]!.response!.status).toBe(200);
    expect(c14.evidence![0]!.response!.headers.pragma).toBeUndefined();
    expect(run.exitCode).toBe(1);
  });

  it('where oidc-provider departs from a check, the report names it and shows the exchange with a curl', () => {
    const failing = run.results.filter((r) => r.status === 'fail' || r.status === 'warn');
    for (const r of failing) {
      expect(r.check).toMatch(/^TE-/);
      expect(r.message).toBeTruthy();
      if (r.check !== 'TE-S1') expect(r.evidence?.[0]?.curl).toMatch(/^curl -i -X /);
    }
  });

  it('the newer series hold on oidc-provider without a false positive: discovery, JWT (opaque tokens), interop, sessions', () => {
    for (const check of ['TE-K1', 'TE-K2', 'TE-K3', 'TE-K4', 'TE-L7', 'TE-B3', 'TE-E4'])
      expect(status(check), check).toBe('pass');
    // Its access tokens are opaque: the JWT rules say so instead of passing or failing.
    for (const check of ['TE-L1', 'TE-L2', 'TE-L4']) {
      const r = run.results.find((x) => x.suite === 'grant' && x.check === check)!;
      expect(r, check).toMatchObject({
        status: 'skip',
        skipKind: 'not-applicable',
        message: 'the access token is not a JWT',
      });
    }
    for (const check of ['TE-M1', 'TE-M2'])
      expect(run.results.find((x) => x.suite === 'sessions' && x.check === check)?.skipKind, check).toBe(
        'not-applicable',
      );
  });

  it('revocation authenticates as the client declares (Basic: oidc-provider takes only the registered method)', () => {
    for (const check of ['TE-I1', 'TE-I2', 'TE-I3', 'TE-I4:wrong-type', 'TE-I4:unknown-value', 'TE-I5'])
      expect(status(check, 'revocation'), check).toBe('pass');
    const revokes = run.results.filter((r) => r.suite === 'revocation' && r.status === 'fail');
    expect(revokes.map((r) => r.check)).toEqual([]);
  });

  it('the stateful model agrees with oidc-provider (declared policy unknown: rotation not asserted)', () => {
    expect(status('TE-S1', 'stateful')).toBe('pass');
  });

  it('under the oauth21 profile, Pragma is informational and the password grant fails', async () => {
    const { config, secrets } = await loadTargetConfig(targetFile);
    const strict = await runConformance({
      target: targetOfConfig(config, secrets, 'oauth21'),
      seed: 11,
      numRuns: 2,
      suites: ['grant'],
    });
    const s = (check: string) => strict.results.find((r) => r.check === check)?.status;
    expect(s('TE-C14')).toBe('info');
    expect(s('TE-E8')).toBe('fail');
  });
});
