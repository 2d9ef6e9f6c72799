import { ConfigFileError, parseConfigText, readConfigFile } from '../../src/util/config-file.js';
import type { ErrorObject } from 'ajv';
import validateMockConfig from '../../src/generated/validators/mock-config.js';
import { dedupe, isReportable, toSchemaError } from '../../src/schemas/messages.js';
import type { ClientRecord, FlavourMock, MockConfigPatch, ResolvedMockConfig, UserRecord } from './flavour.js';

/** A configuration problem, with the path of each thing that is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

const CORE_DEFAULTS: Omit<ResolvedMockConfig, 'flavour' | 'preset'> = {
  host: '127.0.0.1',
  port: 0,
  tls: false,
  admin: { enabled: true, allowUnauthenticated: false },
  store: { url: 'memory', prefix: 'idpc', timeoutMs: 2000 },
  journal: { enabled: true, maxEntries: 1000 },
  clock: { frozen: false },
  login: { honourLoginHint: false },
  limits: { maxBodyBytes: 65536, maxParamBytes: 8192 },
  tokens: {
    accessTokenLifetime: 3600,
    refreshTokenLifetime: 86400,
    maxStoredTokens: 1_000_000,
    maxStoredBytes: 24 * 2 ** 20,
    expiredRetention: 3600,
  },
  refresh: {
    rotate: true,
    revokeOldRefreshToken: true,
    revokeOldAccessToken: false,
    graceSeconds: 0,
    maxReuse: 0,
    revokeFamilyOnReplay: false,
    scopeAfterNarrowing: 'original',
  },
  clients: [],
  users: [],
  faults: [],
  plantedDeviations: {},
  extra: {},
};

/**
 * Problems of a mock configuration against schemas/config/mock-config.schema.json, as "path: message" lines.
 * Uses the precompiled validator (src/generated/validators): no ajv on the start-up path.
 */
export function mockConfigProblems(value: unknown): string[] {
  const validate = validateMockConfig as unknown as ((v: unknown) => boolean) & { errors?: ErrorObject[] | null };
  if (validate(value)) return [];
  return dedupe((validate.errors ?? []).filter(isReportable).map((e) => toSchemaError(e, value))).map(
    (e) => `${e.path || '/'}: ${e.message}`,
  );
}

/**
 * Reads a JSON or YAML config file and validates it against schemas/config/mock-config.schema.json. A file that names
 * no flavour takes the one the command line gave (`flavour`); one that names another is refused.
 */
export async function loadConfigFile(path: string, flavour?: string): Promise<MockConfigPatch & { flavour?: string }> {
  let value: unknown;
  try {
    value = await readConfigFile(path);
  } catch (e) {
    if (e instanceof ConfigFileError) throw new ConfigError(path, [e.reason]);
    throw e;
  }
  return checkedConfig(value, path, flavour);
}

/** The name of the environment variable that may hold a whole mock config (JSON or YAML), for containers and CI. */
export const MOCK_CONFIG_VARIABLE = 'IDPC_MOCK_CONFIG';

/** The mock config in IDPC_MOCK_CONFIG, validated (its flavour filled in from the command line), or undefined. */
export async function configFromEnvironment(
  env: NodeJS.ProcessEnv,
  flavour?: string,
): Promise<(MockConfigPatch & { flavour?: string }) | undefined> {
  const text = env[MOCK_CONFIG_VARIABLE];
  if (text === undefined || text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = await parseConfigText(text, MOCK_CONFIG_VARIABLE);
  } catch (e) {
    if (e instanceof ConfigFileError) throw new ConfigError(MOCK_CONFIG_VARIABLE, [e.reason]);
    throw e;
  }
  return checkedConfig(value, MOCK_CONFIG_VARIABLE, flavour);
}

function checkedConfig(
  value: unknown,
  source: string,
  flavour: string | undefined,
): MockConfigPatch & { flavour?: string } {
  const filled =
    flavour !== undefined && isObject(value) && value.flavour === undefined ? { flavour, ...value } : value;
  if (flavour !== undefined && isObject(filled) && filled.flavour !== flavour)
    throw new ConfigError(source, [`a ${String(filled.flavour)} config, not ${flavour}`]);
  const problems = mockConfigProblems(filled);
  if (problems.length) throw new ConfigError(source, problems);
  return filled as MockConfigPatch;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Objects merge member by member; arrays (clients, users, faults) and scalars replace. */
function merge<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = isObject(out[k]) && isObject(v) ? merge(out[k], v) : v;
  }
  return out as T;
}

