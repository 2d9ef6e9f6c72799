import { ConfigFileError, readConfigFile } from '../util/config-file.js';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Profile } from '../checks/define.js';
import type { RecordedFailure, ReportFailures } from '../generated/schemas.js';
import { validate } from '../schemas/registry.js';
import { FLAVOURS, isFlavourName, type FlavourDescriptor } from '../flavours/index.js';
import { isRegistered } from '../checks/registry.js';
import { safeStoreUrl } from '../../mocks/core/grant-store.js';
import {
  colourWanted,
  formatConsole,
  formatVerdictLine,
  REPORT_FORMATS,
  toJsonReport,
  totalsOf,
  writeReports,
} from '../runner/report.js';
import { resultKey } from '../vocabulary/types.js';
import { emitGithubActions } from '../runner/report-ci.js';
import { shellWord } from '../session/curl.js';
import { MOCK_FLAVOURS } from '../../mocks/flavours.js';
import { formatPlan } from '../runner/plan.js';
import { SUITE_NAMES } from '../checks/define.js';
import { planRun, runConformance, type Baseline, type FinishedRun } from '../runner/run.js';
import { PreflightFailed } from '../runner/preflight.js';
import { loadTargetConfig, targetOfConfig, TargetConfigError, tlsOf } from '../runner/target.js';
import type { Target } from '../vocabulary/types.js';
import { EXIT, UsageError } from './errors.js';
import { runMockJobs, withMock, type MockJob, type ScenarioProgress } from './mock-jobs.js';

export interface RunArgs {
  mock?: string;
  /** A mock config file (JSON/YAML) for --mock, e.g. with planted deviations. */
  mockConfig?: string;
  /** For --mock: a shared store (redis://…) instead of the mock's memory. */
  store?: string;
  preset?: string;
  target?: string;
  seed?: number;
  runs?: number;
  profile?: Profile;
  report?: string;
  reportDir: string;
  baseline?: string;
  rate?: string;
  timeout?: number;
  maxRequests?: number;
  /** Longest wait for a token to expire on a real target (seconds). */
  maxWait?: number;
  suites?: string;
  verbose?: boolean;
  /** Largest answer body read, in bytes. */
  maxBody?: number;
  /** Only one verdict line per target (and errors). */
  quiet?: boolean;
  /** Print the JSON report on stdout. */
  json?: boolean;
  /** A local target's reports carry its secrets unredacted (runnable curl lines). */
  showSecrets?: boolean;
  /** Print the coverage plan (and its cost against the budget) and exit without sending a request. */
  plan?: boolean;
  /** TLS towards a target: PEM files of its CA, of a client certificate and its key; or no verification. */
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
  /** Judge even when the preflight fails. */
  noPreflight?: boolean;
}

/** `--baseline FILE`: expected failures as suite:check-id with a reason (JSON or YAML). */
async function loadBaseline(path: string): Promise<Baseline> {
  let raw: unknown;
  try {
    raw = await readConfigFile(path);
  } catch (e) {
    if (e instanceof ConfigFileError) throw new UsageError(`cannot read baseline ${e.message}`);
    throw e;
  }
  const list = (raw as { expectedFailures?: unknown })?.expectedFailures;
  if (!Array.isArray(list))
    throw new UsageError(`${path}: expected {"expectedFailures": [{"check": "suite:TE-XX", "reason": "..."}]}`);
  const entries = new Map<string, string>();
  // A name no run can report (a typo, a renamed check) would sit in the baseline forever, expecting nothing.
  const { listChecks } = await import('./checks.js');
  const known = new Map(listChecks().map((c) => [c.id, c]));
  for (const [i, item] of list.entries()) {
    const { check, reason } = (item ?? {}) as { check?: unknown; reason?: unknown };
    if (
      typeof check !== 'string' ||
      !/^[a-z]+:[A-Z]+-[A-Z0-9]+(:[a-z0-9_-]+)?$/.test(check) ||
      typeof reason !== 'string' ||
      !reason
    ) {
      throw new UsageError(
        `${path}: expectedFailures/${i} needs "check": "suite:TE-XX" (or "suite:TE-XX:variant") and a "reason"`,
      );
    }
    const [suite, id, variant] = check.split(':') as [string, string, string | undefined];
    const c = known.get(id);
    const wrong = !c
      ? `${id} is no check of this idpc (idpc checks lists them)`
      : !c.suites.includes(suite)
        ? `suite ${suite} does not report ${id} (it is reported by ${c.suites.join(', ') || 'idpc validate only'})`
        : variant !== undefined && !c.variants.includes(variant)
          ? `${id} has ${c.variants.length ? `the variants ${c.variants.join(', ')}` : 'no variants'}, not ${variant}`
          : c.variants.length && variant === undefined
            ? `${id} is reported per variant: name one (${c.variants.map((v) => `${suite}:${id}:${v}`).join(', ')})`
            : undefined;
    if (wrong) throw new UsageError(`${path}: expectedFailures/${i} (${check}): ${wrong}`);
    entries.set(check, reason);
  }
  return { entries };
}

