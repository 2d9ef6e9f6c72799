/**
 * Refresh suite: the declared rotation policy holds; missing, garbage, truncated, unknown, superseded and
 * access-token-as-refresh are refused; cross-client and unauthenticated refreshes; scope narrowing and widening;
 * expiry (mocks, through their clock); parallel refreshes. Every scenario starts from its own fresh grant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { flavourErrors } from '../src/checks/model.js';
import {
  accessAsRefresh,
  badRefreshToken,
  crossClientRefresh,
  expiredRefreshToken,
  missingRefreshToken,
  narrowerScope,
  originalScopeKept,
  refreshWithoutAuth,
  scopeKept,
  validRefresh,
  widerScope,
} from '../src/checks/refresh.js';
import {
  declaredRotation,
  familyRevocation,
  parallelRefreshes,
  publicClientRotation,
  supersededRefused,
} from '../src/checks/rotation.js';
import { requiredParameter } from '../src/checks/requests.js';
import type { FlavourDescriptor } from '../src/flavours/index.js';
import { json, type RunContext } from '../src/session/context.js';
import {
  defineSuite,
  needsSetup,
  notApplicable,
  ref,
  untested,
  type Scenario,
  type Skip,
} from '../src/session/scenario.js';
import type { Exchange, Target, TargetClient } from '../src/vocabulary/types.js';
import {
  BAD_CREDENTIALS_SPENT,
  canLogIn,
  clientCredentialsParams,
  needsDisposableGrant,
  needsScopes,
  passwordGrant,
  storedClient,
  storedOnly,
  storedRefreshParams,
} from './preconditions.js';
import { runProperty } from './property.js';

export interface Grant {
  client: TargetClient;
  body: Record<string, unknown>;
  exchange: Exchange;
}

/** A fresh grant that yields a refresh token, for the client that refreshes; undefined when the target gives none. */
export async function freshGrant(ctx: RunContext, scope?: string): Promise<Grant | undefined> {
  const t = ctx.target;
  const client = t.clients.user;
  if (client && t.user && canLogIn(t)) {
    const e = await ctx.token(passwordGrant(t, scope ?? client.scope ?? null), { client });
    const body = json(e);
    return e.response?.status === 200 && typeof body?.refresh_token === 'string'
      ? { client, body, exchange: e }
      : undefined;
  }
  const service = t.clients.service;
  if (service && t.grants.includes('client_credentials')) {
    const e = await ctx.token(clientCredentialsParams(t, scope ?? service.scope ?? null), { client: service });
    const body = json(e);
    if (e.response?.status === 200 && typeof body?.refresh_token === 'string')
      return { client: service, body, exchange: e };
  }
  // The stored refresh token (a technical user's) as the only way in: a refresh of its newest token is the grant.
  const stored = storedClient(t);
  if (stored && storedOnly(t)) {
    const e = await ctx.token(storedRefreshParams(ctx, scope ?? null), { client: stored });
    const body = json(e);
    if (e.response?.status === 200 && typeof body?.refresh_token === 'string')
      return { client: stored, body, exchange: e };
  }
  return undefined;
}

/** Whether the target can give the run a refresh token at all (config), for the suites that need one. */
export const needsRefreshToken = (t: Target): Skip | undefined =>
  canLogIn(t) || (t.clients.service && t.grants.includes('client_credentials')) || storedClient(t)
    ? undefined
    : untested('needs a client (and a user for the password grant) to obtain a refresh token');

/** The refreshing client, as the plan sees it before any request (freshGrant picks the same one). */
const refreshingClient = (t: Target) =>
  canLogIn(t) ? t.clients.user : storedOnly(t) ? storedClient(t) : t.clients.service;

/** The configured required parameters under their other documented spelling (brand_key -> brandKey). */
const aliasesOf = (t: Target, d: FlavourDescriptor): [string, string][] =>
  t.requiredParams.flatMap((name) => {
    const value = t.extraParams[name]!;
    const alias = d.requiredParams?.find((p) => p.names.includes(name))?.names.find((n) => n !== name);
    return alias ? [[alias, value] as [string, string]] : [];
  });

export const refreshWith = (
  ctx: RunContext,
  client: TargetClient,
  refreshToken: string,
  extra: [string, string][] = [],
) => ctx.token([['grant_type', 'refresh_token'], ['refresh_token', refreshToken], ...extra], { client });

interface RefreshState {
  probe?: Grant;
  /** Seen in the rotation scenario: the target returned a new refresh token. */
  rotated?: boolean;
}

