import { grantSuite } from '../../suites/grant.js';
import { refreshSuite } from '../../suites/refresh.js';
import { revocationSuite } from '../../suites/revocation.js';
import { statefulSuite } from '../../suites/stateful.js';
import { RunContext } from './context.js';
import { redactText } from '../util/redact.js';
import { curlOf, withEncodings } from './curl.js';
import { BudgetExceeded, TargetUnreachable, Transport } from './http.js';
import { redactExchange } from './redact.js';
import type { CheckResult, RunReport, Target } from './types.js';

export const SUITES: Record<string, (ctx: RunContext) => Promise<void>> = { grant: grantSuite, refresh: refreshSuite, revocation: revocationSuite, stateful: statefulSuite };

const RESPONSE_CHECKS = ['TE-A11', 'TE-C1', 'TE-C2', 'TE-C3', 'TE-C4', 'TE-C5', 'TE-C6', 'TE-C7', 'TE-C13', 'TE-C14', 'TE-C17', 'TE-D1', 'TE-D2', 'TE-D3', 'TE-D5', 'TE-D7'];
/** The checks each suite can report, for harnesses that name their tests up front (the vitest entry point). */
export const SUITE_CHECKS: Record<string, string[]> = {
  grant: ['TE-A2', 'TE-A3', 'TE-A4', 'TE-A6', 'TE-A7', 'TE-A8', 'TE-A9', 'TE-A10', 'TE-A12', 'TE-B1', 'TE-B2', 'TE-B3', 'TE-B4', 'TE-B5', 'TE-B6', 'TE-B7', 'TE-B8', 'TE-B9', 'TE-C15', 'TE-E2', 'TE-E3', 'TE-E7', 'TE-E8', 'TE-F1', 'TE-F2', 'TE-F3', 'TE-F4', 'TE-F5', 'TE-FL', 'TE-G1', 'TE-J1', 'TE-J2', 'TE-J3', 'TE-J5', 'TE-J6', 'TE-K1', 'TE-K2', ...RESPONSE_CHECKS],
  refresh: ['TE-G1', 'TE-G2', 'TE-G3', 'TE-G4', 'TE-G5', 'TE-G6', 'TE-G7', 'TE-G8', 'TE-G9', 'TE-G12', 'TE-H1', 'TE-H2', 'TE-H3', 'TE-H4', 'TE-H7', 'TE-FL', ...RESPONSE_CHECKS],
  revocation: ['TE-I1', 'TE-I2', 'TE-I3', 'TE-I4', 'TE-I5', 'TE-I6', 'TE-I7', 'TE-I8'],
  stateful: ['TE-S1', 'TE-J1', 'TE-J3', 'TE-A11'],
};

export interface Baseline {
  /** suite:check-id -> reason */
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
  /** A transport of the caller's (tests read its raw log). */
  transport?: Transport;
}

/** Redacted evidence with a curl per request, ready for any report. */
export interface ReportedResult extends Omit<CheckResult, 'evidence'> {
  evidence?: (ReturnType<typeof redactExchange> & { curl: string })[];
}

export interface FinishedRun extends Omit<RunReport, 'results'> {
  results: ReportedResult[];
  unreachable?: string;
  /** Set when the request budget ended the run early. */
  budget?: string;
  /** Why the run is INCOMPLETE (exit 4): required checks that did not run, and why. */
  incomplete?: string[];
}

const VERSION = '0.1.0';