/**
 * Whether reports can be written to `dir`, asked before the first request (a run of many minutes must not end in an
 * error it could have said at once): the nearest existing part of the path must be a directory this user may write.
 * Nothing is created here.
 */
function checkReportDir(dir: string): void {
  let at = resolve(dir);
  for (;;) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(at);
    } catch (e) {
      const parent = dirname(at);
      if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '') && parent !== at) {
        at = parent;
        continue;
      }
      throw new UsageError(
        `--report-dir ${dir}: cannot use ${at} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    if (!stat.isDirectory()) throw new UsageError(`--report-dir ${dir}: ${at} is not a directory`);
    try {
      accessSync(at, constants.W_OK | constants.X_OK);
    } catch {
      throw new UsageError(`--report-dir ${dir}: ${at} is not writable`);
    }
    return;
  }
}

function parseRate(rate: string): number {
  const m = /^(\d+(?:\.\d+)?)\/(s|m)$/.exec(rate);
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--rate must look like 10/s or 100/m, got ${rate}`);
  return Number(m[1]) / (m[2] === 'm' ? 60 : 1);
}

/** Runs `idpc run` for each target; prints, writes reports and the replay file; returns the exit code. */
export async function runCommand(args: RunArgs, print: (s: string) => void): Promise<number> {
  return (await runAndReport(args, print)).code;
}

