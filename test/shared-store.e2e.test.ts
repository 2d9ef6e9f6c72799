/**
 * Replicas of one mock on a real Redis (test/support/redis.ts): tokens, rotation, reuse detection and the admin
 * clock hold across replicas A and B, and a lost Redis gives 503s, never a 500 or a token that was not stored.
 * Requests are built from each mock's own target description (targetOfMock), not per flavour.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMock, type MockConfigPatch, type RunningMock } from '../mocks/index.js';
import { startMockServer } from '../mocks/core/server.js';
import { mock as portalMock } from '../mocks/portal/index.js';
import { DOCUMENT_REALMS } from '../mocks/keycloak/presets.js';
import { targetOfMock } from '../src/runner/target.js';
import type { Target } from '../src/vocabulary/types.js';
import { RedisServer, redisMissing } from './support/redis.js';
import { runCli, startCli } from './support/cli.js';

const SHARING = ['portal', 'rator', 'infolink', 'keycloak'] as const;
/**
 * Rotation with reuse detection, whatever the preset: a used refresh token is spent at once (the core's refresh
 * policy; Keycloak's own realm policy, Revoke Refresh Token with a reuse count of 0).
 */
const ROTATE: Record<(typeof SHARING)[number], MockConfigPatch> = {
  portal: { refresh: { rotate: true, revokeOldRefreshToken: true, graceSeconds: 0, maxReuse: 0 } },
  rator: { refresh: { rotate: true, revokeOldRefreshToken: true, graceSeconds: 0, maxReuse: 0 } },
  infolink: { refresh: { rotate: true, revokeOldRefreshToken: true, graceSeconds: 0, maxReuse: 0 } },
  keycloak: {
    keycloak: {
      realms: DOCUMENT_REALMS.map((r) =>
        r.name === 'master' ? { ...r, revokeRefreshToken: true, refreshTokenMaxReuse: 0 } : r,
      ),
    },
  },
};
/** Beyond every access token's lifetime in every preset (Keycloak's 300 s, the portal's 10 h). */
const EXPIRE_ALL = 10 * 86_400;

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

/**
 * Replicas behind one load balancer see one Host: every request here carries replica A's, wherever it goes (Keycloak
 * takes its issuer from the Host, so a token minted "at A" is valid at B only if B is reached under the same name).
 */
let front = '';

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', host: front, ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await r.body.text();
  const status = r.statusCode;
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* an HTML or empty body */
  }
  return { status, json };
}

/** A password grant or a refresh at a replica, as its target description says to send them. */
function client(t: Target) {
  const c = t.clients.user!;
  const auth: Record<string, string> =
    c.auth === 'basic'
      ? { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret ?? ''}`).toString('base64')}` }
      : {};
  const inBody: Record<string, string> =
    c.auth === 'basic'
      ? {}
      : { client_id: c.clientId, ...(c.clientSecret && c.auth === 'post' ? { client_secret: c.clientSecret } : {}) };
  const user = t.operator && !t.user ? t.operator : t.user!;
  return {
    grant: () =>
      post(
        t.tokenUrl,
        { grant_type: 'password', username: user.username, password: user.password, ...t.extraParams, ...inBody },
        auth,
      ),
    refresh: (token: string) =>
      post(t.tokenUrl, { grant_type: 'refresh_token', refresh_token: token, ...t.extraParams, ...inBody }, auth),
    resource: async (token: string) => {
      const r = await request(t.resource!.url, {
        method: t.resource!.method as 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          host: front,
          ...t.resourceHeaders,
          ...(t.resource!.headers ?? {}),
        },
        ...(t.resource!.body ? { body: t.resource!.body } : {}),
      });
      await r.body.dump();
      return r.statusCode;
    },
  };
}

