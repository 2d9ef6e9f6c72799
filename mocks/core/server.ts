import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Clock } from './clock.js';
import { ConfigError, isLoopback, resolveConfig } from './config.js';
import { Faults, type ActiveFault } from './faults.js';
import type { FlavourMock, FlavourServer, MockConfigPatch, MockContext, ResolvedMockConfig, Route } from './flavour.js';
import { MemoryGrantStore, safeStoreUrl, StoreUnavailable, type GrantStore } from './grant-store.js';
import { GrantService } from './grants.js';
import type { MockRequest, MockResponse } from './http.js';
import { Journal, type RawJournalEntry } from './journal.js';
import { SharedControl } from './shared-control.js';
import { plantRequest, plantResponse, plantsRequests, plantsResponses } from './planted.js';

/** How long a drain keeps an idle keep-alive connection open for a request its client may already have sent. */
const IDLE_GRACE_MS = 250;

import type { MockHandle, RunningMock } from './handle.js';
export type { MockHandle, RunningMock } from './handle.js';

function newContext(config: ResolvedMockConfig, clock: Clock, mock: FlavourMock, baseUrl: string, store: GrantStore): MockContext {
  return {
    config,
    clock,
    baseUrl,
    clients: new Map(config.clients.map((c) => [c.clientId, structuredClone(c)])),
    users: new Map(config.users.map((u) => [u.username, structuredClone(u)])),
    grants: new GrantService(
      clock,
      {
        accessTokenLifetime: config.tokens.accessTokenLifetime,
        refreshTokenLifetime: config.tokens.refreshTokenLifetime,
        policy: config.refresh,
        newAccessToken: mock.tokens.access,
        newRefreshToken: mock.tokens.refresh,
        acceptExpired: config.plantedDeviations.acceptExpiredAccessTokens === true,
      },
      store,
    ),
  };
}

/** The configured store: this process's memory, or Redis (loaded only then) for replicas that share their state. */
async function openStore(mock: FlavourMock, config: ResolvedMockConfig): Promise<GrantStore> {
  const { url, prefix, timeoutMs } = config.store;
  if (url === 'memory') return new MemoryGrantStore({ maxTokens: config.tokens.maxStoredTokens, maxBytes: config.tokens.maxStoredBytes, expiredRetention: config.tokens.expiredRetention });
  if (!mock.sharesStore) throw new ConfigError('store', [`the ${mock.descriptor.name} mock keeps its state in this process only: it cannot use a shared store (${safeStoreUrl(url)})`]);
  const { RedisGrantStore } = await import('./redis-store.js');
  // A replica that starts without the store fails at once, in one line (a running one answers 503 instead).
  return RedisGrantStore.connect({ url, prefix, timeoutMs, expiredRetention: config.tokens.expiredRetention, log: (line) => process.stderr.write(`${line}\n`) });
}

function applyResponseFaults(response: MockResponse, faults: ActiveFault[]): MockResponse {
  let out = response;
  for (const f of faults) {
    if (f.kind === 'truncated-json') out = { ...out, body: out.body.slice(0, Math.max(1, Math.floor(out.body.length / 2))) };
    if (f.kind === 'malformed-json') out = { ...out, body: out.body.includes(':') ? out.body.replace(':', ' ') : `${out.body}{` };
    if (f.kind === 'wrong-content-type') out = { ...out, headers: { ...out.headers, 'Content-Type': 'text/html; charset=utf-8' } };
  }
  return out;
}

export interface ServeOptions {
  /**
   * Instead of listening itself, the server is handed its connections (a replica behind `idpc mock --replicas`, whose
   * primary listens): `attach` wires the server up and says the public address its URLs name.
   */
  attach?: (server: Server) => { host: string; port: number };
}

