/**
 * `idpc run`'s options, defined once: yargs reads them for `idpc run --help`, and main.ts parses a run with
 * node:util parseArgs from the same table (parseRunArgs), without loading yargs: a run does not pay for yargs and
 * for rendering a help text it never shows (~90 ms of CPU in a short run, measured with --cpu-prof).
 */
import { parseArgs } from 'node:util';
import { PROFILES, SUITE_NAMES, type Profile } from '../checks/define.js';
import { REPORT_FORMATS } from '../runner/formats.js';
import { UsageError } from './errors.js';
import { joinNegativeValues, wholeNumber } from './input.js';
import type { RunArgs } from './run.js';

interface RunOption {
  type: 'string' | 'boolean';
  alias?: string;
  describe: string;
  default?: string | boolean;
  choices?: readonly string[];
  coerce?: (raw: unknown) => number;
}

export const RUN_OPTIONS = {
  mock: { type: 'string', describe: 'In-process mock(s): portal, keycloak, rator, infolink, a comma list, or all' },
  preset: { type: 'string', describe: 'Preset of the mock' },
  'mock-config': { type: 'string', describe: 'Mock config file for --mock (e.g. planted deviations)' },
  store: {
    type: 'string',
    describe:
      "For --mock: keep the mock's state in a shared store, redis://host:port/db (default: $IDPC_STORE, else memory)",
  },
  target: { alias: 't', type: 'string', describe: 'Target config (schemas/config/target-config.schema.json)' },
  seed: { type: 'string', coerce: wholeNumber('seed', -2147483648), describe: 'Repeat a run exactly' },
  runs: {
    type: 'string',
    coerce: wholeNumber('runs', 1),
    describe: 'Examples per property (default 12 on mocks, 3 on real targets)',
  },
  profile: { type: 'string', choices: PROFILES, describe: 'Whose severities apply (default rfc6749)' },
  suites: { type: 'string', describe: `Comma list of ${SUITE_NAMES.join(', ')}` },
  report: { type: 'string', describe: `Comma list of ${REPORT_FORMATS.join(', ')} (html: one self-contained page)` },
  'report-dir': { type: 'string', default: 'reports', describe: 'Where reports go' },
  baseline: {
    type: 'string',
    describe: 'Expected failures: {"expectedFailures":[{"check":"suite:TE-XX","reason":"..."}]}',
  },
  rate: { type: 'string', describe: 'Request rate limit, e.g. 10/s' },
  timeout: { type: 'string', coerce: wholeNumber('timeout', 1, ' of ms'), describe: 'Per-request timeout in ms' },
  'max-requests': { type: 'string', coerce: wholeNumber('max-requests', 1), describe: 'Request budget' },
  'max-body': {
    type: 'string',
    coerce: wholeNumber('max-body', 1024, ' of bytes'),
    describe: 'Largest answer body read, in bytes (default 1048576); beyond it: a TE-N3 finding',
  },
  'max-wait': {
    type: 'string',
    coerce: wholeNumber('max-wait', 0, ' of seconds'),
    describe:
      "Longest wait, in seconds, for a Retry-After (longer: the run stops INCOMPLETE) or a token to expire (default 60; a mock's tokens expire by moving its clock, never by waiting)",
  },
  'tls-ca': {
    type: 'string',
    describe:
      "PEM file of the CA(s) that sign the target's certificate (added to Node's own; overrides the target config's tls.ca)",
  },
  'tls-cert': {
    type: 'string',
    describe: 'PEM file of a client certificate, for a target that requires one (mTLS, RFC 8705)',
  },
  'tls-key': { type: 'string', describe: "PEM file of the client certificate's private key" },
  insecure: {
    type: 'boolean',
    default: false,
    describe: "Do not verify the target's certificate (a warning is printed and every report says so)",
  },
  'no-preflight': {
    type: 'boolean',
    default: false,
    describe:
      'Judge even when the preflight (one valid grant per configured client and user) fails: for a vendor whose valid grants are themselves the bug',
  },
  plan: { type: 'boolean', describe: 'Print the coverage plan and its request cost against the budget, send nothing' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'List passing checks too' },
  quiet: {
    alias: 'q',
    type: 'boolean',
    default: false,
    describe: 'Print one verdict line per target, nothing else (reports are still written)',
  },
  json: {
    type: 'boolean',
    default: false,
    describe: 'Print the JSON report (schemas/report/report.schema.json) on stdout; everything else goes to stderr',
  },
  'show-secrets': {
    type: 'boolean',
    default: false,
    describe:
      'A target on this machine: reports and curl lines carry its secrets unredacted, so they run as printed (mocks always do)',
  },
} as const satisfies Record<string, RunOption>;

