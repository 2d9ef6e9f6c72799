/**
 * npm run bench:runner: the runner's own cost, next to the runner as it was when issue 12 was filed (a baseline
 * built from git in this same run, so that the figures are ratios on one machine at one moment):
 * - per flavour: `idpc run --target fixtures/targets/F.target.yaml --runs 48` against `idpc mock F` in another
 *   process; the runner's requests/s and its own CPU per request (user + system, read at its exit by
 *   bench/cpu-at-exit.mjs), the median of BENCH_RUNNER_REPEATS runs each, baseline and current alternating;
 * - the wall time of `idpc run --mock all` (median of the repeats), baseline and current alternating.
 * Writes reports/bench/runner-<time>.json and runner-latest.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { writeBenchResult } from './results.js';
import { targetEnv } from '../test/support/target-env.js';

const root = packageRoot();
const BASELINE_REV = process.env.BENCH_RUNNER_BASELINE ?? '1add2f84b613e19629a79a171d2dbf0a4dd34800';
const REPEATS = Number(process.env.BENCH_RUNNER_REPEATS ?? 5);
const RUNS = Number(process.env.BENCH_RUNNER_RUNS ?? 48);
const CONFIGS = ['portal', 'keycloak', 'rator', 'infolink'];
const scratch = mkdtempSync(join(tmpdir(), 'idpc-bench-runner-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The runner at BASELINE_REV, built in a scratch worktree with this checkout's node_modules. */
function buildBaseline(): string | undefined {
  const dir = join(scratch, 'baseline');
  const add = spawnSync('git', ['worktree', 'add', '--detach', dir, BASELINE_REV], { cwd: root, encoding: 'utf8' });
  if (add.status !== 0) {
    process.stderr.write(`bench: no baseline (${BASELINE_REV} is not in this clone: ${add.stderr.trim().split('\n')[0]})\n`);
    return undefined;
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: dir, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`baseline build failed: ${build.stderr}`);
  return join(dir, 'dist/bin/main.js');
}

function startMock(flavour: string, preset?: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'dist/bin/main.js'), 'mock', flavour, '--json', ...(preset ? ['--preset', preset] : [])], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`mock ${flavour} exited with ${code}`)));
  });
}

interface Measured {
  wallMs: number;
  cpuMs: number;
  requests: number;
  exitCode: number | null;
}

/** One CLI run, its own CPU read at its exit (bench/cpu-at-exit.mjs), its requests from its JSON report. */
function measure(cli: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const tag = Math.random().toString(36).slice(2);
  const cpuFile = join(scratch, `cpu-${tag}.json`);
  const reportDir = join(scratch, `report-${tag}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', join(root, 'bench/cpu-at-exit.mjs'), cli, ...args, '--report', 'json', '--report-dir', reportDir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env, IDPC_BENCH_CPU_FILE: cpuFile, CI: 'true' },
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      const wallMs = performance.now() - t0;
      const { cpuMicros } = JSON.parse(readFileSync(cpuFile, 'utf8')) as { cpuMicros: number };
      const report = JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs?: { requests: number }[] } | { requests: number }[];
      const runs = Array.isArray(report) ? report : (report.runs ?? []);
      resolve({ wallMs, cpuMs: cpuMicros / 1000, requests: runs.reduce((n, r) => n + r.requests, 0), exitCode: code });
    });
  });
}

const current = join(root, 'dist/bin/main.js');
const baseline = buildBaseline();
const versions: [string, string][] = [['current', current], ...(baseline ? ([['baseline', baseline]] as [string, string][]) : [])];

const perTarget: Record<string, Record<string, Record<string, number>>> = {};
for (const config of CONFIGS) {
  const preset = /^preset:\s*(\S+)/m.exec(readFileSync(join(root, 'fixtures/targets', `${config}.target.yaml`), 'utf8'))?.[1];
  const { child, url } = await startMock(config.split('-')[0]!, preset);
  try {
    const samples: Record<string, Measured[]> = Object.fromEntries(versions.map(([v]) => [v, []]));
    const args = ['run', '--target', join(root, 'fixtures/targets', `${config}.target.yaml`), '--seed', '1', '--runs', String(RUNS), '--rate', '100000/s', '--max-requests', '100000'];
    for (let i = 0; i < REPEATS; i++) for (const [v, cli] of versions) samples[v]!.push(await measure(cli, args, targetEnv(config, url)));
    perTarget[config] = Object.fromEntries(
      Object.entries(samples).map(([v, xs]) => [
        v,
        {
          requests: median(xs.map((x) => x.requests)),
          requestsPerSecond: median(xs.map((x) => x.requests / (x.wallMs / 1000))),
          cpuMsPerRequest: median(xs.map((x) => x.cpuMs / x.requests)),
          cpuMs: median(xs.map((x) => x.cpuMs)),
          wallMs: median(xs.map((x) => x.wallMs)),
          exitCode: xs[0]!.exitCode ?? -1,
        },
      ]),
    );
  } finally {
    child.kill('SIGTERM');
  }
}

const mockAll: Record<string, Record<string, number>> = {};
{
  const samples: Record<string, Measured[]> = Object.fromEntries(versions.map(([v]) => [v, []]));
  for (let i = 0; i < REPEATS; i++) for (const [v, cli] of versions) samples[v]!.push(await measure(cli, ['run', '--mock', 'all', '--seed', '1']));
  for (const [v, xs] of Object.entries(samples)) mockAll[v] = { wallMs: median(xs.map((x) => x.wallMs)), cpuMs: median(xs.map((x) => x.cpuMs)), requests: median(xs.map((x) => x.requests)), exitCode: xs[0]!.exitCode ?? -1 };
}

const ratio = (config: string) => (baseline ? perTarget[config]!.baseline!.cpuMsPerRequest! / perTarget[config]!.current!.cpuMsPerRequest! : null);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  baselineRevision: baseline ? BASELINE_REV : null,
  settings: { runsPerProperty: RUNS, repeats: REPEATS, configs: CONFIGS },
  perTarget,
  mockAll,
  ratios: {
    cpuPerRequestBaselineOverCurrent: Object.fromEntries(CONFIGS.map((c) => [c, ratio(c)])),
    mockAllWallBaselineOverCurrent: baseline ? mockAll.baseline!.wallMs! / mockAll.current!.wallMs! : null,
  },
  targets: baseline
    ? {
        "runner CPU per request >= 3x lower than at issue 12's start (every flavour)": CONFIGS.every((c) => ratio(c)! >= 3),
        "idpc run --mock all >= 2x faster than at issue 12's start": mockAll.baseline!.wallMs! / mockAll.current!.wallMs! >= 2,
        'same verdicts as the baseline (exit codes)': CONFIGS.every((c) => perTarget[c]!.current!.exitCode === perTarget[c]!.baseline!.exitCode),
      }
    : { 'baseline measured': false },
};
if (baseline) spawnSync('git', ['worktree', 'remove', '--force', join(scratch, 'baseline')], { cwd: root });
rmSync(scratch, { recursive: true, force: true });
writeBenchResult('runner', result);
