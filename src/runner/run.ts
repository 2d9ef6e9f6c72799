import { randomBytes } from 'node:crypto';
import { packageVersion } from '../util/paths.js';
import { authorizationCodeSuite } from '../../suites/authorization-code.js';
import { grantSuite } from '../../suites/grant.js';
import { refreshSuite } from '../../suites/refresh.js';
import { revocationSuite } from '../../suites/revocation.js';
import { sessionsSuite } from '../../suites/sessions.js';
import { statefulSuite } from '../../suites/stateful.js';
import { FLAVOURS, type FlavourName } from '../flavours/index.js';
import { ALL_CHECKS } from '../checks/registry.js';
import { Redactor } from '../util/redact.js';
import {
  baselineReason,
  blocksConformance,
  runVerdict,
  staleBaselineEntries,
  statusOfTally,
} from '../verdict/index.js';
import { NOT_IN_TIME, RunContext } from '../session/context.js';
import { Evidence } from '../session/evidence.js';
import { RunInterrupted, TargetThrottled, TargetUnreachable, TlsProblem, Transport } from '../session/http.js';
import { LoginNotPossible } from '../session/login-driver.js';
import { computePlan, untested, type Plan, type Skip, type SuiteDef } from './plan.js';
import { PreflightFailed, preflightGrants, runPreflight, storedTokenGuard } from './preflight.js';
import { clientCredentialsParams, passwordGrant } from '../../suites/preconditions.js';
import { reportedExchange } from '../session/reported-exchange.js';
import type { Run } from '../generated/schemas.js';
import { resultKey, type CheckResult, type Exchange, type Target } from '../vocabulary/types.js';
import { naturalCompare } from '../util/collate.js';

/** The suites, in the order they run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: the suites' states differ; each suite is typed where it is defined
export const SUITES: readonly SuiteDef<any>[] = [
  grantSuite,
  refreshSuite,
  revocationSuite,
  sessionsSuite,
  authorizationCodeSuite,
  statefulSuite,
];

export interface Baseline {
  /** suite:check-id (or suite:check-id:variant) -> reason */
  entries: Map<string, string>;
}

export interface RunOptions {
  target: Target;
  seed?: number;
  numRuns?: number;
  suites?: string[];
  baseline?: Baseline;
  /** Progress lines for the console. */
  progress?: (line: string) => void;
  /** After each scenario: how far the plan is (for a live progress line). */
  onScenario?: (p: {
    done: number;
    total: number;
    planned: number;
    sent: number;
    suite: string;
    scenario: string;
    elapsedMs: number;
  }) => void;
  /** A transport of the caller's (tests read its raw log). */
  transport?: Transport;
  /** One valid grant per configured client and user first (default: on for real targets, off for in-process mocks). */
  preflight?: boolean;
  /** A refused preflight grant is reported as a warning and the run judges anyway (--no-preflight). */
  judgeAnyway?: boolean;
}

/** A result as reports show it (schemas/report, $defs/result): evidence redacted, with a curl per request. */
export interface ReportedResult extends Omit<CheckResult, 'evidence'> {
  evidence?: NonNullable<Run['results'][number]['evidence']>;
}

/** One scenario of the plan: what the plan allowed it, what it sent, how long it took, or why it did not run. */
export type ScenarioRecord = Run['plan']['scenarios'][number];

/**
 * A finished run: what the JSON report holds for one target (schemas/report, $defs/run), with the flavour's name and
 * the results' counts typed as the runner knows them.
 */
export interface FinishedRun extends Omit<Run, 'results' | 'target'> {
  target: Run['target'] & { flavour: FlavourName };
  results: ReportedResult[];
}

function selectSuites(names: string[] | undefined): SuiteDef<unknown>[] {
  if (!names) return [...SUITES];
  return names.map((n) => {
    const s = SUITES.find((x) => x.name === n);
    if (!s) throw new Error(`unknown suite ${n}`);
    return s;
  });
}

export const defaultNumRuns = (target: Target) => (target.mock ? 12 : 3);

/** The coverage plan of a run, before any request. */
export function planRun(options: Pick<RunOptions, 'target' | 'numRuns' | 'suites'>): Plan {
  return computePlan(
    selectSuites(options.suites),
    options.target,
    FLAVOURS[options.target.flavour],
    options.numRuns ?? defaultNumRuns(options.target),
  );
}

