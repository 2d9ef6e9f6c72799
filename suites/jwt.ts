/**
 * The JWT scenario of the grant suite (series L): one grant (with scope openid where the target is an OpenID
 * provider or the client asks for it), the JWKS, and the refresh token presented at the resource. jose verifies.
 */
import type { JSONWebKeySet } from 'jose';
import { decodeJwsHeader, decodeJwtClaims } from '../src/util/jwt.js';
import {
  accessTokenSignature,
  claimsOfFlavour,
  idTokenValid,
  isJwt,
  issuedAtSane,
  issuerMatches,
  jwksShape,
  lifetimeAgrees,
  refreshNotBearer,
  verifySignature,
} from '../src/checks/jwt.js';
import { json, type RunContext } from '../src/session/context.js';
import type { Exchange } from '../src/vocabulary/types.js';
import { registry } from '../src/schemas/registry.js';
import type { GrantState } from './grant-state.js';
import {
  canLogIn,
  clientCredentialsParams,
  NEEDS_RESOURCE,
  passwordGrant,
  storedClient,
  storedOnly,
  storedRefreshParams,
} from './preconditions.js';

const JWT_CHECKS = [
  accessTokenSignature,
  issuedAtSane,
  lifetimeAgrees,
  issuerMatches,
  idTokenValid,
  jwksShape,
  claimsOfFlavour,
];

/** The answer's refresh token is one of the flavour's offline tokens (its scope holds the flavour's offline scope). */
export function isOfflineAnswer(
  d: { offlineTokens?: { scope: string } },
  body: Readonly<Record<string, unknown>>,
): boolean {
  if (!d.offlineTokens || typeof body.refresh_token !== 'string' || !isJwt(body.refresh_token)) return false;
  const scope = decodeJwtClaims(body.refresh_token).scope;
  return typeof scope === 'string' && scope.split(' ').includes(d.offlineTokens.scope);
}

/**
 * TE-L8: the JWTs of one token answer against the flavour's claim schemas (schemas/<flavour>/*-claims), and an
 * offline token's answer against the flavour's documented refresh_expires_in. Not applicable to a flavour without
 * claim schemas or to opaque tokens. Returns whether it judged anything.
 */
export function judgeClaims(ctx: RunContext, e: Exchange, body: Readonly<Record<string, unknown>>): boolean {
  const flavour = ctx.target.flavour;
  const schemas = registry();
  const problems: string[] = [];
  const judged: string[] = [];
  const check = (token: unknown, kind: string, what: string) => {
    if (typeof token !== 'string' || !isJwt(token) || !schemas.has(flavour, kind)) return undefined;
    const claims = decodeJwtClaims(token);
    const v = schemas.validate(flavour, kind, claims);
    judged.push(what);
    for (const err of v.errors) problems.push(`${what} ${err.path || '/'}: ${err.message}`);
    return claims;
  };
  check(body.access_token, 'access-claims', 'the access token');
  const offline = ctx.descriptor.offlineTokens;
  const isOffline = isOfflineAnswer(ctx.descriptor, body);
  check(
    body.refresh_token,
    isOffline ? 'offline-claims' : 'refresh-claims',
    isOffline ? 'the offline token' : 'the refresh token',
  );
  if (isOffline && body.refresh_expires_in !== undefined && body.refresh_expires_in !== offline!.refreshExpiresIn) {
    problems.push(
      `refresh_expires_in is ${String(body.refresh_expires_in)} for an offline token; the ${ctx.descriptor.title} flavour states ${offline!.refreshExpiresIn} (${offline!.source})`,
    );
  }
  check(body.id_token, 'id-claims', 'the ID token');
  if (!judged.length) return false;
  ctx.judge(claimsOfFlavour, [judged.join(', '), problems], [e]);
  return true;
}

