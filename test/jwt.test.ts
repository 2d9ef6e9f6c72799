/**
 * Series L: the JWT rules over tokens made with jose (unit), and end to end through the Keycloak mock's planted
 * JWT defects: each defect fails its own check, and the clean mock passes them all.
 */
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { startMock } from '../mocks/index.js';
import {
  idTokenValid,
  isJwt,
  issuedAtSane,
  issuerMatches,
  jwksShape,
  lifetimeAgrees,
  verifySignature,
} from '../src/checks/jwt.js';
import { runConformance } from '../src/runner/run.js';
import { targetOfMock } from '../src/runner/target.js';

const ISS = 'https://idp.example/realms/x';

async function keys() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  return { privateKey, jwks: { keys: [jwk] } as JSONWebKeySet };
}
const sign = (claims: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0], kid = 'k1') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);

describe('JWT rules', () => {
  it('TE-L1: a signature by the JWKS key verifies, one by another key or alg none does not', async () => {
    const a = await keys();
    const b = await keys();
    const now = Math.floor(Date.now() / 1000);
    const good = await sign({ iss: ISS, iat: now, exp: now + 60 }, a.privateKey);
    expect((await verifySignature(good, a.jwks)).passed).toBe(true);
    const foreign = await sign({ iss: ISS, iat: now, exp: now + 60 }, b.privateKey);
    expect((await verifySignature(foreign, a.jwks)).message).toMatch(/does not verify against the JWKS/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISS })).toString('base64url')}.`;
    expect(isJwt(none)).toBe(true);
    expect((await verifySignature(none, a.jwks)).message).toMatch(/alg is "none"/);
    expect(isJwt('opaque-token-value')).toBe(false);
  });

  it('TE-L2, TE-L3, TE-L4: iat = exp, iat in the future, exp - iat against expires_in, iss', () => {
    expect(issuedAtSane.judge({ iat: 100, exp: 100 }, 100).message).toBe('exp 100 is not later than iat 100');
    expect(issuedAtSane.judge({ iat: 1000, exp: 2000 }, 100).message).toBe('iat 1000 is 900 s in the future');
    expect(issuedAtSane.judge({ iat: 100, exp: 400 }, 120).passed).toBe(true);
    expect(lifetimeAgrees.judge({ iat: 100, exp: 400 }, 300).passed).toBe(true);
    expect(lifetimeAgrees.judge({ iat: 100, exp: 400 }, 3600).passed).toBe(false);
    expect(issuerMatches.judge({ iss: `${ISS}-elsewhere` }, ISS, 'access token').passed).toBe(false);
  });

  it('TE-L5: aud must contain the client, azp with several audiences, iss, exp', () => {
    const now = 1000;
    expect(idTokenValid.judge({ iss: ISS, aud: 'app', iat: now, exp: now + 60 }, 'app', ISS, now).passed).toBe(true);
    expect(idTokenValid.judge({ iss: ISS, aud: 'other', iat: now, exp: now + 60 }, 'app', ISS, now).message).toMatch(
      /does not contain the client app/,
    );
    expect(
      idTokenValid.judge({ iss: ISS, aud: ['app', 'api'], iat: now, exp: now + 60 }, 'app', ISS, now).message,
    ).toMatch(/azp/);
    expect(idTokenValid.judge({ iss: ISS, aud: 'app', iat: now, exp: now - 600 }, 'app', ISS, now).message).toMatch(
      /has passed/,
    );
  });

  it('TE-L6: keys array, unique kids, use and alg agree', () => {
    expect(
      jwksShape.judge({ keys: [{ kid: 'a', use: 'sig', alg: 'RS256' }] }, [{ alg: 'RS256', kid: 'a' }]).passed,
    ).toBe(true);
    expect(jwksShape.judge({}, []).message).toBe('the JWKS has no keys array');
    expect(jwksShape.judge({ keys: [{ kid: 'a' }, { kid: 'a' }] }, []).message).toMatch(/a kid repeats/);
    expect(jwksShape.judge({ keys: [{ kid: 'a', use: 'enc' }] }, [{ alg: 'RS256', kid: 'a' }]).message).toMatch(
      /for use "enc"/,
    );
    expect(jwksShape.judge({ keys: [{ kid: 'a' }] }, [{ alg: 'RS256', kid: 'b' }]).message).toMatch(
      /no key with kid b/,
    );
  });
});

describe('planted JWT defects of the Keycloak mock fail their check', () => {
  it.each([
    ['iat-equals-exp', 'TE-L2'],
    ['wrong-issuer', 'TE-L4'],
    ['foreign-audience', 'TE-L5'],
    ['foreign-key', 'TE-L1'],
  ] as const)('%s fails %s (and the run exits 1)', async (defect, check) => {
    const mock = await startMock({
      flavour: 'keycloak',
      plantedDeviations: { jwtDefect: defect },
      journal: { enabled: false },
    });
    try {
      const run = await runConformance({
        target: await targetOfMock(mock, 'rfc6749'),
        seed: 1,
        numRuns: 1,
        suites: ['grant'],
      });
      const r = run.results.find((x) => x.check === check)!;
      expect(r.status, r.message).toBe('fail');
      expect(r.evidence?.[0]?.curl).toMatch(/^curl -i -X POST/);
      expect(run.exitCode).toBe(1);
    } finally {
      await mock.close();
    }
  });

  it('the clean mock passes every JWT check', async () => {
    const mock = await startMock({ flavour: 'keycloak', journal: { enabled: false } });
    try {
      const run = await runConformance({
        target: await targetOfMock(mock, 'rfc6749'),
        seed: 1,
        numRuns: 1,
        suites: ['grant'],
      });
      const l = run.results.filter((x) => x.check.startsWith('TE-L')).map((x) => `${x.check}=${x.status}`);
      expect(l).toEqual([
        'TE-L1=pass',
        'TE-L2=pass',
        'TE-L3=pass',
        'TE-L4=pass',
        'TE-L5=pass',
        'TE-L6=pass',
        'TE-L7=pass',
        'TE-L8=pass',
      ]);
    } finally {
      await mock.close();
    }
  });
});
