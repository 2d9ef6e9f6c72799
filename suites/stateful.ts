/**
 * Stateful suite: fast-check model-based runs over grant, refresh, use of the access token at the resource,
 * logout, replay of superseded refresh tokens, and moving the clock (mocks only). The model predicts which tokens
 * must work under the declared policies; the run checks that the target agrees, and a failure shrinks to a
 * minimal sequence of commands.
 */
import fc from 'fast-check';
import { badAccessRefused, freshAccessWorks } from '../src/checks/bearer.js';
import { modelAgrees, type ModelObservation } from '../src/checks/model.js';
import { noServerError } from '../src/checks/requests.js';
import type { Exchange, TargetClient } from '../src/vocabulary/types.js';
import { CheckFailure, json, type RunContext } from '../src/session/context.js';
import { defineSuite, notApplicable, ref, type Scenario } from '../src/session/scenario.js';
import { CookieJar } from '../src/session/cookie-jar.js';
import { codeGrant } from './authorization-code.js';
import { freshGrant, needsRefreshToken, refreshWith } from './refresh.js';
import { needsDisposableGrant } from './preconditions.js';
import { runProperty } from './property.js';

/** Commands per generated sequence; each sends at most one request. */
const MAX_COMMANDS = 10;

interface TokenState {
  value: string;
  /** The model cannot tell (undeclared rotation): the target may answer either way. */
  uncertain?: boolean;
  /** Model time (seconds since the run began) when it expires. */
  exp: number;
  revoked: boolean;
  family: number;
}

interface Model {
  realTime: boolean;
  startedMs: number;
  now: number;
  access: TokenState[];
  refresh: (TokenState & { lastAccess: string; client?: TargetClient })[];
  families: number;
}

interface Real {
  ctx: RunContext;
  /** The browser flow's cookie jar, and the family of the login session its code grants share (SSO). */
  jar: CookieJar;
  loginFamily?: number;
}

/** On a real target the model's time is the run's real time: within this of an expiry, the model asserts nothing. */
const EXPIRY_MARGIN_SECONDS = 2;
const certain = (m: Model, t: TokenState) => !m.realTime || Math.abs(t.exp - m.now) >= EXPIRY_MARGIN_SECONDS;
/** Real targets: the model's clock follows the wall clock (mocks: it moves with advance-clock). */
const tick = (m: Model) => {
  if (m.realTime) m.now = (Date.now() - m.startedMs) / 1000;
};
const accessValid = (m: Model, t: TokenState) => !t.revoked && m.now < t.exp;
const refreshValid = (m: Model, t: TokenState) => !t.revoked && m.now < t.exp;

function record(
  m: Model,
  body: Record<string, unknown>,
  family: number,
  previousRefresh?: Model['refresh'][number],
  client?: TargetClient,
): void {
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number.POSITIVE_INFINITY;
  const access = String(body.access_token);
  if (!m.access.some((a) => a.value === access))
    m.access.push({ value: access, exp: m.now + expiresIn, revoked: false, family });
  const rt = typeof body.refresh_token === 'string' ? body.refresh_token : previousRefresh?.value;
  if (!rt) return;
  const known = m.refresh.find((r) => r.value === rt);
  if (known) known.lastAccess = access;
  else {
    const rExp =
      typeof body.refresh_expires_in === 'number' && body.refresh_expires_in > 0
        ? m.now + body.refresh_expires_in
        : Number.POSITIVE_INFINITY;
    m.refresh.push({
      value: rt,
      exp: rExp,
      revoked: false,
      family,
      lastAccess: access,
      ...((client ?? previousRefresh?.client) ? { client: (client ?? previousRefresh?.client)! } : {}),
    });
  }
}

/** TE-S1 over one command: a disagreement with the model fails the property (fast-check then shrinks the sequence). */
function agree(o: ModelObservation, exchanges: Exchange[]): void {
  const verdict = modelAgrees.judge(o);
  if (!verdict.passed) throw new CheckFailure(modelAgrees, verdict.message, exchanges);
}

