/**
 * npm run bench:mocks: token-endpoint throughput and latency of each mock under 50 connections, start-up time and
 * memory, each next to baselines measured in the same run (bare node:http, bare express), so the figures are
 * ratios that survive a noisy shared machine. Writes reports/bench/mocks-<time>.json and mocks-latest.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { packageRoot } from '../src/util/paths.js';
import { writeBenchResult } from './results.js';
import { cli, runLoad, spawnServer, stop, TARGETS, type Target } from './targets.js';

const root = packageRoot();
const DURATION = Number(process.env.BENCH_DURATION ?? 6); // as bench/targets.ts reads it
const STARTS = Number(process.env.BENCH_STARTS ?? 9);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 1_000_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 100_000);

/** Spawn to first successful token response, polling every 2 ms. */
async function spawnToFirstToken(target: Target, port: number): Promise<number> {
  const t0 = performance.now();
  const args =
    target.command[0] === cli ? [...target.command, '--port', String(port)] : [...target.command, String(port)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const r = await request(`http://127.0.0.1:${port}${target.path}`, {
          method: 'POST',
          body: target.body ?? '',
          headers: target.headers,
        });
        await r.body.text();
        if (r.statusCode === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 20_000) throw new Error(`${target.name} did not answer within 20 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await stop(child);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One scenario of bench/memory.mjs, in a fresh process (tokens FLAVOUR N, sessions N, latency N). */
function memoryScenario(...args: string[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', 'bench/memory.mjs', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, number>)
        : reject(new Error(`memory bench ${args.join(' ')} exited ${code}`)),
    );
  });
}

const throughput: Record<string, Record<string, number>> = {};
const sameBytes: Record<string, Record<string, number>> = {};
const scratch = mkdtempSync(join(tmpdir(), 'idpc-bench-'));

async function measure(target: Target, extraArgs: string[] = []): Promise<Record<string, number>> {
  const { child, port } = await spawnServer({ ...target, command: [...target.command, ...extraArgs] });
  try {
    await runLoad(`http://127.0.0.1:${port}${target.path}`, target).catch(() => undefined); // warm-up round, discarded
    return await runLoad(`http://127.0.0.1:${port}${target.path}`, target);
  } finally {
    await stop(child);
  }
}

/** One real answer of the mock (status, headers, body), for the same-bytes baseline. */
async function capture(target: Target): Promise<string> {
  const { child, port } = await spawnServer(target);
  try {
    const r = await request(`http://127.0.0.1:${port}${target.path}`, {
      method: 'POST',
      body: target.body ?? '',
      headers: target.headers,
    });
    const body = await r.body.text();
    const headers = Object.fromEntries(
      Object.entries(r.headers).filter(([k]) => !['date', 'connection', 'keep-alive', 'content-length'].includes(k)),
    );
    const file = join(scratch, `${target.name}.json`);
    writeFileSync(file, JSON.stringify({ status: r.statusCode, headers, body }));
    return file;
  } finally {
    await stop(child);
  }
}

for (const target of TARGETS) {
  throughput[target.name] = await measure(target);
  process.stderr.write(`${target.name}: ${Math.round(throughput[target.name]!.requestsPerSecond!)} req/s\n`);
  if (target.command[0] === cli && target.name !== 'keycloak') {
    // The mock's exact bytes from a bare server (bare-http.mjs <port> <response file>), measured right after it.
    const file = await capture(target);
    sameBytes[target.name] = await measureBare(file, target);
    process.stderr.write(
      `  bare node:http with ${target.name}'s bytes: ${Math.round(sameBytes[target.name]!.requestsPerSecond!)} req/s\n`,
    );
  }
}

async function measureBare(file: string, like: Target): Promise<Record<string, number>> {
  const child = spawn(process.execPath, ['bench/bare-http.mjs', '0', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('bare server exited')));
  });
  try {
    await runLoad(`http://127.0.0.1:${port}${like.path}`, like).catch(() => undefined);
    return await runLoad(`http://127.0.0.1:${port}${like.path}`, like);
  } finally {
    await stop(child);
  }
}