/** runCommand, and the runs it reported (a replay reads its verdicts from them, not from the report it wrote). */
async function runAndReport(args: RunArgs, print: (s: string) => void): Promise<{ code: number; runs: FinishedRun[] }> {
  if (!args.mock === !args.target) throw new UsageError('give either --mock <flavour>[,<flavour>...] or --target FILE');
  const suites = args.suites ? args.suites.split(',') : undefined;
  for (const s of suites ?? [])
    if (!(SUITE_NAMES as readonly string[]).includes(s))
      throw new UsageError(`unknown suite ${s}; suites: ${SUITE_NAMES.join(', ')}`);
  const formats = args.report ? args.report.split(',') : [];
  for (const f of formats)
    if (!(REPORT_FORMATS as readonly string[]).includes(f))
      throw new UsageError(`unknown report format ${f}; formats: ${REPORT_FORMATS.join(', ')}`);
  const baseline = args.baseline ? await loadBaseline(args.baseline) : undefined;
  checkReportDir(args.reportDir);
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new UsageError(`--${name} must be a whole number >= 1, got ${String(v)}`);
  };
  positiveInt('max-requests', args.maxRequests);
  positiveInt('timeout', args.timeout);
  positiveInt('runs', args.runs);
  positiveInt('max-body', args.maxBody);
  if (args.maxWait !== undefined && (!Number.isInteger(args.maxWait) || args.maxWait < 0))
    throw new UsageError(`--max-wait must be a whole number of seconds >= 0, got ${String(args.maxWait)}`);
  if (args.seed !== undefined && !Number.isInteger(args.seed))
    throw new UsageError(`--seed must be a whole number, got ${String(args.seed)}`);
  const ratePerSecond = args.rate ? parseRate(args.rate) : undefined;
  const budgetOverrides: Partial<Target['budget']> = {
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    ...(args.timeout !== undefined ? { timeoutMs: args.timeout } : {}),
    ...(args.maxRequests !== undefined ? { maxRequests: args.maxRequests } : {}),
    ...(args.maxBody !== undefined ? { maxBodyBytes: args.maxBody } : {}),
    ...(args.maxWait !== undefined ? { maxWaitSeconds: args.maxWait } : {}),
  };
  const overrides = (t: Target): Target => ({ ...t, budget: { ...t.budget, ...budgetOverrides } });
  // The budget flags given change the plan (--max-requests cuts scenarios) and its pace: a repeat carries them too.
  const budgetFlags = [
    ...(args.maxRequests !== undefined ? ['--max-requests', String(args.maxRequests)] : []),
    ...(args.rate ? ['--rate', args.rate] : []),
    ...(args.timeout !== undefined ? ['--timeout', String(args.timeout)] : []),
    ...(args.maxBody !== undefined ? ['--max-body', String(args.maxBody)] : []),
    ...(args.maxWait !== undefined ? ['--max-wait', String(args.maxWait)] : []),
  ];
  const shape = [
    ...(args.profile ? ['--profile', args.profile] : []),
    ...(args.runs ? ['--runs', String(args.runs)] : []),
    ...(suites ? ['--suites', suites.join(',')] : []),
    ...budgetFlags,
  ];
  const runs: FinishedRun[] = [];
  // --quiet: the verdict lines (and errors) only.
  const say = args.quiet ? () => undefined : print;
  const jobCommon = {
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.runs ? { numRuns: args.runs } : {}),
    ...(suites ? { suites } : {}),
    ...(baseline ? { baseline } : {}),
  };
  const common = { ...jobCommon, progress: args.quiet ? () => undefined : print };
  // A live line on a terminal (stderr, rewritten in place): scenarios and requests against the plan, and an ETA.
  // Not on CI or when stderr is a file: there the per-suite lines are the progress.
  const live = process.stderr.isTTY && !process.env.CI && !args.quiet && !args.json;
  const onScenario = (name: string) => (p: ScenarioProgress) => {
    const eta =
      p.sent > 0 && p.planned > p.sent
        ? ` · ETA ${Math.ceil(((p.elapsedMs / p.sent) * (p.planned - p.sent)) / 1000)} s`
        : '';
    process.stderr.write(
      `\r\x1b[K${name}: ${p.done}/${p.total} scenarios · ${p.sent}/${p.planned} requests${eta} · ${p.suite}/${p.scenario}`,
    );
  };
  const execute = async (target: Target, how: string[]) => {
    if (args.plan) return print(formatPlan(planRun({ target, ...common })));
    let run: FinishedRun;
    try {
      run = await runConformance({
        ...common,
        target,
        ...(args.noPreflight ? { judgeAnyway: true } : {}),
        ...(live ? { onScenario: onScenario(target.flavour) } : {}),
      });
    } catch (e) {
      // A valid grant refused, or a certificate problem: the configuration's, said in one line (exit 2).
      if (e instanceof PreflightFailed) throw new UsageError(e.message);
      throw e;
    }
    if (live) process.stderr.write('\r\x1b[K');
    // The complete command that repeats it: how the target was reached, then the seed and the run's shape.
    run.reproduce = ['idpc', 'run', ...how, '--seed', String(run.seed), ...shape].map(shellWord).join(' ');
    runs.push(run);
  };

  await guarded(runs, formats, args.reportDir, say, async () => {
    if (args.mock) {
      const flavours = args.mock === 'all' ? MOCK_FLAVOURS : args.mock.split(',');
      for (const f of flavours)
        if (!MOCK_FLAVOURS.includes(f))
          throw new UsageError(`no mock for flavour "${f}"; mocks: ${MOCK_FLAVOURS.join(', ')}`);
      const job = (flavour: string): MockJob => ({
        flavour,
        ...(args.preset ? { preset: args.preset } : {}),
        ...(args.mockConfig ? { mockConfig: args.mockConfig } : {}),
        ...(args.store ? { store: args.store } : {}),
        profile: args.profile ?? 'rfc6749',
        budget: budgetOverrides,
        common: jobCommon,
      });
      const finish = (run: FinishedRun, flavour: string) => {
        const how = [
          '--mock',
          flavour,
          ...(args.preset ? ['--preset', args.preset] : []),
          ...(args.mockConfig ? ['--mock-config', args.mockConfig] : []),
          ...(args.store ? ['--store', safeStoreUrl(args.store)] : []),
        ]; // a Redis password never reaches a report
        // The complete command that repeats it: how the target was reached, then the seed and the run's shape.
        run.reproduce = ['idpc', 'run', ...how, '--seed', String(run.seed), ...shape].map(shellWord).join(' ');
        runs.push(run);
      };
      if (args.plan) {
        for (const flavour of flavours)
          await withMock(job(flavour), async (target) => print(formatPlan(planRun({ ...common, target }))));
      } else {
        // Each mock is its own target: several run side by side, this thread and worker threads (a mock and its runner
        // share a thread, so the cores are the limit), each run as polite to its mock as it would be alone.
        const slots: (FinishedRun | undefined)[] = flavours.map(() => undefined);
        try {
          await runMockJobs(
            flavours.map(job),
            { say, live: live ? onScenario : undefined },
            (i, run) => (slots[i] = run),
          );
        } finally {
          // In the order asked, also when one failed: the finished ones are still reported.
          for (const [i, run] of slots.entries()) if (run) finish(run, flavours[i]!);
        }
      }
    } else {
      let target: Target;
      try {
        const { config, secrets } = await loadTargetConfig(args.target!);
        target = targetOfConfig(config, secrets, args.profile, { baseDir: dirname(resolve(args.target!)) });
        // The flags win over the config's tls, each for what it names.
        const flags = tlsOf(
          {
            ...(args.tlsCa ? { ca: args.tlsCa } : {}),
            ...(args.tlsCert ? { cert: args.tlsCert } : {}),
            ...(args.tlsKey ? { key: args.tlsKey } : {}),
            ...(args.insecure ? { insecure: true } : {}),
          },
          process.cwd(),
          '--tls',
        );
        if (flags && Object.keys(flags).length) target = { ...target, tls: { ...target.tls, ...flags } };
      } catch (e) {
        if (e instanceof TargetConfigError) throw new UsageError(e.message);
        throw e;
      }
      if (args.showSecrets) {
        // Only a target on this machine: a report with a real service's secrets in it must not be one flag away.
        const host = new URL(target.tokenUrl).hostname;
        if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
          throw new UsageError(
            `--show-secrets is for a target on this machine (127.0.0.1, localhost, ::1), not ${host}`,
          );
        process.stderr.write(
          "idpc: warning: --show-secrets: reports and curl lines carry this target's secrets and tokens unredacted\n",
        );
        target = { ...target, revealSecrets: true };
      }
      if (target.tls?.insecure)
        process.stderr.write(
          `idpc: warning: --insecure / tls.insecure: the certificate of ${new URL(target.tokenUrl).host} is not verified; every report of this run says so\n`,
        );
      say(`idpc run: ${target.flavour} at ${target.tokenUrl}`);
      await execute(overrides(target), ['--target', args.target!]);
    }
  });
  if (args.plan) return { code: EXIT.ok, runs };
  return { code: reportRuns(runs, args, formats, suites, print, say), runs };
}