/**
 * A client with the schema's defaults filled in. Every member the schema allows is kept (a flavour's own, such as
 * Keycloak's consentRequired, too): the schema has already refused any other.
 */
function normaliseClient(c: Partial<ClientRecord> & { clientId: string }): ClientRecord {
  return {
    ...c,
    public: c.public ?? false,
    grants: c.grants ?? [],
    scopes: c.scopes ?? [],
    enabled: c.enabled ?? true,
  };
}

/** A user with the schema's defaults filled in; every member the schema allows is kept (Keycloak's roles, claims). */
function normaliseUser(u: Partial<UserRecord> & { username: string }): UserRecord {
  return {
    ...u,
    enabled: u.enabled ?? true,
    operator: u.operator ?? false,
    groups: u.groups ?? [],
  };
}

const CORE_KEYS = new Set(Object.keys(CORE_DEFAULTS).concat(['flavour', 'preset', '$schema']));

/**
 * Core defaults <- the flavour's preset <- each patch in order (file, then flags). The result is validated
 * against the schema again, so that a flag cannot smuggle in what a file could not.
 */
export function resolveConfig(
  mock: FlavourMock,
  patches: (MockConfigPatch & { preset?: string })[],
): ResolvedMockConfig {
  const presetName = [...patches].reverse().find((p) => p.preset)?.preset ?? mock.defaultPreset;
  const preset = mock.presets[presetName];
  if (!preset)
    throw new ConfigError('preset', [
      `flavour ${mock.descriptor.name} has no preset "${presetName}" (presets: ${Object.keys(mock.presets).join(', ')})`,
    ]);
  let merged: Record<string, unknown> = { flavour: mock.descriptor.name };
  for (const p of [preset, ...patches]) merged = merge(merged, p);
  merged.preset = presetName;
  const { extra: _ignored, ...forSchema } = merged;
  const problems = mockConfigProblems(forSchema);
  if (problems.length) throw new ConfigError('configuration', problems);
  const resolved = merge(
    structuredClone(CORE_DEFAULTS) as unknown as Record<string, unknown>,
    merged,
  ) as unknown as ResolvedMockConfig;
  resolved.extra = Object.fromEntries(Object.entries(merged).filter(([k]) => !CORE_KEYS.has(k)));
  const section = mock.descriptor.name;
  if (mock.sectionDefaults)
    resolved.extra[section] = merge(structuredClone(mock.sectionDefaults), resolved.extra[section] ?? {});
  resolved.clients = resolved.clients.map((c) => normaliseClient(c));
  resolved.users = resolved.users.map((u) => normaliseUser(u));
  const storeProblem = storeUrlProblem(resolved.store.url);
  if (storeProblem) throw new ConfigError('configuration', [`store.url (--store, IDPC_STORE): ${storeProblem}`]);
  if (
    resolved.admin.enabled &&
    !resolved.admin.token &&
    !resolved.admin.allowUnauthenticated &&
    !isLoopback(resolved.host)
  ) {
    throw new ConfigError('configuration', [
      `host ${resolved.host} would expose /__admin without a token (anyone reaching the port could reset the mock and change its users): set admin.token (--admin-token), disable it (admin.enabled: false), or allow it (admin.allowUnauthenticated, --allow-open-admin)`,
    ]);
  }
  return resolved;
}

/** What is wrong with a store URL (the schema only checks its scheme), before anything tries to connect to it. */
function storeUrlProblem(url: string): string | undefined {
  if (url === 'memory') return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL: give redis://[user:password@]host:port[/db]';
  }
  if (!u.hostname) return 'no host: give redis://[user:password@]host:port[/db]';
  if (u.port && !(Number(u.port) >= 1 && Number(u.port) <= 65535)) return `port ${u.port} is not 1..65535`;
  if (u.pathname && u.pathname !== '/' && !/^\/\d{1,5}$/.test(u.pathname))
    return `the database is a number (redis://host:port/0), not ${u.pathname.slice(1)}`;
  if (u.search || u.hash) return 'no query or fragment: give redis://[user:password@]host:port[/db]';
  return undefined;
}

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

export { normaliseClient, normaliseUser };
