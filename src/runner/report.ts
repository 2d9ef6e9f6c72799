import { resultKey } from '../vocabulary/types.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../util/paths.js';
import { combinedExit } from '../verdict/index.js';
import { SKIP_MARK } from './plan.js';
import { toHtml } from './report-html.js';
import type { FinishedRun, ReportedResult } from './run.js';

const MARK: Record<string, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  warn: 'WARN',
  info: 'INFO',
  deviation: 'DEVN',
  skip: 'SKIP',
};

/** A result's name: suite:check, with its variant. */

/** ANSI colour for the console: on a TTY unless NO_COLOR is set, or wherever FORCE_COLOR asks (no-color.org). */
export function colourWanted(env: NodeJS.ProcessEnv, isTty: boolean | undefined): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return !!isTty && env.TERM !== 'dumb';
}

const ANSI: Record<string, string> = {
  pass: '32',
  fail: '31',
  warn: '33',
  info: '36',
  deviation: '35',
  skip: '90',
  CONFORMS: '32;1',
  'DOES NOT CONFORM': '31;1',
  INCOMPLETE: '33;1',
  'TARGET UNREACHABLE': '31;1',
};
const paint = (on: boolean, key: string, text: string) => (on && ANSI[key] ? `\x1b[${ANSI[key]}m${text}\x1b[0m` : text);

/** One line per run: what --quiet prints. */
export function formatVerdictLine(run: FinishedRun, colour = false): string {
  return `${run.target.flavour}${run.target.preset ? ` (${run.target.preset})` : ''} ${run.target.tokenUrl}${run.target.insecureTls ? ' [TLS NOT VERIFIED]' : ''}: ${paint(colour, run.verdict, run.verdict)} (exit ${run.exitCode})`;
}

