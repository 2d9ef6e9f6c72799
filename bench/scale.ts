/**
 * npm run bench:scale: the mocks scaled out (issue 13), ratios measured in one run on one machine:
 * - per opaque flavour, token-grant throughput (wrk, one thread, 50 connections) of one replica on this process's
 *   memory, one replica on Redis, and `--replicas 2` on the same Redis. wrk (C, from Debian; installed by
 *   scripts/ensure-debian-package.sh when missing) because autocannon, at ~10,000 requests/s on one core, is
 *   itself the ceiling here: it measured 2 replicas at 1.0-1.2x of one, whatever they could serve;
 * - targets: 2 replicas >= 1.6x one Redis replica; one Redis replica >= 0.5x the in-memory one.
 * Redis is a real redis-server on a free port (test/support/redis.ts), without persistence. On a 2-core machine the
 * load generator and Redis share the cores with the replicas: the figures say what this machine gives, no more.
 * Writes reports/bench/scale-<time>.json and scale-latest.json.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/paths.js';
import { RedisServer, redisMissing } from '../test/support/redis.js';
import { writeBenchResult } from './results.js';
import { spawnServer, stop, TARGETS, type Target } from './targets.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 6);
spawnSync(join(packageRoot(), 'scripts/ensure-debian-package.sh'), ['wrk', "the scale bench's load generator", 'wrk'], {
  stdio: 'inherit',
});
const scratch = mkdtempSync(join(tmpdir(), 'idpc-bench-scale-'));

/** wrk against one URL with the target's request (a Lua script sets method, body and headers). */
function wrk(url: string, target: Target, seconds: number): Record<string, number> {
  const script = join(scratch, `${target.name}.lua`);
  const lua = (v: string) => JSON.stringify(v); // a JSON string is a valid Lua string literal for these ASCII values
  writeFileSync(
    script,
    [
      `wrk.method = "POST"`,
      `wrk.body = ${lua(target.body ?? '')}`,
      ...Object.entries(target.headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`),
    ].join('\n'),
  );
  const r = spawnSync('wrk', ['-t1', '-c50', `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const num = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? 0);
  const ms = (re: RegExp) => {
    const m = re.exec(r.stdout);
    return m ? Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'us' ? 0.001 : 1) : Number.NaN;
  };
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(r.stdout);
  return {
    requestsPerSecond: num(/Requests\/sec:\s+([\d.]+)/),
    latencyP50Ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    latencyP99Ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    errors: errors ? Number(errors[1]) + Number(errors[2]) + Number(errors[3]) : 0,
    timeouts: errors ? Number(errors[4]) : 0,
  };
}

if (redisMissing) {
  process.stderr.write(`bench:scale: ${redisMissing}\n`);
  process.exit(1);
}
const FLAVOURS = ['portal', 'rator', 'infolink'];
const redis = await RedisServer.start();
const results: Record<string, Record<string, Record<string, number>>> = {};
try {
  for (const name of FLAVOURS) {
    const target = TARGETS.find((t) => t.name === name)!;
    const scenarios: Record<string, string[]> = {
      memory: [],
      redis: ['--store', redis.url, '--store-prefix', `bench-${randomUUID().slice(0, 8)}`],
      redisTwoReplicas: [
        '--store',
        redis.url,
        '--store-prefix',
        `bench-${randomUUID().slice(0, 8)}`,
        '--replicas',
        '2',
      ],
    };
    results[name] = {};
    for (const [scenario, extra] of Object.entries(scenarios)) {
      const { child, port } = await spawnServer({ ...target, command: [...target.command, ...extra] });
      try {
        const url = `http://127.0.0.1:${port}${target.path}`;
        wrk(url, target, 2); // warm-up round, discarded
        results[name]![scenario] = wrk(url, target, DURATION);
      } finally {
        await stop(child);
      }
      process.stderr.write(`${name} ${scenario}: ${Math.round(results[name]![scenario]!.requestsPerSecond!)} req/s\n`);
    }
  }
} finally {
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
}

const rps = (f: string, s: string) => results[f]![s]!.requestsPerSecond!;
const ratios = Object.fromEntries(
  FLAVOURS.map((f) => [
    f,
    {
      twoReplicasOverOne: rps(f, 'redisTwoReplicas') / rps(f, 'redis'),
      redisOverMemory: rps(f, 'redis') / rps(f, 'memory'),
    },
  ]),
);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  settings: { loadGenerator: 'wrk -t1 -c50', durationSeconds: DURATION, flavours: FLAVOURS },
  throughput: results,
  ratios,
  targets: {
    '2 replicas >= 1.6x the requests/s of 1 replica on the shared store (every opaque flavour)': FLAVOURS.every(
      (f) => ratios[f]!.twoReplicasOverOne >= 1.6,
    ),
    'a Redis-backed replica >= 0.5x the in-memory throughput (every opaque flavour)': FLAVOURS.every(
      (f) => ratios[f]!.redisOverMemory >= 0.5,
    ),
    'no errors and no non-2xx answers under load': FLAVOURS.every((f) =>
      Object.values(results[f]!).every((r) => r.errors === 0 && r.non2xx === 0 && r.timeouts === 0),
    ),
  },
};
writeBenchResult('scale', result);