/** Runs the suites' plan against one target and returns the redacted report with its exit code (0, 1, 3 or 4). */
export async function runConformance(options: RunOptions): Promise<FinishedRun> {
  const transport =
    options.transport ??
    new Transport({ ...options.target.budget, ...(options.target.tls ? { tls: options.target.tls } : {}) });
  try {
    return await conformanceRun(options, transport);
  } finally {
    // The run's own connections end with it; a caller's transport is the caller's to close.
    if (!options.transport) await transport.close();
  }
}

async function conformanceRun(options: RunOptions, transport: Transport): Promise<FinishedRun> {
  const { target } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const numRuns = options.numRuns ?? defaultNumRuns(target);
  const suites = selectSuites(options.suites);
  const preflight =
    (options.preflight ?? !target.mock)
      ? preflightGrants(target, {
          password: target.user ? passwordGrant(target) : undefined,
          clientCredentials: clientCredentialsParams(target),
          ...(target.operator
            ? {
                operator: [
                  ['grant_type', 'operator_password'],
                  ['username', target.operator.username],
                  ['password', target.operator.password],
                ],
              }
            : {}),
        })
      : [];
  // The preflight's requests come out of the budget first: the plan gets what they leave.
  const planned = preflight.length
    ? {
        ...target,
        budget: { ...target.budget, maxRequests: Math.max(0, target.budget.maxRequests - preflight.length) },
      }
    : target;
  const plan = computePlan(suites, planned, FLAVOURS[target.flavour], numRuns);
  const declared = new Set(plan.entries.map((e) => Evidence.key(e.suite, e.check.id, e.variant)));
  const ctx = new RunContext(target, transport, seed, numRuns, declared);
  const started = Date.now();
  // One compiled matcher for the run's outputs: secrets and every token the target issued (added as they come), whole
  // and as substrings. A mock's report shows its own credentials (revealSecrets): nothing to match then. The target's
  // grant types are words of its protocol: a password that contains one ("mypassword") leaves "grant_type=password"
  // readable. Markers are keyed by a key of this run's: equal for one secret within the report, no oracle for a guess.
  const secrets = target.revealSecrets
    ? new Redactor()
    : new Redactor([], {
        configured: target.secrets,
        protocolWords: target.grants,
        publicNames: publicNamesOf(target),
        key: randomBytes(16),
      });
  const say = options.progress ?? (() => {});
  // A progress line can echo what the target sent (an error message quoting its body): redacted like the report.
  const progress = (line: string) => say(secrets.addAll(ctx.session.tokensSeen).text(line));
  const weak = target.revealSecrets ? [] : weakSecretsOf(target);
  for (const w of weak)
    progress(`  warning: ${w} is weak: redacted only where it stands alone, never as a piece of a longer text`);
  progress(
    `  plan: ${plan.cost.requests} requests for the systematic pass (budget ${plan.budget.maxRequests}), ${plan.entries.filter((e) => !e.skip).length} checks planned`,
  );
  if (plan.leftOut.length)
    progress(
      `  the budget cannot cover the plan (${plan.fullCost.requests} requests): left out ${plan.leftOut.join(', ')}`,
    );

  // What the plan already knows will not run is reported now, with its reason.
  for (const e of plan.entries) if (e.skip) ctx.evidence.skip(e.suite, e.check, e.variant, e.skip.reason, e.skip.kind);

  let unreachable: string | undefined;
  let interrupted: string | undefined;
  /** What the target answered that ended the run (TE-N2: its throttled answers). */
  let interruptedBy: Exchange[] = [];
  const warnings: string[] = [];
  const guard = storedTokenGuard(target);
  if (guard) throw new PreflightFailed(guard);
  // A rotated stored token is reported as it happens (and written where the config says).
  ctx.session.onStoredRotation = (line) => progress(`  ${line}`);
  if (preflight.length) {
    try {
      for (const line of await runPreflight(ctx.session, preflight, options.judgeAnyway === true)) {
        warnings.push(line);
        progress(`  warning: ${line}`);
      }
    } catch (e) {
      // The line quotes what the target answered (an error_description may echo a secret): redacted like a report.
      if (e instanceof PreflightFailed)
        throw new PreflightFailed(secrets.addAll(ctx.session.tokensSeen).text(e.message));
      // Unreachable, or a Retry-After beyond the run's means: the verdict says so, as it would have after any request.
      if (e instanceof TargetUnreachable) unreachable = e.message;
      else if (e instanceof RunInterrupted && !(e instanceof TlsProblem)) {
        interrupted = e.message;
        if (e instanceof TargetThrottled) interruptedBy = e.evidence;
      } else throw e;
    } finally {
      if (!unreachable) await ctx.session.closeSessions().catch(() => undefined);
    }
  }
  const records: ScenarioRecord[] = [];
  const runStarted = performance.now();
  const timeOf = new Map<string, number>();
  const errors: { suite: string; scenario: string; message: string; exchanges: Exchange[] }[] = [];
  const states = new Map(suites.map((s) => [s.name, s.start()]));
  const blocked = new Map<string, Skip>();
  // The systematic pass of every suite first; the generated examples after it, on what the budget has left.
  const order = [
    ...suites.flatMap((s) => s.scenarios.filter((x) => !x.generated).map((x) => [s, x] as const)),
    ...suites.flatMap((s) => s.scenarios.filter((x) => x.generated).map((x) => [s, x] as const)),
  ];
  for (const [suite, scenario] of order) {
    const planned = plan.scenarios.find((p) => p.suite === suite.name && p.name === scenario.name)!;
    const record: ScenarioRecord = {
      suite: suite.name,
      name: scenario.name,
      generated: !!scenario.generated,
      planned: planned.cost.requests,
      sent: 0,
    };
    records.push(record);
    const stop = unreachable ?? interrupted;
    const skip: Skip | undefined = !planned.included
      ? planned.skip
      : stop
        ? untested(`not run: ${stop}`)
        : blocked.get(suite.name);
    if (skip) {
      record.skip = skip.reason;
      if (planned.included && !scenario.generated)
        for (const r of scenario.checks) ctx.evidence.skip(suite.name, r.check, r.variant, skip.reason, skip.kind);
      continue;
    }
    ctx.suite = suite.name;
    ctx.blocked = undefined;
    ctx.generated = !!scenario.generated;
    ctx.evidence.extendOnly = ctx.generated;
    ctx.exercising = `${[...new Set(scenario.checks.map((r) => `${r.check.id}${r.variant ? ` (${r.variant})` : ''}`))].join(', ') || 'its preconditions'} [${suite.name}/${scenario.name}]`;
    const before = transport.requests;
    const logBefore = transport.logPosition();
    const timeoutsBefore = ctx.timeouts;
    let crashed: string | undefined;
    const startedAt = performance.now();
    for (const r of scenario.checks)
      timeOf.set(`${suite.name}:${r.check.id}`, timeOf.get(`${suite.name}:${r.check.id}`) ?? 0);
    try {
      await scenario.run(ctx, states.get(suite.name));
    } catch (e) {
      // A certificate problem is the configuration's: the run ends with it in one line (exit 2), as in the preflight.
      // So is a login the driver cannot do as configured (no form, the form came back): exit 2, one line, redacted.
      if (e instanceof TlsProblem) throw new PreflightFailed(e.message);
      if (e instanceof LoginNotPossible)
        throw new PreflightFailed(secrets.addAll(ctx.session.tokensSeen).text(e.message));
      if (!(e instanceof RunInterrupted)) {
        // No scenario may crash the run: its error is reported with the exchanges it had made, and the run goes on.
        const message = e instanceof Error ? e.message : String(e);
        errors.push({ suite: suite.name, scenario: scenario.name, message, exchanges: transport.logSince(logBefore) });
        crashed = `the ${scenario.name} scenario failed with an internal error: ${message}`;
        progress(`  ${suite.name}/${scenario.name}: internal error: ${message}`);
      } else {
        if (e instanceof TargetUnreachable) unreachable = e.message;
        // Generated examples only add to the evidence: the budget ending them leaves the plan complete. A throttling
        // target ends the run wherever it happens: no further request may follow (TE-N2).
        else if (!scenario.generated || e instanceof TargetThrottled) {
          interrupted = e.message;
          if (e instanceof TargetThrottled) interruptedBy = e.evidence;
        }
        progress(`  ${suite.name}/${scenario.name}: stopped, ${e.message}`);
      }
    }
    record.sent = transport.requests - before;
    record.durationMs = Math.round(performance.now() - startedAt);
    options.onScenario?.({
      done: records.length,
      total: order.length,
      planned: plan.cost.requests,
      sent: transport.requests,
      suite: suite.name,
      scenario: scenario.name,
      elapsedMs: performance.now() - runStarted,
    });
    // A check's time is that of the scenarios that exercise it; checks judged on every answer get the suite's.
    for (const id of new Set(scenario.checks.map((r) => r.check.id)))
      timeOf.set(`${suite.name}:${id}`, (timeOf.get(`${suite.name}:${id}`) ?? 0) + record.durationMs);
    timeOf.set(`${suite.name}:*`, (timeOf.get(`${suite.name}:*`) ?? 0) + record.durationMs);
    // A guest logs out what a scenario opened as soon as it ends, also after a failure or an error of the scenario.
    if (!unreachable) await ctx.session.closeSessions().catch(() => undefined);
    if (ctx.blocked) blocked.set(suite.name, ctx.blocked);
    if (!scenario.generated) {
      for (const r of scenario.checks) {
        if (ctx.evidence.has(suite.name, r.check, r.variant)) continue;
        const why =
          ctx.blocked ??
          untested(
            interrupted || unreachable
              ? `not finished: ${interrupted ?? unreachable}`
              : crashed
                ? crashed
                : ctx.timeouts > timeoutsBefore
                  ? NOT_IN_TIME
                  : `the ${scenario.name} scenario ended before judging it (a precondition failed: see the other results of ${suite.name})`,
          );
        ctx.evidence.skip(suite.name, r.check, r.variant, why.reason, why.kind);
      }
    }
  }
  ctx.suite = '';
  ctx.evidence.extendOnly = false;
  const sent = records.reduce((n, r) => n + r.sent, 0);
  progress(`  sent ${sent} requests (${records.filter((r) => !r.skip).length} scenarios)`);

  // Planned entries that got no result at all: the per-answer rules when no answer of their kind came.
  for (const e of plan.entries) {
    if (e.skip || ctx.evidence.has(e.suite, e.check, e.variant)) continue;
    // A suite the target cannot serve (no refresh token to refresh or revoke): its per-answer rules share its reason.
    const block = blocked.get(e.suite);
    if (block && e.check.judgesEvery && !unreachable && !interrupted) {
      ctx.evidence.skip(e.suite, e.check, e.variant, block.reason, block.kind);
      continue;
    }
    ctx.evidence.skip(
      e.suite,
      e.check,
      e.variant,
      unreachable
        ? `not run: ${unreachable}`
        : interrupted
          ? `not run: ${interrupted}`
          : e.check.judgesEvery
            ? `no answer of its kind (${e.check.judgesEvery.join(', ')}) came back`
            : 'planned, but no scenario judged it',
      'untested',
    );
  }

  secrets.addAll(ctx.session.tokensSeen);
  const results: ReportedResult[] = ctx.evidence.results().map((r) => ({
    ...finish(r, options.baseline, secrets, target.revealSecrets === true),
    durationMs: timeOf.get(`${r.suite}:${r.check}`) ?? timeOf.get(`${r.suite}:*`) ?? 0,
  }));
  const staleBaseline = staleBaselineEntries(options.baseline, results);
  // CONFORMS only when the required checks ran: what stayed untested is listed, and the run is INCOMPLETE (exit 4).
  const incomplete: string[] = [];
  if (interrupted) incomplete.push(`the run stopped before its plan was done: ${interrupted}`);
  for (const e of errors)
    incomplete.push(
      `${e.suite}/${e.scenario} failed with an internal error (please report it): ${secrets.text(e.message)}`,
    );
  // Grouped by reason: "needs a second client" once, with every check it leaves untested.
  const untestedBy = new Map<string, string[]>();
  for (const r of results.filter(blocksConformance))
    (
      untestedBy.get(r.message ?? 'no reason given') ??
      untestedBy.set(r.message ?? 'no reason given', []).get(r.message ?? 'no reason given')!
    ).push(resultKey(r));
  for (const [reason, names] of untestedBy) incomplete.push(`${names.join(', ')} not tested: ${reason}`);
  if (!results.some((r) => r.status !== 'skip')) incomplete.push('no check ran');
  const { verdict, exitCode } = runVerdict({
    unreachable: !!unreachable,
    unexpectedFailures: results.filter((r) => r.status === 'fail' && !r.baseline).length,
    staleBaseline: staleBaseline.length,
    incomplete: incomplete.length,
  });
  return {
    tool: 'idp-conformance',
    version: packageVersion(),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    seed,
    target: {
      flavour: target.flavour,
      ...(target.preset ? { preset: target.preset } : {}),
      tokenUrl: target.tokenUrl,
      mock: !!target.mock,
      ...(target.tls?.insecure ? { insecureTls: true as const } : {}),
    },
    profile: target.profile,
    requests: transport.requests,
    results: results.sort(
      (a, b) =>
        naturalCompare(a.suite, b.suite) ||
        naturalCompare(a.check, b.check) ||
        naturalCompare(a.variant ?? '', b.variant ?? ''),
    ),
    staleBaseline,
    exitCode,
    verdict,
    plan: {
      requests: plan.cost.requests,
      fullRequests: plan.fullCost.requests,
      badCredentials: plan.cost.badCredentials,
      budget: plan.budget,
      leftOut: plan.leftOut,
      scenarios: records,
    },
    ...(Object.keys(ctx.observed).length ? { observed: { ...ctx.observed } } : {}),
    ...(weak.length ? { weakSecrets: weak } : {}),
    ...(ctx.session.leftOpen().length ? { sessionsLeftOpen: ctx.session.leftOpen() } : {}),
    capabilities: capabilitiesOf(target, ctx),
    ...(preflight.length
      ? { preflight: { requests: preflight.length, refused: warnings.map((w) => secrets.text(w)) } }
      : {}),
    ...(unreachable ? { unreachable } : {}),
    ...(interrupted ? { interrupted } : {}),
    ...(interruptedBy.length
      ? { interruptedBy: interruptedBy.map((x) => reportedExchange(x, secrets, !!target.revealSecrets)) }
      : {}),
    ...(incomplete.length ? { incomplete } : {}),
    ...(errors.length
      ? {
          scenarioErrors: errors.map((e) => ({
            suite: e.suite,
            scenario: e.scenario,
            message: secrets.text(e.message),
            evidence: e.exchanges.map((x) => reportedExchange(x, secrets, !!target.revealSecrets)),
          })),
        }
      : {}),
  };
}