const answerOf = (e: Exchange) => String(e.response?.status ?? e.error ?? 'no answer');

class GrantCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    tick(m);
    const g = await freshGrant(r.ctx);
    if (!g) return agree({ what: 'a grant', expectedToWork: true, worked: false, answer: 'no tokens' }, []);
    const access = String(g.body.access_token);
    const existing = m.access.find((a) => a.value === access);
    // Spring hands out the same token again for a repeated grant: same family then.
    record(m, g.body, existing ? existing.family : ++m.families);
    if (r.ctx.target.mock && typeof g.body.refresh_expires_in !== 'number') {
      const rt = m.refresh.find((x) => x.value === g.body.refresh_token);
      if (rt && rt.exp === Number.POSITIVE_INFINITY && r.ctx.target.mock.refreshTokenLifetime)
        rt.exp = m.now + r.ctx.target.mock.refreshTokenLifetime;
    }
    const declared = r.ctx.target.lifetimes?.refresh;
    if (!r.ctx.target.mock && declared && typeof g.body.refresh_expires_in !== 'number') {
      const rt = m.refresh.find((x) => x.value === g.body.refresh_token);
      if (rt && rt.exp === Number.POSITIVE_INFINITY) rt.exp = m.now + declared;
    }
  }
  toString = () => 'grant';
}

/** A code grant through the browser flow: every code of one login (its SSO session) belongs to one family. */
class CodeGrantCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    tick(m);
    const g = await codeGrant(r.ctx, r.jar);
    if (!g) return agree({ what: 'a code grant', expectedToWork: true, worked: false, answer: 'no tokens' }, []);
    r.loginFamily ??= ++m.families;
    // A refresh of this session may have moved its refresh token on: the refresh's refresh token follows it.
    const rt =
      typeof g.body.refresh_token === 'string' ? m.refresh.find((x) => x.value === g.body.refresh_token) : undefined;
    record(m, g.body, rt?.family ?? r.loginFamily, undefined, g.client);
    const declared = r.ctx.target.mock?.refreshTokenLifetime ?? r.ctx.target.lifetimes?.refresh;
    const fresh = m.refresh.find((x) => x.value === g.body.refresh_token);
    if (fresh && fresh.exp === Number.POSITIVE_INFINITY && declared && typeof g.body.refresh_expires_in !== 'number')
      fresh.exp = m.now + declared;
  }
  toString = () => 'code-grant';
}

class RefreshCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.refresh.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const rt = m.refresh[this.index % m.refresh.length]!;
    const client = rt.client ?? r.ctx.target.clients.user ?? r.ctx.target.clients.service!;
    tick(m);
    const e = await refreshWith(r.ctx, client, rt.value);
    const expected = refreshValid(m, rt);
    const ok = e.response?.status === 200;
    if ((e.response?.status ?? 500) >= 500)
      throw new CheckFailure(noServerError, `refresh answered ${e.response?.status ?? e.error}`, [e]);
    // Undeclared rotation, or the refresh token at its expiry on a real target: either answer is right, and now we know.
    const unsure = rt.uncertain || !certain(m, rt);
    if (unsure && !ok) rt.revoked = true;
    if (!unsure) {
      const what = `refresh with ${expected ? 'a valid' : 'a superseded, revoked or expired'} refresh token`;
      agree({ what, expectedToWork: expected, worked: ok, answer: answerOf(e) }, [e]);
    }
    if (!ok) return;
    const body = json(e)!;
    const t = r.ctx.target;
    // Declared: the replaced access token must stop (or keep) working. Not declared: either is correct (django-oauth-toolkit
    // revokes it on refresh, oauthlib/oauth2_validators.py save_bearer_token; Keycloak keeps it), so the model does not assert it.
    for (const a of m.access) {
      if (a.value !== rt.lastAccess) continue;
      if (t.refreshRevokesAccess === true) a.revoked = true;
      else if (t.refreshRevokesAccess === undefined) a.uncertain = true;
    }
    const newRt = typeof body.refresh_token === 'string' ? body.refresh_token : rt.value;
    if (newRt !== rt.value && t.refreshMode === 'rotate-revoke') rt.revoked = true;
    if (newRt !== rt.value && t.refreshMode === 'unknown') rt.uncertain = true;
    record(m, body, rt.family, rt);
    const fresh = m.refresh.find((x) => x.value === newRt);
    const lifetime = t.mock?.refreshTokenLifetime ?? t.lifetimes?.refresh;
    if (fresh && fresh.exp === Number.POSITIVE_INFINITY && lifetime && typeof body.refresh_expires_in !== 'number')
      fresh.exp = m.now + lifetime;
  }
  toString = () => `refresh(#${this.index})`;
}

class UseAccessCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.access.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const a = m.access[this.index % m.access.length]!;
    tick(m);
    const e = await r.ctx.resource(a.value);
    if (!e) return;
    const ok = (e.response?.status ?? 500) < 400;
    const expected = accessValid(m, a);
    if (!certain(m, a) && (e.response?.status ?? 500) < 500) return; // at its expiry, either answer is right
    if ((e.response?.status ?? 500) >= 500)
      throw new CheckFailure(noServerError, `resource answered ${e.response?.status ?? e.error}`, [e]);
    if (a.uncertain && expected) {
      // Now we know what the target does with this token.
      a.uncertain = false;
      if (!ok) a.revoked = true;
      return;
    }
    const rule = expected ? freshAccessWorks.id : badAccessRefused.id;
    agree(
      {
        what: 'the access token',
        where: 'at the resource',
        expectedToWork: expected,
        worked: ok,
        answer: answerOf(e),
        rule,
      },
      [e],
    );
  }
  toString = () => `use-access(#${this.index})`;
}

class LogoutCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.refresh.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const rt = m.refresh[this.index % m.refresh.length]!;
    const client = rt.client ?? r.ctx.target.clients.user!;
    const e = await r.ctx.session.logout(client, rt.value);
    if ((e.response?.status ?? 500) >= 500)
      throw new CheckFailure(noServerError, `logout answered ${e.response?.status ?? e.error}`, [e]);
    // Keycloak verifies the refresh token without its expiry; a revoked (stale) one still names the session.
    if (e.response?.status === 204) {
      for (const t of [...m.access, ...m.refresh]) if (t.family === rt.family) t.revoked = true;
      // The browser's SSO session ended with it: the next code grant logs in again, a new session.
      if (rt.family === r.loginFamily) r.loginFamily = undefined;
    }
  }
  toString = () => `logout(#${this.index})`;
}

class AdvanceClockCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    r.ctx.target.mock!.advanceClock(this.seconds);
    m.now += this.seconds;
  }
  toString = () => `advance-clock(${this.seconds}s)`;
}

type Cmd = fc.AsyncCommand<Model, Real>;

/**
 * Sequences the model run starts with, whatever the seed: each basic transition once (a fresh access token works,
 * an expired one does not, a superseded refresh token, the access token a refresh replaced, a logged-out session),
 * so that a target breaking one fails TE-S1 in every run, not only when the generator happens on it.
 */