/** An internal error part-way (our bug): the runs that finished are still reported and written, then it propagates (exit 70). */
async function guarded(
  runs: FinishedRun[],
  formats: string[],
  reportDir: string,
  say: (s: string) => void,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (!(e instanceof UsageError) && runs.length) {
      try {
        for (const path of writeReports(runs, formats.length ? formats : ['json'], reportDir))
          say(`report (of the ${runs.length} finished run(s)): ${path}`);
      } catch {
        // The original error is the one to tell.
      }
    }
    throw e;
  }
}

function reportRuns(
  runs: FinishedRun[],
  args: RunArgs,
  formats: string[],
  suites: string[] | undefined,
  print: (s: string) => void,
  say: (s: string) => void,
): number {
  const colour = !args.json && colourWanted(process.env, process.stdout.isTTY);
  for (const run of runs) print(args.quiet ? formatVerdictLine(run, colour) : formatConsole(run, args.verbose, colour));
  for (const path of writeReports(runs, formats, args.reportDir)) say(`report: ${path}`);
  // What `idpc replay` needs to repeat the failures: how the target was reached, the seed, the failed checks.
  const failed: RecordedFailure[] = runs.flatMap((r) =>
    r.results
      .filter((x) => x.status === 'fail' && !x.baseline)
      .map((x) => ({ flavour: r.target.flavour, seed: r.seed, check: resultKey(x) })),
  );
  if (failed.length) {
    const file = join(args.reportDir, 'idpc-failures.json');
    mkdirSync(args.reportDir, { recursive: true });
    // schemas/report/failures.schema.json. The budget as given, and the shared store without its password (as in
    // reports: a replay takes it from IDPC_STORE). Absent values stay out (JSON.stringify drops them).
    // Config files by absolute path, the target's with its content hash: a replay reads it only if it is still that
    // file, so that a failure file (a CI artifact, an attachment) cannot choose which target or store a replay talks
    // to. A mock config may change between run and replay: that is how a mock's planted bug is "fixed".
    const record: ReportFailures = {
      mock: args.mock,
      mockConfig: args.mockConfig ? resolve(args.mockConfig) : undefined,
      store: args.store ? safeStoreUrl(args.store) : undefined,
      target: args.target ? resolve(args.target) : undefined,
      targetSha256: args.target ? sha256Of(args.target) : undefined,
      preset: args.preset,
      profile: args.profile,
      runs: args.runs,
      suites,
      budget: {
        maxRequests: args.maxRequests,
        rate: args.rate,
        timeout: args.timeout,
        maxBody: args.maxBody,
        maxWait: args.maxWait,
      },
      failures: failed as ReportFailures['failures'],
    };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    say(`failures recorded for replay: ${file} (idpc replay ${file})`);
  }
  // Several targets: the worst verdict wins (verdict/combinedExit), and one line says so.
  const exit = totalsOf(runs).exitCode;
  if (runs.length > 1)
    print(
      `overall: ${runs.filter((r) => r.verdict === 'CONFORMS').length} of ${runs.length} targets conform (${runs.map((r) => `${r.target.flavour} ${r.verdict}`).join(', ')}); exit ${exit}`,
    );
  emitGithubActions(runs, process.env, print);
  if (args.json) process.stdout.write(toJsonReport(runs));
  return exit;
}

