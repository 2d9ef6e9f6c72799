import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { registry } from '../../src/schemas/registry.js';
import { fingerprint } from '../../src/util/redact.js';
import { isLoopback, normaliseUser } from './config.js';
import type { FaultSpec } from './faults.js';
import type { JournalFilter } from './journal.js';
import { StoreUnavailable } from './grant-store.js';
import type { MockHandle } from './handle.js';

const MOCK_CONFIG = 'https://idp-conformance.dev/schemas/config/mock-config.schema.json';

/** Validates an admin payload against a part of the mock-config schema; answers 400 with the paths if it is wrong. */
function checked(res: Response, def: string, value: unknown): boolean {
  const result = registry().validateRef(`${MOCK_CONFIG}#/$defs/${def}`, value);
  if (result.valid) return true;
  res
    .status(400)
    .json({ error: 'invalid_request', problems: result.errors.map((e) => `${e.path || '/'}: ${e.message}`) });
  return false;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Without a token, what a web page in the tester's browser could do to a mock on localhost is refused (why, or
 * undefined): a change whose body is not JSON (a cross-site form can send only form, multipart or text bodies, and
 * a JSON one needs a CORS preflight the mock never grants), a change a browser marks as coming from another site
 * (Origin, Sec-Fetch-Site), and on a loopback mock any request naming a host that is not loopback (DNS rebinding:
 * the page's own name, resolved to 127.0.0.1). A token, or an explicitly open admin plane, lifts the host rule.
 */
function browserReach(req: Request, open: boolean): string | undefined {
  if (!open) {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopback(host))
      return `Host ${host || '(none)'} is not this machine: without an admin token, /__admin answers only to localhost, 127.0.0.1 or [::1]`;
  }
  if (!CHANGES.has(req.method)) return undefined;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (
    (site && site !== 'same-origin' && site !== 'none') ||
    (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
  ) {
    return 'a change from another site (Origin / Sec-Fetch-Site): without an admin token, only same-origin or non-browser clients may change the mock';
  }
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? ''))
    return 'a change with a body must be Content-Type: application/json (or carry the admin token)';
  return undefined;
}

/** The guard before every route: the admin token (or same-origin reach), JSON bodies, health, the replicas' sync. */
function guarded(app: express.Express, mock: MockHandle): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const token = mock.config.admin.token;
    if (!token) {
      const refused = browserReach(req, mock.config.admin.allowUnauthenticated === true);
      return refused ? void res.status(403).json({ error: 'forbidden', problems: [refused] }) : next();
    }
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (given && sameSecret(given, token)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer realm="idpc-admin"').json({ error: 'unauthorized' });
  });
  app.use(express.json({ limit: '256kb' }));
  // Before the sync below: a health check must answer when the store does not. 503 while the store is lost, so a
  // load balancer takes this replica out instead of sending it clients it can only refuse.
  app.get('/__admin/health', (_req, res) => {
    const store = { kind: mock.store.shared ? 'shared' : 'memory', ...mock.store.health() };
    res.status(store.reachable ? 200 : 503).json({
      status: store.reachable ? 'ok' : 'store-unreachable',
      flavour: mock.config.flavour,
      preset: mock.config.preset,
      store,
    });
  });
  // Replicas on a shared store: what another replica changed holds here too, before this call is answered.
  const control = mock.control;
  if (control)
    app.use((_req: Request, _res: Response, next: NextFunction) => void control.sync().then(() => next(), next));
}