const NO_REFRESH_TOKEN = notApplicable(
  'the target issues no refresh token to the configured clients (RFC 6749 §6: optional)',
);

/**
 * One refresh round from a grant: TE-G1, TE-G9, the declared policy (TE-H1) and, declared rotate-revoke, the replay
 * (TE-H3, TE-G3 superseded). A replay may end the whole family (RFC 9700 §4.14.2 wants it for public clients, and a
 * server may do it for all): only the last round of a grant replays, so no later round is charged for it.
 */
async function refreshRound(
  ctx: RunContext,
  g: Grant,
  current: string,
  access: string,
  requireFn: 'record' | 'require',
  withReplay: boolean,
): Promise<{ next: string; access: string } | undefined> {
  const t = ctx.target;
  const judge = requireFn === 'record' ? ctx.record.bind(ctx) : ctx.require.bind(ctx);
  const e = await refreshWith(ctx, g.client, current);
  const body = ctx.tokens(validRefresh, 'user', e);
  if (!body) return undefined;
  judge(validRefresh, validRefresh.judge(e, access, body.access_token), [e], 'user');
  const next = typeof body.refresh_token === 'string' ? body.refresh_token : current; // RFC 6749 §6: no new one, keep the old
  if (typeof g.body.scope === 'string' && typeof body.scope === 'string')
    judge(scopeKept, scopeKept.judge(g.body.scope, body.scope), [g.exchange, e]);
  judge(declaredRotation, declaredRotation.judge(t.refreshMode, next !== current), [e]);
  if (t.refreshMode === 'rotate-revoke') {
    judge(
      supersededRefused,
      {
        passed: next !== current,
        message: 'rotation declared, but the refresh returned the same refresh token: a used refresh token stays valid',
      },
      [e],
    );
    if (next !== current && withReplay) {
      const replay = await refreshWith(ctx, g.client, current);
      judge(supersededRefused, supersededRefused.judge(replay), [e, replay]);
      if (replay.response?.status !== 200) ctx.refused(badRefreshToken, 'superseded', replay, 'bad-refresh-token');
    }
  }
  return { next, access: String(body.access_token) };
}

const badToken = (variant: 'garbage' | 'truncated' | 'unknown', rt: string): string => {
  if (variant === 'garbage') return 'garbage-idpc-not-a-token';
  if (variant === 'truncated') return rt.slice(0, Math.max(1, Math.floor(rt.length / 2)));
  // Unknown: the shape of a real one (same length, same alphabet), each character moved on by one: never issued.
  const alphabet = [...new Set(rt)].sort();
  if (alphabet.length < 2) return `${rt}x`;
  return Array.from(rt, (c) => alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]).join('');
};