const AUTH_METHODS: Record<string, string> = { basic: 'client_secret_basic', post: 'client_secret_post', none: 'none' };

/**
 * The target's capabilities as declared (the config), advertised (its discovery document) and observed (the run),
 * and where they disagree: what a vendor checks first when a client cannot talk to the server.
 */
function capabilitiesOf(t: Target, ctx: RunContext): NonNullable<Run['capabilities']> {
  const seen = ctx.seen;
  const meta = seen.advertised;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
  const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort(naturalCompare);
  const declaredAuth = sorted(Object.values(t.clients).flatMap((c) => (c ? [AUTH_METHODS[c.auth]!] : [])));
  const advertisedAuth = list(meta?.token_endpoint_auth_methods_supported);
  const advertisedGrants = list(meta?.grant_types_supported);
  const endpoints = sorted([
    ...(t.revocationUrl ? ['revocation'] : []),
    ...(t.logoutUrl ? ['logout'] : []),
    ...(t.discoveryUrl ? ['discovery'] : []),
    ...(t.resource ? ['resource'] : []),
  ]);
  const advertisedEndpoints = meta
    ? sorted(
        [
          ['revocation', 'revocation_endpoint'],
          ['logout', 'end_session_endpoint'],
          ['introspection', 'introspection_endpoint'],
          ['userinfo', 'userinfo_endpoint'],
        ]
          .filter(([, m]) => typeof meta[m!] === 'string')
          .map(([n]) => n!),
      )
    : undefined;
  const disagreements: string[] = [];
  for (const m of seen.authRefused)
    if (advertisedAuth?.includes(m))
      disagreements.push(`${m} is advertised (token_endpoint_auth_methods_supported) but was refused`);
  for (const m of seen.authAccepted)
    if (m !== 'none' && advertisedAuth && !advertisedAuth.includes(m))
      disagreements.push(`${m} was accepted but is not advertised`);
  for (const m of declaredAuth)
    if (seen.authRefused.has(m)) disagreements.push(`${m} is declared for a client but was refused`);
  for (const g of seen.grantsIssued)
    if (!t.grants.includes(g)) disagreements.push(`the ${g} grant issued tokens but is not declared (grants)`);
  for (const g of seen.grantsIssued)
    if (advertisedGrants && !advertisedGrants.includes(g))
      disagreements.push(`the ${g} grant issued tokens but is not advertised (grant_types_supported)`);
  if (advertisedEndpoints?.includes('revocation') && !t.revocationUrl)
    disagreements.push(
      'a revocation endpoint is advertised but not configured (endpoints.revocation): RFC 7009 went untested',
    );
  return {
    tokenEndpointAuth: {
      declared: declaredAuth,
      ...(advertisedAuth ? { advertised: sorted(advertisedAuth) } : {}),
      accepted: sorted(seen.authAccepted),
      refused: sorted(seen.authRefused),
    },
    grants: {
      declared: sorted(t.grants),
      ...(advertisedGrants ? { advertised: sorted(advertisedGrants) } : {}),
      issued: sorted(seen.grantsIssued),
      refused: sorted(seen.grantsRefused),
    },
    refreshTokenIssuedBy: sorted(seen.refreshFrom),
    noRefreshTokenFrom: sorted([...seen.noRefreshFrom].filter((g) => !seen.refreshFrom.has(g))),
    ...(seen.scopeRequired !== undefined ? { scopeRequired: seen.scopeRequired } : {}),
    endpoints: { declared: endpoints, ...(advertisedEndpoints ? { advertised: advertisedEndpoints } : {}) },
    disagreements,
  };
}