/** The console summary: a table per run, then each failure with its reproduction data. */
export function formatConsole(run: FinishedRun, verbose = false, colour = false): string {
  const lines: string[] = [];
  const t = run.target;
  lines.push(
    `${t.flavour}${t.preset ? ` (${t.preset})` : ''} ${t.tokenUrl}${t.mock ? ' [mock]' : ''}${t.insecureTls ? ' [TLS NOT VERIFIED]' : ''}  profile ${run.profile}  seed ${run.seed}  ${run.requests} requests in ${(run.durationMs / 1000).toFixed(1)} s`,
  );
  for (const line of run.preflight?.refused ?? []) lines.push(`  JUDGED ANYWAY: ${line}`);
  for (const l of run.sessionsLeftOpen ?? [])
    lines.push(
      `  WARNING: ${l.sessions} session(s) of user "${l.username}" left open: ${l.why}; they count against the user's session limit until they expire`,
    );
  for (const d of run.capabilities?.disagreements ?? []) lines.push(`  capability: ${d}`);
  if (run.observed && Object.keys(run.observed).length)
    lines.push(
      `  observed: ${Object.entries(run.observed)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}`,
    );
  if (run.unreachable) {
    lines.push(`  TARGET UNREACHABLE: ${run.unreachable}`);
    return lines.join('\n');
  }
  const shown = verbose ? run.results : run.results.filter((r) => r.status !== 'pass' && r.status !== 'skip');
  for (const r of shown) {
    const base = r.baseline ? ` [baseline: ${r.baseline.reason}]` : '';
    lines.push(`  ${paint(colour, r.status, MARK[r.status]!)} ${resultKey(r).padEnd(30)} ${r.title}${base}`);
    if (r.status === 'deviation' && r.deviation) lines.push(`       documented deviation: ${r.deviation.reason}`);
    if ((r.status === 'fail' || r.status === 'warn') && r.message)
      lines.push(`       ${r.message}  [${r.requirement}]`);
    if (r.status === 'fail' && r.counterexample) {
      const c = r.counterexample;
      lines.push(
        `       reproduce: ${run.reproduce ? run.reproduce.replace(/--seed \S+/, `--seed ${c.seed}`) : `idpc run --seed ${c.seed}`}${c.path ? ` (fast-check path ${c.path}${c.replayPath ? `, replayPath ${c.replayPath}` : ''})` : ''}`,
        `       shrunk: ${c.shrunk}`,
      );
    }
    if (r.status === 'fail')
      for (const e of r.evidence ?? [])
        lines.push(
          `       $ ${e.curl}`,
          `         -> ${e.response ? `${e.response.status} ${e.response.body.slice(0, 160)}` : e.error}`,
        );
    if (verbose && r.status === 'skip' && r.message) lines.push(`       ${r.message}`);
  }
  // Skipped results, grouped by their reason: what was not tested, and why, without a line per check.
  if (!verbose) {
    const byReason = new Map<string, string[]>();
    for (const r of run.results.filter((x) => x.status === 'skip')) {
      const key = `${SKIP_MARK[r.skipKind ?? 'untested'].trim()}\u0000${r.message ?? 'no reason given'}`;
      (byReason.get(key) ?? byReason.set(key, []).get(key)!).push(resultKey(r));
    }
    for (const [key, names] of byReason) {
      const [mark, reason] = key.split('\u0000') as [string, string];
      lines.push(`  ${mark.padEnd(8)} ${reason}`, `       ${names.join(', ')}`);
    }
  }
  const count = (s: string) => run.results.filter((r) => r.status === s).length;
  lines.push(
    `  ${count('pass')} pass, ${count('fail')} fail${run.results.some((r) => r.baseline) ? ` (${run.results.filter((r) => r.baseline).length} in baseline)` : ''}, ${count('warn')} warn, ${count('deviation')} documented deviations, ${count('info')} info, ${count('skip')} skipped`,
  );
  for (const s of run.staleBaseline) lines.push(`  STALE BASELINE: ${s} no longer fails: remove it from the baseline`);
  const p = run.plan;
  lines.push(
    `  plan: ${p.requests} of ${p.fullRequests} planned requests within the budget of ${p.budget.maxRequests}${p.leftOut.length ? `; left out: ${p.leftOut.join(', ')}` : ''}`,
  );
  if (run.interrupted) lines.push(`  STOPPED: ${run.interrupted}`);
  for (const why of run.incomplete ?? []) lines.push(`  UNTESTED: ${why}`);
  for (const e of run.scenarioErrors ?? []) {
    lines.push(`  ERROR ${e.suite}/${e.scenario}: ${e.message}`);
    for (const x of (e.evidence ?? []).slice(-3)) lines.push(`       $ ${x.curl}`);
  }
  const setup = run.results.filter((r) => r.status === 'skip' && r.skipKind === 'needs-setup').length;
  if (setup)
    lines.push(`  ${setup} result(s) need more setup to run (SETUP above): they do not count against the verdict`);
  // A long run's failures are far apart above: their names once more, and the command that repeats the run.
  const failed = run.results.filter((r) => r.status === 'fail' && !r.baseline).map(resultKey);
  if (failed.length) lines.push(`  failed: ${failed.join(', ')}`);
  if ((failed.length || run.staleBaseline.length) && run.reproduce) lines.push(`  reproduce: ${run.reproduce}`);
  lines.push(`  verdict: ${paint(colour, run.verdict, run.verdict)} (exit ${run.exitCode})`);
  return lines.join('\n');
}