// Samples interleave (bare, portal, rator, infolink, bare, ...) so that drift on a shared machine hits all alike.
const startup: Record<string, number> = {};
const startupSamples: Record<string, number[]> = {};
let port = 28000 + Math.floor(Math.random() * 1000);
const startTargets = TARGETS.filter((t) => t.name !== 'bare-express' && t.name !== 'bare-node-http-jose-rs256');
for (let i = 0; i < STARTS; i++) {
  for (const target of startTargets) (startupSamples[target.name] ??= []).push(await spawnToFirstToken(target, port++));
}
for (const target of startTargets) {
  startup[target.name] = median(startupSamples[target.name]!);
  process.stderr.write(
    `${target.name}: spawn-to-first-token ${startup[target.name]!.toFixed(0)} ms (median of ${STARTS})\n`,
  );
}

// Memory bounded by design: the default byte cap of the token store, Keycloak's session cap, the limiter's cost.
const memory: Record<string, Record<string, number>> = {};
for (const f of ['portal', 'rator', 'infolink']) {
  memory[`tokens-${f}`] = await memoryScenario('tokens', f, String(TOKENS));
  process.stderr.write(`${f}: peak RSS ${memory[`tokens-${f}`]!.peakRssMB} MB over ${TOKENS} token grants\n`);
}
memory.keycloakSessions = await memoryScenario('sessions', String(SESSIONS));
process.stderr.write(`keycloak: peak RSS ${memory.keycloakSessions.peakRssMB} MB with ${SESSIONS} sessions\n`);
memory.keycloakLatency = await memoryScenario('latency', '30000');
process.stderr.write(`keycloak: grant latency at 30k sessions ${memory.keycloakLatency.ratio!.toFixed(2)}x of at 0\n`);

const bare = throughput['bare-node-http']!.requestsPerSecond!;
const flavours = ['portal', 'rator', 'infolink'];
const result = {
  date: new Date().toISOString(),
  node: process.version,
  settings: { connections: 50, durationSeconds: DURATION, startupSamples: STARTS, tokens: TOKENS, sessions: SESSIONS },
  throughput,
  sameBytesBaseline: sameBytes,
  startupMs: startup,
  memory,
  ratios: Object.fromEntries(
    flavours.map((f) => [
      f,
      {
        throughputVsBareNodeHttp: throughput[f]!.requestsPerSecond! / bare,
        throughputVsSameBytesBareNodeHttp: throughput[f]!.requestsPerSecond! / sameBytes[f]!.requestsPerSecond!,
        throughputVsBareExpress: throughput[f]!.requestsPerSecond! / throughput['bare-express']!.requestsPerSecond!,
        startupVsBareNodeHttp: startup[f]! / startup['bare-node-http']!,
      },
    ]),
  ),
  keycloak: {
    rs256IssuanceVsBareJose:
      throughput.keycloak!.requestsPerSecond! / throughput['bare-node-http-jose-rs256']!.requestsPerSecond!,
    startupVsBareNodeHttp: startup.keycloak! / startup['bare-node-http']!,
  },
  targets: {
    'keycloak RS256 issuance >= 0.8x bare node:http + jose':
      throughput.keycloak!.requestsPerSecond! / throughput['bare-node-http-jose-rs256']!.requestsPerSecond! >= 0.8,
    'keycloak start-up <= 1.5x bare node:http': startup.keycloak! / startup['bare-node-http']! <= 1.5,
    'opaque-token issuance >= 0.5x bare node:http (same bytes)': flavours.every(
      (f) => throughput[f]!.requestsPerSecond! / sameBytes[f]!.requestsPerSecond! >= 0.5,
    ),
    'opaque-token issuance >= 0.5x bare node:http (small fixed JSON)': flavours.every(
      (f) => throughput[f]!.requestsPerSecond! / bare >= 0.5,
    ),
    'start-up <= 1.5x bare node:http': flavours.every((f) => startup[f]! / startup['bare-node-http']! <= 1.5),
    [`peak RSS < 200 MB over ${TOKENS} token grants (each opaque flavour, default caps)`]: flavours.every(
      (f) => memory[`tokens-${f}`]!.peakRssMB! < 200,
    ),
    [`peak RSS < 200 MB with ${SESSIONS} Keycloak sessions (default caps)`]: memory.keycloakSessions.peakRssMB! < 200,
    'Keycloak grant latency at 30k sessions <= 1.5x at 0 (session limiter on)': memory.keycloakLatency.ratio! <= 1.5,
    'no errors or non-2xx under load': flavours.every(
      (f) => throughput[f]!.errors === 0 && throughput[f]!.non2xx === 0,
    ),
  },
};
writeBenchResult('mocks', result);
