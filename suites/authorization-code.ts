/**
 * The authorization-code suite (series P): the browser flow most applications use, browserless. The login driver
 * (src/session/login-driver.ts) logs in once on the target's own login form and keeps the cookie jar, so every
 * later code comes from the target's SSO session without a form; each negative probe gets a fresh code (Keycloak
 * burns a code on any failed exchange). Codes expire by the mock's clock, or within --max-wait on a real target.
 * The login's session is logged out as each scenario ends, with the newest refresh token of its exchanges.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  codeBoundToClient,
  codeEntropy,
  codeExchangeTokens,
  codeExpires,
  codeSingleUse,
  errorRedirect,
  exactRedirectMatch,
  issuerIdentified,
  parallelExchanges,
  pkceDowngrade,
  pkceRequired,
  promptNone,
  redirectUriBound,
  replayRevokes,
  successRedirect,
  unknownClientPage,
  unregisteredRedirect,
  unsupportedChallengeMethod,
  verifierRequired,
  verifierVerified,
  type AuthorizationAnswer,
} from '../src/checks/authorization-code.js';
import { freshAccessWorks } from '../src/checks/bearer.js';
import { accessTokenSignature, isJwt } from '../src/checks/jwt.js';
import { revokedRefused, revokeValid } from '../src/checks/revocation.js';
import { validRefresh } from '../src/checks/refresh.js';
import type { FlavourDescriptor } from '../src/flavours/index.js';
import { json, type RunContext } from '../src/session/context.js';
import { CookieJar } from '../src/session/cookie-jar.js';
import { describeStop, driveAuthorization, LoginNotPossible, type DriveResult } from '../src/session/login-driver.js';
import { defineSuite, needsSetup, notApplicable, ref, type Scenario, type Skip } from '../src/session/scenario.js';
import { decodeJwtPayload } from '../src/util/jwt.js';
import { NEEDS_RESOURCE } from './preconditions.js';
import type { AuthorizationCodeSetup, Exchange, Target, TargetClient } from '../src/vocabulary/types.js';

interface CodeFlowState {
  /** The login's cookie jar: its SSO session gives every later code. */
  jar: CookieJar;
  /** What discovery says: the issuer, and whether iss is promised in every authorization response (RFC 9207). */
  issuer?: string;
  issAdvertised: boolean;
  /** Every code the run got, and the parts of them the same responses showed elsewhere (TE-P18). */
  codes: string[];
  publicParts: string[];
  /** The first code's authorization exchanges: TE-P18's evidence. */
  firstCode?: Exchange[];
}

/** A state value with the characters a careless server mangles (+, /, =, %, a space). */
const STATE = 'idpc st+/=%';

const needsBrowserFlow = (t: Target, d: FlavourDescriptor): Skip | undefined =>
  t.authorizationCode
    ? undefined
    : d.configPaths.authorization !== undefined
      ? needsSetup(
          'the flavour has an authorization endpoint: configure authorizationCode (redirectUri, the login) to test the browser flow',
        )
      : notApplicable('the target has no authorization endpoint configured (authorizationCode)');

const setupOf = (ctx: RunContext): AuthorizationCodeSetup => ctx.target.authorizationCode!;

interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256' | 'plain';
}
const s256 = (): Pkce => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url'), method: 'S256' };
};

/** The authorization request's URL: the flow's defaults, then `overrides` (null leaves a parameter out). */
function authorizationUrl(setup: AuthorizationCodeSetup, overrides: Record<string, string | null>): string {
  const scope = setup.openid
    ? ['openid', setup.scope ?? setup.client.scope].filter(Boolean).join(' ')
    : (setup.scope ?? setup.client.scope);
  const params: Record<string, string | null> = {
    response_type: 'code',
    client_id: setup.client.clientId,
    redirect_uri: setup.redirectUri,
    ...(scope ? { scope } : {}),
    state: STATE,
    ...overrides,
  };
  const u = new URL(setup.authorizationUrl);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.append(k, v);
  return u.toString();
}