const sha256Of = (path: string): string | undefined => {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
};

/** What the user names on `idpc replay`'s command line: it wins over the failure file. */
export interface ReplayOverrides {
  target?: string;
  store?: string;
}

/**
 * The target and store a replay may use: the target file the failure file names only if it still holds what the run
 * read (its hash), a store only if the user names it again; otherwise a usage error saying what to give.
 */
function replaySources(
  file: string,
  data: ReportFailures,
  given: ReplayOverrides,
): Pick<RunArgs, 'target' | 'mockConfig' | 'store'> {
  const same = (path: string | undefined, hash: string | undefined) =>
    path !== undefined && hash !== undefined && sha256Of(path) === hash;
  if (given.target && data.mock)
    throw new UsageError(`${file} records a run of the ${data.mock} mock: --target does not apply`);
  let target: string | undefined;
  if (data.target) {
    if (given.target) target = given.target;
    else if (same(data.target, data.targetSha256)) target = data.target;
    else
      throw new UsageError(
        `${file} names the target ${data.target}, which is not the file that run read (moved, changed, or another one): replay it with --target FILE`,
      );
  }
  let store: string | undefined;
  if (data.store) {
    const named = given.store ?? process.env.IDPC_STORE;
    if (!named)
      throw new UsageError(
        `${file} records a run on the store ${data.store}: a replay connects to a store only when you name it (idpc replay --store URL, or IDPC_STORE)`,
      );
    store = named;
  }
  return {
    ...(target ? { target } : {}),
    ...(data.mockConfig ? { mockConfig: data.mockConfig } : {}),
    ...(store ? { store } : {}),
  };
}