/**
 * What a report prints that is public and may share characters with a secret: client ids, usernames, the check
 * variants ("missing-password") and every flavour's grant types. Redaction leaves them readable where they stand alone.
 */
function publicNamesOf(t: Target): string[] {
  const clients = Object.values(t.clients).map((c) => c?.clientId ?? '');
  const users = [t.user, t.operator, ...(t.extraUsers ?? [])].map((u) => u?.username ?? '');
  const variants = ALL_CHECKS.flatMap((c) => c.variants ?? []);
  const grants = Object.values(FLAVOURS).flatMap((d) => d.grants);
  return [...clients, ...users, ...variants, ...grants].filter(Boolean);
}

/** Whose configured secrets are shorter than redaction's run length (the secret itself is never named). */
function weakSecretsOf(t: Target): string[] {
  const out: string[] = [];
  const short = (s: string | undefined) => s !== undefined && s !== '' && Redactor.weak([s]).length > 0;
  for (const c of Object.values(t.clients))
    if (c && short(c.clientSecret)) out.push(`client ${c.clientId}'s secret (${c.clientSecret!.length} characters)`);
  for (const u of [t.user, t.operator, ...(t.extraUsers ?? [])])
    if (u && short(u.password)) out.push(`user ${u.username}'s password (${u.password.length} characters)`);
  return [...new Set(out)];
}

function finish(r: CheckResult, baseline: Baseline | undefined, secrets: Redactor, reveal: boolean): ReportedResult {
  const status = statusOfTally({ ...r, skipped: r.status === 'skip' });
  const reason = baselineReason(baseline, r);
  const { evidence, ...rest } = r;
  const out: ReportedResult = {
    ...rest,
    status,
    ...(reason !== undefined && status === 'fail' ? { baseline: { reason } } : {}),
  };
  if (status !== 'skip') delete out.skipKind;
  if (status === 'pass' && out.message && !r.deviation) delete out.message;
  if (evidence && (status === 'fail' || status === 'warn' || status === 'deviation' || status === 'info')) {
    out.evidence = evidence.map((e) => reportedExchange(e, secrets, reveal));
  }
  if (out.message && !reveal) out.message = secrets.text(out.message);
  return out;
}