/** Drives one authorization request; `login: false` never fills in a form (prompt=none). */
async function drive(
  ctx: RunContext,
  jar: CookieJar,
  url: string,
  redirectUri: string,
  login = true,
): Promise<DriveResult> {
  const setup = setupOf(ctx);
  if (login) await ctx.session.beforeLogin(setup.login.username);
  const r = await driveAuthorization((m, u, h, b) => ctx.session.send(m, u, h, b), jar, {
    url,
    redirectUri,
    ...(login ? { login: setup.login } : {}),
  });
  // Codes and session cookies are credentials: redacted in every output, as tokens are.
  for (const [k, v] of r.params) if (k === 'code') ctx.session.tokensSeen.add(v);
  for (const v of jar.values()) ctx.session.tokensSeen.add(v);
  return r;
}

const answerOf = (r: DriveResult): AuthorizationAnswer => ({
  kind: r.kind,
  params: r.params,
  ...(r.location ? { location: r.location } : {}),
  ...(r.last?.response ? { status: r.last.response.status } : {}),
});

interface Code {
  code: string;
  pkce?: Pkce;
  nonce?: string;
  drive: DriveResult;
}

/** A fresh code from the login's session (logging in when there is none). Undefined, with the check skipped, when none came. */
async function freshCode(
  ctx: RunContext,
  s: CodeFlowState,
  options: { pkce?: Pkce | 'none'; skipping?: Parameters<RunContext['skip']>[0]; variant?: string } = {},
): Promise<Code | undefined> {
  const setup = setupOf(ctx);
  const pkce = options.pkce === 'none' ? undefined : (options.pkce ?? (setup.pkce === 'optional' ? undefined : s256()));
  const nonce = setup.openid ? randomBytes(12).toString('base64url') : undefined;
  const r = await drive(
    ctx,
    s.jar,
    authorizationUrl(setup, {
      ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: pkce.method } : {}),
      ...(nonce ? { nonce } : {}),
    }),
    setup.redirectUri,
  );
  const code = r.params.find(([k]) => k === 'code')?.[1];
  if (!code) {
    if (options.skipping) ctx.skip(options.skipping, `no code came: ${describeStop(r)}`, 'untested', options.variant);
    return undefined;
  }
  s.codes.push(code);
  s.firstCode ??= r.exchanges;
  const sessionState = r.params.find(([k]) => k === 'session_state')?.[1];
  if (sessionState) s.publicParts.push(sessionState);
  return { code, drive: r, ...(pkce ? { pkce } : {}), ...(nonce ? { nonce } : {}) };
}

/** The code exchange; `redirectUri: null` leaves it out. A refresh token it gets joins the login's session. */
async function exchange(
  ctx: RunContext,
  s: CodeFlowState,
  c: Code,
  options: { verifier?: string | null; redirectUri?: string | null; client?: TargetClient } = {},
): Promise<Exchange> {
  const setup = setupOf(ctx);
  const verifier = options.verifier === undefined ? c.pkce?.verifier : options.verifier;
  const redirectUri = options.redirectUri === undefined ? setup.redirectUri : options.redirectUri;
  const client = options.client ?? setup.client;
  const e = await ctx.token(
    [
      ['grant_type', 'authorization_code'],
      ['code', c.code],
      ...(redirectUri !== null ? ([['redirect_uri', redirectUri]] as [string, string][]) : []),
      ...(verifier ? ([['code_verifier', verifier]] as [string, string][]) : []),
    ],
    { client },
  );
  const rt = e.response?.status === 200 ? json(e)?.refresh_token : undefined;
  if (typeof rt === 'string') ctx.session.holdLogin(s, setup.login.username, client, rt);
  return e;
}

/**
 * One drive per probe: the request with `overrides`, judged where it ended. Where the target requires PKCE, a probe
 * carries an S256 challenge unless it says otherwise, so that it tests what it means to and not the missing challenge.
 */
