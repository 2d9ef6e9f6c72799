import type { FlavourName } from '../flavours/index.js';
import {
  ConfigError,
  configFromEnvironment,
  loadConfigFile,
  loadMock,
  MOCK_FLAVOURS,
  startMock,
  type RunningMock,
} from '../../mocks/index.js';
import type { MockConfigPatch } from '../../mocks/core/flavour.js';
import { StoreUnavailable } from '../../mocks/core/grant-store.js';
import type { ServeOptions } from '../../mocks/core/server.js';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { EXIT, UsageError } from './errors.js';

/** `idpc mock` options, read both by yargs (help) and by the yargs-free fast path in main.ts. */
export { MOCK_OPTIONS } from './mock-options.js';
import { describeMock, formatMock } from './mock-describe.js';
export { describeMock, formatMock } from './mock-describe.js';
import { REPLICA_ADDRESS_ENV } from './mock-options.js';

export interface MockArgs {
  flavour: string;
  config?: string;
  port?: number;
  host?: string;
  preset?: string;
  json: boolean;
  adminToken?: string;
  allowOpenAdmin?: boolean;
  /** memory or redis://…; with storePrefix, the namespace of this mock's keys. */
  store?: string;
  storePrefix?: string;
  /** Keycloak: [REALM:]NAME of a technical user to create at start. */
  technicalUser?: string;
  /** Keycloak: realm exports to load (--realm-import). */
  realmImport?: string[];
  /** HTTPS: made at start (true), or from these PEM files. */
  tls?: true | { certFile: string; keyFile: string };
}

/**
 * The mock config the command line points at: IDPC_MOCK_CONFIG (a whole config, JSON or YAML, for containers), then
 * the --config file over it; either may leave the flavour out (the command names it). Without the flavour member.
 */
async function configPatchOf(args: { flavour: string; config?: string }): Promise<MockConfigPatch> {
  const fromEnv = await configFromEnvironment(process.env, args.flavour);
  const file = args.config ? await loadConfigFile(args.config, args.flavour) : undefined;
  const { flavour: _e, ...envPatch } = fromEnv ?? {};
  const { flavour: _f, ...filePatch } = file ?? {};
  return { ...envPatch, ...filePatch };
}

export async function startMockFromCli(args: MockArgs, serve?: ServeOptions): Promise<RunningMock> {
  if (!MOCK_FLAVOURS.includes(args.flavour))
    throw new UsageError(`no mock for flavour "${args.flavour}"; mocks: ${MOCK_FLAVOURS.join(', ')}`);
  try {
    const filePatch = await configPatchOf(args);
    // A flavour's own options: refused in one line for a flavour that has none such, naming those that do.
    for (const [option, given] of [
      ['technical-user', args.technicalUser !== undefined],
      ['realm-import', (args.realmImport?.length ?? 0) > 0],
    ] as const) {
      if (!given) continue;
      const takers = (await Promise.all(MOCK_FLAVOURS.map(async (f) => ({ f, m: await loadMock(f) })))).filter(
        ({ m }) => m.cliOptions?.includes(option),
      );
      if (!takers.some(({ f }) => f === args.flavour))
        throw new UsageError(`--${option} is a ${takers.map(({ m }) => m.descriptor.title).join(', ')} option`);
    }
    const flavourPatch = args.realmImport?.length
      ? ((await loadMock(args.flavour)).cliPatch?.({ realmImport: args.realmImport }) ?? {})
      : {};
    const mock = await startMock(
      {
        flavour: args.flavour as FlavourName, // checked against the mock list above
        ...(args.preset ? { preset: args.preset } : {}),
        ...(args.tls ? { tls: args.tls } : {}),
        // A flavour option's config merges with the file's section (resolveConfig merges objects member by member).
        ...flavourPatch,
        ...(args.port !== undefined ? { port: args.port } : {}),
        ...(args.host ? { host: args.host } : {}),
        ...(args.adminToken || args.allowOpenAdmin
          ? {
              admin: {
                ...(args.adminToken ? { token: args.adminToken } : {}),
                ...(args.allowOpenAdmin ? { allowUnauthenticated: true } : {}),
              },
            }
          : {}),
        ...(args.store || args.storePrefix
          ? {
              store: {
                ...(args.store ? { url: args.store } : {}),
                ...(args.storePrefix ? { prefix: args.storePrefix } : {}),
              },
            }
          : {}),
      },
      Object.keys(filePatch).length ? filePatch : undefined,
      serve,
    );
    if (args.technicalUser) {
      const [realm, name] = args.technicalUser.includes(':')
        ? (args.technicalUser.split(/:(.*)/s) as [string, string])
        : [undefined, args.technicalUser];
      const created = await mock.flavourServer.adminAction!('technical-users', {
        realm: realm ?? mock.endpoints.token!.match(/\/realms\/([^/]+)\//)?.[1] ?? 'master',
        name,
      });
      if (created.status !== 201) {
        await mock.close();
        throw new UsageError(`cannot create technical user: ${JSON.stringify(created.body)}`);
      }
      (mock.startup.technicalUsers as unknown[] | undefined)?.push(created.body) ??
        Object.assign(mock.startup, { technicalUsers: [created.body] });
    }
    return mock;
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    if (e instanceof StoreUnavailable) throw new UsageError(e.message, EXIT.unreachable);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${args.port} is in use`);
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on ${args.host ?? '127.0.0.1'}:${args.port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot bind ${args.host}: ${code}`);
    throw e;
  }
}