const xml = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one test case per check, suite and flavour, so CI shows them. */
export function toJunit(runs: FinishedRun[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites name="idp-conformance">'];
  for (const run of runs) {
    // Two runs of one flavour (presets, targets) stay apart: the preset, then the run's position, name the target.
    const sameFlavour = runs.filter((r) => r.target.flavour === run.target.flavour);
    const targetLabel = `${run.target.flavour}${run.target.preset ? `-${run.target.preset}` : ''}${sameFlavour.length > 1 && sameFlavour.filter((r) => r.target.preset === run.target.preset).length > 1 ? `-${runs.indexOf(run) + 1}` : ''}`;
    const bySuite = new Map<string, ReportedResult[]>();
    for (const r of run.results) (bySuite.get(r.suite) ?? bySuite.set(r.suite, []).get(r.suite)!).push(r);
    for (const [suite, results] of bySuite) {
      const failures = results.filter((r) => r.status === 'fail' && !r.baseline).length;
      const skipped = results.filter((r) => r.status === 'skip' || r.baseline).length;
      // One testsuite per target and suite: its time is its scenarios', each test case's the scenarios that exercised it.
      const suiteMs = run.plan.scenarios.filter((s) => s.suite === suite).reduce((n, s) => n + (s.durationMs ?? 0), 0);
      out.push(
        `  <testsuite name="${xml(`${targetLabel}.${suite}`)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${(suiteMs / 1000).toFixed(3)}">`,
      );
      for (const r of results) {
        out.push(
          `    <testcase classname="${xml(`idpc.${targetLabel}.${suite}`)}" name="${xml(`${r.check}${r.variant ? ` [${r.variant}]` : ''} ${r.title}`)}" time="${((r.durationMs ?? 0) / 1000).toFixed(3)}">`,
        );
        if (r.status === 'fail' && !r.baseline) {
          const detail = [
            r.message ?? '',
            `requirement: ${r.requirement} ${r.url}`,
            r.counterexample
              ? `seed ${r.counterexample.seed} path ${r.counterexample.path ?? ''} shrunk ${r.counterexample.shrunk ?? ''}`
              : '',
            ...(r.evidence ?? []).map((e) => e.curl),
            run.reproduce ? `reproduce: ${run.reproduce}` : '',
          ]
            .filter(Boolean)
            .join('\n');
          out.push(
            `      <failure message="${xml(r.message ?? r.title)}" type="${xml(r.check)}">${xml(detail)}</failure>`,
          );
        } else if (r.status === 'skip' || r.baseline)
          out.push(
            `      <skipped message="${xml(r.baseline ? `baseline: ${r.baseline.reason}` : (r.message ?? 'skipped'))}"/>`,
          );
        else if (r.status !== 'pass')
          out.push(`      <system-out>${xml(`${r.status}: ${r.deviation?.reason ?? r.message ?? ''}`)}</system-out>`);
        out.push('    </testcase>');
      }
      out.push('  </testsuite>');
    }
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

export function toNdjson(runs: FinishedRun[]): string {
  return `${runs.flatMap((run) => run.results.map((r) => JSON.stringify({ flavour: run.target.flavour, preset: run.target.preset, seed: run.seed, ...r }))).join('\n')}\n`;
}

/** Counts across runs, at the top of the JSON report (schemas/report/report.schema.json). */
export function totalsOf(runs: FinishedRun[]) {
  const count = (s: string) => runs.reduce((n, run) => n + run.results.filter((r) => r.status === s).length, 0);
  return {
    targets: runs.length,
    conforming: runs.filter((r) => r.verdict === 'CONFORMS').length,
    results: runs.reduce((n, run) => n + run.results.length, 0),
    pass: count('pass'),
    fail: count('fail'),
    warn: count('warn'),
    deviation: count('deviation'),
    info: count('info'),
    skip: count('skip'),
    requests: runs.reduce((n, run) => n + run.requests, 0),
    exitCode: combinedExit(runs.map((r) => r.exitCode)),
  };
}

/** The JSON report: totals first, then every run with every planned result. */
export function toJsonReport(runs: FinishedRun[]): string {
  const report = {
    $schema: 'https://idp-conformance.dev/schemas/report/report.schema.json',
    tool: 'idp-conformance',
    version: packageVersion(),
    generatedAt: new Date().toISOString(),
    totals: totalsOf(runs),
    runs,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report formats `--report` takes: one list (help, validation, writing). */
export { REPORT_FORMATS, type ReportFormat } from './formats.js';

/** Writes the requested formats into dir; returns the paths written. */
export function writeReports(runs: FinishedRun[], formats: string[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    written.push(path);
  };
  for (const f of formats) {
    if (f === 'json') put('idpc-report.json', toJsonReport(runs));
    else if (f === 'junit') put('idpc-junit.xml', toJunit(runs));
    else if (f === 'ndjson') put('idpc-results.ndjson', toNdjson(runs));
    else if (f === 'html')
      put('idpc-report.html', toHtml(runs, { version: packageVersion(), generatedAt: new Date().toISOString() }));
  }
  return written;
}