const probe = (ctx: RunContext, s: CodeFlowState, overrides: Record<string, string | null>, redirectUri?: string) =>
  drive(
    ctx,
    s.jar,
    authorizationUrl(setupOf(ctx), { ...pkceDefaults(setupOf(ctx)), ...overrides }),
    redirectUri ?? setupOf(ctx).redirectUri,
  );

const pkceDefaults = (setup: AuthorizationCodeSetup): Record<string, string> =>
  setup.pkce === 'optional' ? {} : { code_challenge: s256().challenge, code_challenge_method: 'S256' };

/** The registered URI changed: one path character, another host, a query parameter added, a slash added. */
function altered(uri: string, how: 'path' | 'host' | 'extra-query' | 'trailing-slash'): string {
  const u = new URL(uri);
  if (how === 'host') u.hostname = 'idpc-unregistered.example';
  else if (how === 'extra-query') u.searchParams.append('idpc', '1');
  else if (how === 'trailing-slash') u.pathname = `${u.pathname}/`;
  else {
    const p = u.pathname;
    const last = p.at(-1) ?? '/';
    u.pathname = `${p.slice(0, -1)}${last === 'x' ? 'y' : last === '/' ? '/x' : 'x'}`;
  }
  return u.toString();
}

/**
 * Costs: a fresh code is one request from an SSO session, four when the session was logged out after the previous
 * scenario (the runner ends the sessions it opened as each scenario ends) and the driver logs in again.
 */