export async function jwtScenario(ctx: RunContext, s: GrantState): Promise<void> {
  const t = ctx.target;
  const user = canLogIn(t) ? t.clients.user : undefined;
  const stored = !user && storedOnly(t) ? storedClient(t) : undefined;
  const client = user ?? stored ?? t.clients.service!;
  const scope = client.scope ?? (ctx.descriptor.oidc && user ? 'openid' : undefined);
  const params = user
    ? passwordGrant(t, scope ?? null)
    : stored
      ? storedRefreshParams(ctx, scope ?? null)
      : clientCredentialsParams(t, scope ?? null);
  const e = await ctx.token(params, { client });
  if (e.response?.status === 200) ctx.responseChecks(e, 'token-response');
  const answer = json(e);
  const access = answer?.access_token;
  const now = t.mock?.now() ?? Date.now() / 1000;
  if (e.response?.status !== 200 || typeof access !== 'string') {
    for (const c of [...JWT_CHECKS, refreshNotBearer]) ctx.skip(c, 'the grant for it failed', 'untested');
    return;
  }

  // TE-L7 is about any refresh token, JWT or not.
  const refresh = answer?.refresh_token;
  if (typeof refresh !== 'string') ctx.skip(refreshNotBearer, 'the grant issued no refresh token', 'not-applicable');
  else {
    const use = await ctx.resource(refresh);
    if (!use) ctx.skip(refreshNotBearer, NEEDS_RESOURCE, ctx.descriptor.resource ? 'untested' : 'not-applicable');
    else if (ctx.answered(use)) ctx.judge(refreshNotBearer, [use], [e, use]);
  }

  if (!isJwt(access)) {
    for (const c of JWT_CHECKS) ctx.skip(c, 'the access token is not a JWT', 'not-applicable');
    return;
  }
  const claims = decodeJwtClaims(access);
  ctx.judge(issuedAtSane, [claims, now], [e]);
  if (!judgeClaims(ctx, e, answer!))
    ctx.skip(
      claimsOfFlavour,
      `the ${ctx.descriptor.title} flavour has no claim schemas for its tokens`,
      'not-applicable',
    );
  if (typeof answer?.expires_in === 'number') ctx.judge(lifetimeAgrees, [claims, answer.expires_in], [e]);
  else ctx.skip(lifetimeAgrees, 'the answer states no expires_in', 'not-applicable');
  const issuer = t.issuer ?? (typeof s.discovery?.issuer === 'string' ? s.discovery.issuer : undefined);
  if (issuer) ctx.judge(issuerMatches, [claims, issuer, 'access token'], [e]);
  else ctx.skip(issuerMatches, 'no issuer is known: configure issuer or endpoints.discovery', 'needs-setup');

  const jwksUrl = t.jwksUrl ?? (typeof s.discovery?.jwks_uri === 'string' ? s.discovery.jwks_uri : undefined);
  const idToken = typeof answer?.id_token === 'string' ? answer.id_token : undefined;
  let jwks: JSONWebKeySet | undefined;
  let jwksExchange: Exchange | undefined;
  if (!jwksUrl) {
    for (const c of [accessTokenSignature, jwksShape])
      ctx.skip(c, 'no JWKS is known: configure endpoints.jwks or endpoints.discovery', 'needs-setup');
  } else {
    jwksExchange = await ctx.session.send('GET', jwksUrl, { accept: 'application/json' });
    const doc = json(jwksExchange);
    if (!ctx.answered(jwksExchange)) return;
    const signedWith = [access, ...(idToken ? [idToken] : [])]
      .map((tok) => decodeJwsHeader(tok))
      .map((h) => ({ ...(h.alg ? { alg: h.alg } : {}), ...(h.kid ? { kid: h.kid } : {}) }));
    ctx.judge(jwksShape, [doc, signedWith], [jwksExchange]);
    await ctx.judge(accessTokenSignature, [access, doc], [e, jwksExchange]);
    if (Array.isArray(doc?.keys)) jwks = doc as unknown as JSONWebKeySet;
  }

  if (!scope?.split(' ').includes('openid'))
    return ctx.skip(
      idTokenValid,
      'scope openid was not requested (not an OpenID provider: give the client a scope with openid)',
      'not-applicable',
    );
  if (!idToken) return ctx.skip(idTokenValid, 'no ID token came back for scope openid', 'not-applicable');
  const idClaims = decodeJwtClaims(idToken);
  const claimsOk = idTokenValid.judge(idClaims, client.clientId, issuer, now);
  if (!claimsOk.passed) return ctx.fail(idTokenValid, claimsOk.message, [e]);
  if (!jwks) {
    ctx.record(idTokenValid, claimsOk, [e]);
    return;
  }
  const sig = await verifySignature(idToken, jwks);
  ctx.record(idTokenValid, { passed: sig.passed, message: `the ID token: ${sig.message}` }, [e, jwksExchange!]);
}
