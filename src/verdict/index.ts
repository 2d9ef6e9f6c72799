/**
 * The one place that decides: the severity a check's failure has (from its level and the profile), whether a
 * failure is the flavour's documented deviation, each result's status, and the run's verdict and exit code.
 * Checks only say passed or not, with evidence; suites only say what they exercised.
 */
import type { Profile, Severity } from '../checks/define.js';
import { checkDef } from '../checks/registry.js';
import type { DeviationContext, FlavourDescriptor } from '../flavours/types.js';
import type { Run } from '../generated/schemas.js';
import type { Status } from '../vocabulary/types.js';
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
export function documentedDeviation(descriptor: FlavourDescriptor, check: string, context: DeviationContext | undefined): { reason: string; source: string } | undefined {
  if (!context) return undefined;
  const d = descriptor.deviations.find((x) => (x.checks as readonly string[]).includes(check) && x.applies(context));
  return d ? { reason: d.reason, source: d.source } : undefined;
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
export function runVerdict(input: { unreachable: boolean; unexpectedFailures: number; staleBaseline: number; incomplete: number }): { verdict: RunVerdict; exitCode: RunExitCode } {
  if (input.unreachable) return { verdict: 'TARGET UNREACHABLE', exitCode: EXIT.unreachable };
  if (input.unexpectedFailures > 0 || input.staleBaseline > 0) return { verdict: 'DOES NOT CONFORM', exitCode: EXIT.findings };
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
