/** Revocation suite (RFC 7009), where the target has a revocation endpoint. */
import { badAccessRefused } from '../src/checks/bearer.js';
import { crossClientRevocation, revocationEndsGrant, revokedRefused, revokeUnknown, revokeValid, revokeWithoutAuth, revokeWithoutToken, wrongHint } from '../src/checks/revocation.js';
import { defineSuite, needsSetup, notApplicable, ref, untested, type Scenario, type Skip } from '../src/runner/plan.js';
import type { Target } from '../src/runner/types.js';
import type { FlavourDescriptor } from '../src/flavours/index.js';
import { BAD_CREDENTIALS_SPENT, NEEDS_RESOURCE, needsResource } from './preconditions.js';
import { freshGrant, needsRefreshToken, refreshWith, type Grant } from './refresh.js';

interface RevocationState {
  probe?: Grant;
}

/** A flavour that documents a revocation endpoint leaves these untested when it is not configured; RFC 7009 is otherwise optional. */
const needsRevocation = (t: Target, d: FlavourDescriptor): Skip | undefined =>
  t.revocationUrl ? needsRefreshToken(t) : d.configPaths.revocation !== undefined ? untested('the flavour has a revocation endpoint: configure endpoints.revocation') : notApplicable('the target has no revocation endpoint (RFC 7009 is optional)');

const scenarios: Scenario<RevocationState>[] = [
  {
    name: 'probe',
    checks: [],
    skip: needsRevocation,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      s.probe = await freshGrant(ctx);
      if (!s.probe) ctx.block(notApplicable('the target issues no refresh token to revoke'));
    },
  },
  {
    name: 'revoke-refresh-token',
    checks: [ref(revokeValid), ref(revokedRefused), ref(revocationEndsGrant)],
    skip: needsRevocation,
    cost: () => ({ requests: 4 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const rt = String(g.body.refresh_token);
      const r1 = await ctx.session.revoke(g.client, { token: rt, token_type_hint: 'refresh_token' });
      if (!ctx.answered(r1)) return;
      ctx.record(revokeValid, revokeValid.judge(r1), [r1]);
      const after = await refreshWith(ctx, g.client, rt);
      if (ctx.answered(after)) ctx.record(revokedRefused, revokedRefused.judge(after), [r1, after]);
      const probe = await ctx.resource(String(g.body.access_token));
      if (!probe) return ctx.skip(revocationEndsGrant, NEEDS_RESOURCE, ctx.descriptor.resource ? 'untested' : 'not-applicable');
      if (ctx.answered(probe)) ctx.record(revocationEndsGrant, revocationEndsGrant.judge(probe), [r1, probe]);
    },
  },
  {
    name: 'revoke-unknown',
    checks: [ref(revokeUnknown)],
    skip: needsRevocation,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await ctx.session.revoke(s.probe!.client, { token: 'unknown-idpc-token' });
      if (ctx.answered(e)) ctx.record(revokeUnknown, revokeUnknown.judge(e), [e]);
    },
  },
  {
    name: 'wrong-hint',
    checks: [ref(wrongHint)],
    skip: needsRevocation,
    cost: () => ({ requests: 3 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const r = await ctx.session.revoke(g.client, { token: String(g.body.refresh_token), token_type_hint: 'access_token' });
      const still = await refreshWith(ctx, g.client, String(g.body.refresh_token));
      if (ctx.answered(r) && ctx.answered(still)) ctx.record(wrongHint, wrongHint.judge(r, still), [r, still]);
    },
  },
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
    skip: (t, d) => needsRevocation(t, d) ?? ((t.clients.user ?? t.clients.service)?.clientSecret ? undefined : notApplicable('the revoking client is public')),
    cost: () => ({ requests: 1, badCredentials: 1 }),
    run: async (ctx, s) => {
      if (!ctx.transport.takeBadCredentialAttempt()) return ctx.skip(revokeWithoutAuth, BAD_CREDENTIALS_SPENT);
      if (s.probe!.client.public || !s.probe!.client.clientSecret) return ctx.skip(revokeWithoutAuth, 'the revoking client is public', 'not-applicable');
      const e = await ctx.session.revoke({ ...s.probe!.client, clientSecret: undefined }, { token: String(s.probe!.body.access_token) });
      ctx.refused(revokeWithoutAuth, undefined, e);
    },
  },
  {
    name: 'cross-client-revocation',
    checks: [ref(crossClientRevocation)],
    skip: (t, d) => needsRevocation(t, d) ?? (t.clients.other ? undefined : needsSetup('needs a second client: add one with name: other')),
    cost: () => ({ requests: 3 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const attempt = await ctx.session.revoke(ctx.target.clients.other!, { token: String(g.body.refresh_token) });
      const owner = await refreshWith(ctx, g.client, String(g.body.refresh_token));
      if (ctx.answered(owner)) ctx.record(crossClientRevocation, crossClientRevocation.judge(attempt, owner), [attempt, owner]);
    },
  },
  {
    name: 'revoked-access-token',
    checks: [ref(badAccessRefused, 'revoked')],
    skip: (t, d) => needsRevocation(t, d) ?? needsResource(t, d),
    cost: () => ({ requests: 3 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const access = String(g.body.access_token);
      const r = await ctx.session.revoke(g.client, { token: access, token_type_hint: 'access_token' });
      if (r.response?.status !== 200) return ctx.skip(badAccessRefused, `revoking the access token got ${r.response?.status ?? r.error}`, 'untested', 'revoked');
      const use = (await ctx.resource(access))!;
      if (ctx.answered(use)) ctx.record(badAccessRefused, badAccessRefused.judge(use, 'a revoked'), [r, use], 'revoked');
    },
  },
];

export const revocationSuite = defineSuite<RevocationState>({ name: 'revocation', start: () => ({}), scenarios });