function fixedSequences(t: RunContext['target'], advance: Cmd | undefined): Cmd[][] {
  const out: Cmd[][] = [[new GrantCommand(), new RefreshCommand(0), new RefreshCommand(0)]];
  if (t.resource)
    out.push(
      [new GrantCommand(), new UseAccessCommand(0)],
      [new GrantCommand(), new RefreshCommand(0), new UseAccessCommand(0)],
    );
  if (t.resource && advance) out.push([new GrantCommand(), advance, new UseAccessCommand(0)]);
  if (t.logoutUrl && t.clients.user) out.push([new GrantCommand(), new LogoutCommand(0), new RefreshCommand(0)]);
  if (t.authorizationCode) {
    out.push([new CodeGrantCommand(), new RefreshCommand(0), new RefreshCommand(0)]);
    // A logout ends the login's session; the next code grant logs in again and its tokens work.
    if (t.logoutUrl)
      out.push([new CodeGrantCommand(), new LogoutCommand(0), new CodeGrantCommand(), new RefreshCommand(1)]);
  }
  return out;
}

/** A fixed sequence as fast-check prints a generated one (grant,advance-clock(301s),use-access(#0)): the report's shrunk line. */
const sequence = (cmds: Cmd[]): Iterable<Cmd> & fc.WithToStringMethod => ({
  [Symbol.iterator]: () => cmds[Symbol.iterator](),
  [fc.toStringMethod]: () => cmds.map(String).join(','),
});

const scenarios: Scenario<StatefulState>[] = [
  {
    name: 'probe',
    checks: [],
    skip: (t) => needsRefreshToken(t) ?? needsDisposableGrant(t),
    cost: () => ({ requests: 1 }),
    run: async (ctx) => {
      if (!(await freshGrant(ctx)))
        ctx.block(notApplicable('the target issues no refresh token to the configured clients'));
    },
  },
  {
    // The model run is the check itself: its commands are generated, and each run starts from an empty model.
    name: 'model',
    checks: [ref(modelAgrees)],
    skip: (t) => needsRefreshToken(t) ?? needsDisposableGrant(t),
    // At most one request per command (a clock move sends none), four for a code grant that logs in: an upper bound.
    cost: (t, numRuns) => {
      const perCommand = t.authorizationCode ? 4 : 1;
      return {
        requests:
          (t.mock ? 1 : 0) +
          numRuns * MAX_COMMANDS * perCommand +
          fixedSequences(t, t.mock ? new AdvanceClockCommand(0) : undefined).reduce(
            (n, cmds) => n + cmds.length * perCommand,
            0,
          ),
      };
    },
    run: async (ctx) => {
      const t = ctx.target;
      const commands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[] = [
        fc.constant(new GrantCommand()),
        fc.nat(7).map((i) => new RefreshCommand(i)),
      ];
      if (t.resource) commands.push(fc.nat(7).map((i) => new UseAccessCommand(i)));
      if (t.authorizationCode) commands.push(fc.constant(new CodeGrantCommand()));
      if (t.logoutUrl && t.clients.user) commands.push(fc.nat(7).map((i) => new LogoutCommand(i)));
      let advance: Cmd | undefined;
      if (t.mock) {
        // Just past the access-token lifetime (as a fresh grant states it): every access token issued before then expires.
        const probe = await freshGrant(ctx);
        const lifetime =
          typeof probe?.body.expires_in === 'number' ? probe.body.expires_in : t.mock.accessTokenLifetime;
        advance = new AdvanceClockCommand(lifetime + 1);
        commands.push(fc.constant(advance));
      }
      const run = async (cmds: Iterable<Cmd>) => {
        const setup = () => ({
          model: { now: 0, access: [], refresh: [], families: 0, realTime: !t.mock, startedMs: Date.now() } as Model,
          real: { ctx, jar: new CookieJar() } as Real,
        });
        await fc.asyncModelRun(setup, cmds);
        ctx.pass(modelAgrees);
      };
      await runProperty(
        ctx,
        ref(modelAgrees),
        fc.commands(commands, { maxCommands: MAX_COMMANDS }),
        run,
        ctx.numRuns,
        fixedSequences(t, advance).map(sequence),
      );
    },
  },
];

type StatefulState = Record<string, never>;

export const statefulSuite = defineSuite<StatefulState>({ name: 'stateful', start: () => ({}), scenarios });
