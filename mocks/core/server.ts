/**
 * startMockServer: a flavour's mock on the core, assembled from its parts: routing and faults (dispatch.ts), planted
 * deviations (planted.ts, applied there), the lifecycle (lifecycle.ts: listen, bodies, malformed HTTP, drain) and
 * the admin plane (admin-wiring.ts); the handle a test or `idpc mock` holds (reset included) is made here.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { lazyAdminHandler } from './admin-wiring.js';
import { Clock } from './clock.js';
import { ConfigError, isLoopback, mockConfigProblems, normaliseClient, resolveConfig } from './config.js';
import { Dispatcher, findRoute } from './dispatch.js';
import { Faults } from './faults.js';
import type { FlavourMock, FlavourServer, MockConfigPatch, MockContext, ResolvedMockConfig } from './flavour.js';
import { MemoryGrantStore, safeStoreUrl, type GrantStore } from './grant-store.js';
import { GrantService } from './grants.js';
import type { MockHandle, RunningMock } from './handle.js';
import type { MockRequest } from './http.js';
import { Journal } from './journal.js';
import { answerClientErrors, Connections, listenOrAttach, readBody, type ServeOptions } from './lifecycle.js';
import { SharedControl } from './shared-control.js';
import { generateTls, tlsFromFiles } from './tls.js';

export type { MockHandle, RunningMock } from './handle.js';
export type { ServeOptions } from './lifecycle.js';

function newContext(
  config: ResolvedMockConfig,
  clock: Clock,
  mock: FlavourMock,
  baseUrl: string,
  store: GrantStore,
): MockContext {
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
  if (url === 'memory')
    return new MemoryGrantStore({
      maxTokens: config.tokens.maxStoredTokens,
      maxBytes: config.tokens.maxStoredBytes,
      expiredRetention: config.tokens.expiredRetention,
    });
  if (!mock.sharesStore)
    throw new ConfigError('store', [
      `the ${mock.descriptor.name} mock keeps its state in this process only: it cannot use a shared store (${safeStoreUrl(url)})`,
    ]);
  const { RedisGrantStore } = await import('./redis-store.js');
  // A replica that starts without the store fails at once, in one line (a running one answers 503 instead).
  return RedisGrantStore.connect({
    url,
    prefix,
    timeoutMs,
    expiredRetention: config.tokens.expiredRetention,
    log: (line) => process.stderr.write(`${line}\n`),
  });
}

/** The flavour's server and context, rebuilt at start and at every reset. */
interface Built {
  context: MockContext;
  flavour: FlavourServer;
  startup: Record<string, unknown>;
}

/** Back to the configured time: reset means "as started". */
function resetClock(clock: Clock, config: ResolvedMockConfig): void {
  const fresh = new Clock(config.clock);
  if (config.clock.start !== undefined) clock.set(fresh.epochSeconds());
  else clock.set(Date.now() / 1000);
  if (config.clock.frozen) clock.freeze();
  else clock.unfreeze();
}

/** The handle a test or `idpc mock` holds: the mock's parts, its flavour's state as it is now, and reset. */
function mockHandle(p: {
  mock: FlavourMock;
  config: ResolvedMockConfig;
  clock: Clock;
  journal: Journal;
  faults: Faults;
  store: GrantStore;
  control: SharedControl | undefined;
  built: () => Built;
  resetLocal: () => Promise<void>;
}): MockHandle {
  const { mock, config, clock, store, control } = p;
  return {
    config,
    clock,
    journal: p.journal,
    faults: p.faults,
    store,
    get context() {
      return p.built().context;
    },
    get flavourServer() {
      return p.built().flavour;
    },
    get startup() {
      return p.built().startup;
    },
    get description() {
      return mock.describe?.(config, p.built().startup) ?? {};
    },
    flavourMock: mock,
    ...(control ? { control } : {}),
    async addClient(input) {
      // The mock-config schema's precompiled validator, over a config holding this one client.
      const problems = mockConfigProblems({ flavour: config.flavour, clients: [input] }).map((p) =>
        p.replace(/^\/clients\/0/, ''),
      );
      if (problems.length) throw new ConfigError('client', problems);
      const client = normaliseClient(input as Parameters<typeof normaliseClient>[0]);
      // The control document holds the whole list: start from what the other replicas published, then add this one.
      await control?.sync();
      p.built().context.clients.set(client.clientId, client);
      await control?.publish({ clients: true });
      return client;
    },
    async reset() {
      resetClock(clock, config);
      // With a shared store, a reset is every replica's: the tokens go, the clock is the reset one, and the others
      // reset themselves before their next request (SharedControl).
      await store.clear();
      await p.resetLocal();
      if (control) {
        await control.saveClock();
        await control.publish({ reset: true });
      }
    },
  };
}

