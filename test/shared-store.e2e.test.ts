/**
 * Replicas of one mock on a real Redis (test/support/redis.ts): tokens, rotation, reuse detection and the admin
 * clock hold across replicas A and B, and a lost Redis gives 503s, never a 500 or a token that was not stored.
 * Requests are built from each mock's own target description (targetOfMock), not per flavour.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { targetOfMock } from '../src/runner/target.js';
import type { Target } from '../src/runner/types.js';
import { RedisServer, redisMissing } from './support/redis.js';
import { runCli } from './support/cli.js';

const SHARING = ['portal', 'rator', 'infolink'] as const;
/** Rotation with reuse detection, whatever the preset: a used refresh token is spent at once. */
const ROTATE = { refresh: { rotate: true, revokeOldRefreshToken: true, graceSeconds: 0, maxReuse: 0 } };

let redis: RedisServer;
beforeAll(async () => {
  if (!redisMissing) redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* an HTML or empty body */
  }
  return { status: r.status, json };
}

/** A password grant or a refresh at a replica, as its target description says to send them. */
function client(t: Target) {
  const c = t.clients.user!;
  const auth: Record<string, string> = c.auth === 'basic' ? { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret ?? ''}`).toString('base64')}` } : {};
  const inBody: Record<string, string> = c.auth === 'basic' ? {} : { client_id: c.clientId, ...(c.clientSecret && c.auth === 'post' ? { client_secret: c.clientSecret } : {}) };
  const user = t.operator && !t.user ? t.operator : t.user!;
  return {
    grant: () => post(t.tokenUrl, { grant_type: 'password', username: user.username, password: user.password, ...t.extraParams, ...inBody }, auth),
    refresh: (token: string) => post(t.tokenUrl, { grant_type: 'refresh_token', refresh_token: token, ...t.extraParams, ...inBody }, auth),
    resource: async (token: string) => (await fetch(t.resource!.url, { method: t.resource!.method, headers: { authorization: `Bearer ${token}`, ...t.resourceHeaders, ...(t.resource!.headers ?? {}) }, ...(t.resource!.body ? { body: t.resource!.body } : {}) })).status,
  };
}

async function replicas(flavour: (typeof SHARING)[number], prefix = `t-${randomUUID().slice(0, 8)}`): Promise<[RunningMock, RunningMock]> {
  const store = { url: redis.url, prefix };
  return [await startMock({ flavour, store, ...ROTATE }), await startMock({ flavour, store, ...ROTATE })];
}

describe.skipIf(!!redisMissing)(`replicas on one Redis${redisMissing ? ` (skipped: ${redisMissing})` : ''}`, () => {
  for (const flavour of SHARING) {
    describe(flavour, () => {
      let a: RunningMock;
      let b: RunningMock;
      let atA: ReturnType<typeof client>;
      let atB: ReturnType<typeof client>;
      beforeAll(async () => {
        [a, b] = await replicas(flavour);
        atA = client(targetOfMock(a, 'rfc6749'));
        atB = client(targetOfMock(b, 'rfc6749'));
      });
      afterAll(async () => {
        await a?.close();
        await b?.close();
      });

      it("a token issued by A works at B's resource; B's refresh rotates it, so that A refuses the old refresh token", async () => {
        const issued = await atA.grant();
        expect(issued.status).toBe(200);
        expect(await atB.resource(String(issued.json.access_token))).toBe(200);
        const refreshed = await atB.refresh(String(issued.json.refresh_token));
        expect(refreshed.status).toBe(200);
        expect(refreshed.json.refresh_token).not.toBe(issued.json.refresh_token);
        expect((await atA.refresh(String(issued.json.refresh_token))).status).toBeGreaterThanOrEqual(400);
        expect((await atA.refresh(String(refreshed.json.refresh_token))).status).toBe(200);
      });

      it('100 parallel refreshes of one token over both replicas: exactly one succeeds, the rest are refused, none fails', async () => {
        const issued = await atA.grant();
        const token = String(issued.json.refresh_token);
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? atA : atB).refresh(token)));
        const statuses = answers.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect(statuses.filter((s) => s !== 200 && (s < 400 || s >= 500))).toEqual([]);
      });

      it('a clock advance on A expires tokens at B', async () => {
        const issued = await atA.grant();
        const token = String(issued.json.access_token);
        expect(await atB.resource(token)).toBe(200);
        const r = await fetch(`${a.admin.url}/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: a.config.tokens.accessTokenLifetime + 1 }) });
        expect(r.status).toBe(200);
        expect(b.clock.now()).toBeLessThan(a.clock.now()); // B has not seen it until its next request
        expect(await atB.resource(token)).not.toBe(200);
        await fetch(`${a.admin.url}/reset`, { method: 'POST' });
      });
    });
  }

  it('Redis lost mid-load: 503 temporarily_unavailable, never a 500; every token handed out validates once it is back', async () => {
    const [a, b] = await replicas('portal');
    const atA = client(targetOfMock(a, 'rfc6749'));
    const atB = client(targetOfMock(b, 'rfc6749'));
    try {
      const answers: Answer[] = [];
      let stop = false;
      const load = (async () => {
        for (let i = 0; !stop; i++) answers.push(await (i % 2 ? atA : atB).grant());
      })();
      await new Promise((r) => setTimeout(r, 150));
      await redis.stop();
      await new Promise((r) => setTimeout(r, 300));
      await redis.resume();
      // Back within the client's reconnect backoff (at most 1 s).
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && (await atA.grant()).status !== 200) await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await load;
      const statuses = new Set(answers.map((r) => r.status));
      expect([...statuses].sort()).toEqual([200, 503]);
      expect(answers.find((r) => r.status === 503)!.json.error).toBe('temporarily_unavailable');
      // Redis ran without persistence: what it held before the loss is gone, so only tokens issued after it count.
      const after = answers.slice(answers.findLastIndex((r) => r.status === 503) + 1);
      expect(after.length).toBeGreaterThan(0);
      for (const r of after) expect(await atB.resource(String(r.json.access_token))).toBe(200);
      expect((await atB.grant()).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a flavour with state of its own (Keycloak sessions) refuses a shared store in one line', async () => {
    await expect(startMock({ flavour: 'keycloak', store: { url: redis.url } })).rejects.toThrow(/keeps its state in this process only/);
  });

  it('idpc run --mock F --store redis://… gives the verdict and the per-check statuses of the in-memory run', async () => {
    const outcome = async (extra: string[]) => {
      const r = await runCli(['run', '--mock', SHARING.join(','), '--seed', '3', '--json', ...extra], process.env);
      const report = JSON.parse(r.stdout) as { runs: { verdict: string; requests: number; results: { suite: string; check: string; variant?: string; status: string }[] }[] };
      return { code: r.code, runs: report.runs.map((run) => ({ verdict: run.verdict, requests: run.requests, results: run.results.map((x) => `${x.suite}:${x.check}:${x.variant ?? ''}=${x.status}`) })) };
    };
    const memory = await outcome([]);
    const shared = await outcome(['--store', redis.url]);
    expect(memory.runs.map((r) => r.verdict)).toEqual(['CONFORMS', 'CONFORMS', 'CONFORMS']);
    expect(shared).toEqual(memory);
  });
});