const scenarios: Scenario<CodeFlowState>[] = [
  {
    // The first login: if the driver cannot log in as configured, the run stops here with one line (exit 2).
    name: 'login',
    checks: [ref(successRedirect), ref(issuerIdentified, 'success'), ref(codeExchangeTokens)],
    answers: ['token-response'],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 7 }),
    run: async (ctx, s) => {
      const t = ctx.target;
      if (t.discoveryUrl) {
        const d = await ctx.session.send('GET', t.discoveryUrl, { accept: 'application/json' });
        const doc = json(d);
        if (typeof doc?.issuer === 'string') s.issuer = doc.issuer;
        s.issAdvertised = doc?.authorization_response_iss_parameter_supported === true;
      }
      s.issuer ??= t.issuer;
      const c = await freshCode(ctx, s);
      if (!c) {
        const r = await probe(ctx, s, {});
        throw new LoginNotPossible(`authorization-code: the login driver could not get a code: ${describeStop(r)}`);
      }
      ctx.judge(successRedirect, [answerOf(c.drive), STATE], c.drive.exchanges);
      ctx.judge(issuerIdentified, [answerOf(c.drive), s.issuer, s.issAdvertised], c.drive.exchanges, 'success');
      const e = await exchange(ctx, s, c);
      if (!ctx.answered(e)) return;
      if (e.response?.status === 200) ctx.responseChecks(e, 'token-response');
      const body = json(e);
      if (e.response?.status !== 200)
        return ctx.fail(codeExchangeTokens, `the code exchange got ${e.response?.status}`, [e]);
      if (!setupOf(ctx).openid) return ctx.pass(codeExchangeTokens);
      const id = typeof body?.id_token === 'string' ? decodeJwtPayload(body.id_token) : undefined;
      ctx.judge(
        codeExchangeTokens,
        [id?.ok ? (id.payload as Record<string, unknown>) : undefined, c.nonce ?? '', setupOf(ctx).client.clientId],
        [e],
      );
    },
  },
  ...(['path', 'host'] as const).map(
    (variant): Scenario<CodeFlowState> => ({
      name: `unregistered-redirect:${variant}`,
      checks: [ref(unregisteredRedirect, variant)],
      skip: needsBrowserFlow,
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const to = altered(setupOf(ctx).redirectUri, variant);
        const r = await probe(ctx, s, { redirect_uri: to }, to);
        ctx.judge(unregisteredRedirect, [answerOf(r)], r.exchanges, variant);
      },
    }),
  ),
  {
    // The code grant's tokens are tokens like any: the access token works at the resource, the refresh token refreshes.
    name: 'code-tokens',
    checks: [ref(freshAccessWorks), ref(validRefresh, 'authorization-code')],
    answers: ['token-response'],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 8 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { skipping: freshAccessWorks });
      if (!c) return ctx.skip(validRefresh, 'no code came', 'untested', 'authorization-code');
      const e = await exchange(ctx, s, c);
      const body = ctx.answered(e) && e.response?.status === 200 ? json(e) : undefined;
      if (!body || typeof body.access_token !== 'string') {
        ctx.skip(freshAccessWorks, `the code exchange got ${e.response?.status}`, 'untested');
        return ctx.skip(validRefresh, 'the code exchange failed', 'untested', 'authorization-code');
      }
      const use = await ctx.resource(body.access_token);
      if (!use) ctx.skip(freshAccessWorks, NEEDS_RESOURCE, ctx.descriptor.resource ? 'untested' : 'not-applicable');
      else if (ctx.answered(use)) ctx.judge(freshAccessWorks, [use, 'from the code grant'], [e, use]);
      if (typeof body.refresh_token !== 'string')
        return ctx.skip(
          validRefresh,
          'the code exchange issued no refresh token',
          'not-applicable',
          'authorization-code',
        );
      const r = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', body.refresh_token],
        ],
        {
          client: setupOf(ctx).client,
        },
      );
      const refreshed = ctx.tokens(validRefresh, 'authorization-code', r);
      if (refreshed)
        ctx.judge(validRefresh, [r, body.access_token, refreshed.access_token], [e, r], 'authorization-code');
      if (typeof refreshed?.refresh_token === 'string')
        ctx.session.holdLogin(s, setupOf(ctx).login.username, setupOf(ctx).client, refreshed.refresh_token);
    },
  },
  {
    // The code grant's tokens under the other series' rules: a JWS access token verifies against the JWKS (TE-L1), and
    // revoking its refresh token ends it (TE-I1, TE-I2), where the target has those.
    name: 'code-tokens:jwt-and-revocation',
    checks: [ref(accessTokenSignature), ref(revokeValid), ref(revokedRefused)],
    skip: needsBrowserFlow,
    // Two codes (each may need a login: 4 requests), the discovery and the JWKS, the revocation and the refresh.
    cost: () => ({ requests: 14 }),
    run: async (ctx, s) => {
      const t = ctx.target;
      const c = await freshCode(ctx, s, { skipping: accessTokenSignature });
      if (!c) {
        for (const x of [revokeValid, revokedRefused]) ctx.skip(x, 'no code came', 'untested');
        return;
      }
      const e = await exchange(ctx, s, c);
      const body = ctx.answered(e) && e.response?.status === 200 ? json(e) : undefined;
      if (!body) {
        for (const x of [accessTokenSignature, revokeValid, revokedRefused])
          ctx.skip(x, 'the code exchange failed', 'untested');
        return;
      }
      const access = String(body.access_token);
      if (!isJwt(access)) ctx.skip(accessTokenSignature, 'the access token is opaque (not a JWS)', 'not-applicable');
      else {
        let jwksUrl = t.jwksUrl;
        if (!jwksUrl && t.discoveryUrl) {
          const d = json(await ctx.session.send('GET', t.discoveryUrl, { accept: 'application/json' }));
          if (typeof d?.jwks_uri === 'string') jwksUrl = d.jwks_uri;
        }
        if (!jwksUrl)
          ctx.skip(
            accessTokenSignature,
            'no JWKS is known: configure endpoints.jwks or endpoints.discovery',
            'needs-setup',
          );
        else {
          const jwks = await ctx.session.send('GET', jwksUrl, { accept: 'application/json' });
          if (ctx.answered(jwks)) await ctx.judge(accessTokenSignature, [access, json(jwks)], [e, jwks]);
        }
      }
      const rt = body.refresh_token;
      if (!t.revocationUrl || typeof rt !== 'string') {
        const why = !t.revocationUrl
          ? 'the target has no revocation endpoint configured'
          : 'the exchange issued no refresh token';
        for (const x of [revokeValid, revokedRefused]) ctx.skip(x, why, 'not-applicable');
        return;
      }
      const client = setupOf(ctx).client;
      const revoked = await ctx.session.revoke(client, { token: rt, token_type_hint: 'refresh_token' });
      if (!ctx.answered(revoked)) return;
      ctx.judge(revokeValid, [revoked], [revoked]);
      const after = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', rt],
        ],
        { client },
      );
      if (ctx.answered(after)) ctx.judge(revokedRefused, [after], [revoked, after]);
      // The revocation may have ended the client's part of the login's session: a new code gives the logout a live token.
      const renew = await freshCode(ctx, s);
      if (renew) await exchange(ctx, s, renew);
    },
  },
  {
    name: 'unknown-client',
    checks: [ref(unknownClientPage)],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const r = await probe(ctx, s, { client_id: `idpc-unknown-${randomBytes(4).toString('hex')}` });
      ctx.judge(unknownClientPage, [answerOf(r)], r.exchanges);
    },
  },
  ...(['extra-query', 'trailing-slash'] as const).map(
    (variant): Scenario<CodeFlowState> => ({
      name: `exact-redirect:${variant}`,
      checks: [ref(exactRedirectMatch, variant)],
      skip: needsBrowserFlow,
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const to = altered(setupOf(ctx).redirectUri, variant);
        const r = await probe(ctx, s, { redirect_uri: to }, to);
        ctx.judge(exactRedirectMatch, [answerOf(r)], r.exchanges, variant);
      },
    }),
  ),
  ...(
    [
      [
        'unsupported-response-type',
        { response_type: 'idpc_unknown' },
        ['unsupported_response_type', 'invalid_request'],
      ],
      ['invalid-scope', { scope: 'idpc-unknown-scope' }, ['invalid_scope']],
    ] as const
  ).map(
    ([variant, overrides, expected]): Scenario<CodeFlowState> => ({
      name: `error-redirect:${variant}`,
      checks: [
        ref(errorRedirect, variant),
        ...(variant === 'unsupported-response-type' ? [ref(issuerIdentified, 'error')] : []),
      ],
      skip: needsBrowserFlow,
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const r = await probe(ctx, s, overrides);
        ctx.judge(errorRedirect, [answerOf(r), expected, STATE], r.exchanges, variant);
        if (variant === 'unsupported-response-type')
          ctx.judge(issuerIdentified, [answerOf(r), s.issuer, s.issAdvertised], r.exchanges, 'error');
      },
    }),
  ),
  {
    name: 'challenge-method',
    checks: [ref(unsupportedChallengeMethod)],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const r = await probe(ctx, s, { code_challenge: s256().challenge, code_challenge_method: 'S512' });
      ctx.judge(unsupportedChallengeMethod, [answerOf(r)], r.exchanges);
    },
  },
  {
    name: 'replay',
    checks: [ref(codeSingleUse), ref(replayRevokes)],
    answers: ['token-error'],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 12 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { skipping: codeSingleUse });
      if (!c) return ctx.skip(replayRevokes, 'no code came', 'untested');
      const first = await exchange(ctx, s, c);
      if (!ctx.answered(first) || first.response?.status !== 200) {
        ctx.skip(codeSingleUse, `the first exchange got ${first.response?.status}`, 'untested');
        return ctx.skip(replayRevokes, 'the first exchange failed', 'untested');
      }
      const again = await exchange(ctx, s, c);
      if (!ctx.answered(again)) return;
      ctx.refused(codeSingleUse, undefined, again);
      const rt = json(first)?.refresh_token;
      if (typeof rt !== 'string') ctx.skip(replayRevokes, 'the exchange issued no refresh token', 'not-applicable');
      else {
        const after = await ctx.token(
          [
            ['grant_type', 'refresh_token'],
            ['refresh_token', rt],
          ],
          {
            client: setupOf(ctx).client,
          },
        );
        if (ctx.answered(after)) ctx.judge(replayRevokes, [after], [first, again, after]);
      }
      // A replay may have ended the client's part of the session: one more exchange gives the logout a live token.
      const renew = await freshCode(ctx, s);
      if (renew) await exchange(ctx, s, renew);
    },
  },
  {
    name: 'other-client',
    checks: [ref(codeBoundToClient)],
    answers: ['token-error'],
    skip: (t, d) =>
      needsBrowserFlow(t, d) ??
      (t.authorizationCode?.otherClient || t.clients.other
        ? undefined
        : needsSetup('a second client (clients: name other) exchanges the code (TE-P9)')),
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { skipping: codeBoundToClient });
      if (!c) return;
      const e = await exchange(ctx, s, c, { client: setupOf(ctx).otherClient ?? ctx.target.clients.other! });
      if (ctx.answered(e)) ctx.refused(codeBoundToClient, undefined, e);
    },
  },
  ...(['different', 'absent'] as const).map(
    (variant): Scenario<CodeFlowState> => ({
      name: `redirect-binding:${variant}`,
      checks: [ref(redirectUriBound, variant)],
      answers: ['token-error'],
      skip: needsBrowserFlow,
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const c = await freshCode(ctx, s, { skipping: redirectUriBound, variant });
        if (!c) return;
        const e = await exchange(ctx, s, c, {
          redirectUri: variant === 'absent' ? null : altered(setupOf(ctx).redirectUri, 'path'),
        });
        if (ctx.answered(e)) ctx.judge(redirectUriBound, [e, variant], [e], variant);
      },
    }),
  ),
  {
    name: 'pkce:missing-verifier',
    checks: [ref(verifierRequired)],
    answers: ['token-error'],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { pkce: s256(), skipping: verifierRequired });
      if (!c) return;
      const e = await exchange(ctx, s, c, { verifier: null });
      if (ctx.answered(e)) ctx.refused(verifierRequired, undefined, e);
    },
  },
  ...(['wrong', 'challenge-as-verifier'] as const).map(
    (variant): Scenario<CodeFlowState> => ({
      name: `pkce:${variant}`,
      checks: [ref(verifierVerified, variant)],
      answers: ['token-error'],
      skip: needsBrowserFlow,
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const c = await freshCode(ctx, s, { pkce: s256(), skipping: verifierVerified, variant });
        if (!c) return;
        const verifier = variant === 'wrong' ? randomBytes(32).toString('base64url') : c.pkce!.challenge;
        const e = await exchange(ctx, s, c, { verifier });
        if (ctx.answered(e)) ctx.refused(verifierVerified, variant, e);
      },
    }),
  ),
  {
    name: 'pkce:downgrade',
    checks: [ref(pkceDowngrade)],
    skip: (t, d) =>
      needsBrowserFlow(t, d) ??
      (t.authorizationCode?.pkce !== 'optional'
        ? notApplicable('PKCE is required for this client: no code comes without a challenge')
        : undefined),
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { pkce: 'none', skipping: pkceDowngrade });
      if (!c) return;
      const e = await exchange(ctx, s, c, { verifier: s256().verifier });
      if (ctx.answered(e)) ctx.judge(pkceDowngrade, [e], [e]);
    },
  },
  ...(['no-challenge', 'plain'] as const).map(
    (variant): Scenario<CodeFlowState> => ({
      name: `pkce-required:${variant}`,
      checks: [ref(pkceRequired, variant)],
      skip: (t, d) =>
        needsBrowserFlow(t, d) ??
        (t.authorizationCode?.pkce === 'optional' || (variant === 'plain' && t.authorizationCode?.pkce !== 'S256')
          ? notApplicable(
              variant === 'plain'
                ? 'the target declares no S256-only PKCE for this client (authorizationCode.pkce: S256)'
                : 'the target declares PKCE optional for this client (authorizationCode.pkce)',
            )
          : undefined),
      cost: () => ({ requests: 5 }),
      run: async (ctx, s) => {
        const challenge = s256();
        const r = await probe(
          ctx,
          s,
          variant === 'plain'
            ? { code_challenge: challenge.verifier, code_challenge_method: 'plain' }
            : { code_challenge: null, code_challenge_method: null },
        );
        for (const [k, v] of r.params) if (k === 'code') s.codes.push(v);
        ctx.judge(pkceRequired, [answerOf(r)], r.exchanges, variant);
      },
    }),
  ),
  {
    name: 'expiry',
    checks: [ref(codeExpires)],
    answers: ['token-error'],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const t = ctx.target;
      const lifetime = setupOf(ctx).codeLifetime;
      if (!lifetime)
        return ctx.skip(
          codeExpires,
          'the code lifetime is not declared (authorizationCode.codeLifetime)',
          'needs-setup',
        );
      if (!t.mock && lifetime + 2 > t.budget.maxWaitSeconds)
        return ctx.skip(
          codeExpires,
          `codes live ${lifetime} s, longer than the run waits (--max-wait, budget.maxWaitSeconds: ${t.budget.maxWaitSeconds} s)`,
          'needs-setup',
        );
      const c = await freshCode(ctx, s, { skipping: codeExpires });
      if (!c) return;
      if (t.mock) t.mock.advanceClock(lifetime + 2);
      else await sleep((lifetime + 2) * 1000);
      const e = await exchange(ctx, s, c);
      if (ctx.answered(e)) ctx.refused(codeExpires, undefined, e);
    },
  },
  {
    name: 'parallel',
    checks: [ref(parallelExchanges)],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 9 }),
    run: async (ctx, s) => {
      const c = await freshCode(ctx, s, { skipping: parallelExchanges });
      if (!c) return;
      const answers = await Promise.all(Array.from({ length: 5 }, () => exchange(ctx, s, c)));
      if (answers.every((e) => ctx.answered(e))) ctx.judge(parallelExchanges, [answers], answers);
    },
  },
  {
    name: 'prompt-none',
    checks: [ref(promptNone)],
    skip: (t, d) =>
      needsBrowserFlow(t, d) ??
      (t.authorizationCode?.openid
        ? undefined
        : notApplicable('prompt=none is OpenID Connect (authorizationCode.openid)')),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      // An empty cookie jar: no session to be silent with.
      const setup = setupOf(ctx);
      const url = authorizationUrl(setup, { ...pkceDefaults(setup), prompt: 'none' });
      const r = await drive(ctx, new CookieJar(), url, setup.redirectUri, false);
      ctx.judge(promptNone, [answerOf(r), STATE], r.exchanges);
    },
  },
  {
    // Last: over every code the run got.
    name: 'code-entropy',
    checks: [ref(codeEntropy)],
    skip: needsBrowserFlow,
    cost: () => ({ requests: 0 }),
    run: async (ctx, s) => {
      if (s.codes.length < 5)
        return ctx.skip(codeEntropy, `only ${s.codes.length} codes came (at least 5 are needed)`, 'untested');
      ctx.judge(codeEntropy, [s.codes, s.publicParts], s.firstCode ?? []);
    },
  },
];

/**
 * One authorization-code grant for another suite (the stateful model): a code from `jar`'s SSO session (logging in
 * when it has none), exchanged with PKCE where required; the tokens and the exchange, or undefined.
 */
export async function codeGrant(
  ctx: RunContext,
  jar: CookieJar,
): Promise<{ body: Record<string, unknown>; exchange: Exchange; client: TargetClient } | undefined> {
  const s: CodeFlowState = { jar, issAdvertised: false, codes: [], publicParts: [] };
  const c = await freshCode(ctx, s);
  if (!c) return undefined;
  const e = await exchange(ctx, s, c);
  const body = e.response?.status === 200 ? json(e) : undefined;
  return body && typeof body.access_token === 'string'
    ? { body: body as Record<string, unknown>, exchange: e, client: setupOf(ctx).client }
    : undefined;
}

export const authorizationCodeSuite = defineSuite<CodeFlowState>({
  name: 'authorization-code',
  start: () => ({ jar: new CookieJar(), issAdvertised: false, codes: [], publicParts: [] }),
  scenarios,
});
