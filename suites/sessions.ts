/**
 * Sessions suite: logout ends a session (TE-M1), a configured logout endpoint answers (TE-M2), and a declared
 * session limit holds with the flavour's documented refusal while a logout frees a slot (TE-M3, seed 003). The
 * session itself (src/session/session.ts) keeps the run within the limit and logs out what each scenario opened.
 */
import { logoutAnswers, logoutEndsSession, sessionLimit } from '../src/checks/sessions.js';
import { json, type RunContext } from '../src/session/context.js';
import { defineSuite, needsSetup, notApplicable, ref, type Scenario, type Skip } from '../src/session/scenario.js';
import type { Exchange, Target } from '../src/vocabulary/types.js';
import { needsPasswordGrant, passwordGrant } from './preconditions.js';
import { refreshWith } from './refresh.js';

const needsLogin = (t: Target): Skip | undefined =>
  !t.logoutUrl ? notApplicable('the target has no logout endpoint (endpoints.logout)') : needsPasswordGrant(t);

const login = (ctx: RunContext, beyondSessionLimit = false): Promise<Exchange> =>
  ctx.token(passwordGrant(ctx.target), { client: ctx.target.clients.user!, beyondSessionLimit });

const scenarios: Scenario<Record<string, never>>[] = [
  {
    name: 'logout',
    checks: [ref(logoutAnswers), ref(logoutEndsSession)],
    skip: needsLogin,
    cost: () => ({ requests: 3 }),
    run: async (ctx) => {
      const g = await login(ctx);
      const rt = json(g)?.refresh_token;
      if (typeof rt !== 'string')
        return ctx.skip(logoutEndsSession, 'the login issued no refresh token to log out with', 'not-applicable');
      const out = await ctx.session.logout(ctx.target.clients.user!, rt);
      if (!ctx.answered(out)) return;
      ctx.judge(logoutAnswers, [out], [out]);
      const after = await refreshWith(ctx, ctx.target.clients.user!, rt);
      if (ctx.answered(after)) ctx.judge(logoutEndsSession, [out, after], [out, after]);
    },
  },
  {
    name: 'session-limit',
    checks: [ref(sessionLimit)],
    skip: (t) =>
      needsLogin(t) ??
      (t.sessionLimit ? undefined : needsSetup('no session limit is declared (policies.sessionLimit)')),
    // The limit's logins, one beyond it, a logout, one more login.
    cost: (t) => ({ requests: (t.sessionLimit ?? 0) + 3 }),
    run: async (ctx) => {
      const limit = ctx.target.sessionLimit!;
      await ctx.session.closeSessions();
      const opened: string[] = [];
      for (let i = 0; i < limit; i++) {
        const g = await login(ctx);
        const rt = json(g)?.refresh_token;
        if (g.response?.status !== 200 || typeof rt !== 'string') {
          if (ctx.answered(g))
            ctx.fail(sessionLimit, `login ${i + 1} of the declared ${limit} was refused: ${g.response?.status}`, [g]);
          return;
        }
        opened.push(rt);
      }
      const extra = await login(ctx, true);
      if (!ctx.answered(extra)) return;
      if (extra.response?.status === 200)
        return ctx.fail(sessionLimit, `login ${limit + 1} succeeded although the declared limit is ${limit}`, [extra]);
      await ctx.session.logout(ctx.target.clients.user!, opened[0]!);
      const again = await login(ctx);
      if (ctx.answered(again))
        ctx.judge(sessionLimit, [extra, again, ctx.descriptor.sessionLimitStatus], [extra, again]);
    },
  },
];

export const sessionsSuite = defineSuite({ name: 'sessions', start: () => ({}) as Record<string, never>, scenarios });