export async function startMockServer(
  mock: FlavourMock,
  patches: (MockConfigPatch & { preset?: string })[],
  serve: ServeOptions = {},
): Promise<RunningMock> {
  const config = resolveConfig(mock, patches);
  const clock = new Clock(config.clock);
  const journal = new Journal(config.journal.enabled, config.journal.maxEntries);
  const faults = new Faults();
  for (const f of config.faults) faults.add(f);
  const store = await openStore(mock, config);
  let baseUrl = '';
  let built!: Built;
  const build = async () => {
    const context = newContext(config, clock, mock, baseUrl, store);
    const flavour = mock.create(context);
    built = { context, flavour, startup: {} };
    built.startup = (await flavour.init?.()) ?? {};
  };
  /** Faults, journal and the flavour's state as configured (the store and the clock are the caller's business). */
  const resetLocal = async () => {
    faults.clear();
    for (const f of config.faults) faults.add(f);
    journal.clear();
    await build();
  };
  const control = store.shared
    ? new SharedControl(
        store,
        clock,
        { faults, clients: () => built.context.clients, users: () => built.context.users, resetLocal },
        config.journal.maxEntries,
      )
    : undefined;
  // A change of the clock in this process (idp.clock.advance() from a test, the runner moving a mock's time) is every
  // replica's: written at once; this replica's next read follows it on the same connection, the others see it
  // within milliseconds (the /__admin/clock answer, in contrast, waits for the write).
  if (control) clock.onChange = () => void control.saveClock().catch(() => undefined);

  const handle = mockHandle({ mock, config, clock, journal, faults, store, control, built: () => built, resetLocal });
  const admin = lazyAdminHandler(handle);
  const { dispatch } = new Dispatcher({
    config,
    clock,
    journal,
    faults,
    control,
    flavour: () => built.flavour,
    context: () => built.context,
  });
  const connections = new Connections();
  const tls =
    config.tls === true
      ? await generateTls(['localhost', '127.0.0.1', '::1', config.host].filter((h) => !['0.0.0.0', '::'].includes(h)))
      : config.tls
        ? tlsFromFiles(config.tls.certFile, config.tls.keyFile)
        : undefined;
  const handler: RequestListener = (req, res) => {
    connections.onRequest(req, res);
    const started = performance.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    if (config.admin.enabled && (path === '/__admin' || path.startsWith('/__admin/'))) return admin(req, res);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    readBody(req, config.limits.maxBodyBytes, (body, bodyTooLarge) =>
      dispatch(
        req,
        res,
        { method: req.method ?? 'GET', path, rawQuery, headers: req.headers, body, bodyTooLarge },
        started,
      ),
    );
  };
  const server = tls
    ? (createHttpsServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: 5000 }, handler) as unknown as Server)
    : createServer({ keepAliveTimeout: 5000 }, handler);
  connections.watch(server);
  answerClientErrors(server, () => built.flavour);
  baseUrl = await listenOrAttach(server, config, serve, store);
  try {
    await build();
  } catch (e) {
    // A flavour that cannot start (a realm export it refuses): nothing may keep the process alive after the one line.
    server.close();
    server.closeAllConnections?.();
    await store.close().catch(() => undefined);
    throw e;
  }
  if (config.admin.enabled && !config.admin.token && !isLoopback(config.host)) {
    process.stderr.write(
      `idpc mock: warning: /__admin on ${config.host} has no token (admin.allowUnauthenticated): anyone who reaches ${baseUrl} can reset this mock, change its users and read its journal\n`,
    );
  }
  const endpoints = mock.endpoints(config, baseUrl);
  return Object.assign(handle, {
    inject: async (request: MockRequest) => {
      const { route, params } = findRoute(built.flavour.routes, request.path);
      return route ? route.handle(request, params) : built.flavour.notFound(request);
    },
    url: baseUrl,
    ...(tls?.ca ? { tls: { ca: tls.ca, caFile: tls.caFile! } } : {}),
    tokenEndpoint: endpoints.token!,
    endpoints,
    admin: { url: `${baseUrl}/__admin`, enabled: config.admin.enabled },
    traffic: () => ({ ...connections.traffic }),
    close: (drainMs = 5_000) => connections.close(server, store, drainMs),
  });
}
