/**
 * The one place that decides: the severity a check's failure has (from its level and the profile), whether a
 * failure is the flavour's documented deviation, each result's status, and the run's verdict and exit code.
 * Checks only say passed or not, with evidence; suites only say what they exercised.
 */
import type { Profile, Severity } from '../checks/define.js';
import { checkDef } from '../checks/registry.js';
import type { DeviationContext, FlavourDescriptor } from '../flavours/types.js';
import type { Run } from '../generated/schemas.js';
import { resultKey, type Status } from '../vocabulary/types.js';
import { EXIT } from './exit-codes.js';

/** Exit codes (src/verdict/exit-codes.ts): the verdict module is where they are decided. */
export { EXIT };

/** What a severity depends on besides the profile. */
export interface SeverityContext {
  /** The client the check exercised is public (no secret). */
  publicClient?: boolean;
}

export function severityOf(id: string, profile: Profile = 'rfc6749', context: SeverityContext = {}): Severity {
  const def = checkDef(id);
  // RFC 9700 §4.14.2 binds public clients only: for a confidential client a failure is information.
  if (def.publicClientsOnly && context.publicClient === false) return 'info';
  const override = def.profiles?.[profile];
  if (override) return override;
  switch (def.level) {
    case 'MUST':
    case 'PROJECT':
      return 'error';
    case 'SHOULD':
    case 'RECOMMENDED':
      return 'warning';
    default:
      return 'info';
  }
}

/**
 * A response that meets RFC 6749 but differs from the flavour's own schema (token_type's case, an optional member
 * missing or added) is legal: clients written for the flavour may break, so it warns, never fails (TE-C17).
 */
export const LEGAL_FLAVOUR_DIFFERENCE: Severity = 'warning';

/** The flavour's documented departure that explains this failure of this check, if any. */
export function documentedDeviation(
  descriptor: FlavourDescriptor,
  check: string,
  context: DeviationContext | undefined,
): { reason: string; source: string } | undefined {
  if (!context) return undefined;
  const d = descriptor.deviations.find((x) => (x.checks as readonly string[]).includes(check) && x.applies(context));
  return d ? { reason: d.reason, source: d.source } : undefined;
}

/** Why a check whose request timed out has no verdict (TE-N1 has the finding). */
export const NOT_IN_TIME = 'its request was not answered in time (see TE-N1)';

/** Everything a finding's consequence depends on. */
export interface FindingInput {
  check: string;
  profile: Profile;
  /** The client the check exercised is public (TE-H4 binds public clients only). */
  publicClient?: boolean;
  descriptor: FlavourDescriptor;
  /** The answer the finding is about, for a documented deviation (none: no deviation can apply). */
  context?: DeviationContext;
  /** The exchanges it rests on: one that timed out leaves the check untested. */
  exchanges?: readonly { timedOut?: boolean }[];
  /** A difference from the flavour's own schema where RFC 6749 is met (TE-C17): legal, so it warns. */
  legalFlavourDifference?: boolean;
}

/**
 * What one finding amounts to, the one place that says it (the validator, the run's context and its evidence book
 * only record the answer): a failure at the check's severity under the profile; a warning when it is only a legal
 * difference from the flavour's schema; the flavour's documented deviation (reported as such, counted as held); or,
 * when its request timed out, no verdict at all.
 */
export interface Weighed {
  consequence: 'failure' | 'warning' | 'deviation' | 'untested';
  /** The finding's own severity (a validation report's): info when documented. */
  severity: Severity;
  deviation?: { reason: string; source: string };
  /** Why there is no verdict (untested). */
  reason?: string;
}

