/**
 * What a suite is made of: named scenarios, each with the checks it reports, what it costs and how it runs on a
 * session (src/session/context.ts); and why one does not run (a Skip). The planner (src/runner/plan.ts) reads these;
 * the suites (suites/) write them.
 */
import type { AnswerKind, CheckDef, SuiteName } from '../checks/define.js';
import { checksJudgingEvery } from '../checks/registry.js';
import { noServerError } from '../checks/requests.js';
import { answeredInTime, boundedAnswer } from '../checks/model.js';
import type { FlavourDescriptor } from '../flavours/index.js';
import type { Skip, Target } from '../vocabulary/types.js';
import type { RunContext } from './context.js';

export interface CheckRef {
  check: CheckDef;
  variant?: string;
}

export const ref = (check: CheckDef, variant?: string): CheckRef => ({
  check,
  ...(variant !== undefined ? { variant } : {}),
});
/** Every variant of a check. */
export const allVariants = (check: CheckDef): CheckRef[] => (check.variants ?? []).map((v) => ref(check, v));

export { needsSetup, notApplicable, untested, type Skip } from '../vocabulary/types.js';

export interface Cost {
  requests: number;
  /** Requests with wrong credentials, which count against the target's lockout policies. */
  badCredentials?: number;
}

export interface Scenario<S> {
  /** Unique within its suite. */
  name: string;
  /** What it reports, besides the per-answer rules (its `answers`), TE-A11 and TE-N1. */
  checks: CheckRef[];
  /** Kinds of answer it receives: the RFC 6749 §5.1 / §5.2 rules judge each of them. */
  answers?: AnswerKind[];
  /** Generated examples on top of the systematic pass: leaving them out leaves no check untested. */
  generated?: boolean;
  /** Why it cannot run on this target (undefined: it runs). */
  skip?: (target: Target, descriptor: FlavourDescriptor) => Skip | undefined;
  /** An upper bound of what it sends (a test holds every scenario to it on every mock). */
  cost: (target: Target, numRuns: number) => Cost;
  run: (ctx: RunContext, state: S) => Promise<void>;
}

export interface SuiteDef<S> {
  name: SuiteName;
  /** The state its scenarios share during one run (tokens issued, a probe grant). */
  start: () => S;
  scenarios: Scenario<S>[];
}

export function defineSuite<S>(suite: SuiteDef<S>): SuiteDef<S> {
  return suite;
}

/** The per-answer checks of a scenario, and the two judged on every request. */
export function refsOf(s: Scenario<unknown>): CheckRef[] {
  return [
    ...s.checks,
    ...(s.answers ?? []).flatMap((k) => checksJudgingEvery(k).map((c) => ref(c))),
    ref(noServerError),
    ref(answeredInTime),
    ref(boundedAnswer),
  ];
}
