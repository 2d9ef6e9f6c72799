/**
 * A runner that hostile endpoints cannot hurt: servers on loopback answering a 200 MB body, or streaming without
 * end. The CLI runs against them as a user runs it; its peak RSS is read from the process itself at exit.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportReport } from '../src/generated/schemas.js';
import { validate } from '../src/schemas/registry.js';
import { cli } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-hostile-'));
const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

const MB = Buffer.alloc(2 ** 20, 'a');

/**
 * A gzip bomb: 10 MB of gzip members, each 100 MiB of zeros compressed (about 1,000 times that unpacked). The runner
 * must not inflate it, and must not inflate it either by writing its bytes into reports as escaped text.
 */
let bomb: Buffer | undefined;
const gzipBomb = () => {
  if (!bomb) {
    const member = gzipSync(Buffer.alloc(100 * 2 ** 20), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: Math.ceil((10 * 2 ** 20) / member.length) }, () => member));
  }
  return bomb;
};

/** Writes `total` MiB (Infinity: forever) with backpressure, and stops when the client goes away; 'gzip-bomb': the bomb. */
function hostile(total: number | 'gzip-bomb'): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    if (total === 'gzip-bomb') {
      const body = gzipBomb();
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(body.length),
      });
      return void res.end(body);
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(Number.isFinite(total) ? { 'content-length': String(total * 2 ** 20) } : {}),
    });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent++;
        if (!res.write(MB)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = total));
    pump();
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
  );
}

/** Runs idpc with a hook that prints the process's peak RSS (KiB) to stderr at exit. */
function run(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; maxRssMB: number; seconds: number }> {
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', hook, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        maxRssMB: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024,
        seconds: (Date.now() - started) / 1000,
      }),
    ),
  );
}

function targetAt(url: string, name: string): string {
  const file = join(dir, `${name}.target.yaml`);
  writeFileSync(
    file,
    `flavour: rfc6749\nbaseUrl: ${url}\nallowHttp: true\nclients:\n  - name: user\n    clientId: app\n    clientSecret: app-secret-value\nusers:\n  - username: alice\n    password: alice-password\nbudget:\n  ratePerSecond: 50\n  maxRequests: 40\n`,
  );
  return file;
}

describe.each([
  ['a 200 MB body', 200 as const],
  ['an endless stream', Number.POSITIVE_INFINITY],
  ['a 10 MB gzip bomb', 'gzip-bomb' as const],
])('against %s', (_name, size) => {
  it('the runner stays under 300 MB, finishes within its timeouts, reports TE-N3 and writes its reports, each under 5 MB', async () => {
    const url = await hostile(size);
    const reportDir = join(dir, String(size));
    const r = await run([
      'run',
      '--target',
      targetAt(url, String(size)),
      '--timeout',
      '5000',
      '--report',
      'json,ndjson,html,junit',
      '--report-dir',
      reportDir,
    ]);
    for (const f of readdirSync(reportDir)) {
      const bytes = statSync(join(reportDir, f)).size;
      process.stderr.write(`hostile ${_name}: ${f} ${(bytes / 2 ** 20).toFixed(2)} MiB\n`);
      expect(bytes, f).toBeLessThan(5 * 2 ** 20);
    }
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.maxRssMB, `peak RSS ${r.maxRssMB} MB`).toBeLessThan(300);
    process.stderr.write(`hostile ${_name}: peak RSS ${r.maxRssMB.toFixed(0)} MB, ${r.seconds.toFixed(1)} s\n`);
    expect(r.seconds).toBeLessThan(60);
    const report = JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as ReportReport;
    expect(validate('report', 'report', report).errors).toEqual([]);
    const n3 = report.runs[0]!.results.filter((x) => x.check === 'TE-N3');
    const finding = n3.find(
      (x) => ['fail', 'warn'].includes(x.status) && /exceeded 1048576 bytes/.test(x.message ?? ''),
    );
    expect(finding).toBeDefined();
    // The evidence says that its body is a prefix, and of what cap.
    expect(finding!.evidence?.[0]?.bodyExceeded).toBe(1048576);
    expect(finding!.evidence?.[0]?.response?.body.length).toBeLessThanOrEqual(1048576);
    if (size === 'gzip-bomb') {
      // Not text: described in one line, with its size and its first bytes (a gzip header: 1f 8b).
      const response = finding!.evidence![0]!.response!;
      expect(response.body).toMatch(/^\[binary body: 1048576 bytes read \(Content-Encoding gzip, application\/json\)/);
      expect(response.binary?.bytes).toBe(1048576);
      expect(Buffer.from(response.binary!.excerpt, 'base64').subarray(0, 2).toString('hex')).toBe('1f8b');
    }
    expect([1, 4]).toContain(r.code);
  }, 90_000);
});