export async function startMockServer(mock: FlavourMock, patches: (MockConfigPatch & { preset?: string })[], serve: ServeOptions = {}): Promise<RunningMock> {
  const config = resolveConfig(mock, patches);
  const clock = new Clock(config.clock);
  const journal = new Journal(config.journal.enabled, config.journal.maxEntries);
  const faults = new Faults();
  for (const f of config.faults) faults.add(f);
  const store = await openStore(mock, config);
  /** Faults, journal and the flavour's state as configured (the store and the clock are the caller's business). */
  const resetLocal = async () => {
    faults.clear();
    for (const f of config.faults) faults.add(f);
    journal.clear();
    await build();
  };
  const control = store.shared ? new SharedControl(store, clock, { faults, clients: () => context.clients, users: () => context.users, resetLocal }, config.journal.maxEntries) : undefined;
  // A change of the clock in this process (idp.clock.advance() from a test, the runner moving a mock's time) is every
  // replica's: written at once; this replica's next read follows it on the same connection, the others see it
  // within milliseconds (the /__admin/clock answer, in contrast, waits for the write).
  if (control) clock.onChange = () => void control.saveClock().catch(() => undefined);
  let baseUrl = '';
  let context!: MockContext;
  let flavour!: FlavourServer;
  let startup: Record<string, unknown> = {};
  const build = async () => {
    context = newContext(config, clock, mock, baseUrl, store);
    flavour = mock.create(context);
    startup = (await flavour.init?.()) ?? {};
  };

  const findRoute = (path: string): { route?: Route; params: Record<string, string> } => {
    for (const r of flavour.routes) {
      const m = r.match(path);
      if (m) return { route: r, params: m };
    }
    return { params: {} };
  };

  const handle: MockHandle = {
    config,
    clock,
    journal,
    faults,
    store,
    get context() {
      return context;
    },
    get flavourServer() {
      return flavour;
    },
    get startup() {
      return startup;
    },
    get description() {
      return mock.describe?.(config, startup) ?? {};
    },
    flavourMock: mock,
    ...(control ? { control } : {}),
    async reset() {
      const fresh = new Clock(config.clock);
      // Back to the configured time as well: reset means "as started".
      if (config.clock.start !== undefined) clock.set(fresh.epochSeconds());
      else clock.set(Date.now() / 1000);
      if (config.clock.frozen) clock.freeze();
      else clock.unfreeze();
      // With a shared store, a reset is every replica's: the tokens go, the clock is the reset one, and the others
      // reset themselves before their next request (SharedControl).
      await store.clear();
      await resetLocal();
      if (control) {
        await control.saveClock();
        await control.publish({ reset: true });
      }
    },
  };
  let adminApp: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const adminHandler = (req: IncomingMessage, res: ServerResponse) => {
    if (adminApp) return adminApp(req, res);
    import('./admin.js').then(
      (m) => {
        adminApp ??= m.adminApp(handle) as unknown as (req: IncomingMessage, res: ServerResponse) => void;
        adminApp(req, res);
      },
      (e: unknown) => {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'server_error', problems: [(e as Error).message] }));
      },
    );
  };

  const planted = config.plantedDeviations;
  const plantedAnswers = plantsResponses(planted);
  const plantedRequests = plantsRequests(planted);

  const respond = (res: ServerResponse, request: MockRequest, given: MockResponse, route?: Route) => {
    const response = plantedAnswers ? plantResponse(planted, route?.name, request, given) : given;
    // Handlers build a fresh headers object per response, so it is safe to complete it in place.
    const headers = response.headers;
    if (request.method !== 'HEAD') headers['Content-Length'] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, headers);
    res.end(request.method === 'HEAD' ? undefined : response.body);
  };

  const record = (request: MockRequest, started: number, route: Route | undefined, status: number | undefined, response?: MockResponse, fault?: string) => {
    if (!journal.enabled) return;
    const note = response?.note;
    // One flat object per request: this runs on the hot path, parsing and redaction wait until someone reads it.
    const entry: RawJournalEntry = {
      atMs: clock.nowMs(),
      method: request.method,
      path: request.path,
      rawQuery: request.rawQuery,
      headers: request.headers,
      formBody: request.body.length && /x-www-form-urlencoded/i.test(String(request.headers['content-type'])) ? request.body : undefined,
      route: route?.name,
      status,
      durationMs: performance.now() - started,
      grantType: note?.grantType,
      clientId: note?.clientId,
      clientAuth: note?.clientAuth,
      fault,
    };
    // Shared: every replica reads it (redacted as written); a store gone loses the entry, never the answer.
    if (control) control.record(entry).catch(() => undefined);
    else journal.record(entry);
  };

  const failed = (request: MockRequest, e: unknown): MockResponse => {
    // The shared store is away (its client logged it once): 503 in the flavour's format, and no token handed out.
    if (e instanceof StoreUnavailable) {
      const r = flavour.errorResponse(503, 'temporarily_unavailable', 'The token store is unavailable; try again shortly');
      r.headers['Retry-After'] = '1';
      return r;
    }
    // A mock must never leave a request unanswered; an exception here is our bug, made visible as a 500.
    process.stderr.write(`idpc mock: internal error on ${request.method} ${request.path}: ${(e as Error).stack ?? String(e)}\n`);
    return flavour.errorResponse(500, 'server_error', 'Internal Server Error');
  };

  /**
   * With a shared store, the clock and the control plane are synced before each request (an advance or a fault
   * planted at one replica holds at all), and "the next N requests" count in the store.
   */
  const dispatch = control
    ? (req: IncomingMessage, res: ServerResponse, request: MockRequest, started: number) => {
        control
          .sync()
          .then(async () => {
            const { route, params } = findRoute(request.path);
            dispatchRoute(req, res, request, started, route, params, faults.size === 0 ? [] : await control.fire(route?.name, request.path));
          })
          .catch((e: unknown) => respond(res, request, failed(request, e)));
      }
    : (req: IncomingMessage, res: ServerResponse, request: MockRequest, started: number) => {
        const { route, params } = findRoute(request.path);
        dispatchRoute(req, res, request, started, route, params, faults.size === 0 ? [] : faults.fire(route?.name, request.path));
      };

  /** The common case (no fault, synchronous handler) stays synchronous: no promise per request. */
  const dispatchRoute = (req: IncomingMessage, res: ServerResponse, received: MockRequest, started: number, route: Route | undefined, params: Record<string, string>, fired: ActiveFault[]) => {
    const request = plantedRequests ? plantRequest(planted, route?.name, received, context) : received;
    if (fired.length > 0) {
      dispatchWithFaults(req, res, request, started, route, params, fired).catch((e: unknown) => respond(res, request, failed(request, e)));
      return;
    }
    let result: MockResponse | Promise<MockResponse>;
    try {
      result = route ? route.handle(request, params) : flavour.notFound(request);
    } catch (e) {
      result = failed(request, e);
    }
    const finish = (response: MockResponse) => {
      respond(res, request, response, route);
      record(request, started, route, response.status, response);
    };
    if (result instanceof Promise) result.then(finish, (e: unknown) => finish(failed(request, e)));
    else finish(result);
  };

  const dispatchWithFaults = async (req: IncomingMessage, res: ServerResponse, request: MockRequest, started: number, route: Route | undefined, params: Record<string, string>, fired: ActiveFault[]) => {
    for (const f of fired) if (f.kind === 'latency') await sleep(Faults.delayOf(f));
    const socketFault = fired.find((f) => f.kind === 'connection-reset' || f.kind === 'empty-response');
    if (socketFault) {
      record(request, started, route, undefined, undefined, socketFault.kind);
      // connection-reset: TCP RST; empty-response: the connection closes without a byte of response.
      if (socketFault.kind === 'connection-reset') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    let response: MockResponse;
    const statusFault = fired.find((f) => f.kind === 'status' || f.kind === 'rate-limit');
    if (statusFault?.kind === 'rate-limit') {
      response = flavour.errorResponse(429, 'temporarily_unavailable', 'Too many requests');
      response.headers['Retry-After'] = String(statusFault.retryAfter ?? 1);
    } else if (statusFault) {
      const status = statusFault.status ?? 503;
      response =
        statusFault.body !== undefined
          ? { status, headers: { 'Content-Type': /^\s*[[{]/.test(statusFault.body) ? 'application/json' : 'text/plain; charset=utf-8' }, body: statusFault.body }
          : flavour.errorResponse(status, status >= 500 ? 'temporarily_unavailable' : 'invalid_request', 'Injected fault');
    } else {
      try {
        response = route ? await route.handle(request, params) : flavour.notFound(request);
      } catch (e) {
        response = failed(request, e);
      }
    }
    response = applyResponseFaults(response, fired);
    respond(res, request, response, route);
    record(request, started, route, response.status, response, fired.map((f) => f.kind).join(','));
  };

  const maxBody = config.limits.maxBodyBytes;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    traffic.received++;
    res.once('finish', () => traffic.answered++);
    const connection = connections.get(req.socket);
    if (connection) {
      connection.busy++;
      res.once('close', () => {
        connection.busy--;
        connection.idleSince = performance.now();
      });
    }
    // Draining: this answer is the connection's last (the client opens no further request on it).
    if (drainingSince !== undefined) res.setHeader('Connection', 'close');
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    if (config.admin.enabled && (path === '/__admin' || path.startsWith('/__admin/'))) {
      adminHandler(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = tooLarge || chunks.length === 0 ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      dispatch(req, res, { method: req.method ?? 'GET', path, rawQuery, headers: req.headers, body, bodyTooLarge: tooLarge }, started);
    });
  };

  const traffic = { received: 0, answered: 0 };
  /** Open connections, with the answers in progress on each and when the last one finished: what a drain waits for. */
  const connections = new Map<Socket, { busy: number; idleSince: number }>();
  let drainingSince: number | undefined;
  const server: Server = createServer({ keepAliveTimeout: 5000 }, onRequest);
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { busy: 0, idleSince: performance.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Malformed HTTP: oversized headers get the flavour's own answer, anything else a 400, never a silently dropped socket.
  server.on('clientError', (err: Error & { code?: string }, socket) => {
    if (!socket.writable) return socket.destroy();
    const r = err.code === 'HPE_HEADER_OVERFLOW' ? (flavour.headersTooLarge?.() ?? flavour.errorResponse(431, 'invalid_request', 'Request header fields too large')) : { status: 400, headers: {}, body: '' };
    const body = Buffer.from(r.body);
    const head = Object.entries({ ...r.headers, 'Content-Length': String(body.length), Connection: 'close' }).map(([k, v]) => `${k}: ${v}`);
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\n${head.join('\r\n')}\r\n\r\n`), body]));
  });
  let address: Pick<AddressInfo, 'address' | 'family' | 'port'>;
  if (serve.attach) {
    const at = serve.attach(server);
    address = { address: at.host, family: at.host.includes(':') ? 'IPv6' : 'IPv4', port: at.port };
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => {
        void store.close();
        reject(e);
      });
      server.listen(config.port, config.host, () => resolve());
    });
    address = server.address() as AddressInfo;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
  await build();
  if (config.admin.enabled && !config.admin.token && !isLoopback(config.host)) {
    process.stderr.write(`idpc mock: warning: /__admin on ${config.host} has no token (admin.allowUnauthenticated): anyone who reaches ${baseUrl} can reset this mock, change its users and read its journal\n`);
  }
  const endpoints = mock.endpoints(config, baseUrl);
  return Object.assign(handle, {
    inject: async (request: MockRequest) => {
      const { route, params } = findRoute(request.path);
      return route ? route.handle(request, params) : flavour.notFound(request);
    },
    url: baseUrl,
    tokenEndpoint: endpoints.token!,
    endpoints,
    admin: { url: `${baseUrl}/__admin`, enabled: config.admin.enabled },
    traffic: () => ({ ...traffic }),
    /**
     * Stops accepting and drains: every answer from now on says Connection: close, a request already on its way over
     * an open keep-alive connection is still read and answered (a connection is ended only once it has been idle for
     * IDLE_GRACE_MS since the drain began), and after `drainMs` whatever is still open is reset. Node's own
     * http.Server.close() ends idle keep-alive connections at once: a request a client had just sent on one was
     * reset unread (15 of 40 at full speed), so the listener is closed as a net.Server and idle ones are ended here.
     */
    close: (drainMs = 5_000) =>
      new Promise<void>((resolve) => {
        drainingSince = performance.now();
        // Done when the listener is closed and every connection is gone (handed ones are not the listener's to count).
        let listenerClosed = !server.listening;
        if (server.listening) NetServer.prototype.close.call(server, () => (listenerClosed = true));
        const sweep = setInterval(() => {
          const now = performance.now();
          for (const [socket, c] of connections) if (c.busy === 0 && now - Math.max(c.idleSince, drainingSince!) >= IDLE_GRACE_MS) socket.end();
          if (listenerClosed && connections.size === 0) {
            clearInterval(sweep);
            clearTimeout(force);
            store.close().then(resolve, resolve);
          }
        }, 25);
        const force = setTimeout(() => {
          for (const socket of connections.keys()) socket.destroy();
        }, drainMs);
        force.unref();
      }),
  });
}
