/**
 * What a scenario works with: the HTTP session, the evidence book, and the few ways of judging what came back
 * (a pure rule's outcome, the per-answer rules of RFC 6749 §5.1 / §5.2, a request that must be refused). Severity,
 * documented deviations and status are the verdict module's; this only routes outcomes to the book.
 */
import type { AnswerKind, CheckDef, Outcome } from '../checks/define.js';
import { isExpectedError, tokensIssued } from '../checks/define.js';
import { checksJudgingEvery } from '../checks/registry.js';
import { noServerError } from '../checks/requests.js';
import { answeredInTime, boundedAnswer, flavourErrors } from '../checks/model.js';
import { FLAVOURS, type ExpectedError, type FailureCause, type FlavourDescriptor } from '../flavours/index.js';
import { validateCapture } from '../validate/capture.js';
import { consequenceOfFinding, NOT_IN_TIME, severityOf, weigh, type Weighed } from '../verdict/index.js';
import { Evidence, type SkipKind } from './evidence.js';
import type { Transport } from './http.js';
import type { Skip } from '../vocabulary/types.js';
import { json, Session } from './session.js';
import type { CheckResult, Exchange, Target } from '../vocabulary/types.js';

export { json } from './session.js';

/** Thrown inside a property to fail it with a check and evidence (fast-check then shrinks, on mocks). */
export class CheckFailure extends Error {
  constructor(
    readonly check: CheckDef,
    message: string,
    readonly exchanges: Exchange[],
    readonly variant?: string,
  ) {
    super(`${check.id}: ${message}`);
  }
}

export { NOT_IN_TIME } from '../verdict/index.js';

export class RunContext {
  readonly descriptor: FlavourDescriptor;
  readonly session: Session;
  /** Whether the client the checks exercise is public (a severity depends on it: TE-H4). */
  private readonly publicClient: boolean | undefined;
  readonly evidence: Evidence;
  /** The suite whose scenario is running (results are filed under it). */
  suite = '';
  /** Set while generated examples run: they add evidence, and a spent bad-credential budget just ends them. */
  generated = false;
  /** Set by a suite's probe when the target cannot serve the rest of the suite (no refresh tokens): why. */
  blocked?: Skip;

  constructor(
    readonly target: Target,
    readonly transport: Transport,
    readonly seed: number,
    readonly numRuns: number,
    declared?: ReadonlySet<string>,
  ) {
    this.descriptor = FLAVOURS[target.flavour];
    // The client that refreshes (and replays) is the user client, else the service client: a public one makes TE-H4 bind.
    const publicClient = (target.clients.user ?? target.clients.service)?.public;
    this.publicClient = publicClient;
    this.evidence = new Evidence(
      { severity: (check) => severityOf(check.id, target.profile, publicClient === undefined ? {} : { publicClient }) },
      declared,
    );
    this.session = new Session(target, this.descriptor, transport, (e) => this.observe(e));
  }

  /** The rest of the current suite cannot run on this target: its checks are reported with this reason. */
  block(skip: Skip): void {
    this.blocked = skip;
  }

  get isMock(): boolean {
    return this.target.mock !== undefined;
  }

  // Requests go through the session; these are shorthands.
  token: Session['token'] = (params, options) => this.session.token(params, options);
  resource: Session['resource'] = (token, options) => this.session.resource(token, options);

  /**
   * TE-N1 and TE-A11 on every request: a slow answer is a finding with its evidence and the run goes on; a 5xx (or
   * a broken connection) is TE-A11's, naming what the scenario was exercising.
   */
  private observe(e: Exchange): void {
    if (!this.suite) return;
    const inTime = answeredInTime.judge(e, this.target.budget.timeoutMs);
    if (!inTime.passed) {
      this.timeouts++;
      this.evidence.fail(this.suite, answeredInTime, undefined, inTime.message, [e]);
      return;
    }
    this.evidence.pass(this.suite, answeredInTime);
    const bounded = boundedAnswer.judge(e);
    if (!bounded.passed) {
      this.evidence.fail(this.suite, boundedAnswer, undefined, bounded.message, [e]);
      return;
    }
    this.evidence.pass(this.suite, boundedAnswer);
    const o = noServerError.judge(e);
    if (o.passed) this.evidence.pass(this.suite, noServerError);
    else
      this.evidence.fail(this.suite, noServerError, undefined, `while exercising ${this.exercising}: ${o.message}`, [
        e,
      ]);
  }