export const RUN_EPILOG =
  "Exit codes: 0 CONFORMS, 1 DOES NOT CONFORM (findings), 2 usage error, 3 target unreachable, 4 INCOMPLETE (required checks untested: budget, configuration, a Retry-After beyond --max-wait), 70 internal error (our bug: one line, the finished runs' reports written)";

/** Parsed values by option name (as typed: `max-requests`), numbers coerced, defaults filled in. */
export type ParsedRunOptions = Record<string, string | number | boolean | undefined>;

/** What runCommand takes, from the parsed options (yargs' or parseRunArgs'), with IDPC_STORE as --store's default. */
export function runArgsOf(o: ParsedRunOptions): RunArgs {
  const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  const store = str('store') ?? (process.env.IDPC_STORE || undefined);
  const pairs: [keyof RunArgs, unknown][] = [
    ['mock', str('mock')],
    ['preset', str('preset')],
    ['mockConfig', str('mock-config')],
    ['store', store],
    ['target', str('target')],
    ['seed', num('seed')],
    ['runs', num('runs')],
    ['profile', str('profile') as Profile | undefined],
    ['suites', str('suites')],
    ['report', str('report')],
    ['baseline', str('baseline')],
    ['rate', str('rate')],
    ['timeout', num('timeout')],
    ['maxRequests', num('max-requests')],
    ['maxBody', num('max-body')],
    ['maxWait', num('max-wait')],
    ['plan', o.plan === true ? true : undefined],
    ['tlsCa', str('tls-ca')],
    ['tlsCert', str('tls-cert')],
    ['tlsKey', str('tls-key')],
    ['insecure', o.insecure === true ? true : undefined],
    ['noPreflight', o['no-preflight'] === true ? true : undefined],
  ];
  return {
    ...Object.fromEntries(pairs.filter(([, v]) => v !== undefined)),
    reportDir: str('report-dir') ?? 'reports',
    verbose: o.verbose === true,
    showSecrets: o['show-secrets'] === true,
    json: o.json === true,
    quiet: o.quiet === true,
  } as RunArgs;
}

/** `idpc run ARGS` without yargs: the same options, defaults, choices and number checks, one-line errors. */
export function parseRunArgs(argv: string[]): ParsedRunOptions {
  const table = RUN_OPTIONS as Record<string, RunOption>;
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv),
      options: Object.fromEntries(
        Object.entries(table).map(([name, o]) => [
          name,
          { type: o.type, multiple: false, ...(o.alias ? { short: o.alias } : {}) },
        ]),
      ),
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    // parseArgs' messages name the option ("Unknown option '--x'", "Option '--seed <value>' argument missing").
    throw new UsageError((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
  const out: ParsedRunOptions = {};
  for (const [name, o] of Object.entries(table)) {
    const given = values[name] as string | boolean | undefined;
    if (given === undefined) {
      if (o.default !== undefined) out[name] = o.default;
      continue;
    }
    if (o.choices && !o.choices.includes(String(given)))
      throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, got ${String(given)}`);
    out[name] = o.coerce ? o.coerce(given) : given;
  }
  return out;
}

/** Runs `idpc run` with parsed options (both parsers end here). */
export async function runFromOptions(o: ParsedRunOptions): Promise<number> {
  const { runCommand } = await import('./run.js');
  const args = runArgsOf(o);
  // With --json, stdout carries the report alone: the human output moves to stderr.
  return runCommand(
    args,
    args.json ? (text) => process.stderr.write(`${text}\n`) : (text) => process.stdout.write(`${text}\n`),
  );
}
