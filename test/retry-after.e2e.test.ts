/**
 * TE-N2 as a user meets it: `idpc run --target` against a real mock behind a proxy that, from the 8th request on,
 * answers 429 with Retry-After: 100000. The target receives no request after that answer; the run ends INCOMPLETE
 * (exit 4) with the reason, within seconds, and writes its report. A Retry-After within --max-wait is waited for.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReportReport } from '../src/generated/schemas.js';
import { validate } from '../src/schemas/registry.js';
import { packageRoot } from '../src/util/paths.js';
import { runCli, startCli, type CliProcess } from './support/cli.js';
import { targetEnv } from './support/target-env.js';

const closing: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closing.map((c) => c()));
});

/** A proxy in front of `upstream` that forwards, except what `answer` decides for the i-th request (0-based). */
async function proxy(
  upstream: string,
  answer: (i: number) => { status: number; retryAfter?: string } | 'forward',
): Promise<{ url: string; seen: () => number; after: () => number[] }> {
  let i = 0;
  const times: number[] = [];
  const server: Server = createServer((req, res) => {
    const n = i++;
    times.push(Date.now());
    const a = answer(n);
    if (a !== 'forward') {
      req.resume();
      res
        .writeHead(a.status, {
          ...(a.retryAfter !== undefined ? { 'retry-after': a.retryAfter } : {}),
          'content-type': 'application/json',
        })
        .end('{"error":"slow_down"}');
      return;
    }
    const u = new URL(req.url!, upstream);
    const out = httpRequest(u, { method: req.method, headers: { ...req.headers, host: u.host } }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closing.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen: () => i, after: () => times };
}

async function mock(): Promise<string> {
  const m: CliProcess = await startCli(['mock', 'infolink', '--json']);
  closing.push(() => m.stop());
  return String(m.info.url);
}

const config = join(packageRoot(), 'fixtures/targets/infolink.target.yaml');

describe('Retry-After (TE-N2) through the CLI', () => {
  it('Retry-After: 100000 gets no further request; INCOMPLETE, exit 4, the reason in the output and the report', async () => {
    const p = await proxy(await mock(), (i) => (i >= 7 ? { status: 429, retryAfter: '100000' } : 'forward'));
    const dir = mkdtempSync(join(tmpdir(), 'idpc-retry-'));
    const started = Date.now();
    const r = await runCli(['run', '--target', config, '--seed', '1', '--report', 'json', '--report-dir', dir], {
      ...process.env,
      ...targetEnv('infolink', p.url),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(p.seen()).toBe(8);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(
      /Retry-After 100000, longer than the run can afford \(60 s\): stopped without further requests/,
    );
    const report = JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as ReportReport;
    // An interrupted run's report is a complete report all the same.
    expect(validate('report', 'report', report).errors).toEqual([]);
    expect(report.runs[0]!.verdict).toBe('INCOMPLETE');
    expect(report.runs[0]!.interrupted).toMatch(/Retry-After 100000/);
  }, 30_000);

  it('a Retry-After within --max-wait is waited for by every request, then the run goes on', async () => {
    const p = await proxy(await mock(), (i) => (i === 3 ? { status: 429, retryAfter: '2' } : 'forward'));
    const dir = mkdtempSync(join(tmpdir(), 'idpc-retry-'));
    const r = await runCli(
      ['run', '--target', config, '--seed', '1', '--suites', 'grant', '--max-wait', '5', '--report-dir', dir],
      { ...process.env, ...targetEnv('infolink', p.url) },
    );
    const t = p.after();
    // The request after the 429 came no sooner than its Retry-After.
    expect(t[4]! - t[3]!).toBeGreaterThanOrEqual(1900);
    expect(p.seen()).toBeGreaterThan(10);
    expect(r.stdout).not.toMatch(/longer than the run can afford/);
  }, 60_000);

  it.each([
    ['no Retry-After', undefined, /without Retry-After/],
    [
      'an unusable Retry-After (1.5: not delay-seconds, not an HTTP-date)',
      '1.5',
      /with an unusable Retry-After "1\.5"/,
    ],
  ])(
    '429 with %s: exponential back-off (1 s, 2 s), then INCOMPLETE within --max-wait, the throttled answers as evidence',
    async (_what, retryAfter, said) => {
      const p = await proxy(await mock(), (i) =>
        i >= 7 ? { status: 429, ...(retryAfter ? { retryAfter } : {}) } : 'forward',
      );
      const dir = mkdtempSync(join(tmpdir(), 'idpc-retry-'));
      const r = await runCli(
        ['run', '--target', config, '--seed', '1', '--max-wait', '5', '--report', 'json', '--report-dir', dir],
        { ...process.env, ...targetEnv('infolink', p.url) },
      );
      const t = p.after();
      // 1 s, then 2 s; a third wait (4 s) would pass --max-wait 5: stopped after the third throttled answer.
      expect(t[8]! - t[7]!).toBeGreaterThanOrEqual(950);
      expect(t[9]! - t[8]!).toBeGreaterThanOrEqual(1950);
      expect(p.seen()).toBe(10);
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(said);
      const run = (JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as ReportReport).runs[0]!;
      expect(run.verdict).toBe('INCOMPLETE');
      expect(run.interrupted).toMatch(/^TE-N2: .* throttled 3 answers in a row/);
      expect(run.interruptedBy?.map((x) => x.response?.status)).toEqual([429, 429, 429]);
      expect(run.interruptedBy?.[0]?.curl).toMatch(/^curl /);
    },
    60_000,
  );

  it('a target that answers every request 429 with Retry-After: 2 is followed 5 answers, then the run ends INCOMPLETE (not after a minute)', async () => {
    const p = await proxy(await mock(), (i) => (i >= 7 ? { status: 429, retryAfter: '2' } : 'forward'));
    const dir = mkdtempSync(join(tmpdir(), 'idpc-retry-'));
    const started = Date.now();
    const r = await runCli(['run', '--target', config, '--seed', '1', '--report', 'json', '--report-dir', dir], {
      ...process.env,
      ...targetEnv('infolink', p.url),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(p.seen()).toBe(12);
    expect(r.code).toBe(4);
    const run = (JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as ReportReport).runs[0]!;
    expect(run.interrupted).toMatch(
      /throttled 5 answers in a row \(the last 429 with Retry-After 2\) after 8\.0 s of waiting/,
    );
    expect(run.interruptedBy).toHaveLength(5);
  }, 60_000);

  it("a mock's planted rate-limit fault (429, Retry-After: 1) is waited for, as on a real target: the run is not cut short", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpc-retry-'));
    const faults = join(dir, 'rate-limit.mock.json');
    writeFileSync(
      faults,
      JSON.stringify({
        flavour: 'infolink',
        faults: [{ route: 'token', kind: 'rate-limit', retryAfter: 1, when: { nextRequests: 1 } }],
      }),
    );
    const started = Date.now();
    const r = await runCli(
      [
        'run',
        '--mock',
        'infolink',
        '--mock-config',
        faults,
        '--seed',
        '1',
        '--runs',
        '1',
        '--report',
        'json',
        '--report-dir',
        dir,
      ],
      { ...process.env, CI: 'true' },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.stdout).not.toMatch(/longer than the run can afford/);
    const report = JSON.parse(readFileSync(join(dir, 'idpc-report.json'), 'utf8')) as {
      runs: { verdict: string; interrupted?: string }[];
    };
    expect(report.runs[0]!.interrupted).toBeUndefined();
    expect(report.runs[0]!.verdict).toBe('CONFORMS');
  }, 60_000);
});
