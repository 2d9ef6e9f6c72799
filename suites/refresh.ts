/**
 * Refresh suite: the declared rotation policy holds; cross-client, garbage, truncated and access-token-as-refresh
 * are refused; scope narrowing and widening; expiry (mocks, through their clock); parallel refreshes.
 * Every property run starts from its own fresh grant.
 */
import fc from 'fast-check';
import type { RunContext } from '../src/runner/context.js';
import { json } from '../src/runner/context.js';
import type { Exchange, TargetClient } from '../src/runner/types.js';
import { oauthError, parallelRefreshes, sameScope, scopeWithin } from '../src/checks/rules.js';
import { runProperty } from './property.js';

const SUITE = 'refresh';

/** A fresh grant that yields a refresh token, for the client that refreshes; undefined when the target has none. */
export async function freshGrant(ctx: RunContext, scope?: string): Promise<{ client: TargetClient; body: Record<string, unknown>; exchange: Exchange } | undefined> {
  const t = ctx.target;
  const client = t.clients.user;
  if (client && t.user && t.grants.includes('password')) {
    const e = await ctx.token([['grant_type', 'password'], ['username', t.user.username], ['password', t.user.password], ...(scope ? ([['scope', scope]] as [string, string][]) : [])], { client });
    const body = json(e);
    if (e.response?.status === 200 && typeof body?.refresh_token === 'string') return { client, body, exchange: e };
    return undefined;
  }
  const service = t.clients.service;
  if (service && t.grants.includes('client_credentials')) {
    const e = await ctx.token([['grant_type', 'client_credentials']], { client: service });
    const body = json(e);
    if (e.response?.status === 200 && typeof body?.refresh_token === 'string') return { client: service, body, exchange: e };
  }
  return undefined;
}

export const refreshWith = (ctx: RunContext, client: TargetClient, refreshToken: string, extra: [string, string][] = []) =>
  ctx.token([['grant_type', 'refresh_token'], ['refresh_token', refreshToken], ...extra], { client });

