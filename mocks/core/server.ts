import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminApp } from './admin.js';
import { Clock } from './clock.js';
import { resolveConfig } from './config.js';
import { Faults, type ActiveFault } from './faults.js';
import type { FlavourMock, FlavourServer, MockConfigPatch, MockContext, ResolvedMockConfig, Route } from './flavour.js';
import { GrantService } from './grants.js';
import { formOf, queryOf, type MockRequest, type MockResponse } from './http.js';
import { Journal } from './journal.js';

/** The running mock as the admin API and tests see it. */
export interface MockHandle {
  config: ResolvedMockConfig;
  clock: Clock;
  journal: Journal;
  faults: Faults;
  readonly context: MockContext;
  reset(): void;
}

export interface RunningMock extends MockHandle {
  url: string;
  tokenEndpoint: string;
  endpoints: Record<string, string>;
  admin: { url: string; enabled: boolean };
  close(): Promise<void>;
}

function newContext(config: ResolvedMockConfig, clock: Clock, mock: FlavourMock, baseUrl: string): MockContext {
  return {
    config,
    clock,
    baseUrl,
    clients: new Map(config.clients.map((c) => [c.clientId, structuredClone(c)])),
    users: new Map(config.users.map((u) => [u.username, structuredClone(u)])),
    grants: new GrantService(clock, {
      accessTokenLifetime: config.tokens.accessTokenLifetime,
      refreshTokenLifetime: config.tokens.refreshTokenLifetime,
      policy: config.refresh,
      newAccessToken: mock.tokens.access,
      newRefreshToken: mock.tokens.refresh,
      maxTokens: config.tokens.maxStoredTokens,
      expiredRetention: config.tokens.expiredRetention,
    }),
  };
}

/** Reads the body up to the limit; beyond it, the rest is drained and the body reported as too large. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', () => resolve({ body: Buffer.alloc(0), tooLarge }));
  });
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

/**
 * Starts a mock IdP. Defaults: 127.0.0.1, a free port, the flavour's default preset.
 * The token endpoint and the other flavour routes run on plain node:http (the hot path);
 * /__admin is an express app.
 */
export async function startMockServer(mock: FlavourMock, patches: (MockConfigPatch & { preset?: string })[]): Promise<RunningMock> {
  const config = resolveConfig(mock, patches);
  const clock = new Clock(config.clock);
  const journal = new Journal(config.journal.enabled, config.journal.maxEntries);
  const faults = new Faults();
  for (const f of config.faults) faults.add(f);
  let baseUrl = '';
  let context!: MockContext;
  let flavour!: FlavourServer;
  const build = () => {
    context = newContext(config, clock, mock, baseUrl);
    flavour = mock.create(context);
  };

  const handle: MockHandle = {
    config,
    clock,
    journal,
    faults,
    get context() {
      return context;
    },
    reset() {
      const fresh = new Clock(config.clock);
      // Back to the configured time as well: reset means "as started".
      if (config.clock.start !== undefined) clock.set(fresh.epochSeconds());
      else clock.set(Date.now() / 1000);
      if (config.clock.frozen) clock.freeze();
      else clock.unfreeze();
      faults.clear();
      for (const f of config.faults) faults.add(f);
      journal.clear();
      build();
    },
  };
  const admin = config.admin.enabled ? adminApp(handle) : undefined;

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    if (admin && (path === '/__admin' || path.startsWith('/__admin/'))) {
      admin(req, res);
      return;
    }
    const { body, tooLarge } = await readBody(req, config.limits.maxBodyBytes);
    const request: MockRequest = { method: req.method ?? 'GET', path, rawQuery, headers: req.headers, body, bodyTooLarge: tooLarge };
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const r of flavour.routes) {
      const m = r.match(path);
      if (m) {
        route = r;
        params = m;
        break;
      }
    }
    const fired = faults.fire(route?.name, path);
    const journalRecord = (status: number | undefined, response?: MockResponse, fault?: string) =>
      journal.record({
        at: new Date(clock.nowMs()).toISOString(),
        method: request.method,
        path,
        query: queryOf(request, 'keep-literal').pairs,
        headers: req.headers,
        form: formOf(request, 'keep-literal').pairs,
        ...(route ? { route: route.name } : {}),
        ...(status !== undefined ? { status } : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(response?.note?.grantType ? { grantType: response.note.grantType } : {}),
        ...(response?.note?.clientId ? { clientId: response.note.clientId } : {}),
        ...(response?.note?.clientAuth ? { clientAuth: response.note.clientAuth } : {}),
        ...(fault ? { fault } : {}),
      });

    for (const f of fired) if (f.kind === 'latency') await sleep(Faults.delayOf(f));
    const socketFault = fired.find((f) => f.kind === 'connection-reset' || f.kind === 'empty-response');
    if (socketFault) {
      journalRecord(undefined, undefined, socketFault.kind);
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
      response = statusFault.body !== undefined
        ? { status, headers: { 'Content-Type': /^\s*[[{]/.test(statusFault.body) ? 'application/json' : 'text/plain; charset=utf-8' }, body: statusFault.body }
        : flavour.errorResponse(status, status >= 500 ? 'temporarily_unavailable' : 'invalid_request', 'Injected fault');
    } else {
      try {
        response = route ? await route.handle(request, params) : flavour.notFound(request);
      } catch (e) {
        // A mock must never leave a request unanswered; an exception here is our bug, made visible as a 500.
        process.stderr.write(`idpc mock: internal error on ${request.method} ${path}: ${(e as Error).stack ?? String(e)}\n`);
        response = flavour.errorResponse(500, 'server_error', 'Internal Server Error');
      }
    }
    response = applyResponseFaults(response, fired);
    const headers: Record<string, string> = { ...response.headers };
    if (res.req.method !== 'HEAD') headers['Content-Length'] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, headers);
    res.end(request.method === 'HEAD' ? undefined : response.body);
    journalRecord(response.status, response, fired.map((f) => f.kind).join(',') || undefined);
  };

  const server: Server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      process.stderr.write(`idpc mock: ${(e as Error).message}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // Malformed HTTP (bad request line, oversized headers): answer 400 rather than drop the socket silently.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
  build();
  const endpoints = mock.endpoints(config, baseUrl);
  return Object.assign(handle, {
    url: baseUrl,
    tokenEndpoint: endpoints.token!,
    endpoints,
    admin: { url: `${baseUrl}/__admin`, enabled: config.admin.enabled },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