/** `idpc replay FILE`: runs the recorded failures again with their seeds; FIXED, STILL FAILING or NOT RUN (with why) per check. */
export async function replayCommand(
  file: string,
  reportDir: string,
  print: (s: string) => void,
  given: ReplayOverrides = {},
): Promise<number> {
  let data: ReportFailures;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as ReportFailures;
  } catch (e) {
    throw new UsageError(`cannot read failure file ${file}: ${(e as Error).message}`);
  }
  const check = validate('report', 'failures', data);
  if (!check.valid)
    throw new UsageError(
      `${file} is not a failure file of idpc run: ${check.errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ')}`,
    );
  if (!data.mock === !data.target)
    throw new UsageError(
      `${file} is not a failure file of idpc run: it names ${data.mock ? 'both a mock and a target' : 'neither a mock nor a target'}`,
    );
  const sources = replaySources(file, data, given);
  let still = 0;
  let notRun = 0;
  for (const flavour of [...new Set(data.failures.map((f) => f.flavour))]) {
    const mine = data.failures.filter((f) => f.flavour === flavour);
    const lines: string[] = [];
    const { code, runs } = await runAndReport(
      {
        ...(data.mock ? { mock: flavour } : {}),
        ...sources,
        ...data.budget,
        ...(data.preset ? { preset: data.preset } : {}),
        ...(data.profile ? { profile: data.profile } : {}),
        ...(data.runs ? { runs: data.runs } : {}),
        ...(data.suites ? { suites: data.suites.join(',') } : {}),
        seed: mine[0]!.seed,
        report: 'json',
        reportDir: join(reportDir, 'replay'),
      },
      (l) => lines.push(l),
    );
    if (code === 3) {
      print(lines.join('\n'));
      return 3;
    }
    const run = runs[0];
    for (const f of mine) {
      const r = run?.results.find((x) => resultKey(x) === f.check);
      // FIXED only for a check that ran and held: a replay the target throttled, a budget cut or an unknown name
      // proves nothing, and says so.
      const id = f.check.split(':')[1] ?? '';
      const why = !isRegistered(id)
        ? `${id || f.check} is no check of this idpc (renamed, or not a check id)`
        : !r
          ? 'the replay did not plan it (another configuration, or a renamed variant)'
          : r.status === 'skip'
            ? (r.message ?? run?.interrupted ?? 'not run')
            : undefined;
      if (why) {
        notRun++;
        print(`? NOT RUN  ${flavour} ${f.check}: ${why}`);
        continue;
      }
      const failing = r!.status === 'fail';
      if (failing) still++;
      print(
        `${failing ? 'x STILL FAILING' : '+ FIXED'}  ${flavour} ${f.check}${failing && r!.message ? `: ${r!.message}` : ''}`,
      );
    }
  }
  return still ? EXIT.findings : notRun ? EXIT.incomplete : EXIT.ok;
}

/** `idpc init --flavour F`: a commented target-config template. */
/** The commented authorizationCode section of `idpc init`, with the flavour's defaults where it has a browser flow. */
function browserTemplate(d: FlavourDescriptor, base: string): string {
  const b = d.browser;
  const endpoint = base + (d.configPaths.authorization ?? '/authorize');
  return `# authorizationCode:         # the browser flow (suite authorization-code, TE-P*): the login driver logs the user in
#   authorizationEndpoint: ${endpoint}   # ${d.configPaths.authorization !== undefined ? "default: the flavour's" : 'the flavour has no default: give it'}
#   redirectUri: https://app.example.com/callback   # registered for the client, exactly; nothing needs to listen there
#   client: user             # the name of the client that runs it (it needs the authorization_code grant)
#   otherClient: other       # a second client that tries the first one's code (TE-P9)
#   pkce: optional           # optional, required or S256: what the server enforces for this client (TE-P15)
#   openid: ${b?.openid ?? false}${' '.repeat(Math.max(1, 17 - String(b?.openid ?? false).length))}# OpenID Connect: ID token with the nonce (TE-P20), prompt=none (TE-P19)
#   codeLifetime: ${b?.codeLifetime ?? 60}         # seconds; TE-P16 waits for it within budget.maxWaitSeconds
#   login:                   # the login form; the user is users[0], whose password goes only to this origin
#     formSelector: '${b?.formSelector ?? 'form#login'}'${b?.formSelector ? '' : '   # default: the form with a password field'}
#     usernameField: ${b?.usernameField ?? 'username'}
#     passwordField: ${b?.passwordField ?? 'password'}
#     consent: true          # approve a consent page (a submit named allow, accept or approve)
`;
}