async function replicas(
  flavour: (typeof SHARING)[number],
  patch: MockConfigPatch = ROTATE[flavour],
  prefix = `t-${randomUUID().slice(0, 8)}`,
): Promise<[RunningMock, RunningMock]> {
  const store = { url: redis.url, prefix };
  const pair: [RunningMock, RunningMock] = [
    await startMock({ flavour, store }, patch),
    await startMock({ flavour, store }, patch),
  ];
  front = new URL(pair[0].url).host;
  return pair;
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
        atA = client(await targetOfMock(a, 'rfc6749'));
        atB = client(await targetOfMock(b, 'rfc6749'));
      });
      afterAll(async () => {
        await a?.close();
        await b?.close();
      });

      it("a token issued by A works at B's resource; B's refresh rotates it, so that A refuses the old refresh token", async () => {
        // Keycloak tells an older refresh token by its iat, in whole seconds (TokenManager.validateTokenReuse): steps 2 s apart.
        const later = (m: RunningMock) =>
          fetch(`${m.admin.url}/clock`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ advance: 2 }),
          });
        const issued = await atA.grant();
        expect(issued.status).toBe(200);
        expect(await atB.resource(String(issued.json.access_token))).toBe(200);
        await later(a);
        const refreshed = await atB.refresh(String(issued.json.refresh_token));
        expect(refreshed.status).toBe(200);
        expect(refreshed.json.refresh_token).not.toBe(issued.json.refresh_token);
        // The new one works at A; the old one, replayed at A, is refused (after the new one: a replay may end the grant).
        await later(b);
        expect((await atA.refresh(String(refreshed.json.refresh_token))).status).toBe(200);
        const replay = await atA.refresh(String(issued.json.refresh_token));
        expect(replay.status).toBeGreaterThanOrEqual(400);
        expect(replay.status).toBeLessThan(500);
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
        const r = await fetch(`${a.admin.url}/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ advance: EXPIRE_ALL }),
        });
        expect(r.status).toBe(200);
        expect(b.clock.now()).toBeLessThan(a.clock.now()); // B has not seen it until its next request
        expect(await atB.resource(token)).not.toBe(200);
        await fetch(`${a.admin.url}/reset`, { method: 'POST' });
        // The same through the in-process handle a test holds (idp.clock.advance), not only through /__admin. A's
        // write goes out on A's connection as the advance returns: B sees it within milliseconds (A's own next
        // request, on the same connection, always does), so B is asked until it does, for at most 2 s.
        const again = String((await atA.grant()).json.access_token);
        expect(await atB.resource(again)).toBe(200);
        a.clock.advance(EXPIRE_ALL);
        expect(await atA.resource(again)).not.toBe(200);
        const deadline = Date.now() + 2_000;
        let status = await atB.resource(again);
        while (status === 200 && Date.now() < deadline) status = await atB.resource(again);
        expect(status).not.toBe(200);
        await fetch(`${a.admin.url}/reset`, { method: 'POST' });
      });
    });
  }

  it('Redis lost mid-load: 503 temporarily_unavailable, never a 500; every token handed out validates once it is back', async () => {
    const [a, b] = await replicas('portal');
    const atA = client(await targetOfMock(a, 'rfc6749'));
    const atB = client(await targetOfMock(b, 'rfc6749'));
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

  it("Redis paused (SIGSTOP) under load: every request, admin and health included, is answered within store.timeoutMs + 1 s with the flavour's 503 and Retry-After; one log line each way; back within 2 s of SIGCONT", async () => {
    const timeoutMs = 600;
    const store = { url: redis.url, prefix: `t-${randomUUID().slice(0, 8)}`, timeoutMs };
    const logged: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        if (String(chunk).includes('idpc mock: store')) logged.push(String(chunk));
        return write(chunk, ...(rest as []));
      });
    const pair = [
      await startMock({ flavour: 'keycloak', store }, ROTATE.keycloak),
      await startMock({ flavour: 'keycloak', store }, ROTATE.keycloak),
    ];
    front = new URL(pair[0]!.url).host;
    const targets = await Promise.all(pair.map((m) => targetOfMock(m, 'rfc6749')));
    const at = targets.map(client);
    const timed = async (send: () => Promise<{ status: number; retryAfter?: string; error?: unknown }>) => {
      const started = performance.now();
      const r = await send();
      return { ...r, ms: performance.now() - started };
    };
    const token = (i: number) =>
      timed(async () => {
        const t = targets[i % 2]!;
        const c = t.clients.user!;
        const r = await request(t.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', host: front },
          body: new URLSearchParams({
            grant_type: 'password',
            username: t.user!.username,
            password: t.user!.password,
            client_id: c.clientId,
            ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
          }).toString(),
          headersTimeout: 30_000,
        });
        const body = (await r.body.json().catch(() => ({}))) as { error?: unknown };
        return { status: r.statusCode, retryAfter: r.headers['retry-after'] as string | undefined, error: body.error };
      });
    const admin = (i: number, path: string) =>
      timed(async () => {
        const r = await request(`${pair[i % 2]!.admin.url}${path}`, { headersTimeout: 30_000 });
        await r.body.dump();
        return { status: r.statusCode, retryAfter: r.headers['retry-after'] as string | undefined };
      });
    try {
      expect((await at[0]!.grant()).status).toBe(200);
      redis.pause();
      // 40 token requests and 10 admin reads in flight at once, over both replicas, while Redis hangs.
      const during = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => token(i)),
        ...Array.from({ length: 10 }, (_, i) => admin(i, '/clock')),
      ]);
      for (const r of during) {
        expect(r.ms).toBeLessThan(timeoutMs + 1_000);
        expect(r.status).toBe(503);
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      }
      expect(new Set(during.filter((r) => r.error !== undefined).map((r) => r.error))).toEqual(
        new Set(['temporarily_unavailable']),
      );
      const health = await request(`${pair[0]!.admin.url}/health`);
      expect(health.statusCode).toBe(503);
      expect(((await health.body.json()) as { store: { reachable: boolean } }).store.reachable).toBe(false);
      redis.unpause();
      const resumed = performance.now();
      let back = 0;
      while (performance.now() - resumed < 5_000) {
        const both = await Promise.all([token(0), token(1)]);
        if (both.every((r) => r.status === 200)) {
          back = performance.now() - resumed;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(back).toBeGreaterThan(0);
      expect(back).toBeLessThan(2_000);
      expect((await request(`${pair[1]!.admin.url}/health`)).statusCode).toBe(200);
      // Per replica: one line when it was lost, one when it was back.
      expect(logged.filter((l) => /unreachable/.test(l))).toHaveLength(2);
      expect(logged.filter((l) => /reachable again/.test(l))).toHaveLength(2);
    } finally {
      redis.unpause();
      spy.mockRestore();
      for (const m of pair) await m.close();
    }
  });

  it("the control plane is one: a fault and a client planted at A hold at B; the journal and a reset are all replicas'", async () => {
    const [a, b] = await replicas('portal');
    const admin = (m: RunningMock, method: string, path: string, body?: unknown) =>
      fetch(`${m.admin.url}${path}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    const atA = client(await targetOfMock(a, 'rfc6749'));
    const atB = client(await targetOfMock(b, 'rfc6749'));
    try {
      // "The next 3 token requests" fail with 503: three in all, whichever replica serves them.
      expect(
        (await admin(a, 'POST', '/faults', { route: 'token', kind: 'status', status: 503, when: { nextRequests: 3 } }))
          .status,
      ).toBe(201);
      const statuses = [];
      for (const at of [atB, atA, atB, atA, atB]) statuses.push((await at.grant()).status);
      expect(statuses).toEqual([503, 503, 503, 200, 200]);
      // A client added at A authenticates at B.
      expect(
        (
          await admin(a, 'POST', '/clients', {
            clientId: 'added-at-a',
            clientSecret: 'secret-a',
            grants: ['password', 'refresh_token'],
          })
        ).status,
      ).toBe(201);
      const t = await targetOfMock(b, 'rfc6749');
      const user = t.user!;
      const viaNew = await post(
        t.tokenUrl,
        { grant_type: 'password', username: user.username, password: user.password },
        { authorization: `Basic ${Buffer.from('added-at-a:secret-a').toString('base64')}` },
      );
      expect(viaNew.status).toBe(200);
      // One journal: B lists the requests A served.
      const journal = (await (await admin(b, 'GET', '/requests?route=token')).json()) as {
        requests: { status: number }[];
      };
      expect(journal.requests.map((r) => r.status)).toEqual([503, 503, 503, 200, 200, 200]);
      expect(JSON.stringify(journal)).not.toContain('secret-a');
      // Nor does the store itself hold the secrets: entries are redacted as they are written.
      const stored = JSON.stringify(await a.context.grants.store.items('journal'));
      expect(stored).toContain('added-at-a');
      for (const secret of ['secret-a', user.password, (await targetOfMock(a, 'rfc6749')).clients.user!.clientSecret!])
        expect(stored).not.toContain(secret);
      // A reset at B ends A's tokens and A's client, at A.
      const before = await atA.grant();
      expect((await admin(b, 'POST', '/reset')).status).toBe(204);
      expect(await atA.resource(String(before.json.access_token))).not.toBe(200);
      expect(
        (
          await post(
            a.tokenEndpoint,
            { grant_type: 'password', username: user.username, password: user.password },
            { authorization: `Basic ${Buffer.from('added-at-a:secret-a').toString('base64')}` },
          )
        ).status,
      ).toBe(401);
      // The journal starts again too: the two requests since the reset, numbered on from one store-wide counter.
      const after = (
        (await (await admin(a, 'GET', '/requests')).json()) as { requests: { id: number; route: string }[] }
      ).requests;
      expect(after.map((r) => r.route)).toEqual(['resource', 'token']);
      expect(after[1]!.id).toBeGreaterThan(after[0]!.id);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('configured faults survive admin changes at any replica: after a user and a client are added at A, A and B both still apply them; passwords reach the store only hashed', async () => {
    const faults = [
      { route: 'token', kind: 'latency' as const, latencyMs: 400, when: { always: true } },
      { route: 'resource', kind: 'status' as const, status: 418, when: { always: true } },
    ];
    const [a, b] = await replicas('portal', { ...ROTATE.portal, faults });
    const admin = (m: RunningMock, method: string, path: string, body?: unknown) =>
      fetch(`${m.admin.url}${path}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
    const timedGrant = async (at: ReturnType<typeof client>) => {
      const started = performance.now();
      const r = await at.grant();
      return { status: r.status, ms: performance.now() - started, token: String(r.json.access_token) };
    };
    try {
      expect((await admin(a, 'POST', '/users', { username: 'added-user', password: 'pw-added-at-a-9f3' })).status).toBe(
        201,
      );
      expect(
        (
          await admin(a, 'POST', '/clients', {
            clientId: 'added-client',
            clientSecret: 'secret-added-at-a',
            grants: ['password'],
          })
        ).status,
      ).toBe(201);
      for (const m of [a, b, a, b]) {
        const at = client(await targetOfMock(m, 'rfc6749'));
        const g = await timedGrant(at);
        expect(g.status).toBe(200);
        expect(g.ms).toBeGreaterThanOrEqual(390);
        expect(await at.resource(g.token)).toBe(418);
        const listed = (await (await admin(m, 'GET', '/faults')).json()) as { kind: string }[];
        expect(listed.map((f) => f.kind).sort()).toEqual(['latency', 'status']);
      }
      // The user added at A logs in at B, which knows it only by the hash in the control document.
      const t = await targetOfMock(b, 'rfc6749');
      const viaB = await post(
        t.tokenUrl,
        { grant_type: 'password', username: 'added-user', password: 'pw-added-at-a-9f3' },
        { authorization: `Basic ${Buffer.from('added-client:secret-added-at-a').toString('base64')}` },
      );
      expect(viaB.status).toBe(200);
      const wrong = await post(
        t.tokenUrl,
        { grant_type: 'password', username: 'added-user', password: 'pw-added-at-a-9f4' },
        { authorization: `Basic ${Buffer.from('added-client:secret-added-at-a').toString('base64')}` },
      );
      expect(wrong.status).toBe(400);
      const everything = JSON.stringify(await a.store.getDoc('control'));
      expect(everything).toContain('added-user');
      expect(everything).toContain('passwordHash');
      for (const password of ['pw-added-at-a-9f3', t.user!.password]) expect(everything).not.toContain(password);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('Keycloak: the session limit holds across replicas (five logins over A and B, the sixth denied at either)', async () => {
    const [a, b] = await replicas('keycloak', { preset: 'ocp-iam' });
    try {
      const login = (m: RunningMock) =>
        post(
          m.tokenEndpoint,
          { grant_type: 'password', client_id: 'ocp', username: 'ocp-user', password: 'ocp-password' },
          { accept: 'application/json' },
        );
      const five = await Promise.all([a, b, a, b, a].map(login));
      expect(five.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect((await login(b)).status).toBe(403);
      expect((await login(a)).status).toBe(403);
      // A logout at B frees a place at A.
      const out = await post(b.endpoints.logout!, {
        client_id: 'ocp',
        refresh_token: String(five[0]!.json.refresh_token),
      });
      expect(out.status).toBe(204);
      expect((await login(a)).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('Keycloak: the technical user printed by one replica refreshes at the other', async () => {
    const [a, b] = await replicas('keycloak', { preset: 'v12-23' });
    try {
      const [ta] = a.startup.technicalUsers as {
        clientId: string;
        clientSecret: string;
        refreshToken: string;
        tokenEndpoint: string;
      }[];
      const [tb] = b.startup.technicalUsers as (typeof ta)[];
      expect(tb).toEqual(ta);
      const r = await post(b.tokenEndpoint.replace('/realms/master/', '/realms/wallis/'), {
        grant_type: 'refresh_token',
        client_id: ta!.clientId,
        client_secret: ta!.clientSecret,
        refresh_token: ta!.refreshToken,
      });
      expect(r.status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('Keycloak: a technical user created through /__admin at one replica authenticates and refreshes at the other', async () => {
    const [a, b] = await replicas('keycloak', { preset: 'v12-23' });
    try {
      const made = await fetch(`${a.admin.url}/flavour/technical-users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ realm: 'wallis', name: 'run-time-user' }),
      });
      expect(made.status).toBe(201);
      const t = (await made.json()) as {
        clientId: string;
        clientSecret: string;
        refreshToken: string;
        tokenEndpoint: string;
      };
      const atB = t.tokenEndpoint.replace(a.url, b.url);
      const refreshed = await post(atB, {
        grant_type: 'refresh_token',
        client_id: t.clientId,
        client_secret: t.clientSecret,
        refresh_token: t.refreshToken,
      });
      expect(refreshed.status, JSON.stringify(refreshed.json)).toBe(200);
      // Its secret is checked at B as at A: a wrong one is refused there too.
      const wrong = await post(atB, {
        grant_type: 'refresh_token',
        client_id: t.clientId,
        client_secret: 'wrong',
        refresh_token: t.refreshToken,
      });
      expect(wrong.status).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a flavour with state of its own elsewhere (sharesStore unset) refuses a shared store in one line', async () => {
    await expect(
      startMockServer({ ...portalMock, sharesStore: false }, [{ store: { url: redis.url } }]),
    ).rejects.toThrow(/keeps its state in this process only/);
  });

  it('idpc mock F --replicas 2: one port, one IdP over fresh connections (round-robin to both processes), all stopped by one SIGTERM', async () => {
    const mock = await startCli([
      'mock',
      'portal',
      '--store',
      redis.url,
      '--store-prefix',
      `cli-${randomUUID().slice(0, 8)}`,
      '--replicas',
      '2',
      '--json',
    ]);
    const pids = mock.info.pids as number[];
    try {
      expect(mock.info.replicas).toBe(2);
      expect(pids).toHaveLength(2);
      front = new URL(String(mock.info.url)).host;
      const endpoints = mock.info.endpoints as Record<string, string>;
      const [c] = mock.info.clients as { clientId: string; clientSecret: string }[];
      const [u] = mock.info.users as { username: string; password: string }[];
      const basic = {
        authorization: `Basic ${Buffer.from(`${c!.clientId}:${c!.clientSecret}`).toString('base64')}`,
        connection: 'close',
      };
      let refresh = String(
        (await post(endpoints.token!, { grant_type: 'password', username: u!.username, password: u!.password }, basic))
          .json.refresh_token,
      );
      // Each request on a new connection: the primary hands them to the replicas in turn, and the chain still holds.
      for (let i = 0; i < 6; i++) {
        const r = await post(endpoints.token!, { grant_type: 'refresh_token', refresh_token: refresh }, basic);
        expect(r.status).toBe(200);
        refresh = String(r.json.refresh_token);
      }
    } finally {
      expect(await mock.stop()).toBe(0);
    }
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids.filter(alive)).toEqual([]);
    // Each replica says what it answered: both served some of the seven requests (the round-robin is real).
    const answered = [...mock.stderr().matchAll(/stopped; answered (\d+) of/g)].map((m) => Number(m[1]));
    expect(answered).toHaveLength(2);
    expect(answered.every((n) => n > 0)).toBe(true);
    expect(answered.reduce((a, n) => a + n, 0)).toBe(7);
  });

  it('a replica killed under load (SIGKILL, 3 times): no client waits; what it had not taken is answered by another; a replacement serves', async () => {
    const mock = await startCli([
      'mock',
      'portal',
      '--store',
      redis.url,
      '--store-prefix',
      `kill-${randomUUID().slice(0, 8)}`,
      '--replicas',
      '2',
      '--json',
    ]);
    try {
      const endpoints = mock.info.endpoints as Record<string, string>;
      const [c] = mock.info.clients as { clientId: string; clientSecret: string }[];
      const [u] = mock.info.users as { username: string; password: string }[];
      const form = new URLSearchParams({
        grant_type: 'password',
        username: u!.username,
        password: u!.password,
      }).toString();
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${c!.clientId}:${c!.clientSecret}`).toString('base64')}`,
        connection: 'close',
      };
      const outcomes: { ms: number; status?: number; error?: string }[] = [];
      let running = true;
      // Fresh connections, 6 at a time, each bounded at 8 s: one that hangs shows as UND_ERR_HEADERS_TIMEOUT.
      const load = Array.from({ length: 6 }, async () => {
        while (running) {
          const started = performance.now();
          try {
            const r = await request(endpoints.token!, {
              method: 'POST',
              headers,
              body: form,
              headersTimeout: 8_000,
              bodyTimeout: 8_000,
            });
            await r.body.dump();
            outcomes.push({ ms: performance.now() - started, status: r.statusCode });
          } catch (e) {
            const err = e as Error & { code?: string };
            outcomes.push({ ms: performance.now() - started, error: err.code ?? err.message });
          }
        }
      });
      const killed: number[] = [];
      for (let round = 0; round < 3; round++) {
        await new Promise((r) => setTimeout(r, 600));
        // The replicas now: the ones printed at start, or their replacements (named in "starting another" lines).
        const started = [
          ...(mock.info.pids as number[]),
          ...[...mock.stderr().matchAll(/starting another \(pid (\d+)\)/g)].map((m) => Number(m[1])),
        ];
        const alive = started.filter(
          (pid) =>
            !killed.includes(pid) &&
            (() => {
              try {
                process.kill(pid, 0);
                return true;
              } catch {
                return false;
              }
            })(),
        );
        if (alive[0] === undefined) break;
        process.kill(alive[0], 'SIGKILL');
        killed.push(alive[0]);
      }
      await new Promise((r) => setTimeout(r, 1_500));
      running = false;
      await Promise.all(load);
      const hung = outcomes.filter((o) => o.error === 'UND_ERR_HEADERS_TIMEOUT' || o.ms > 5_000);
      expect(hung, JSON.stringify(hung)).toEqual([]);
      expect(killed).toHaveLength(3);
      expect(mock.stderr()).toMatch(/exited \(SIGKILL\); starting another/);
      // Served before and after the kills; a request the dead replica was answering may fail fast, never hang.
      expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(20);
      expect(outcomes.slice(-6).every((o) => o.status === 200)).toBe(true);
      process.stderr.write(
        `replica kills: ${killed.length}, ${outcomes.length} requests, ${outcomes.filter((o) => o.error).length} failed fast (${[...new Set(outcomes.filter((o) => o.error).map((o) => o.error))].join(', ')}), slowest ${Math.max(...outcomes.map((o) => o.ms)).toFixed(0)} ms\n`,
      );
    } finally {
      await mock.stop();
    }
  }, 60_000);

  it('--replicas without a shared store, or a store that is not there: one line, no stack, the right exit code', async () => {
    const memory = await runCli(['mock', 'portal', '--replicas', '2'], process.env);
    expect(memory.code).toBe(2);
    expect(memory.stderr.trim().split('\n')).toHaveLength(1);
    expect(memory.stderr).toMatch(/--replicas needs a shared store/);
    const gone = await runCli(['mock', 'portal', '--store', 'redis://127.0.0.1:1/0'], process.env);
    expect(gone.code).toBe(3);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toMatch(/cannot reach the store redis:\/\/127\.0\.0\.1:1\/0/);
  });

  it('idpc run --mock F --store redis://… gives the verdict and the per-check statuses of the in-memory run', async () => {
    const outcome = async (extra: string[]) => {
      const r = await runCli(['run', '--mock', SHARING.join(','), '--seed', '3', '--json', ...extra], process.env);
      expect(r.code, r.stderr).not.toBe(70);
      const report = JSON.parse(r.stdout) as {
        runs: {
          verdict: string;
          requests: number;
          results: { suite: string; check: string; variant?: string; status: string }[];
        }[];
      };
      return {
        code: r.code,
        runs: report.runs.map((run) => ({
          verdict: run.verdict,
          requests: run.requests,
          results: run.results.map((x) => `${x.suite}:${x.check}:${x.variant ?? ''}=${x.status}`),
        })),
      };
    };
    const memory = await outcome([]);
    const shared = await outcome(['--store', redis.url]);
    expect(memory.runs.map((r) => r.verdict)).toEqual(SHARING.map(() => 'CONFORMS'));
    expect(shared).toEqual(memory);
  });

  it('a failure found on a shared store is recorded with it, and idpc replay repeats it there once the store is named again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idpc-store-replay-'));
    const mockConfig = join(dir, 'no-cache.json');
    writeFileSync(mockConfig, JSON.stringify({ flavour: 'infolink', plantedDeviations: { noCacheControl: true } }));
    const first = await runCli(
      [
        'run',
        '--mock',
        'infolink',
        '--mock-config',
        mockConfig,
        '--store',
        redis.url,
        '--seed',
        '2',
        '--report-dir',
        dir,
      ],
      process.env,
    );
    expect(first.code, first.stderr).toBe(1);
    const recorded = JSON.parse(readFileSync(join(dir, 'idpc-failures.json'), 'utf8')) as {
      store?: string;
      failures: { check: string }[];
    };
    expect(recorded.store).toBe(redis.url);
    expect(recorded.failures.map((f) => f.check)).toContain('grant:TE-C13');
    // A failure file does not choose the store a replay connects to: without --store (or IDPC_STORE) it is refused.
    const { IDPC_STORE: _unset, ...withoutStore } = process.env;
    const unnamed = await runCli(['replay', join(dir, 'idpc-failures.json'), '--report-dir', dir], withoutStore);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/connects to a store only when you name it/);
    expect(unnamed.stdout).not.toMatch(/FIXED|FAILING/);
    const replay = await runCli(
      ['replay', join(dir, 'idpc-failures.json'), '--report-dir', dir, '--store', redis.url],
      process.env,
    );
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toContain('x STILL FAILING  infolink grant:TE-C13');
    const report = JSON.parse(readFileSync(join(dir, 'replay', 'idpc-report.json'), 'utf8')) as {
      runs: { reproduce: string }[];
    };
    expect(report.runs[0]!.reproduce).toContain(`--store ${redis.url}`);
  });
});
