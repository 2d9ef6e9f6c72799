import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JournalVerificationError, loadConfigFile, startMock, type RunningMock } from '../../mocks/index.js';
import { fingerprint } from '../../src/util/redact.js';
import { http, postForm } from '../support/http.js';

const CC = {
  grant_type: 'client_credentials',
  client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
  client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
};

let idp: RunningMock;
beforeAll(async () => {
  idp = await startMock({ flavour: 'infolink' });
});
afterAll(() => idp.close());
afterEach(() => idp.reset());

const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(method, `${idp.admin.url}${path}`, {
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    headers: { 'content-type': 'application/json', ...headers },
  });
const grant = () => postForm(idp.tokenEndpoint, CC);

describe('mock core: binding and start-up', () => {
  it('binds 127.0.0.1 on a free port by default', () => {
    expect(idp.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.config.host).toBe('127.0.0.1');
  });
});

describe('mock core: faults, observed from the client side', () => {
  it('latency (fixed)', async () => {
    await admin('POST', '/faults', { route: 'token', kind: 'latency', latencyMs: 150, when: { nextRequests: 1 } });
    const t0 = performance.now();
    expect((await grant()).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('latency (uniform random between two bounds, seeded)', async () => {
    await admin('POST', '/faults', {
      route: 'token',
      kind: 'latency',
      latencyMs: 60,
      latencyMaxMs: 160,
      when: { nextRequests: 3, seed: 3 },
    });
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      expect((await grant()).status).toBe(200);
      times.push(performance.now() - t0);
    }
    for (const t of times) expect(t).toBeGreaterThanOrEqual(55);
    expect(new Set(times.map((t) => Math.round(t / 10))).size).toBeGreaterThan(1);
  });

  it('status + body override, for the next N requests only', async () => {
    await admin('POST', '/faults', {
      kind: 'status',
      status: 503,
      body: '{"error":"temporarily_unavailable"}',
      when: { nextRequests: 2 },
    });
    const a = await grant();
    const b = await grant();
    const c = await grant();
    expect([a.status, b.status, c.status]).toEqual([503, 503, 200]);
    expect(a.text).toBe('{"error":"temporarily_unavailable"}');
  });

  it('truncated and malformed JSON', async () => {
    await admin('POST', '/faults', { kind: 'truncated-json', when: { nextRequests: 1 } });
    const t = await grant();
    expect(t.status).toBe(200);
    expect(() => JSON.parse(t.text)).toThrow();
    expect(t.text.startsWith('{"access_token":"')).toBe(true);
    await admin('POST', '/faults', { kind: 'malformed-json', when: { nextRequests: 1 } });
    const m = await grant();
    expect(() => JSON.parse(m.text)).toThrow();
  });

  it('wrong content type', async () => {
    await admin('POST', '/faults', { kind: 'wrong-content-type', when: { nextRequests: 1 } });
    const r = await grant();
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(JSON.parse(r.text).token_type).toBe('Bearer');
  });

  it('connection reset and empty response', async () => {
    await admin('POST', '/faults', { kind: 'connection-reset', when: { nextRequests: 1 } });
    const reset = await grant().catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(Error);
    expect(String((reset as Error & { code?: string }).code)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    await admin('POST', '/faults', { kind: 'empty-response', when: { nextRequests: 1 } });
    const empty = await grant().catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(errors.SocketError);
    expect((await grant()).status).toBe(200);
  });

  it("429 with Retry-After, in the flavour's error format", async () => {
    await admin('POST', '/faults', { kind: 'rate-limit', retryAfter: 7, when: { nextRequests: 1 } });
    const r = await grant();
    expect([r.status, r.headers['retry-after']]).toEqual([429, '7']);
    expect(r.json()).toEqual({ error_description: 'Too many requests', error: 'temporarily_unavailable' });
    const after = await postForm(idp.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: 'nope',
      client_secret: 'x',
    });
    expect([after.status, after.headers['retry-after']]).toEqual([401, undefined]);
  });

  it('with probability p, seeded: the same seed fails the same requests', async () => {
    const pattern = async () => {
      await admin('DELETE', '/faults');
      await admin('POST', '/faults', { kind: 'status', status: 500, when: { probability: 0.5, seed: 42 } });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await grant()).status);
      return out;
    };
    const first = await pattern();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  it('per route: a resource fault leaves the token endpoint alone; faults also come from config', async () => {
    const m = await startMock({ flavour: 'infolink', faults: [{ route: 'resource', kind: 'status', status: 502 }] });
    try {
      expect((await postForm(m.tokenEndpoint, CC)).status).toBe(200);
      expect((await http('POST', m.endpoints.resource!, { body: '{}' })).status).toBe(502);
    } finally {
      await m.close();
    }
  });
});

describe('mock core: clock, journal, tokens, clients and users over the admin API', () => {
  it('moves the clock: advance and set', async () => {
    const before = (await admin('GET', '/clock')).json().now as number;
    const after = (await admin('POST', '/clock', { advance: 3600 })).json().now as number;
    expect(after - before).toBeGreaterThanOrEqual(3600);
    expect((await admin('POST', '/clock', { set: 2_000_000_000 })).json().now).toBe(2_000_000_000);
    expect((await admin('POST', '/clock', { advance: 'soon' })).status).toBe(400);
  });

  it('journals requests with secrets redacted; filters; clears; can be switched off', async () => {
    await grant();
    await postForm(idp.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: 'x' });
    const all = (await admin('GET', '/requests')).json().requests as {
      form: [string, string][];
      grantType: string;
      clientId?: string;
      status: number;
    }[];
    expect(all).toHaveLength(2);
    expect(all[0]!.form).toContainEqual(['client_secret', `[redacted:${fingerprint(CC.client_secret)}]`]);
    expect(JSON.stringify(all)).not.toContain(CC.client_secret);
    const refreshes = (await admin('GET', '/requests?grant_type=refresh_token')).json().requests as unknown[];
    expect(refreshes).toHaveLength(1);
    expect((await admin('DELETE', '/requests')).status).toBe(204);
    expect((await admin('GET', '/requests')).json().requests).toEqual([]);
    const quiet = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    try {
      await postForm(quiet.tokenEndpoint, CC);
      expect(quiet.journal.find()).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it('counts and verifies requests, WireMock-style: journal.count / journal.verify and POST /__admin/requests/count', async () => {
    await admin('DELETE', '/requests');
    await grant();
    await grant();
    await postForm(idp.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(idp.journal.count({ grantType: 'client_credentials' })).toBe(2);
    expect((await admin('POST', '/requests/count', { grantType: 'refresh_token' })).json()).toEqual({
      enabled: true,
      count: 1,
    });
    expect((await admin('POST', '/requests/count', { route: 'token', method: 'POST' })).json().count).toBe(3);
    expect((await admin('POST', '/requests/count', { grant: 'x' })).status).toBe(400);
    expect(() => idp.journal.verify({ grantType: 'client_credentials' }, 2)).not.toThrow();
    expect(() => idp.journal.verify({ grantType: 'client_credentials' }, { atMost: 1 })).toThrow(
      JournalVerificationError,
    );
    expect(() => idp.journal.verify({ grantType: 'password' }, { atLeast: 1 })).toThrow(
      /expected at least 1 request\(s\) matching \{"grantType":"password"\}, received 0/,
    );
  });

  it('caps the journal', async () => {
    const small = await startMock({ flavour: 'infolink', journal: { maxEntries: 3 } });
    try {
      for (let i = 0; i < 5; i++) await postForm(small.tokenEndpoint, CC);
      expect(small.journal.find().map((e) => e.id)).toEqual([3, 4, 5]);
    } finally {
      await small.close();
    }
  });

  it('adds and removes clients and users at runtime; validates them', async () => {
    expect(
      (await admin('POST', '/clients', { clientId: 'c2', clientSecret: 's2', grants: ['client_credentials'] })).status,
    ).toBe(201);
    expect(
      (await postForm(idp.tokenEndpoint, { grant_type: 'client_credentials', client_id: 'c2', client_secret: 's2' }))
        .status,
    ).toBe(200);
    expect((await admin('DELETE', '/clients/c2')).status).toBe(204);
    expect(
      (await postForm(idp.tokenEndpoint, { grant_type: 'client_credentials', client_id: 'c2', client_secret: 's2' }))
        .status,
    ).toBe(401);
    const bad = await admin('POST', '/clients', { clientSecret: 'no id' });
    expect(bad.status).toBe(400);
    expect(bad.json().problems).toEqual(['/clientId: required member "clientId" is missing']);
    // In process, the same operation and the same refusal (what `idpc run --mock` uses for its second client).
    await expect(idp.addClient({ clientSecret: 'no id' })).rejects.toMatchObject({
      problems: ['/clientId: required member "clientId" is missing'],
    });
    expect(await idp.addClient({ clientId: 'c3', clientSecret: 's3', grants: ['client_credentials'] })).toMatchObject({
      clientId: 'c3',
      public: false,
      enabled: true,
    });
    expect(
      (await postForm(idp.tokenEndpoint, { grant_type: 'client_credentials', client_id: 'c3', client_secret: 's3' }))
        .status,
    ).toBe(200);
    expect((await admin('POST', '/users', { username: 'u2', password: 'p2' })).status).toBe(201);
    expect(
      (await postForm(idp.tokenEndpoint, { ...CC, grant_type: 'password', username: 'u2', password: 'p2' })).status,
    ).toBe(200);
    expect(JSON.stringify((await admin('GET', '/users')).json())).not.toContain('p2');
  });

  it('reports token state by fingerprint or value, never the token itself', async () => {
    const t = (await grant()).json();
    const list = (await admin('GET', '/tokens')).json();
    expect(JSON.stringify(list)).not.toContain(String(t.access_token));
    expect(list.access).toContainEqual(
      expect.objectContaining({ fingerprint: fingerprint(String(t.access_token)), state: 'active' }),
    );
    await admin('POST', '/clock', { advance: 1800 });
    expect((await http('GET', `${idp.admin.url}/tokens?value=${String(t.access_token)}`)).json().state).toBe('expired');
  });

  it('reset returns to the configured state', async () => {
    await admin('POST', '/users', { username: 'temp', password: 'x' });
    const t = (await grant()).json();
    expect((await admin('POST', '/reset')).status).toBe(204);
    expect(idp.context.users.has('temp')).toBe(false);
    expect((await idp.context.grants.lookupAccess(String(t.access_token))).state).toBe('unknown');
  });

  it('answers bad admin JSON with 400, not a 500', async () => {
    const r = await http('POST', `${idp.admin.url}/faults`, {
      body: '{nope',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
  });
});

describe('mock core: admin guard and switch', () => {
  it('requires the bearer token when configured', async () => {
    const guarded = await startMock({ flavour: 'portal', admin: { token: 'let-me-in' } });
    try {
      expect((await http('GET', `${guarded.admin.url}/health`)).status).toBe(401);
      expect(
        (await http('GET', `${guarded.admin.url}/health`, { headers: { authorization: 'Bearer wrong' } })).status,
      ).toBe(401);
      expect(
        (await http('GET', `${guarded.admin.url}/health`, { headers: { authorization: 'Bearer let-me-in' } })).status,
      ).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('disabled: /__admin is just another unknown path', async () => {
    const off = await startMock({ flavour: 'portal', admin: { enabled: false } });
    try {
      const r = await http('GET', `${off.url}/__admin/health`);
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    } finally {
      await off.close();
    }
  });
});

describe('mock core: configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idpc-config-'));

  it('reads YAML and JSON files, and reports what is wrong with its path', async () => {
    const yaml = join(dir, 'portal.yaml');
    writeFileSync(yaml, 'flavour: portal\ntokens:\n  accessTokenLifetime: 60\n');
    expect(await loadConfigFile(yaml)).toMatchObject({ tokens: { accessTokenLifetime: 60 } });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ flavour: 'portal', port: -1, clients: [{ secret: 'x' }] }));
    await expect(loadConfigFile(bad)).rejects.toThrow(
      /\/port: must be >= 0.*\/clients\/0\/clientId: required member "clientId" is missing|\/clients\/0/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    await expect(loadConfigFile(broken)).rejects.toThrow(/not valid JSON/);
    // One line that ends where the parser's code frame would begin.
    const brokenYaml = join(dir, 'broken.yaml');
    writeFileSync(brokenYaml, 'flavour: portal\nclients: [oops\n');
    await expect(loadConfigFile(brokenYaml)).rejects.toThrow(
      /^.*broken\.yaml: not valid YAML: .* at line \d+, column \d+$/,
    );
  });

  it('refuses an unknown preset and a bad option', async () => {
    await expect(startMock({ flavour: 'portal', preset: 'nope' })).rejects.toThrow(/no preset "nope"/);
    await expect(startMock({ flavour: 'portal', tokens: { accessTokenLifetime: 0 } })).rejects.toThrow(
      /accessTokenLifetime: must be >= 1/,
    );
  });

  it('applies lifetimes from config (expiry decided by the mock clock)', async () => {
    const m = await startMock({ flavour: 'infolink', tokens: { accessTokenLifetime: 60 } });
    try {
      const t = (await postForm(m.tokenEndpoint, CC)).json();
      expect(t.expires_in).toBe(60);
      m.clock.advance(61);
      expect(
        (
          await http('POST', m.endpoints.resource!, {
            body: '{}',
            headers: { authorization: `Bearer ${String(t.access_token)}` },
          })
        ).status,
      ).toBe(401);
    } finally {
      await m.close();
    }
  });
});

describe('mock config defaults', () => {
  it('every default the mock config schema states is the one a mock applies (core, each flavour section, clients, users)', async () => {
    const { readFileSync } = await import('node:fs');
    const { packageRoot } = await import('../../src/util/paths.js');
    const { MOCK_FLAVOURS, loadMock } = await import('../../mocks/index.js');
    const { resolveConfig, normaliseClient, normaliseUser } = await import('../../mocks/core/config.js');
    type Node = { default?: unknown; properties?: Record<string, Node>; $ref?: string };
    const read = (file: string) =>
      JSON.parse(readFileSync(join(packageRoot(), 'schemas', file), 'utf8')) as Node & { $defs: Record<string, Node> };
    const schema = read('config/mock-config.schema.json');
    // A flavour's section is a $ref to its own file (schemas/<flavour>/mock-config.schema.json).
    const sectionOf = (node: Node): Node => (node.$ref?.startsWith('../') ? read(node.$ref.slice(3)) : node);
    const defaults = (node: Node, path: string[] = []): [string[], unknown][] => [
      ...(node.default !== undefined && path.length ? [[path, node.default] as [string[], unknown]] : []),
      ...Object.entries(node.properties ?? {}).flatMap(([k, v]) => defaults(sectionOf(v), [...path, k])),
    ];
    const at = (v: unknown, path: string[]) =>
      path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], v);
    const stated = defaults(schema);
    expect(stated.length).toBeGreaterThan(10);
    for (const flavour of MOCK_FLAVOURS) {
      const resolved = resolveConfig(await loadMock(flavour), []);
      for (const [path, value] of stated) {
        // A flavour's own section is under extra; another flavour's section does not apply.
        if (MOCK_FLAVOURS.includes(path[0]!)) {
          if (path[0] === flavour) expect(at(resolved.extra, path), `${flavour}: ${path.join('.')}`).toEqual(value);
        } else if (path[0] !== flavour) expect(at(resolved, path), `${flavour}: ${path.join('.')}`).toEqual(value);
      }
    }
    for (const [path, value] of defaults(schema.$defs.client!))
      expect(at(normaliseClient({ clientId: 'c' }), path), `client.${path.join('.')}`).toEqual(value);
    for (const [path, value] of defaults(schema.$defs.user!))
      expect(at(normaliseUser({ username: 'u', password: 'p' }), path), `user.${path.join('.')}`).toEqual(value);
    const { REALM_DEFAULTS } = await import('../../mocks/keycloak/model.js');
    const realm = defaults(read('keycloak/mock-config.schema.json').$defs.realm!).filter(
      ([path]) => path[0] !== 'sessionLimit',
    );
    expect(realm.length).toBeGreaterThan(5);
    for (const [path, value] of realm)
      expect(at(REALM_DEFAULTS, path), `keycloak-realm.${path.join('.')}`).toEqual(value);
    const { ENVIRONMENT_DEFAULTS } = await import('../../mocks/portal/workshops.js');
    const environment = defaults(read('portal/mock-config.schema.json').$defs.environment!).filter(
      ([path]) => path[0] !== 'workshop',
    );
    expect(environment.map(([path]) => path.join('.')).sort()).toEqual(Object.keys(ENVIRONMENT_DEFAULTS).sort());
    for (const [path, value] of environment)
      expect(at(ENVIRONMENT_DEFAULTS, path), `portal-environment.${path.join('.')}`).toEqual(value);
  });
});

describe('mock core: malformed HTTP', () => {
  it('answers an oversized body without a 5xx', async () => {
    const r = await http('POST', idp.tokenEndpoint, {
      body: `grant_type=client_credentials&x=${'a'.repeat(100_000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBeLessThan(500);
    expect(r.status).toBeGreaterThanOrEqual(400);
  });

  it('answers an unknown method', async () => {
    const r = await request(idp.tokenEndpoint, { method: 'PROPFIND' as 'GET' });
    expect(r.statusCode).toBe(405);
    await r.body.text();
  });
});

describe("oversized request headers get the flavour's own answer, not a bare 400", () => {
  it.each([
    ['keycloak', 431, ''],
    ['portal', 400, '<h1>Bad Request (400)</h1>'],
    ['rator', 400, /"error":"Bad Request"/],
    ['infolink', 431, /"error":"invalid_request"/],
  ] as const)('%s answers %i', async (flavour, status, body) => {
    const idp = await startMock({ flavour, journal: { enabled: false } });
    try {
      const r = await http('POST', idp.tokenEndpoint, {
        body: 'grant_type=password',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-padding': 'a'.repeat(20_000) },
      });
      expect(r.status).toBe(status);
      if (typeof body === 'string') expect(r.text).toBe(body);
      else expect(r.text).toMatch(body);
    } finally {
      await idp.close();
    }
  });
});

describe('admin token listings are paginated', () => {
  it('?limit= pages through access and refresh tokens with a cursor, every token exactly once', async () => {
    const m = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    try {
      const client = {
        client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
        client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
      };
      for (let i = 0; i < 7; i++) await postForm(m.tokenEndpoint, { grant_type: 'client_credentials', ...client });
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = (
          await http('GET', `${m.admin.url}/tokens?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
        ).json() as { access: { fingerprint: string }[]; refresh: { fingerprint: string }[]; next?: string };
        expect(page.access.length + page.refresh.length).toBeLessThanOrEqual(4);
        seen.push(...page.access.map((t) => `a:${t.fingerprint}`), ...page.refresh.map((t) => `r:${t.fingerprint}`));
        cursor = page.next;
        pages++;
      } while (cursor);
      expect(seen).toHaveLength(14);
      expect(new Set(seen).size).toBe(14);
      expect(pages).toBe(4);
    } finally {
      await m.close();
    }
  });
});
