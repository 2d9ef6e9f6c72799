/** The transport is a guest: a Retry-After holds back every request, not only the retry of the one that got it. */
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { bodyOf, retryAfterSeconds, Transport } from '../src/session/http.js';

const arrivals: number[] = [];
const server = createServer((req, res) => {
  arrivals.push(performance.now());
  req.resume();
  if (arrivals.length === 1) res.writeHead(429, { 'retry-after': '1' }).end();
  else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});
afterAll(() => new Promise((r) => server.close(r)));

describe('Retry-After', () => {
  it('no request reaches a target inside the wait it asked for, concurrent ones included', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
    const t = new Transport({ maxRequests: 100, maxBadCredentialAttempts: 10, ratePerSecond: 1000, timeoutMs: 5000 });
    const first = t.send('POST', url);
    // Until the 429 is in the transport's log (then, a macrotask later, its wait is in force): others want to go now.
    while (t.log.length === 0) await new Promise((r) => setTimeout(r, 5));
    const others = [t.send('POST', url), t.send('POST', url)];
    const results = await Promise.all([first, ...others]);
    expect(results.map((e) => e.response?.status)).toEqual([200, 200, 200]);
    const [asked, ...after] = arrivals;
    for (const at of after) expect(at - asked!).toBeGreaterThanOrEqual(950);
  });
});

describe('a server that resets every connection', () => {
  it('is unreachable (exit 3), not a non-conforming target', async () => {
    const { createServer: tcp } = await import('node:net');
    const resetter = tcp((socket) => socket.resetAndDestroy());
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(resetter.address() as { port: number }).port}/token`;
    const t = new Transport({ maxRequests: 100, maxBadCredentialAttempts: 10, ratePerSecond: 1000, timeoutMs: 2000 });
    const { TargetUnreachable } = await import('../src/session/http.js');
    let thrown: unknown;
    for (let i = 0; i < 5 && !thrown; i++) await t.send('POST', url).catch((e: unknown) => (thrown = e));
    expect(thrown).toBeInstanceOf(TargetUnreachable);
    expect(t.requests).toBe(3);
    await new Promise((r) => resetter.close(r));
  });
});

describe('the exchange log', () => {
  it('keeps the latest exchanges only (memory bounded however long the run), and positions still find what came after them', async () => {
    const counting = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: req.url }));
    });
    await new Promise<void>((r) => counting.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(counting.address() as { port: number }).port}`;
    const t = new Transport({
      maxRequests: 1000,
      maxBadCredentialAttempts: 10,
      ratePerSecond: 100_000,
      timeoutMs: 5000,
      logLimit: 10,
    });
    let mark = 0;
    for (let i = 0; i < 100; i++) {
      if (i === 97) mark = t.logPosition();
      await t.send('GET', `${base}/${i}`);
    }
    expect(t.logPosition()).toBe(100);
    expect(t.log.length).toBeLessThanOrEqual(20);
    expect(t.logSince(mark).map((e) => new URL(e.request.url).pathname)).toEqual(['/97', '/98', '/99']);
    // What was dropped is not invented: from the start, only what is kept.
    expect(t.logSince(0)).toEqual(t.log);
    expect(t.log.at(-1)!.request.url).toBe(`${base}/99`);
    await t.close();
    await new Promise((r) => counting.close(r));
  });
});

describe('Retry-After as RFC 9110 §10.2.3 defines it', () => {
  it('delay-seconds and the three HTTP-date forms are read; anything else is no instruction', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:00 GMT');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37);
    expect(retryAfterSeconds('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37);
    expect(retryAfterSeconds('Sun Nov  6 08:49:37 1994', now)).toBe(37);
    expect(retryAfterSeconds('Sun, 06 Nov 1994 08:48:00 GMT', now)).toBe(0);
    for (const bad of ['1.5', '-1', 'soon', '', '2001-01-01', 'Tue, 32 Foo 2026 99:00:00 GMT'])
      expect(retryAfterSeconds(bad, now), bad).toBeUndefined();
  });
});

describe('answer bodies that are not text', () => {
  it('a Content-Encoding the runner does not undo, a non-text type, bytes that are not UTF-8 or hold NULs: described with size and excerpt; text as text', () => {
    const json = { 'content-type': ['application/json'] };
    expect(bodyOf(Buffer.from('{"a":"é"}'), json)).toEqual({ body: '{"a":"é"}' });
    // Cut by the body cap inside a two-byte character: still text.
    expect(bodyOf(Buffer.from('{"a":"é"}').subarray(0, 8), json).binary).toBeUndefined();
    expect(bodyOf(Buffer.from('x'), { 'content-type': ['application/problem+json'] }).binary).toBeUndefined();
    const cases: [Buffer, Record<string, string[]>, RegExp][] = [
      [Buffer.from([0x1f, 0x8b, 8, 0]), { ...json, 'content-encoding': ['gzip'] }, /Content-Encoding gzip/],
      [Buffer.from('PNG'), { 'content-type': ['image/png'] }, /Content-Type image\/png/],
      [Buffer.from([0xff, 0xfe, 0x41]), json, /not UTF-8/],
      [Buffer.from('a\u0000b'), json, /NUL bytes/],
    ];
    for (const [bytes, headers, why] of cases) {
      const out = bodyOf(bytes, headers);
      expect(out.body).toMatch(why);
      expect(out.binary).toEqual({ bytes: bytes.length, excerpt: bytes.toString('base64') });
    }
  });
});