/** The clock, the request journal, reset and flavour actions. */
function clockAndJournal(app: express.Express, mock: MockHandle): void {
  const control = mock.control;
  app.get('/__admin/clock', (_req, res) => {
    res.json({
      now: mock.clock.epochSeconds(),
      iso: new Date(mock.clock.nowMs()).toISOString(),
      frozen: mock.clock.frozen,
    });
  });
  app.post('/__admin/clock', async (req, res) => {
    const body = (req.body ?? {}) as { advance?: unknown; set?: unknown; freeze?: unknown };
    const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    if (
      (body.advance !== undefined && !isNum(body.advance)) ||
      (body.set !== undefined && !isNum(body.set)) ||
      (body.advance === undefined && body.set === undefined && body.freeze === undefined)
    ) {
      res.status(400).json({
        error: 'invalid_request',
        problems: ['give {"advance": seconds}, {"set": epochSeconds} or {"freeze": true|false}'],
      });
      return;
    }
    if (body.freeze === true) mock.clock.freeze();
    if (body.freeze === false) mock.clock.unfreeze();
    if (isNum(body.set)) mock.clock.set(body.set);
    if (isNum(body.advance)) mock.clock.advance(body.advance);
    // Replicas on a shared store read it before each request: the answer comes once every replica would see it.
    await mock.control?.saveClock();
    res.json({
      now: mock.clock.epochSeconds(),
      iso: new Date(mock.clock.nowMs()).toISOString(),
      frozen: mock.clock.frozen,
    });
  });

  /** The journal: this process's, or with a shared store the one of all replicas. */
  const journalFind = (filter: JournalFilter) =>
    control ? control.journal(filter) : Promise.resolve(mock.journal.find(filter));
  app.get('/__admin/requests', async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit ? Number(q.limit) : undefined;
    res.json({
      enabled: mock.journal.enabled,
      requests: await journalFind({
        ...(q.path ? { path: q.path } : {}),
        ...(q.method ? { method: q.method } : {}),
        ...(q.grant_type ? { grantType: q.grant_type } : {}),
        ...(q.route ? { route: q.route } : {}),
        ...(limit && limit > 0 ? { limit } : {}),
      }),
    });
  });
  // WireMock's POST /__admin/requests/count: a JSON filter {path, method, grantType, route} in, {count} out.
  app.post('/__admin/requests/count', async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' ? { [k]: b[k] as string } : {});
    const unknown = Object.keys(b).filter((k) => !['path', 'method', 'grantType', 'route'].includes(k));
    if (unknown.length)
      return void res.status(400).json({
        error: 'invalid_request',
        problems: [`unknown filter member(s): ${unknown.join(', ')}; use path, method, grantType, route`],
      });
    const filter = { ...str('path'), ...str('method'), ...str('grantType'), ...str('route') };
    res.json({
      enabled: mock.journal.enabled,
      count: control ? (await control.journal(filter)).length : mock.journal.count(filter),
    });
  });
  app.delete('/__admin/requests', async (_req, res) => {
    mock.journal.clear();
    await control?.clearJournal();
    res.status(204).end();
  });

  app.post('/__admin/reset', (_req, res, next) => {
    // What the flavour creates afresh at a reset (Keycloak's technical users, with new offline tokens) is shown again,
    // once, as at start-up: the tokens printed before the reset no longer work.
    mock
      .reset()
      .then(
        () => (Object.keys(mock.startup).length ? res.status(200).json(mock.startup) : res.status(204).end()),
        next,
      );
  });

  app.post('/__admin/flavour/:action', (req, res, next) => {
    const server = mock.flavourServer;
    if (!server.adminAction) return void res.status(404).json({ error: 'not_found' });
    server.adminAction(req.params.action!, req.body).then((r) => res.status(r.status).json(r.body), next);
  });
}

/** Clients and users, validated against the mock-config schema. */
function clientsAndUsers(app: express.Express, mock: MockHandle): void {
  const control = mock.control;
  app.get('/__admin/clients', (_req, res) => {
    res.json(
      [...mock.context.clients.values()].map(({ clientSecret, ...c }) => ({
        ...c,
        hasSecret: clientSecret !== undefined,
      })),
    );
  });
  app.post('/__admin/clients', async (req, res) => {
    if (!checked(res, 'client', req.body)) return;
    const client = await mock.addClient(req.body);
    res.status(201).json({ clientId: client.clientId });
  });
  app.delete('/__admin/clients/:id', async (req, res) => {
    const found = mock.context.clients.delete(req.params.id!);
    if (found) await control?.publish({ clients: true });
    res.status(found ? 204 : 404).end();
  });

  app.get('/__admin/users', (_req, res) => {
    res.json([...mock.context.users.values()].map(({ password: _p, ...u }) => u));
  });
  app.post('/__admin/users', async (req, res) => {
    if (!checked(res, 'user', req.body)) return;
    const user = normaliseUser(req.body as Parameters<typeof normaliseUser>[0]);
    mock.context.users.set(user.username, user);
    await control?.publish({ users: true });
    res.status(201).json({ username: user.username });
  });
  app.delete('/__admin/users/:username', async (req, res) => {
    const found = mock.context.users.delete(req.params.username!);
    if (found) await control?.publish({ users: true });
    res.status(found ? 204 : 404).end();
  });
}