const scenarios: Scenario<RefreshState>[] = [
  {
    name: 'probe',
    checks: [],
    answers: ['token-response'],
    skip: needsRefreshToken,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      s.probe = await freshGrant(ctx);
      // Every later scenario of the suite then reports its checks not applicable, with this reason.
      if (!s.probe) ctx.block(NO_REFRESH_TOKEN);
    },
  },
  {
    name: 'rotation',
    checks: [
      ref(validRefresh, 'user'),
      ref(scopeKept),
      ref(declaredRotation),
      ref(supersededRefused),
      ref(badRefreshToken, 'superseded'),
    ],
    answers: ['token-response', 'token-error'],
    skip: needsRefreshToken,
    cost: () => ({ requests: 5 }),
    run: async (ctx, s) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const first = String(g.body.refresh_token);
      const round = await refreshRound(ctx, g, first, String(g.body.access_token), 'record', false);
      if (round) {
        s.rotated = round.next !== first;
        await refreshRound(ctx, g, round.next, round.access, 'record', !storedOnly(ctx.target));
      }
      if (typeof g.body.scope !== 'string') ctx.skip(scopeKept, 'the grant states no scope', 'not-applicable');
      if (ctx.target.refreshMode !== 'rotate-revoke') {
        const reason = `rotation with revocation is not declared (policies.refresh: ${ctx.target.refreshMode})`;
        ctx.skip(supersededRefused, reason, 'not-applicable');
        ctx.skip(badRefreshToken, reason, 'not-applicable', 'superseded');
      } else if (storedOnly(ctx.target)) {
        // A replay may end the family, and this family is the user's stored credential.
        const why = needsDisposableGrant(ctx.target)!;
        ctx.skip(supersededRefused, why.reason, why.kind);
        ctx.skip(badRefreshToken, why.reason, why.kind, 'superseded');
      }
    },
  },
  {
    name: 'family-revocation',
    checks: [ref(familyRevocation)],
    skip: (t) =>
      needsRefreshToken(t) ??
      needsDisposableGrant(t) ??
      (t.refreshMode === 'rotate-revoke'
        ? undefined
        : notApplicable(`rotation with revocation is not declared (policies.refresh: ${t.refreshMode})`)),
    cost: () => ({ requests: 4 }),
    run: async (ctx, _s) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const first = String(g.body.refresh_token);
      const next = json(await refreshWith(ctx, g.client, first))?.refresh_token;
      if (typeof next !== 'string' || next === first)
        return ctx.skip(familyRevocation, 'the refresh did not rotate the refresh token (see TE-H1)', 'untested');
      const replay = await refreshWith(ctx, g.client, first);
      const active = await refreshWith(ctx, g.client, next);
      if (ctx.answered(active)) ctx.judge(familyRevocation, [active], [replay, active]);
    },
  },
  {
    name: 'public-rotation',
    checks: [ref(publicClientRotation)],
    skip: (t) =>
      needsRefreshToken(t) ??
      (refreshingClient(t)?.public ? undefined : notApplicable('the refreshing client is confidential')),
    cost: () => ({ requests: 0 }),
    run: async (ctx, s) => {
      if (s.rotated === undefined)
        return ctx.skip(publicClientRotation, 'the rotation scenario did not refresh', 'untested');
      ctx.judge(publicClientRotation, [s.rotated], [s.probe!.exchange]);
    },
  },
  {
    name: 'missing-refresh-token',
    checks: [ref(missingRefreshToken), ref(flavourErrors, 'missing-refresh-token')],
    answers: ['token-error'],
    skip: needsRefreshToken,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await ctx.token([['grant_type', 'refresh_token']], { client: s.probe!.client });
      ctx.refused(missingRefreshToken, undefined, e, 'missing-refresh-token');
    },
  },
  ...(['garbage', 'truncated', 'unknown'] as const).map(
    (variant): Scenario<RefreshState> => ({
      name: `bad-refresh-token:${variant}`,
      checks: [ref(badRefreshToken, variant), ref(flavourErrors, 'bad-refresh-token')],
      answers: ['token-error'],
      skip: needsRefreshToken,
      cost: () => ({ requests: 1 }),
      run: async (ctx, s) => {
        const e = await refreshWith(ctx, s.probe!.client, badToken(variant, String(s.probe!.body.refresh_token)));
        ctx.refused(badRefreshToken, variant, e, 'bad-refresh-token');
      },
    }),
  ),
  {
    name: 'missing-required-param',
    checks: [ref(requiredParameter, 'refresh')],
    skip: (t) =>
      needsRefreshToken(t) ??
      (t.requiredParams.length ? undefined : notApplicable('the target requires no extra parameter (requiredParams)')),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const e = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', String(g.body.refresh_token)],
        ],
        { client: g.client, withoutRequired: true },
      );
      if (ctx.answered(e)) ctx.judge(requiredParameter, [e, ctx.target.requiredParams.join(', ')], [e], 'refresh');
    },
  },
  {
    name: 'required-param-alias',
    checks: [ref(validRefresh, 'required-param-alias')],
    answers: ['token-response'],
    skip: (t, d) =>
      needsRefreshToken(t) ??
      (aliasesOf(t, d).length
        ? undefined
        : notApplicable('the flavour documents no other spelling of a required parameter')),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      // Rator's seed refresh example spells the brand key brandKey; the grant examples spell it brand_key.
      const g = await freshGrant(ctx);
      if (!g) return;
      const e = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', String(g.body.refresh_token)],
          ...aliasesOf(ctx.target, ctx.descriptor),
        ],
        { client: g.client, withoutRequired: true },
      );
      const body = ctx.tokens(validRefresh, 'required-param-alias', e);
      if (body)
        ctx.judge(validRefresh, [e, String(g.body.access_token), body.access_token], [e], 'required-param-alias');
    },
  },
  {
    name: 'documented-refresh',
    checks: [ref(validRefresh, 'documented-style')],
    answers: ['token-response'],
    skip: (t, d) =>
      needsRefreshToken(t) ??
      (!d.documentedRefreshAuth
        ? notApplicable('the flavour documents no other client authentication for refresh')
        : refreshingClient(t)?.clientSecret
          ? undefined
          : notApplicable('the refreshing client has no secret to send')),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const e = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', String(g.body.refresh_token)],
        ],
        { client: g.client, auth: ctx.descriptor.documentedRefreshAuth! },
      );
      const body = ctx.tokens(validRefresh, 'documented-style', e);
      if (body) ctx.judge(validRefresh, [e, String(g.body.access_token), body.access_token], [e], 'documented-style');
    },
  },
  {
    name: 'access-as-refresh',
    checks: [ref(accessAsRefresh), ref(flavourErrors, 'bad-refresh-token')],
    answers: ['token-error'],
    skip: needsRefreshToken,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await refreshWith(ctx, s.probe!.client, String(s.probe!.body.access_token));
      ctx.refused(accessAsRefresh, undefined, e, 'bad-refresh-token');
    },
  },
  {
    name: 'refresh-without-auth',
    checks: [ref(refreshWithoutAuth)],
    answers: ['token-error'],
    skip: (t) =>
      needsRefreshToken(t) ??
      (refreshingClient(t)?.public || !refreshingClient(t)?.clientSecret
        ? notApplicable('the refreshing client is public')
        : undefined),
    cost: () => ({ requests: 2, badCredentials: 1 }),
    run: async (ctx, _s) => {
      if (!ctx.transport.takeBadCredentialAttempt()) return ctx.skip(refreshWithoutAuth, BAD_CREDENTIALS_SPENT);
      const g = await freshGrant(ctx);
      if (!g) return;
      const e = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', String(g.body.refresh_token)],
        ],
        { client: { ...g.client, clientSecret: undefined }, auth: 'none' },
      );
      ctx.refused(refreshWithoutAuth, undefined, e);
    },
  },
  {
    name: 'cross-client',
    checks: [ref(crossClientRefresh)],
    answers: ['token-error'],
    skip: (t) =>
      needsRefreshToken(t) ??
      (t.clients.other ? undefined : needsSetup('needs a second client: add one with name: other')),
    cost: () => ({ requests: 3 }),
    run: async (ctx, _s) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const e = await refreshWith(ctx, ctx.target.clients.other!, String(g.body.refresh_token));
      ctx.refused(crossClientRefresh, undefined, e);
      if (e.response?.status === 200) return;
      const still = await refreshWith(ctx, g.client, String(g.body.refresh_token));
      if (ctx.answered(still)) ctx.judge(crossClientRefresh, [still], [e, still]);
    },
  },
  {
    name: 'scope-narrowing',
    checks: [ref(narrowerScope), ref(originalScopeKept), ref(widerScope)],
    answers: ['token-error'],
    skip: (t, d) =>
      needsRefreshToken(t) ??
      needsDisposableGrant(t) ??
      needsScopes(t, d) ??
      (t.scope!.full && t.scope!.narrower
        ? undefined
        : needsSetup(
            "name the scopes to narrow: scopes.granted (or the user client's scope) and scopes.narrower, a strict subset of it",
          )),
    cost: () => ({ requests: 5 }),
    run: async (ctx) => {
      const { full, narrower } = ctx.target.scope as { full: string; narrower: string };
      const g = await freshGrant(ctx, full);
      if (!g) return;
      const original = typeof g.body.scope === 'string' ? g.body.scope : full;
      const narrow = await refreshWith(ctx, g.client, String(g.body.refresh_token), [['scope', narrower]]);
      if (ctx.answered(narrow)) ctx.judge(narrowerScope, [narrow, narrower, original], [g.exchange, narrow]);
      const next = json(narrow)?.refresh_token;
      // RFC 6749 §6: the new refresh token keeps the scope of the one it replaces, whatever the access token got.
      const rt = typeof next === 'string' ? next : String(g.body.refresh_token);
      if (narrow.response?.status === 200) {
        const again = await refreshWith(ctx, g.client, rt);
        if (ctx.answered(again)) ctx.judge(originalScopeKept, [again, original], [g.exchange, narrow, again]);
      } else ctx.skip(originalScopeKept, 'the narrowing refresh did not succeed (see TE-G7)', 'untested');
      const g2 = await freshGrant(ctx, narrower);
      if (!g2) return;
      const wide = await refreshWith(ctx, g2.client, String(g2.body.refresh_token), [['scope', full]]);
      const narrowed = typeof g2.body.scope === 'string' ? g2.body.scope : narrower;
      if (wide.response?.status === 200) ctx.judge(widerScope, [wide, full, narrowed], [g2.exchange, wide]);
      else ctx.refused(widerScope, undefined, wide);
    },
  },
  {
    name: 'expiry',
    checks: [ref(expiredRefreshToken)],
    skip: (t) => needsRefreshToken(t) ?? needsDisposableGrant(t),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const mock = ctx.target.mock;
      const g = await freshGrant(ctx);
      if (!g) return;
      const opaque = String(g.body.refresh_token).split('.').length !== 3;
      const stated =
        typeof g.body.refresh_expires_in === 'number' && g.body.refresh_expires_in > 0
          ? g.body.refresh_expires_in
          : undefined;
      const declared = mock ? (opaque ? mock.refreshTokenLifetime : undefined) : ctx.target.lifetimes?.refresh;
      const lifetime = stated ?? declared;
      if (lifetime === 0 || (mock && !lifetime))
        return ctx.skip(expiredRefreshToken, 'the refresh token does not expire', 'not-applicable');
      if (!lifetime)
        return ctx.skip(
          expiredRefreshToken,
          'the answer states no refresh token lifetime (refresh_expires_in): declare policies.refreshTokenLifetime',
          'needs-setup',
        );
      // Mocks: move their clock. Real targets: wait, when the refresh token is short-lived enough to wait for.
      if (mock) mock.advanceClock(lifetime + 1);
      else if (lifetime <= ctx.target.budget.maxWaitSeconds) await sleep((lifetime + 1) * 1000);
      else
        return ctx.skip(
          expiredRefreshToken,
          `refresh tokens live ${lifetime} s, longer than the run waits (--max-wait, budget.maxWaitSeconds: ${ctx.target.budget.maxWaitSeconds} s)`,
          'needs-setup',
        );
      const e = await refreshWith(ctx, g.client, String(g.body.refresh_token));
      if (ctx.answered(e)) ctx.judge(expiredRefreshToken, [e, lifetime + 1, lifetime], [e]);
    },
  },
  {
    name: 'parallel',
    checks: [ref(parallelRefreshes)],
    skip: (t) => needsRefreshToken(t) ?? needsDisposableGrant(t),
    cost: () => ({ requests: 6 }),
    run: async (ctx, _s) => {
      const g = await freshGrant(ctx);
      if (!g) return;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => refreshWith(ctx, g.client, String(g.body.refresh_token))),
      );
      ctx.judge(parallelRefreshes, [results, ctx.target.refreshMode === 'rotate-revoke' ? 1 : results.length], results);
    },
  },
  {
    name: 'generated:refresh-rounds',
    generated: true,
    checks: [
      ref(validRefresh, 'user'),
      ref(scopeKept),
      ref(declaredRotation),
      ref(supersededRefused),
      ref(badRefreshToken, 'superseded'),
    ],
    answers: ['token-response', 'token-error'],
    skip: needsRefreshToken,
    cost: (_t, numRuns) => ({ requests: numRuns * 7 }),
    run: (ctx) =>
      runProperty(ctx, ref(validRefresh, 'user'), fc.constantFrom(1, 2, 3), async (rounds) => {
        const g = await freshGrant(ctx);
        if (!g) return;
        let current = String(g.body.refresh_token);
        let access = String(g.body.access_token);
        for (let i = 0; i < rounds; i++) {
          const r = await refreshRound(ctx, g, current, access, 'require', i === rounds - 1 && !storedOnly(ctx.target));
          if (!r) return;
          ({ next: current, access } = r);
        }
      }),
  },
  {
    name: 'generated:bad-refresh-tokens',
    generated: true,
    checks: [
      ref(badRefreshToken, 'garbage'),
      ref(badRefreshToken, 'truncated'),
      ref(flavourErrors, 'bad-refresh-token'),
    ],
    answers: ['token-error'],
    skip: needsRefreshToken,
    cost: (_t, numRuns) => ({ requests: numRuns }),
    run: async (ctx, s) => {
      const rt = String(s.probe!.body.refresh_token);
      const arb = fc.oneof(
        fc.string({ minLength: 1, maxLength: 40 }).map((v) => ({ variant: 'garbage' as const, value: `garbage-${v}` })),
        fc
          .integer({ min: 1, max: Math.max(1, rt.length - 1) })
          .map((n) => ({ variant: 'truncated' as const, value: rt.slice(0, n) })),
      );
      await runProperty(ctx, ref(badRefreshToken, 'garbage'), arb, async ({ variant, value }) => {
        const e = await refreshWith(ctx, s.probe!.client, value);
        ctx.refused(badRefreshToken, variant, e, 'bad-refresh-token');
      });
    },
  },
];

export const refreshSuite = defineSuite<RefreshState>({ name: 'refresh', start: () => ({}), scenarios });