/** Parsed `idpc mock` arguments, from yargs or from node:util parseArgs. */
export interface MockCommand {
  flavour: string;
  config?: string;
  port?: string | number;
  host?: string;
  preset?: string;
  'admin-token'?: string;
  'allow-open-admin'?: boolean;
  json?: boolean;
  store?: string;
  'store-prefix'?: string;
  replicas?: string;
  'technical-user'?: string;
  'realm-import'?: string[];
  tls?: boolean;
  'tls-cert'?: string;
  'tls-key'?: string;
}

/** Where the primary of `--replicas` listens: the flags, else the config file's host and port, else 127.0.0.1 and a free port. */
async function listenAddress(args: MockCommand, port: number | undefined): Promise<{ host: string; port: number }> {
  let file: Record<string, unknown> | undefined;
  try {
    file = await configPatchOf(args);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  return {
    host: args.host ?? (typeof file?.host === 'string' ? file.host : '127.0.0.1'),
    port: port ?? (typeof file?.port === 'number' ? file.port : 0),
  };
}

/**
 * A replica takes the connections its primary hands it (src/cli/mock-replicas.ts) and says so at once, before it
 * reads a byte; while it drains it refuses them, and the primary gives them to another.
 */
function replicaServe(draining: () => boolean): ServeOptions {
  return {
    attach: (server: Server) => {
      process.on('message', (m: { idpcConnection?: number }, socket?: Socket) => {
        if (m?.idpcConnection === undefined) return;
        if (!socket || draining()) {
          socket?.destroy();
          return void process.send!({ idpcRefused: m.idpcConnection });
        }
        server.emit('connection', socket);
        socket.resume();
        process.send!({ idpcAccepted: m.idpcConnection });
      });
      return JSON.parse(process.env[REPLICA_ADDRESS_ENV]!) as { host: string; port: number };
    },
  };
}

/** Runs `idpc mock`: starts the mock, prints where it listens, stops cleanly on SIGINT/SIGTERM. */
export async function runMockCommand(args: MockCommand): Promise<void> {
  let port: number | undefined;
  if (args.port !== undefined) {
    port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || String(args.port).trim() === '')
      throw new UsageError(`--port must be 0..65535, got ${String(args.port)}`);
  }
  // An empty token would mean "no token" without saying so: the admin plane open while the user thinks it guarded.
  if (args['admin-token'] !== undefined && args['admin-token'].trim() === '')
    throw new UsageError(
      '--admin-token is empty: give a token, or leave the flag out for an admin plane on loopback only',
    );
  const store = args.store ?? (process.env.IDPC_STORE || undefined);
  const replicas = args.replicas === undefined ? 1 : Number(args.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 64 || String(args.replicas).trim() === '')
    throw new UsageError(`--replicas must be a whole number 1..64, got ${String(args.replicas)}`);
  if (replicas > 1 && (!store || store === 'memory'))
    throw new UsageError(
      "--replicas needs a shared store (--store redis://host:port/db or IDPC_STORE): on memory, replicas would not know each other's tokens",
    );
  if ((args['tls-cert'] === undefined) !== (args['tls-key'] === undefined))
    throw new UsageError('--tls-cert and --tls-key go together: give both PEM files (or --tls to make them)');
  const tls =
    args['tls-cert'] !== undefined
      ? { certFile: args['tls-cert'], keyFile: args['tls-key']! }
      : args.tls
        ? (true as const)
        : undefined;
  if (tls && replicas > 1)
    throw new UsageError(
      '--tls serves one process: leave out --replicas (a TLS front such as a proxy can spread the load)',
    );
  if (replicas > 1) {
    const { runReplicas } = await import('./mock-replicas.js');
    const cluster = (await import('node:cluster')).default;
    if (cluster.isPrimary) return runReplicas(replicas, args.json ?? false, await listenAddress(args, port));
  }
  const replica = process.send !== undefined && replicas > 1;
  let draining = false;
  const mock = await startMockFromCli(
    {
      flavour: args.flavour,
      json: args.json ?? false,
      ...(args.config ? { config: args.config } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(args.host ? { host: args.host } : {}),
      ...(args.preset ? { preset: args.preset } : {}),
      ...(args['admin-token'] ? { adminToken: args['admin-token'] } : {}),
      ...(args['allow-open-admin'] ? { allowOpenAdmin: true } : {}),
      ...(args['technical-user'] ? { technicalUser: args['technical-user'] } : {}),
      ...(args['realm-import']?.length ? { realmImport: args['realm-import'] } : {}),
      ...(tls ? { tls } : {}),
      ...(store ? { store } : {}),
      ...(args['store-prefix'] ? { storePrefix: args['store-prefix'] } : {}),
    },
    replica ? replicaServe(() => draining) : undefined,
  ).catch((e: unknown) => {
    // A replica that cannot start says why (main.ts prints it) and exits with its code: its channel to the primary
    // must not hold it (a disconnect would make cluster exit it with 0).
    if (replica) process.channel?.unref();
    throw e;
  });
  const info = describeMock(mock);
  // A replica tells the primary where it listens; the primary prints once for all (src/cli/mock-replicas.ts).
  if (replica) process.send!({ idpcReplica: info });
  else process.stdout.write(`${args.json ? JSON.stringify(info) : formatMock(info)}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      // Ctrl-C reaches a replica twice (its own SIGINT, then the primary's SIGTERM): it stops once.
      if (stopping) return;
      stopping = true;
      draining = true;
      const report = () => {
        const t = mock.traffic();
        process.stderr.write(`idpc mock: stopped; answered ${t.answered} of the ${t.received} requests it received\n`);
        resolve();
      };
      mock.close().then(report, report);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // A replica's channel to the primary would keep it alive.
  if (replica) process.channel?.unref();
}