/** Tokens, by fingerprint only. */
function tokens(app: express.Express, mock: MockHandle): void {
  // Tokens are listed by fingerprint (sha256, 8 hex): a test compares the fingerprint of the token it holds,
  // or asks about one token with ?value=. The values themselves never leave through the admin API.
  app.get('/__admin/tokens', async (req, res) => {
    const value = typeof req.query.value === 'string' ? req.query.value : undefined;
    const describe = (
      kind: 'access' | 'refresh',
      r: { value: string; expiresAt: number; clientId: string; username?: string; scope: string[]; grantId: string },
      state: string,
    ) => ({
      kind,
      fingerprint: fingerprint(r.value),
      state,
      clientId: r.clientId,
      username: r.username,
      scope: r.scope.join(' '),
      grantId: r.grantId,
      expiresAt: Number.isFinite(r.expiresAt) ? Math.floor(r.expiresAt) : null,
    });
    const grants = mock.context.grants;
    if (value !== undefined) {
      const a = await grants.lookupAccess(value);
      if (a.record) return void res.json(describe('access', a.record, a.state));
      const r = await grants.lookupRefresh(value);
      if (r.record) return void res.json(describe('refresh', r.record, r.state));
      return void res.status(404).json({ state: 'unknown' });
    }
    // Paginated (?limit=, default 1000, at most 10,000; ?cursor= from the previous page's next): a listing never holds
    // the whole store in one answer, and only the page's records are described (fingerprints cost a hash each).
    const limit = Math.min(Math.max(Number.parseInt(String(req.query.limit ?? '1000'), 10) || 1000, 1), 10_000);
    const offset = Math.max(Number.parseInt(String(req.query.cursor ?? '0'), 36) || 0, 0);
    const page: { access: unknown[]; refresh: unknown[]; next?: string } = { access: [], refresh: [] };
    let index = 0;
    const take = async function* () {
      for await (const r of grants.store.records('access')) yield ['access', r] as const;
      for await (const r of grants.store.records('refresh')) yield ['refresh', r] as const;
    };
    for await (const [kind, r] of take()) {
      if (index++ < offset) continue;
      if (page.access.length + page.refresh.length === limit) {
        page.next = (offset + limit).toString(36);
        break;
      }
      if (kind === 'access') page.access.push(describe('access', r, (await grants.lookupAccess(r.value)).state));
      else page.refresh.push(describe('refresh', r, (await grants.lookupRefresh(r.value)).state));
    }
    res.json(page);
  });
}

/** Faults: list, add, remove. */
function faultRoutes(app: express.Express, mock: MockHandle): void {
  const control = mock.control;
  app.get('/__admin/faults', (_req, res) => {
    res.json(mock.faults.list().map(({ random: _r, ...f }) => f));
  });
  app.post('/__admin/faults', async (req, res) => {
    if (!checked(res, 'fault', req.body)) return;
    const fault = control
      ? mock.faults.add(req.body as FaultSpec, await control.nextFaultId(mock.config.faults.length))
      : mock.faults.add(req.body as FaultSpec);
    await control?.publish({ faults: true });
    res.status(201).json({ id: fault.id });
  });
  app.delete('/__admin/faults', async (_req, res) => {
    mock.faults.clear();
    await control?.publish({ faults: true });
    res.status(204).end();
  });
  app.delete('/__admin/faults/:id', async (req, res) => {
    const found = mock.faults.remove(Number(req.params.id));
    if (found) await control?.publish({ faults: true });
    res.status(found ? 204 : 404).end();
  });
}

/** Unknown paths and express's own errors, as JSON. */
function closing(app: express.Express, _mock: MockHandle): void {
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found' });
  });
  // express's own errors (bad JSON, too large) become JSON 4xx, never an HTML 500 page.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof StoreUnavailable)
      return void res
        .status(503)
        .set('Retry-After', '1')
        .json({ error: 'temporarily_unavailable', problems: [err.message] });
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({
      error: status === 500 ? 'server_error' : 'invalid_request',
      problems: [err.type === 'entity.parse.failed' ? 'body is not valid JSON' : err.message],
    });
  });
}

/**
 * The control plane, WireMock-style: clock, request journal, reset, clients, users, tokens, faults.
 * Guarded by a bearer token when one is configured.
 */
export function adminApp(mock: MockHandle): express.Express {
  const app = express();
  app.disable('x-powered-by');
  guarded(app, mock);
  clockAndJournal(app, mock);
  clientsAndUsers(app, mock);
  tokens(app, mock);
  faultRoutes(app, mock);
  closing(app, mock);
  return app;
}