export function weigh(f: FindingInput): Weighed {
  if (f.exchanges?.some((e) => e.timedOut)) return { consequence: 'untested', severity: 'info', reason: NOT_IN_TIME };
  const checkSeverity = severityOf(
    f.check,
    f.profile,
    f.publicClient === undefined ? {} : { publicClient: f.publicClient },
  );
  const severity = f.legalFlavourDifference ? LEGAL_FLAVOUR_DIFFERENCE : checkSeverity;
  const deviation = severity === 'info' ? undefined : documentedDeviation(f.descriptor, f.check, f.context);
  if (deviation) return { consequence: 'deviation', severity: 'info', deviation };
  // Below the check's own severity (a legal difference where the check is required): a warning, not a failure.
  if (SEVERITY_RANK[severity] > SEVERITY_RANK[checkSeverity]) return { consequence: 'warning', severity };
  return { consequence: 'failure', severity };
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** A validation finding, weighed already (src/validate), as a run records it: the same consequence, not decided twice. */
export function consequenceOfFinding(
  f: { severity: Severity; deviation?: unknown },
  check: string,
  profile: Profile,
): Weighed['consequence'] {
  if (f.deviation) return 'deviation';
  return SEVERITY_RANK[f.severity] > SEVERITY_RANK[severityOf(check, profile)] ? 'warning' : 'failure';
}

/** Expected failures by result key (`suite:check[:variant]`, or `suite:check` for every variant), with their reasons. */
export interface BaselineEntries {
  entries: ReadonlyMap<string, string>;
}

/** The baseline's reason for this result's failure, if it expects it. */
export function baselineReason(
  baseline: BaselineEntries | undefined,
  r: { suite: string; check: string; variant?: string },
): string | undefined {
  return baseline?.entries.get(resultKey(r)) ?? baseline?.entries.get(`${r.suite}:${r.check}`);
}

/** Baseline entries the run could judge and that no longer fail: a stale baseline (the verdict counts it). */
export function staleBaselineEntries(
  baseline: BaselineEntries | undefined,
  results: readonly { suite: string; check: string; variant?: string; status: Status }[],
): string[] {
  const failed = new Set(
    results.filter((r) => r.status === 'fail').flatMap((r) => [resultKey(r), `${r.suite}:${r.check}`]),
  );
  return [...(baseline?.entries.keys() ?? [])].filter(
    (k) =>
      !failed.has(k) && results.some((r) => resultKey(r) === k || `${r.suite}:${r.check}` === k || k.endsWith(':*')),
  );
}

/** What the book of one (suite, check, variant) holds when the run ends. */
export interface Tally {
  severity: Severity;
  passes: number;
  failures: number;
  warnings?: number;
  deviation?: unknown;
  skipped?: boolean;
}

/** A result's status: a failure counts at its severity, a warning below it, a documented deviation is reported as such. */
export function statusOfTally(t: Tally): Status {
  if (t.skipped && t.passes === 0 && t.failures === 0 && !t.warnings && !t.deviation) return 'skip';
  if (t.failures > 0) return t.severity === 'error' ? 'fail' : t.severity === 'warning' ? 'warn' : 'info';
  if (t.warnings) return 'warn';
  if (t.deviation) return 'deviation';
  return 'pass';
}

/** Several targets: the worst verdict wins (unreachable, findings, incomplete, conforms). */
export function combinedExit(codes: RunExitCode[]): RunExitCode {
  return [EXIT.unreachable, EXIT.findings, EXIT.incomplete].find((c) => codes.includes(c)) ?? EXIT.ok;
}

/** A run's verdict and its exit code, as reports carry them (schemas/report, $defs/run). */
export type RunVerdict = Run['verdict'];
export type RunExitCode = Run['exitCode'];

/**
 * The run's verdict. Unreachable beats everything (nothing could be judged); a failure outside the baseline (or a
 * stale baseline) makes it DOES NOT CONFORM even when the plan did not complete; INCOMPLETE when any required part of
 * the plan did not run; CONFORMS only then.
 */
export function runVerdict(input: {
  unreachable: boolean;
  unexpectedFailures: number;
  staleBaseline: number;
  incomplete: number;
}): { verdict: RunVerdict; exitCode: RunExitCode } {
  if (input.unreachable) return { verdict: 'TARGET UNREACHABLE', exitCode: EXIT.unreachable };
  if (input.unexpectedFailures > 0 || input.staleBaseline > 0)
    return { verdict: 'DOES NOT CONFORM', exitCode: EXIT.findings };
  if (input.incomplete > 0) return { verdict: 'INCOMPLETE', exitCode: EXIT.incomplete };
  return { verdict: 'CONFORMS', exitCode: EXIT.ok };
}

/**
 * A skipped result counts against a complete plan when it was required (error severity) and untested: the plan could
 * not carry it out. Optional test material or settings (needs-setup) and missing features (not-applicable) do not.
 */
export function blocksConformance(r: { status: Status; skipKind?: string; severity: Severity }): boolean {
  return r.status === 'skip' && (r.skipKind ?? 'untested') === 'untested' && r.severity === 'error';
}
