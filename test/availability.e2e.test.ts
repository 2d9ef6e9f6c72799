/**
 * Series N: a target that is slow once, or asks the run to wait longer than it can. A proxy in front of a mock
 * plays the server: a single unanswered request is TE-N1's finding and the run goes on; a Retry-After beyond the
 * run's means stops it politely, INCOMPLETE, without another request.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { Transport } from '../src/session/http.js';
import { runConformance } from '../src/runner/run.js';
import { targetOfMock } from '../src/runner/target.js';
import type { Target } from '../src/vocabulary/types.js';

type Behaviour = (
  body: string,
  index: number,
) => 'forward' | 'hang' | { status: number; headers: Record<string, string> };

async function proxy(to: string, behaviour: Behaviour): Promise<{ url: string; server: Server; seen: () => number }> {
  let index = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const what = behaviour(`${req.url} ${body.toString()}`, index++);
      if (what === 'hang') return; // never answers
      if (what !== 'forward') {
        res.writeHead(what.status, what.headers).end();
        return;
      }
      const upstream = request(new URL(req.url!, to), { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen: () => index };
}

/** The mock's target with every endpoint moved behind the proxy. */
function behind(target: Target, mockUrl: string, proxyUrl: string): Target {
  const move = (u?: string) => u?.replace(mockUrl, proxyUrl);
  return {
    ...target,
    tokenUrl: move(target.tokenUrl)!,
    ...(target.revocationUrl ? { revocationUrl: move(target.revocationUrl)! } : {}),
    ...(target.resource ? { resource: { ...target.resource, url: move(target.resource.url)! } } : {}),
    budget: { ...target.budget, timeoutMs: 400 },
  };
}

let mock: RunningMock | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  await mock?.close();
});

describe('TE-N1: one slow answer is a finding, and the run goes on', () => {
  it('the unknown-parameter probe never answers: TE-N1 warns with its evidence, TE-A4 is untested, every suite still ran', async () => {
    mock = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    const p = await proxy(mock.url, (body) => (body.includes('x_conformance_probe') ? 'hang' : 'forward'));
    server = p.server;
    const run = await runConformance({
      target: behind(await targetOfMock(mock, 'rfc6749'), mock.url, p.url),
      seed: 1,
      numRuns: 1,
    });
    expect(run.unreachable).toBeUndefined();
    expect(run.interrupted).toBeUndefined();
    const n1 = run.results.find((r) => r.suite === 'grant' && r.check === 'TE-N1')!;
    expect(n1.status).toBe('warn');
    expect(n1.message).toMatch(/^no answer within 400 ms: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/oauth2\/token$/);
    expect(n1.evidence![0]!.curl).toContain('x_conformance_probe=1');
    const a4 = run.results.find((r) => r.check === 'TE-A4')!;
    expect(a4).toMatchObject({ status: 'skip', message: 'its request was not answered in time (see TE-N1)' });
    // The run went on: the refresh and stateful suites have verdicts.
    expect(run.results.find((r) => r.suite === 'refresh' && r.check === 'TE-G2')?.status).toBe('pass');
    expect(run.results.find((r) => r.suite === 'stateful' && r.check === 'TE-S1')?.status).toBe('pass');
    expect(run.exitCode).toBe(4);
  }, 30_000);
});

describe('TE-N2: a Retry-After the run cannot afford', () => {
  it('stops at the 429 without another request: INCOMPLETE, exit 4, with the reason', async () => {
    mock = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    const p = await proxy(mock.url, (_body, i) =>
      i >= 10 ? { status: 429, headers: { 'retry-after': '3600' } } : 'forward',
    );
    server = p.server;
    const transport = new Transport({
      maxRequests: 20_000,
      maxBadCredentialAttempts: 100,
      ratePerSecond: 1_000_000,
      timeoutMs: 2_000,
    });
    const run = await runConformance({
      target: behind(await targetOfMock(mock, 'rfc6749'), mock.url, p.url),
      seed: 1,
      numRuns: 1,
      transport,
    });
    expect(p.seen()).toBe(11);
    expect(transport.requests).toBe(11);
    expect(run.interrupted).toMatch(
      /answered 429 with Retry-After 3600, longer than the run can afford \(60 s\): stopped without further requests/,
    );
    expect(run.exitCode).toBe(4);
    expect(run.verdict).toBe('INCOMPLETE');
    expect(run.incomplete![0]).toMatch(/^the run stopped before its plan was done/);
    expect(run.results.find((r) => r.suite === 'refresh' && r.check === 'TE-G2')?.message).toMatch(/^not run: /);
  }, 30_000);
});

describe('no scenario crashes the run', () => {
  it('an internal error in one scenario is reported with its exchanges; its checks are untested; the run goes on', async () => {
    mock = await startMock({ flavour: 'portal', journal: { enabled: false } });
    const target = await targetOfMock(mock, 'rfc6749');
    const broken: Target = {
      ...target,
      mock: {
        ...target.mock!,
        addUser: () => {
          throw new Error('cannot add a user here');
        },
      },
    };
    const run = await runConformance({ target: broken, seed: 1, numRuns: 1 });
    expect(run.scenarioErrors).toEqual([
      expect.objectContaining({ suite: 'grant', scenario: 'utf8-password', message: 'cannot add a user here' }),
    ]);
    expect(run.results.find((r) => r.check === 'TE-E7')).toMatchObject({
      status: 'skip',
      skipKind: 'untested',
      message: 'the utf8-password scenario failed with an internal error: cannot add a user here',
    });
    expect(run.results.find((r) => r.suite === 'stateful' && r.check === 'TE-S1')?.status).toBe('pass');
    expect(run.exitCode).toBe(4);
    expect(run.incomplete?.some((l) => l.startsWith('grant/utf8-password failed with an internal error'))).toBe(true);
  });
});