  /** What the run saw of the target beyond pass and fail (the lifetimes it issues): the report's `observed`. */
  readonly observed: Record<string, number> = {};

  /** What the run saw the target accept and refuse (the report's capabilities, with what is declared and advertised). */
  readonly seen = {
    authAccepted: new Set<string>(),
    authRefused: new Set<string>(),
    grantsIssued: new Set<string>(),
    grantsRefused: new Set<string>(),
    refreshFrom: new Set<string>(),
    noRefreshFrom: new Set<string>(),
    scopeRequired: undefined as boolean | undefined,
    advertised: undefined as Record<string, unknown> | undefined,
  };

  /** Notes what the target was seen to do (the first value of a name stays). */
  note(name: string, value: number): void {
    this.observed[name] ??= value;
  }

  /** What the running scenario exercises, for TE-A11's message. */
  exercising = '';
  /** Requests of the run that got no answer in time. */
  timeouts = 0;

  // ---- outcomes -----------------------------------------------------------------------------------------------

  pass(check: CheckDef, variant?: string): void {
    this.evidence.pass(this.suite, check, variant);
  }

  /** A finding of a check: what it amounts to is src/verdict's to say (weigh); the book records that. */
  fail(
    check: CheckDef,
    message: string,
    exchanges: Exchange[],
    options: { variant?: string; counterexample?: CheckResult['counterexample'] } = {},
  ): void {
    const last = exchanges.at(-1);
    const weighed = weigh({
      check: check.id,
      profile: this.target.profile,
      ...(this.publicClient !== undefined ? { publicClient: this.publicClient } : {}),
      descriptor: this.descriptor,
      exchanges,
      ...(last?.response
        ? {
            context: {
              response: last.response,
              body: json(last),
              ...(options.variant !== undefined ? { variant: options.variant } : {}),
              ...(this.target.preset !== undefined ? { preset: this.target.preset } : {}),
            },
          }
        : {}),
    });
    this.recordWeighed(check, weighed, message, exchanges, options);
  }

  private recordWeighed(
    check: CheckDef,
    w: Pick<Weighed, 'consequence' | 'deviation' | 'reason'>,
    message: string,
    exchanges: Exchange[],
    options: { variant?: string; counterexample?: CheckResult['counterexample'] } = {},
  ): void {
    if (w.consequence === 'untested')
      this.evidence.skip(this.suite, check, options.variant, w.reason ?? NOT_IN_TIME, 'untested');
    else if (w.consequence === 'deviation')
      this.evidence.deviation(this.suite, check, options.variant, w.deviation!, message, exchanges);
    else if (w.consequence === 'warning') this.evidence.warn(this.suite, check, options.variant, message, exchanges);
    else this.evidence.fail(this.suite, check, options.variant, message, exchanges, options.counterexample);
  }

  warn(check: CheckDef, message: string, exchanges: Exchange[], variant?: string): void {
    this.evidence.warn(this.suite, check, variant, message, exchanges);
  }

  skip(check: CheckDef, reason: string, kind: SkipKind = 'untested', variant?: string): void {
    this.evidence.skip(this.suite, check, variant, reason, kind);
  }

  /** Judges a check on its arguments and records the outcome over the exchanges it judged: the suites' one verb. */
  judge<A extends unknown[]>(
    check: CheckDef & { judge: (...args: A) => Promise<Outcome> },
    args: A,
    exchanges: Exchange[],
    variant?: string,
  ): Promise<boolean>;
  judge<A extends unknown[]>(
    check: CheckDef & { judge: (...args: A) => Outcome },
    args: A,
    exchanges: Exchange[],
    variant?: string,
  ): boolean;
  judge<A extends unknown[]>(
    check: CheckDef & { judge: (...args: A) => Outcome | Promise<Outcome> },
    args: A,
    exchanges: Exchange[],
    variant?: string,
  ): boolean | Promise<boolean> {
    const o = check.judge(...args);
    // A check that verifies a signature judges asynchronously (jose); the rest answer at once.
    return o instanceof Promise
      ? o.then((settled) => this.record(check, settled, exchanges, variant))
      : this.record(check, o, exchanges, variant);
  }

  /** Records a rule's outcome over the exchanges it judged; returns whether it held. */
  record(check: CheckDef, o: Outcome, exchanges: Exchange[], variant?: string): boolean {
    if (o.passed) this.pass(check, variant);
    else this.fail(check, o.message, exchanges, variant !== undefined ? { variant } : {});
    return o.passed;
  }