export function initTemplate(flavour: string): string {
  if (!isFlavourName(flavour))
    throw new UsageError(`unknown flavour "${flavour}"; flavours: ${Object.keys(FLAVOURS).join(', ')}`);
  const d = FLAVOURS[flavour];
  const p = d.configPaths;
  const base = d.initExample?.baseUrl ?? 'https://idp.example.com';
  const header = Object.keys(d.resource?.headers ?? {})[0];
  const line = (key: string, path: string | undefined, note: string) =>
    `#   ${`${key}: ${path !== undefined ? base + path : '...'}`.padEnd(58)} # ${note}`;
  return `# yaml-language-server: $schema=./node_modules/idp-conformance/schemas/config/target-config.schema.json
# idp-conformance target: ${d.title}. Run with: idpc run --target ${flavour}.target.yaml   (--plan shows what it will test)
# Any value may come from the environment (\${env:NAME}), so this file can be committed.
flavour: ${flavour}
# preset: ${d.initExample?.preset ?? 'default'}
baseUrl: ${base}            # the flavour's endpoints live under it; explicit endpoints win
# issuer: ${base}           # what JWTs and discovery must name (TE-K3, TE-L4)
# endpoints:
${line('token', p.token, 'the token endpoint')}
${line('revocation', p.revocation, 'RFC 7009 (TE-I*)')}
${line('logout', p.logout, 'sessions are logged out as each scenario ends (TE-M*)')}
${line('discovery', p.discovery, 'RFC 8414 / OIDC discovery (TE-K*)')}
${line('jwks', p.jwks, 'verifies JWT signatures (TE-L1)')}
#   resource:                                                 # a bearer-protected resource (TE-J*)
#     url: ${p.resource !== undefined ? base + p.resource : '...'}
#     method: ${d.resource?.method ?? 'GET'}${
    header
      ? `
#     headers: { ${header}: \${env:IDPC_BRAND_KEY} }`
      : ''
  }
clients:
  - name: user              # the password grant${d.grants.includes('client_credentials') ? ', and client_credentials when it may' : ''}, and refresh
    clientId: \${env:IDPC_CLIENT_ID}
    clientSecret: \${env:IDPC_CLIENT_SECRET}
    auth: ${d.clientAuth.includes('basic') ? 'basic' : 'post'}               # basic, post or none
#   public: true            # a public client (it may still hold a secret it sends)
#   scope: openid profile   # requested with its grants; openid makes the run check ID tokens (TE-L5)
#   grants: [password, refresh_token]
#  - name: other             # a second client, for the cross-client checks (TE-G5, TE-I7)
#    clientId: ...
users:
  - username: \${env:IDPC_USERNAME}   # a dedicated test user: bad-password probes count against its lockout
    password: \${env:IDPC_PASSWORD}
#  - username: ...          # a user whose password has non-ASCII characters (TE-E7)
grants: [${d.grants.join(', ')}]
${
  d.requiredParams?.length
    ? `extraParams:\n${d.requiredParams.map((p) => `  ${p.names[0]}: \${env:IDPC_${p.names[0]!.toUpperCase()}}   # ${p.description}`).join('\n')}\nrequiredParams: [${d.requiredParams.map((p) => p.names[0]).join(', ')}]   # the ones the provider requires (missing-parameter probes, TE-A12)\n`
    : `# extraParams: { audience: ... }   # sent along with every token request
# requiredParams: [audience]        # of those, the ones the provider requires (missing-parameter probes, TE-A12)
`
}${
  d.noScopes
    ? ''
    : `# scopes:                   # the scopes to exercise (TE-C9..C11, TE-F4, TE-G7..G10)
#   granted: read write     # one the user client has (default: its scope)
#   narrower: read          # a strict subset of it (refresh narrowing, TE-G7, TE-G10)
#   notAllowed: admin       # one the server knows but the client may not have (TE-F4)
#   unknown: idpc-unknown-scope   # one the server does not know (TE-C9, TE-C11)
`
}policies:
  refreshRotation: ${d.refreshMode === 'rotate' ? 'rotate-keep' : d.refreshMode}   # rotate-revoke, rotate-keep, reuse or unknown
#  refreshRevokesAccess: true   # a refresh ends the access token it replaces${d.refreshRevokesAccess !== undefined ? ` (the flavour's default: ${d.refreshRevokesAccess})` : ''}
#  accessTokenLifetime: 300     # used when answers state none; short lifetimes are waited for (--max-wait)
#  refreshTokenLifetime: 1800
#  sessionLimit: 5              # sessions a user may hold: never exceeded, and tested (TE-M3)
${browserTemplate(d, base)}profile: rfc6749            # rfc6749, bcp9700 or oauth21
budget:                     # a guest on a real endpoint
  maxRequests: 500
  maxBadCredentialAttempts: 20
  ratePerSecond: 5
  timeoutMs: 10000
  maxWaitSeconds: 60        # the longest wait: for a Retry-After, or for a token to expire
`;
}
