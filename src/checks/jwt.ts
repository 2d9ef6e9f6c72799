/**
 * Series L: JWT tokens, wherever the target issues them (Keycloak, many RFC 6749 servers). Signatures and JWKS
 * are handled by jose (panva/jose); these rules only judge what it decoded and verified.
 */
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { decodeJwsHeader, decodeJwtClaims } from '../util/jwt.js';
import { defineCheck, everyProfile, describeAnswer, outcome, statusOf, type Outcome } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

const RFC9068 = 'https://www.rfc-editor.org/rfc/rfc9068';
const RFC7519 = 'https://www.rfc-editor.org/rfc/rfc7519';
/** Clock skew allowed between the target and the runner. */
export const CLOCK_SKEW_SECONDS = 60;

/** A compact JWS (three base64url parts whose header decodes), not an opaque token. */
export function isJwt(token: string): boolean {
  try {
    decodeJwsHeader(token);
    decodeJwtClaims(token);
    return true;
  } catch {
    return false;
  }
}

/** TE-L1 (and TE-L5's signature): alg is not none and the signature verifies against the JWKS. */
export async function verifySignature(token: string, jwks: JSONWebKeySet): Promise<Outcome & { payload?: JWTPayload }> {
  const header = decodeJwsHeader(token);
  if (!header.alg || header.alg === 'none')
    return outcome(false, `alg is ${JSON.stringify(header.alg ?? null)}: an unsigned token`);
  try {
    // Expiry and claims are judged by their own checks; the signature alone here.
    // jose loads with the first signature to verify: runs against opaque-token targets never pay for it.
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { clockTolerance: Number.MAX_SAFE_INTEGER });
    return { ...outcome(true, `signature verifies (${header.alg}, kid ${String(header.kid)})`), payload };
  } catch (e) {
    return outcome(
      false,
      `the ${header.alg} signature (kid ${String(header.kid)}) does not verify against the JWKS: ${(e as Error).message}`,
    );
  }
}

export const accessTokenSignature = defineCheck({
  id: 'TE-L1',
  title: "A JWS access token's alg is not none and its signature verifies against the issuer's JWKS",
  level: 'MUST',
  requirement: 'RFC 9068 §4, RFC 7515',
  url: `${RFC9068}#section-4`,
  /** The access token against the JWKS document the target published (its keys member, when it has one). */
  judge: async (token: string, jwksDocument: unknown): Promise<Outcome> => {
    const keys = (jwksDocument as { keys?: unknown } | undefined)?.keys;
    if (!Array.isArray(keys)) return outcome(false, 'the JWKS has no keys to verify with');
    const { payload: _, ...verdict } = await verifySignature(token, jwksDocument as JSONWebKeySet);
    return verdict;
  },
});

/** Beyond this, an exp is no lifetime a token endpoint issues (ten years; offline tokens state theirs elsewhere). */
const FAR_FUTURE_SECONDS = 10 * 31_557_600;

export const issuedAtSane = defineCheck({
  id: 'TE-L2',
  title: 'iat is not in the future, exp is later than iat, and both are seconds (not milliseconds, not centuries away)',
  level: 'MUST',
  requirement: 'RFC 7519 §4.1.4, §4.1.6 (derived)',
  url: `${RFC7519}#section-4.1.4`,
  judge: (claims: JWTPayload, nowSeconds: number) => {
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number')
      return outcome(false, `iat ${String(iat)} and exp ${String(exp)} must both be numbers`);
    if (iat > nowSeconds + CLOCK_SKEW_SECONDS)
      return outcome(
        false,
        `iat ${iat} is ${iat - nowSeconds} s in the future${iat > 1e11 ? ' (milliseconds? NumericDate is in seconds)' : ''}`,
      );
    // NumericDate is seconds (RFC 7519 §2): an exp centuries away is milliseconds, or no expiry at all in disguise.
    if (exp > nowSeconds + FAR_FUTURE_SECONDS)
      return outcome(
        false,
        `exp ${exp} is ${Math.round((exp - nowSeconds) / 31_557_600)} years away${exp > 1e11 ? ' (milliseconds? NumericDate is in seconds)' : ''}`,
      );
    return outcome(exp > iat, `exp ${exp} is not later than iat ${iat}`);
  },
});

export const lifetimeAgrees = defineCheck({
  id: 'TE-L3',
  title: "exp - iat agrees with the response's expires_in",
  level: 'SHOULD',
  requirement: 'derived (RFC 6749 §5.1, RFC 7519 §4.1.4)',
  url: `${RFC7519}#section-4.1.4`,
  judge: (claims: JWTPayload, expiresIn: number) => {
    const lifetime = Number(claims.exp) - Number(claims.iat);
    return outcome(Math.abs(lifetime - expiresIn) <= 5, `exp - iat is ${lifetime} s, expires_in says ${expiresIn} s`);
  },
});

