/**
 * A runner that hostile endpoints cannot hurt: servers on loopback answering a 200 MB body, or streaming without
 * end. The CLI runs against them as a user runs it; its peak RSS is read from the process itself at exit.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Writes `total` MiB (Infinity: forever) with backpressure, and stops when the client goes away. */
function hostile(total: number): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', ...(Number.isFinite(total) ? { 'content-length': String(total * 2 ** 20) } : {}) });
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));
}

/** Runs idpc with a hook that prints the process's peak RSS (KiB) to stderr at exit. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; maxRssMB: number; seconds: number }> {
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', hook, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr, maxRssMB: Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN) / 1024, seconds: (Date.now() - started) / 1000 })),
  );
}

function targetAt(url: string, name: string): string {
  const file = join(dir, `${name}.target.yaml`);
  writeFileSync(file, `flavour: rfc6749\nbaseUrl: ${url}\nallowHttp: true\nclients:\n  - name: user\n    clientId: app\n    clientSecret: app-secret-value\nusers:\n  - username: alice\n    password: alice-password\nbudget:\n  ratePerSecond: 50\n  maxRequests: 40\n`);
  return file;
}

describe.each([
  ['a 200 MB body', 200],
  ['an endless stream', Number.POSITIVE_INFINITY],
])('against %s', (_name, size) => {
  it('the runner stays under 300 MB, finishes within its timeouts, reports TE-N3 and writes its reports', async () => {
    const url = await hostile(size);
    const reportDir = join(dir, String(size));
    const r = await run(['run', '--target', targetAt(url, String(size)), '--timeout', '5000', '--report', 'json', '--report-dir', reportDir]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.maxRssMB, `peak RSS ${r.maxRssMB} MB`).toBeLessThan(300);
    process.stderr.write(`hostile ${_name}: peak RSS ${r.maxRssMB.toFixed(0)} MB, ${r.seconds.toFixed(1)} s\n`);
    expect(r.seconds).toBeLessThan(60);
    const report = JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as ReportReport;
    expect(validate('report', 'report', report).errors).toEqual([]);
    const n3 = report.runs[0]!.results.filter((x) => x.check === 'TE-N3');
    const finding = n3.find((x) => ['fail', 'warn'].includes(x.status) && /exceeded 1048576 bytes/.test(x.message ?? ''));
    expect(finding).toBeDefined();
    // The evidence says that its body is a prefix, and of what cap.
    expect(finding!.evidence?.[0]?.bodyExceeded).toBe(1048576);
    expect(finding!.evidence?.[0]?.response?.body.length).toBeLessThanOrEqual(1048576);
    expect([1, 4]).toContain(r.code);
  }, 90_000);
});