/** Runs the suites against one target and returns the redacted report with its exit code (0, 1, 3 or 4). */
export async function runConformance(options: RunOptions): Promise<FinishedRun> {
  const { target } = options;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const numRuns = options.numRuns ?? (target.mock ? 12 : 3);
  const transport = options.transport ?? new Transport({ ...target.budget });
  const ctx = new RunContext(target, transport, seed, numRuns);
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  let unreachable: string | undefined;
  let budgetNote: string | undefined;
  const suiteNames = options.suites ?? Object.keys(SUITES);
  const notRun: string[] = [];
  for (const [index, name] of suiteNames.entries()) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown suite ${name}`);
    const before = transport.requests;
    try {
      await suite(ctx);
    } catch (e) {
      if (e instanceof TargetUnreachable) {
        unreachable = e.message;
        break;
      }
      if (e instanceof BudgetExceeded) {
        budgetNote = e.message;
        notRun.push(...suiteNames.slice(index));
        progress(`  ${name}: stopped, ${e.message}`);
        break;
      }
      throw e;
    }
    progress(`  ${name}: ${transport.requests - before} requests`);
  }
  // Log out what the run opened, where the flavour has logout and the target is not ours to reset.
  if (!target.mock && target.logoutUrl && !unreachable) await logoutOpened(ctx).catch(() => undefined);

  const secrets = [...target.secrets, ...ctx.tokensSeen];
  const results: ReportedResult[] = [...ctx.results.values()].map((r) => finish(r, options.baseline, secrets));
  const failedKeys = new Set(results.filter((r) => r.status === 'fail').map((r) => `${r.suite}:${r.check}`));
  const staleBaseline = [...(options.baseline?.entries.keys() ?? [])].filter((k) => !failedKeys.has(k) && results.some((r) => `${r.suite}:${r.check}` === k || k.endsWith(':*')));
  const unexpected = results.some((r) => r.status === 'fail' && !r.baseline);
  // CONFORMS only when the required checks ran: what stayed untested is listed, and the run is INCOMPLETE (exit 4).
  const incomplete: string[] = [];
  if (budgetNote) incomplete.push(`${budgetNote}: suites not run or not finished: ${notRun.join(', ')}`);
  for (const r of results) if (r.status === 'skip' && r.skipKind !== 'not-applicable' && r.severity === 'error') incomplete.push(`${r.suite}:${r.check} not tested: ${r.message ?? 'no reason given'}`);
  if (!results.some((r) => r.status !== 'skip')) incomplete.push('no check ran');
  const exitCode = unreachable ? 3 : unexpected || staleBaseline.length ? 1 : incomplete.length ? 4 : 0;
  return {
    tool: 'idp-conformance',
    version: VERSION,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    seed,
    target: { flavour: target.flavour, ...(target.preset ? { preset: target.preset } : {}), tokenUrl: target.tokenUrl, mock: !!target.mock },
    profile: target.profile,
    requests: transport.requests,
    results: results.sort((a, b) => a.suite.localeCompare(b.suite) || a.check.localeCompare(b.check, undefined, { numeric: true })),
    staleBaseline,
    exitCode,
    ...(unreachable ? { unreachable } : {}),
    ...(budgetNote ? { budget: budgetNote } : {}),
    ...(incomplete.length ? { incomplete } : {}),
  };
}

function finish(r: CheckResult, baseline: Baseline | undefined, secrets: string[]): ReportedResult {
  let status = r.status;
  if (status !== 'skip') {
    if (r.failures > 0) status = r.severity === 'error' ? 'fail' : r.severity === 'warning' ? 'warn' : 'info';
    else if (r.warnings) status = 'warn';
    else if (r.deviation) status = 'deviation';
    else status = 'pass';
  }
  const reason = baseline?.entries.get(`${r.suite}:${r.check}`);
  const { evidence, ...rest } = r;
  const out: ReportedResult = { ...rest, status, ...(reason !== undefined && status === 'fail' ? { baseline: { reason } } : {}) };
  if (evidence && (status === 'fail' || status === 'warn' || status === 'deviation' || status === 'info')) {
    out.evidence = evidence.map((e) => ({ ...redactExchange(e, secrets), curl: curlOf(e, secrets) }));
  }
  if (out.message) out.message = redactText(out.message, withEncodings(secrets));
  return out;
}

/** Ends the sessions the run opened (Keycloak logout with each refresh token it saw). */
async function logoutOpened(ctx: RunContext): Promise<void> {
  const client = ctx.target.clients.user;
  if (!client) return;
  for (const token of ctx.tokensSeen) {
    if (token.split('.').length !== 3) continue;
    const typ = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString() || '{}') as { typ?: string }).typ;
    if (typ !== 'Refresh') continue;
    const body = new URLSearchParams({ client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}), refresh_token: token });
    await ctx.transport.send('POST', ctx.target.logoutUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, body.toString()).catch(() => undefined);
  }
}