export const issuerMatches = defineCheck({
  id: 'TE-L4',
  title: 'iss equals the configured issuer',
  level: 'MUST',
  requirement: 'RFC 9068 §2.2; OIDC Core §2',
  url: `${RFC9068}#section-2.2`,
  judge: (claims: JWTPayload, issuer: string, which: string) =>
    outcome(
      claims.iss === issuer,
      `the ${which}'s iss is ${JSON.stringify(claims.iss ?? null)}, the issuer is ${issuer}`,
    ),
});

export const idTokenValid = defineCheck({
  id: 'TE-L5',
  title:
    'An ID token (scope openid) verifies: signature, iss, aud contains the client, azp with several audiences, exp, iat',
  level: 'MUST',
  requirement: 'OIDC Core §3.1.3.7, §2',
  url: 'https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation',
  judge: (claims: JWTPayload, clientId: string, issuer: string | undefined, nowSeconds: number) => {
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud !== undefined ? [claims.aud] : [];
    const problems = [
      ...(issuer !== undefined && claims.iss !== issuer ? [`iss ${JSON.stringify(claims.iss)} is not ${issuer}`] : []),
      ...(!aud.includes(clientId) ? [`aud ${JSON.stringify(claims.aud)} does not contain the client ${clientId}`] : []),
      ...(aud.length > 1 && claims.azp !== clientId
        ? [`several audiences, and azp ${JSON.stringify(claims.azp)} is not the client`]
        : []),
      ...(typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < nowSeconds
        ? [`exp ${String(claims.exp)} has passed`]
        : []),
      ...(typeof claims.iat !== 'number' ? ['no iat'] : []),
    ];
    return outcome(problems.length === 0, `the ID token: ${problems.join('; ')}`);
  },
});

export const jwksShape = defineCheck({
  id: 'TE-L6',
  title: 'The JWKS is JSON with a keys array; kids are unique; use and alg agree with the tokens it signs',
  level: 'SHOULD',
  requirement: 'RFC 7517 §4, §5',
  url: 'https://www.rfc-editor.org/rfc/rfc7517#section-5',
  judge: (jwks: unknown, signedWith: { alg?: string; kid?: string }[]) => {
    const keys = (jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) return outcome(false, 'the JWKS has no keys array');
    const kids = keys.map((k) => (k as { kid?: string }).kid).filter((k): k is string => typeof k === 'string');
    if (new Set(kids).size !== kids.length) return outcome(false, `a kid repeats: ${kids.join(', ')}`);
    for (const { alg, kid } of signedWith) {
      const key = keys.find((k) => (k as { kid?: string }).kid === kid) as { use?: string; alg?: string } | undefined;
      if (!key) return outcome(false, `no key with kid ${String(kid)}, which signs a token`);
      if (key.use !== undefined && key.use !== 'sig')
        return outcome(false, `the key ${String(kid)} is for use "${key.use}", not sig`);
      if (key.alg !== undefined && key.alg !== alg)
        return outcome(false, `the key ${String(kid)} is for ${key.alg}, the token uses ${String(alg)}`);
    }
    return outcome(true, 'JWKS shape');
  },
});

export const refreshNotBearer = defineCheck({
  id: 'TE-L7',
  title: 'A refresh token is not accepted as a bearer access token at the resource',
  level: 'MUST',
  requirement: 'RFC 6749 §1.5, §10.4 (derived)',
  url: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.4',
  judge: (e: Exchange) =>
    outcome(
      (statusOf(e) ?? 0) >= 400 && (statusOf(e) ?? 0) < 500,
      `a refresh token presented as a bearer token at the resource: ${describeAnswer(e)}`,
    ),
});

export const claimsOfFlavour = defineCheck({
  id: 'TE-L8',
  title:
    "Issued JWTs validate against the flavour's claim schemas (access, refresh, offline, ID); an offline token's answer states the flavour's refresh_expires_in",
  level: 'MUST',
  requirement: "the flavour's document (Keycloak: seed 001's technical-user tokens)",
  url: 'https://www.keycloak.org/docs/latest/server_admin/#_offline-access',
  profiles: everyProfile('error'),
  judge: (what: string, problems: readonly string[]) =>
    outcome(problems.length === 0, `${what}: ${problems.join('; ')}`),
});