  /** Like record, but a failure throws, so that a fast-check property fails and shrinks. */
  require(check: CheckDef, o: Outcome, exchanges: Exchange[], variant?: string): void {
    if (!o.passed) throw new CheckFailure(check, o.message, exchanges, variant);
    this.pass(check, variant);
  }

  /** Whether there is an answer to judge: not a 5xx, not a timeout, not a broken connection (those are TE-A11's and TE-N1's, recorded as they arrive). */
  answered(e: Exchange): boolean {
    return !e.timedOut && e.bodyExceeded === undefined && noServerError.judge(e).passed;
  }

  /** The RFC 6749 §5.1 / §5.2 rules and the flavour schema over one answer (every check judging this kind). */
  responseChecks(exchange: Exchange, kind: AnswerKind): void {
    if (!this.answered(exchange)) return;
    const report = validateCapture({
      flavour: this.target.flavour,
      kind,
      response: exchange.response!,
      profile: this.target.profile,
      strict: true,
    });
    for (const check of checksJudgingEvery(kind)) {
      const findings = report.findings.filter((f) => f.rule === check.id);
      if (!findings.length) {
        this.pass(check);
        continue;
      }
      for (const f of findings) {
        const message = `${f.path || '(body)'}: ${f.message}`;
        // The validator weighed it already (src/verdict): recorded with that consequence, not decided again.
        const consequence = consequenceOfFinding(f, check.id, this.target.profile);
        this.recordWeighed(
          check,
          { consequence, ...(f.deviation ? { deviation: f.deviation as { reason: string; source: string } } : {}) },
          message,
          [exchange],
        );
      }
    }
  }

  /**
   * A request that must be refused: a token fails the exercised check once (no cascade); a 5xx is TE-A11 only;
   * otherwise the §5.2 rules, the check's expected error, and the flavour's documented answer for the cause (TE-FL).
   */
  refused(check: CheckDef, variant: string | undefined, exchange: Exchange, cause?: FailureCause): void {
    if (exchange.response?.status === 200) {
      // Say what came back: a token, or a 200 of another kind ({} from a revocation endpoint is no token).
      const body = json(exchange);
      const got =
        typeof body?.access_token === 'string'
          ? 'got a token (200)'
          : `got 200 ${exchange.response.body.trim() ? `with ${exchange.response.body.slice(0, 80)}` : 'with an empty body'}`;
      this.fail(
        check,
        `${variant ?? check.title}: the request should have been refused and ${got}`,
        [exchange],
        variant !== undefined ? { variant } : {},
      );
      return;
    }
    this.responseChecks(exchange, 'token-error');
    if (!exchange.response || exchange.response.status >= 500) return;
    if (check.expects)
      this.record(check, prefix(variant ?? cause, isExpectedError(check, exchange)), [exchange], variant);
    if (cause) this.flavourError(cause, exchange);
  }

  /** TE-FL: the flavour's documented answer for this failure cause. */
  private flavourError(cause: FailureCause, exchange: Exchange): void {
    const expected = this.expectedError(cause);
    if (!expected) {
      this.skip(
        flavourErrors,
        `the ${this.descriptor.title} flavour documents no particular answer for ${cause}`,
        'not-applicable',
        cause,
      );
      return;
    }
    this.judge(flavourErrors, [cause, expected, exchange], [exchange], cause);
  }

  expectedError(cause: FailureCause): ExpectedError | undefined {
    const byPreset = this.target.preset
      ? this.descriptor.expectedErrorsByPreset?.[this.target.preset]?.[cause]
      : undefined;
    return byPreset ?? this.descriptor.expectedErrors[cause];
  }

  /** A request that must succeed: the check holds on a 200, whose §5.1 rules are then judged; the body, or undefined. */
  tokens(check: CheckDef, variant: string | undefined, exchange: Exchange): Record<string, unknown> | undefined {
    // A 5xx or no answer is TE-A11's (naming this check), not a second failure of the check.
    if (!this.answered(exchange)) return undefined;
    if (!this.record(check, tokensIssued(exchange), [exchange], variant)) return undefined;
    this.responseChecks(exchange, 'token-response');
    return json(exchange);
  }
}

const prefix = (what: string | undefined, o: Outcome): Outcome =>
  what ? { ...o, message: `${what}: ${o.message}` } : o;
