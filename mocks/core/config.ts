import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { registry } from '../../src/schemas/registry.js';
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
  admin: { enabled: true },
  journal: { enabled: true, maxEntries: 1000 },
  clock: { frozen: false },
  limits: { maxBodyBytes: 65536, maxParamBytes: 8192 },
  tokens: { accessTokenLifetime: 3600, refreshTokenLifetime: 86400, maxStoredTokens: 200_000, expiredRetention: 3600 },
  refresh: { rotate: true, revokeOldRefreshToken: true, revokeOldAccessToken: false, graceSeconds: 0, maxReuse: 0, revokeFamilyOnReplay: false, scopeAfterNarrowing: 'original' },
  clients: [],
  users: [],
  faults: [],
  rator: { context: 'appcontext', brandKeys: [], missingBrandKey: 'invalid_request' },
  portal: { catalogVisibility: 'private' },
  infolink: { resourceErrorStatus: 401 },
  extra: {},
};

/** Reads a JSON or YAML config file and validates it against schemas/config/mock-config.schema.json. */
export function loadConfigFile(path: string): MockConfigPatch & { flavour?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message]);
  }
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [`not valid ${['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`]);
  }
  const result = registry().validate('config', 'mock-config', value);
  if (!result.valid) throw new ConfigError(path, result.errors.map((e) => `${e.path || '/'}: ${e.message}`));
  return value as MockConfigPatch;
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

function normaliseClient(c: Partial<ClientRecord> & { clientId: string }): ClientRecord {
  return {
    clientId: c.clientId,
    ...(c.clientSecret !== undefined ? { clientSecret: c.clientSecret } : {}),
    public: c.public ?? false,
    grants: c.grants ?? [],
    scopes: c.scopes ?? [],
    enabled: c.enabled ?? true,
  };
}

function normaliseUser(u: Partial<UserRecord> & { username: string; password: string }): UserRecord {
  return { username: u.username, password: u.password, enabled: u.enabled ?? true, operator: u.operator ?? false, groups: u.groups ?? [] };
}

const CORE_KEYS = new Set(Object.keys(CORE_DEFAULTS).concat(['flavour', 'preset', '$schema']));

/**
 * Core defaults <- the flavour's preset <- each patch in order (file, then flags). The result is validated
 * against the schema again, so that a flag cannot smuggle in what a file could not.
 */
export function resolveConfig(mock: FlavourMock, patches: (MockConfigPatch & { preset?: string })[]): ResolvedMockConfig {
  const presetName = [...patches].reverse().find((p) => p.preset)?.preset ?? mock.defaultPreset;
  const preset = mock.presets[presetName];
  if (!preset) throw new ConfigError('preset', [`flavour ${mock.descriptor.name} has no preset "${presetName}" (presets: ${Object.keys(mock.presets).join(', ')})`]);
  let merged: Record<string, unknown> = { flavour: mock.descriptor.name };
  for (const p of [preset, ...patches]) merged = merge(merged, p);
  merged.preset = presetName;
  const { extra: _ignored, ...forSchema } = merged;
  const check = registry().validate('config', 'mock-config', forSchema);
  if (!check.valid) throw new ConfigError('configuration', check.errors.map((e) => `${e.path || '/'}: ${e.message}`));
  const resolved = merge(structuredClone(CORE_DEFAULTS) as unknown as Record<string, unknown>, merged) as unknown as ResolvedMockConfig;
  resolved.extra = Object.fromEntries(Object.entries(merged).filter(([k]) => !CORE_KEYS.has(k)));
  resolved.clients = resolved.clients.map((c) => normaliseClient(c));
  resolved.users = resolved.users.map((u) => normaliseUser(u));
  return resolved;
}

export { normaliseClient, normaliseUser };