export async function refreshSuite(ctx: RunContext): Promise<void> {
  const t = ctx.target;
  const probe = await freshGrant(ctx);
  if (!probe) {
    const configured = !!(t.clients.user ?? t.clients.service);
    for (const c of ['TE-G1', 'TE-G2', 'TE-G3', 'TE-H3', 'TE-H7']) {
      if (configured) ctx.skip(SUITE, c, 'the target issues no refresh token to the configured clients (RFC 6749 §6: optional)', 'not-applicable');
      else ctx.skip(SUITE, c, 'needs a client (and a user for the password grant) to obtain a refresh token');
    }
    return;
  }

  // TE-G1 + the declared rotation policy (TE-H1/H3), from a fresh grant each run.
  await runProperty(ctx, SUITE, 'TE-G1', fc.constantFrom(1, 2, 3), async (rounds) => {
    const g = (await freshGrant(ctx))!;
    let current = String(g.body.refresh_token);
    let access = String(g.body.access_token);
    for (let i = 0; i < rounds; i++) {
      const e = await refreshWith(ctx, g.client, current);
      const body = ctx.expectTokens(SUITE, 'TE-G1', e);
      ctx.require(SUITE, 'TE-G1', !!body && body.access_token !== access, 'the refresh returned no new access token', [e]);
      const next = typeof body!.refresh_token === 'string' ? body!.refresh_token : current; // TE-G11: keep the old one
      if (typeof g.body.scope === 'string' && typeof body!.scope === 'string') {
        const v = sameScope(g.body.scope, body!.scope);
        ctx.require(SUITE, 'TE-G9', v.passed, v.message, [g.exchange, e]);
      }
      if (t.refreshMode === 'reuse') ctx.require(SUITE, 'TE-H1', next === current, 'declared non-rotating, but a new refresh token came back', [e]);
      // Declared rotation with revocation: the same refresh token coming back means a used refresh token stays valid.
      else if (t.refreshMode === 'rotate-revoke') ctx.require(SUITE, 'TE-H3', next !== current, 'rotation declared, but the refresh returned the same refresh token: a used refresh token stays valid', [e]);
      else if (t.refreshMode === 'rotate') ctx.require(SUITE, 'TE-H1', next !== current, 'declared rotating, but the same refresh token came back', [e]);
      else ctx.pass(SUITE, 'TE-H1'); // not declared: classified only
      if (t.refreshMode === 'rotate-revoke' && next !== current) {
        const replay = await refreshWith(ctx, g.client, current);
        ctx.require(SUITE, 'TE-H3', replay.response?.status !== 200, 'a superseded refresh token still works (rotation declared)', [e, replay]);
        ctx.expectError(SUITE, replay, 'bad-refresh-token', { check: 'TE-G3', status: [400], error: ['invalid_grant'] });
      }
      current = next;
      access = String(body!.access_token);
    }
  });

  // TE-H4: replaying a superseded refresh token should end the family's active one (RFC 9700 §4.14.2).
  if (t.refreshMode === 'rotate-revoke') {
    const g = (await freshGrant(ctx))!;
    const first = String(g.body.refresh_token);
    const next = json(await refreshWith(ctx, g.client, first))?.refresh_token;
    if (typeof next === 'string' && next !== first) {
      const replay = await refreshWith(ctx, g.client, first);
      const active = await refreshWith(ctx, g.client, next);
      ctx.expect(SUITE, 'TE-H4', active.response?.status !== 200, 'after the replay of a superseded refresh token, the active one still works', [replay, active]);
    }
  }

  // TE-H2: a public client's refresh tokens are rotated (or sender-constrained).
  if (probe.client.public) ctx.expect(SUITE, 'TE-H2', t.refreshMode !== 'reuse', 'a public client keeps its refresh token: neither rotated nor sender-constrained', [probe.exchange]);

  // TE-G2 / G3 / G4: missing, garbage, truncated, access token as refresh token.
  const rt = String(probe.body.refresh_token);
  const missing = await ctx.token([['grant_type', 'refresh_token']], { client: probe.client });
  ctx.expectError(SUITE, missing, 'missing-refresh-token', { check: 'TE-G2', status: [400], error: ['invalid_request'] });
  await runProperty(ctx, SUITE, 'TE-G3', fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).map((s) => `garbage-${s}`), fc.integer({ min: 1, max: Math.max(1, rt.length - 1) }).map((n) => rt.slice(0, n))), async (bad) => {
    const e = await refreshWith(ctx, probe.client, bad);
    ctx.expectError(SUITE, e, 'bad-refresh-token', { check: 'TE-G3', status: [400], error: ['invalid_grant'] });
    ctx.require(SUITE, 'TE-A11', (e.response?.status ?? 500) < 500, `status ${e.response?.status}`, [e]);
  });
  const asRefresh = await refreshWith(ctx, probe.client, String(probe.body.access_token));
  ctx.expectError(SUITE, asRefresh, 'bad-refresh-token', { check: 'TE-G4', status: [400], error: ['invalid_grant'] });

  // TE-G6: a confidential client refreshing without authentication.
  if (!probe.client.public && probe.client.clientSecret && ctx.transport.takeBadCredentialAttempt()) {
    const g = (await freshGrant(ctx))!;
    const e = await ctx.token([['grant_type', 'refresh_token'], ['refresh_token', String(g.body.refresh_token)]], { client: { ...g.client, clientSecret: undefined }, auth: 'none' });
    ctx.judge(SUITE, 'TE-G6', oauthError('refresh without client authentication', [400, 401], ['invalid_client'])(e), [e]);
  }

  // TE-G5: another client's refresh token (mocks get a second client; configs name one "other").
  const other = t.clients.other;
  if (other) {
    const g = (await freshGrant(ctx))!;
    const e = await refreshWith(ctx, other, String(g.body.refresh_token));
    ctx.judge(SUITE, 'TE-G5', oauthError('cross-client refresh', [400], ['invalid_grant'])(e), [e]);
    const still = await refreshWith(ctx, g.client, String(g.body.refresh_token));
    ctx.expect(SUITE, 'TE-G5', still.response?.status === 200, "after the refused cross-client attempt, the owner's refresh token no longer works", [e, still]);
  } else ctx.skip(SUITE, 'TE-G5', 'needs a second client: add one with name: other');

  // TE-G7 / G8: narrowing and widening the scope.
  if (t.scope) {
    const g = await freshGrant(ctx, t.scope.full);
    if (g) {
      const narrow = await refreshWith(ctx, g.client, String(g.body.refresh_token), [['scope', t.scope.narrower]]);
      const nb = json(narrow);
      const granted = String(nb?.scope ?? t.scope.narrower).split(' ');
      const within = scopeWithin(granted.join(' '), t.scope.full);
      ctx.expect(SUITE, 'TE-G7', narrow.response?.status === 200 && within.passed, `narrowing to "${t.scope.narrower}": ${narrow.response?.status}; ${within.message}`, [narrow]);
      const g2 = (await freshGrant(ctx, t.scope.narrower))!;
      const wide = await refreshWith(ctx, g2.client, String(g2.body.refresh_token), [['scope', t.scope.full]]);
      ctx.judge(SUITE, 'TE-G8', oauthError(`widening to "${t.scope.full}"`, [400], ['invalid_scope'])(wide), [wide]);
    }
  } else {
    ctx.skip(SUITE, 'TE-G7', 'the flavour does not use scopes', 'not-applicable');
    ctx.skip(SUITE, 'TE-G8', 'the flavour does not use scopes', 'not-applicable');
  }

  // TE-G12: expiry, instantly on mocks through their clock.
  if (t.mock) {
    const g = (await freshGrant(ctx))!;
    const opaque = String(g.body.refresh_token).split('.').length !== 3;
    const lifetime = typeof g.body.refresh_expires_in === 'number' && g.body.refresh_expires_in > 0 ? g.body.refresh_expires_in : opaque ? t.mock.refreshTokenLifetime : undefined;
    if (lifetime && lifetime > 0) {
      t.mock.advanceClock(lifetime + 1);
      const e = await refreshWith(ctx, g.client, String(g.body.refresh_token));
      ctx.expect(SUITE, 'TE-G12', e.response?.status !== 200 && (e.response?.status ?? 500) < 500, `a refresh token ${lifetime + 1} s after issue (lifetime ${lifetime} s) got ${e.response?.status}`, [e]);
    } else ctx.skip(SUITE, 'TE-G12', 'the refresh token does not expire', 'not-applicable');
  } else ctx.skip(SUITE, 'TE-G12', 'expiry is tested on mocks, or on targets with short lifetimes when enabled');

  // TE-H7: parallel refreshes with one refresh token, as real concurrent requests.
  const g = (await freshGrant(ctx))!;
  const results = await Promise.all(Array.from({ length: 5 }, () => refreshWith(ctx, g.client, String(g.body.refresh_token))));
  ctx.judge(SUITE, 'TE-H7', parallelRefreshes(results, t.refreshMode === 'rotate-revoke' ? 1 : results.length), results);
}
