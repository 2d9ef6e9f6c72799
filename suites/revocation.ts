/** Revocation suite (RFC 7009), where the target has a revocation endpoint. */
import { badAccessRefused } from '../src/checks/bearer.js';
import {
  crossClientRevocation,
  revocationEndsGrant,
  revokedRefused,
  revokeUnknown,
  revokeValid,
  revokeWithoutAuth,
  revokeWithoutToken,
  wrongHint,
} from '../src/checks/revocation.js';
import {
  defineSuite,
  needsSetup,
  notApplicable,
  ref,
  untested,
  type Scenario,
  type Skip,
} from '../src/session/scenario.js';
import type { Target } from '../src/vocabulary/types.js';
import type { FlavourDescriptor } from '../src/flavours/index.js';
import { json, type RunContext } from '../src/session/context.js';
import type { Exchange } from '../src/vocabulary/types.js';
import {
  accessGrant,
  BAD_CREDENTIALS_SPENT,
  canLogIn,
  NEEDS_RESOURCE,
  needsAGrant,
  needsDisposableGrant,
  needsResource,
  storedClient,
  storedOnly,
} from './preconditions.js';
import { freshGrant, refreshWith, type Grant } from './refresh.js';

interface RevocationState {
  /** The first grant: its client revokes, and its tokens are what there is to revoke. */
  probe?: Grant;
  /** The target issues refresh tokens (else access tokens are what is revoked: RFC 7009 §2 SHOULD). */
  refreshTokens?: boolean;
}

/** A flavour that documents a revocation endpoint leaves these untested when it is not configured; RFC 7009 is otherwise optional. */
const needsRevocation = (t: Target, d: FlavourDescriptor): Skip | undefined =>
  t.revocationUrl
    ? needsAGrant(t)
    : d.configPaths.revocation !== undefined
      ? untested('the flavour has a revocation endpoint: configure endpoints.revocation')
      : notApplicable('the target has no revocation endpoint (RFC 7009 is optional)');

const NO_REFRESH_TOKEN =
  'the target issues no refresh token to the configured clients (its access tokens are revoked instead)';

/** A fresh grant with a refresh token when the target issues them, else with an access token alone. */
async function grantToRevoke(ctx: RunContext, s: RevocationState): Promise<Grant | undefined> {
  if (s.refreshTokens !== false) {
    const g = await freshGrant(ctx);
    if (g || s.refreshTokens) return g;
  }
  const e = await accessGrant(ctx);
  const body = json(e);
  return e.response?.status === 200 && typeof body?.access_token === 'string'
    ? { client: revokingClient(ctx.target)!, body, exchange: e }
    : undefined;
}

/** The client whose tokens the suite revokes: the one that gets them (accessGrant's). */
const revokingClient = (t: Target) =>
  canLogIn(t) ? t.clients.user : storedOnly(t) ? storedClient(t) : t.clients.service;

/** The token a scenario revokes: the refresh token, or the access token where there is none. */
const revocable = (g: Grant): { token: string; hint: string; other: string } =>
  typeof g.body.refresh_token === 'string'
    ? { token: g.body.refresh_token, hint: 'refresh_token', other: 'access_token' }
    : { token: String(g.body.access_token), hint: 'access_token', other: 'refresh_token' };

/** Whether the revoked token still works: a refresh with it, or the access token at the resource. */
async function stillWorks(ctx: RunContext, g: Grant): Promise<Exchange | undefined> {
  return typeof g.body.refresh_token === 'string'
    ? refreshWith(ctx, g.client, g.body.refresh_token)
    : ctx.resource(String(g.body.access_token));
}

const scenarios: Scenario<RevocationState>[] = [
  {
    name: 'probe',
    checks: [],
    skip: needsRevocation,
    cost: () => ({ requests: 2 }),
    run: async (ctx, s) => {
      s.probe = await freshGrant(ctx);
      s.refreshTokens = !!s.probe;
      s.probe ??= await grantToRevoke(ctx, s);
      if (!s.probe) ctx.block(untested('no grant succeeded: there is nothing to revoke'));
    },
  },
  {
    name: 'revoke-refresh-token',
    checks: [ref(revokeValid), ref(revokedRefused), ref(revocationEndsGrant)],
    skip: (t, d) => needsDisposableGrant(t) ?? needsRevocation(t, d),
    cost: () => ({ requests: 4 }),
    run: async (ctx, s) => {
      if (!s.refreshTokens) {
        for (const c of [revokeValid, revokedRefused, revocationEndsGrant])
          ctx.skip(c, NO_REFRESH_TOKEN, 'not-applicable');
        return;
      }
      const g = await freshGrant(ctx);
      if (!g) return;
      const rt = String(g.body.refresh_token);
      const r1 = await ctx.session.revoke(g.client, { token: rt, token_type_hint: 'refresh_token' });
      if (!ctx.answered(r1)) return;
      ctx.judge(revokeValid, [r1], [r1]);
      const after = await refreshWith(ctx, g.client, rt);
      if (ctx.answered(after)) ctx.judge(revokedRefused, [after], [r1, after]);
      const probe = await ctx.resource(String(g.body.access_token));
      if (!probe)
        return ctx.skip(revocationEndsGrant, NEEDS_RESOURCE, ctx.descriptor.resource ? 'untested' : 'not-applicable');
      if (ctx.answered(probe)) ctx.judge(revocationEndsGrant, [probe], [r1, probe]);
    },
  },
  {
    name: 'revoke-unknown',
    checks: [ref(revokeUnknown)],
    skip: needsRevocation,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await ctx.session.revoke(s.probe!.client, { token: 'unknown-idpc-token' });
      if (ctx.answered(e)) ctx.judge(revokeUnknown, [e], [e]);
    },
  },
  ...(['wrong-type', 'unknown-value'] as const).map(
    (variant): Scenario<RevocationState> => ({
      name: `hint:${variant}`,
      checks: [ref(wrongHint, variant)],
      skip: (t, d) =>
        needsDisposableGrant(t) ??
        ((t, d) =>
          needsRevocation(t, d) ??
          (t.resource || t.grants.includes('refresh_token') ? undefined : untested(NEEDS_RESOURCE)))(t, d),
      cost: () => ({ requests: 3 }),
      run: async (ctx, s) => {
        const g = await grantToRevoke(ctx, s);
        if (!g) return;
        const { token, other } = revocable(g);
        const hint = variant === 'wrong-type' ? other : 'idpc_unknown_hint';
        const r = await ctx.session.revoke(g.client, { token, token_type_hint: hint });
        const still = await stillWorks(ctx, g);
        if (!still) return ctx.skip(wrongHint, NEEDS_RESOURCE, 'untested', variant);
        if (ctx.answered(r) && ctx.answered(still)) ctx.judge(wrongHint, [r, still, hint], [r, still], variant);
      },
    }),
  ),
  {
    name: 'revoke-without-token',
    checks: [ref(revokeWithoutToken)],
    answers: ['token-error'],
    skip: needsRevocation,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await ctx.session.revoke(s.probe!.client, {});
      ctx.refused(revokeWithoutToken, undefined, e);
    },
  },
  {
    name: 'revoke-without-auth',
    checks: [ref(revokeWithoutAuth)],
    answers: ['token-error'],
    skip: (t, d) =>
      needsRevocation(t, d) ??
      (revokingClient(t)?.clientSecret ? undefined : notApplicable('the revoking client is public')),
    cost: () => ({ requests: 1, badCredentials: 1 }),
    run: async (ctx, s) => {
      if (!ctx.transport.takeBadCredentialAttempt()) return ctx.skip(revokeWithoutAuth, BAD_CREDENTIALS_SPENT);
      if (s.probe!.client.public || !s.probe!.client.clientSecret)
        return ctx.skip(revokeWithoutAuth, 'the revoking client is public', 'not-applicable');
      const e = await ctx.session.revoke(
        { ...s.probe!.client, clientSecret: undefined },
        { token: String(s.probe!.body.access_token) },
      );
      ctx.refused(revokeWithoutAuth, undefined, e);
    },
  },
  {
    name: 'cross-client-revocation',
    checks: [ref(crossClientRevocation)],
    skip: (t, d) =>
      needsDisposableGrant(t) ??
      ((t, d) =>
        needsRevocation(t, d) ??
        (t.clients.other ? undefined : needsSetup('needs a second client: add one with name: other')))(t, d),
    cost: () => ({ requests: 3 }),
    run: async (ctx, s) => {
      const g = await grantToRevoke(ctx, s);
      if (!g) return;
      const attempt = await ctx.session.revoke(ctx.target.clients.other!, { token: revocable(g).token });
      const owner = await stillWorks(ctx, g);
      if (!owner) return ctx.skip(crossClientRevocation, NEEDS_RESOURCE, 'untested');
      if (ctx.answered(owner)) ctx.judge(crossClientRevocation, [attempt, owner], [attempt, owner]);
    },
  },
  {
    name: 'revoked-access-token',
    checks: [ref(badAccessRefused, 'revoked')],
    skip: (t, d) => needsDisposableGrant(t) ?? ((t, d) => needsRevocation(t, d) ?? needsResource(t, d))(t, d),
    cost: () => ({ requests: 3 }),
    run: async (ctx, s) => {
      const g = await grantToRevoke(ctx, s);
      if (!g) return;
      const access = String(g.body.access_token);
      const r = await ctx.session.revoke(g.client, { token: access, token_type_hint: 'access_token' });
      if (r.response?.status !== 200)
        return ctx.skip(
          badAccessRefused,
          `revoking the access token got ${r.response?.status ?? r.error}`,
          'untested',
          'revoked',
        );
      const use = (await ctx.resource(access))!;
      if (ctx.answered(use)) ctx.judge(badAccessRefused, [use, 'a revoked'], [r, use], 'revoked');
    },
  },
];

export const revocationSuite = defineSuite<RevocationState>({ name: 'revocation', start: () => ({}), scenarios });
