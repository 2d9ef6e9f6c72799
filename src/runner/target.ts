import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { TARGET_BUDGET_DEFAULTS } from '../generated/defaults.js';
import { DEFAULT_MAX_WAIT_SECONDS } from '../session/http.js';
import { ConfigFileError, readConfigFile } from '../util/config-file.js';
import { redactText } from '../util/redact.js';
import { FLAVOURS, isFlavourName, type FlavourDescriptor, type FlavourName } from '../flavours/index.js';
import type { Profile } from '../checks/define.js';
import type { ConfigTargetConfig } from '../generated/schemas.js';
import type { RefreshMode } from '../vocabulary/types.js';
import { registry } from '../schemas/registry.js';
import type { RunningMock } from '../../mocks/index.js';

type ClientRecord = NonNullable<ReturnType<RunningMock['context']['clients']['get']>>;
import type { AuthorizationCodeSetup, Target, TargetClient, TargetUser } from '../vocabulary/types.js';

export class TargetConfigError extends Error {}

/** A target config's budget when it sets none: its schema's defaults (src/generated/defaults.ts). */
const DEFAULT_BUDGET: Target['budget'] = { ...TARGET_BUDGET_DEFAULTS };
/** In-process mocks are ours: a larger budget and no rate limit, so that default runs take seconds. */
const MOCK_BUDGET = {
  maxRequests: 20_000,
  maxBadCredentialAttempts: 10_000,
  ratePerSecond: 1_000_000,
  timeoutMs: 5_000,
  maxWaitSeconds: DEFAULT_MAX_WAIT_SECONDS,
};

function pickClient(
  m: RunningMock,
  test: (c: { grants: string[]; public: boolean }) => boolean,
  prefer?: (c: { public: boolean }) => boolean,
): TargetClient | undefined {
  const all = [...m.context.clients.values()].filter((c) => c.enabled && test(c));
  const c = (prefer && all.find(prefer)) ?? all[0];
  if (!c) return undefined;
  const auth = c.public ? 'none' : (m.description.clientAuth ?? 'basic');
  return {
    clientId: c.clientId,
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    public: c.public,
    auth,
    grants: c.grants,
  };
}

/**
 * The mock's browser flow: its authorization endpoint, a client that may use the code grant and has a redirect URI
 * (the user client when it may, else the first such client), the login form's defaults (the mock serves its flavour's
 * real form), the PKCE it declares, and a twin of that client for TE-P9 (added through the control plane).
 */
async function browserFlowOfMock(
  m: RunningMock,
  user: TargetClient | undefined,
  other: TargetClient | undefined,
  endUser: { username: string; password?: string } | undefined,
): Promise<AuthorizationCodeSetup | undefined> {
  const qualifies = (c: ClientRecord | undefined) =>
    !!c?.enabled && c.grants.includes('authorization_code') && !!c.redirectUris?.some((u) => !u.endsWith('*'));
  const userRecord = user ? m.context.clients.get(user.clientId) : undefined;
  const record = qualifies(userRecord) ? userRecord : [...m.context.clients.values()].find(qualifies);
  const authorizationUrl = m.endpoints.authorization;
  if (!record || !authorizationUrl || !endUser?.password) return undefined;
  const asTarget = (c: ClientRecord): TargetClient => ({
    clientId: c.clientId,
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    public: c.public,
    auth: c.public ? 'none' : (m.description.clientAuth ?? 'basic'),
    grants: c.grants,
  });
  const client = record === userRecord && user ? user : asTarget(record);
  let otherClient = record === userRecord ? other : undefined;
  if (!otherClient) {
    const twin = await m.addClient({
      ...structuredClone(record),
      clientId: 'idpc-other-browser-client',
      ...(record.clientSecret ? { clientSecret: 'idpc-other-browser-secret' } : {}),
    });
    otherClient = asTarget(twin);
  }
  return {
    authorizationUrl,
    client,
    otherClient,
    redirectUri: record.redirectUris!.find((u) => !u.endsWith('*'))!,
    pkce: record.pkceMethod === 'S256' ? 'S256' : record.pkceMethod ? 'required' : 'optional',
    openid: m.description.openid === true,
    ...(m.description.codeLifetime ? { codeLifetime: m.description.codeLifetime } : {}),
    login: {
      username: endUser.username,
      password: endUser.password,
      usernameField: 'username',
      passwordField: 'password',
      consent: true,
    },
  };
}

/** A target config's policies.refreshRotation in the runner's words (`rotate` is the older spelling of rotate-revoke). */
const REFRESH_MODE_OF_ROTATION: Record<
  NonNullable<NonNullable<ConfigTargetConfig['policies']>['refreshRotation']>,
  RefreshMode
> = {
  'rotate-revoke': 'rotate-revoke',
  rotate: 'rotate-revoke',
  'rotate-keep': 'rotate',
  reuse: 'reuse',
  unknown: 'unknown',
};

/** The target of `idpc run --mock`: the in-process mock's endpoints, seeded clients and users, and its declared policies. */
export async function targetOfMock(m: RunningMock, profile: Profile): Promise<Target> {
  const flavour = m.config.flavour as FlavourName;
  const descriptor = FLAVOURS[flavour];
  const user = pickClient(
    m,
    (c) => c.grants.includes('password'),
    (c) => !c.public,
  );
  // A second client of the same kind, for the cross-client refresh check (TE-G5): a mock is ours to add it to, through
  // its control plane (as POST /__admin/clients would), unless it already has one.
  let other: TargetClient | undefined;
  const template = user ? m.context.clients.get(user.clientId) : undefined;
  if (template) {
    const twin = await m.addClient({
      ...structuredClone(template),
      clientId: 'idpc-other-client',
      ...(template.clientSecret ? { clientSecret: 'idpc-other-secret' } : {}),
    });
    other = { ...user!, clientId: twin.clientId, ...(twin.clientSecret ? { clientSecret: twin.clientSecret } : {}) };
  }
  const service = pickClient(m, (c) => c.grants.includes('client_credentials') && !c.public);
  // Only users whose password this process knows (one learnt from another replica by hash cannot be sent).
  const users = [...m.context.users.values()].filter(
    (u): u is typeof u & { password: string } => u.enabled && u.password !== undefined,
  );
  const endUser = users.find((u) => !u.operator && !u.username.startsWith('service-account-'));
  const operator = users.find((u) => u.operator);
  const d = m.description;
  const offline = d.offlineClient;
  const secrets = [
    ...[...m.context.clients.values()].map((c) => c.clientSecret ?? ''),
    ...[...m.context.users.values()].map((u) => u.password ?? ''),
    ...(offline ? [offline.clientSecret, offline.refreshToken] : []),
    ...(other?.clientSecret ? [other.clientSecret] : []),
  ].filter(Boolean);
  const resourceUrl = m.endpoints.resource;
  const authorizationCode = await browserFlowOfMock(m, user, other, endUser);
  return {
    flavour,
    preset: m.config.preset,
    tokenUrl: m.tokenEndpoint,
    ...(m.endpoints.logout ? { logoutUrl: m.endpoints.logout } : {}),
    ...(m.endpoints.revocation ? { revocationUrl: m.endpoints.revocation } : {}),
    ...(m.endpoints.discovery ? { discoveryUrl: m.endpoints.discovery } : {}),
    ...(resourceUrl
      ? {
          resource: {
            method: descriptor.resource?.method ?? 'GET',
            url: resourceUrl,
            ...(descriptor.resource?.method === 'POST'
              ? { body: '{}', headers: { 'content-type': 'application/json' } }
              : {}),
          },
        }
      : {}),
    clients: {
      ...(user ? { user } : {}),
      ...(service ? { service } : {}),
      ...(other ? { other } : {}),
      ...(offline
        ? {
            technical: {
              clientId: offline.clientId,
              clientSecret: offline.clientSecret,
              public: false,
              auth: 'post' as const,
              grants: ['refresh_token'],
              refreshToken: offline.refreshToken,
              tokenUrl: offline.tokenEndpoint,
            },
          }
        : {}),
    },
    ...(endUser ? { user: { username: endUser.username, password: endUser.password } } : {}),
    ...(operator ? { operator: { username: operator.username, password: operator.password, operator: true } } : {}),
    ...(authorizationCode ? { authorizationCode } : {}),
    grants: descriptor.grants,
    // What the flavour's mock says of itself (Rator's brand key, Keycloak's refresh behaviour, scopes).
    extraParams: d.extraParams ?? {},
    requiredParams: requiredOf(descriptor, d.extraParams ?? {}),
    resourceHeaders: d.resourceHeaders ?? {},
    refreshMode: d.refreshMode ?? declaredRefreshMode(m),
    refreshRevokesAccess: d.refreshRevokesAccess ?? m.config.refresh.revokeOldAccessToken,
    // What the mock's configuration makes its tokens live: declared, so TE-C18 holds the mock to it.
    lifetimes: d.lifetimes ?? { access: m.config.tokens.accessTokenLifetime },
    ...(descriptor.noScopes ? {} : { scope: { ...d.scope, unknown: UNKNOWN_SCOPE } }),
    profile,
    // The mock printed its credentials itself: its reports' curl lines carry them, so that they run as printed.
    revealSecrets: true,
    budget: MOCK_BUDGET,
    mock: {
      advanceClock: (s) => m.clock.advance(s),
      now: () => m.clock.now(),
      accessTokenLifetime: m.config.tokens.accessTokenLifetime,
      refreshTokenLifetime: m.config.tokens.refreshTokenLifetime,
      addClient: async (clientId, clientSecret) => {
        if (!template || !user) return undefined;
        await m.addClient({ ...structuredClone(template), clientId, clientSecret, public: false });
        return { ...user, clientId, clientSecret, public: false, auth: 'basic' };
      },
      addUser: (username, password) => {
        m.context.users.set(username, { username, password, enabled: true, operator: false, groups: ['robots'] });
        return { username, password };
      },
    },
    secrets,
  };
}

/** A scope no server knows (the schema's default of scopes.unknown). */
const UNKNOWN_SCOPE = 'idpc-unknown-scope';

/** The extra parameters a flavour documents as required (Rator's brand_key), among those a target sends. */
const requiredOf = (d: FlavourDescriptor, extra: Record<string, string>): string[] =>
  Object.keys(extra).filter((k) => d.requiredParams?.some((p) => p.names.includes(k)));

/** The scopes to exercise: the config's, else the user client's scope (and, with several, its first as the narrower one). */
function scopesOf(config: ConfigTargetConfig, d: FlavourDescriptor, user: TargetClient | undefined): Target['scope'] {
  const s = config.scopes;
  if (d.noScopes && !s) return undefined;
  const full = s?.granted ?? user?.scope;
  const words = full?.split(' ').filter(Boolean) ?? [];
  const narrower = s?.narrower ?? (words.length > 1 ? words[0] : undefined);
  return {
    ...(full ? { full } : {}),
    ...(narrower ? { narrower } : {}),
    ...(s?.notAllowed ? { notAllowed: s.notAllowed } : {}),
    unknown: s?.unknown ?? UNKNOWN_SCOPE,
  };
}

/** The refresh behaviour the core's refresh policy declares (what a target config states as policies.refreshRotation). */
function declaredRefreshMode(m: RunningMock): Target['refreshMode'] {
  const p = m.config.refresh;
  if (!p.rotate) return 'reuse';
  return p.revokeOldRefreshToken && p.graceSeconds === 0 && p.maxReuse === 0 ? 'rotate-revoke' : 'rotate';
}

/** ${env:NAME} placeholders, so that a target file with secrets can be committed. */
function substituteEnv(value: unknown, path: string, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = process.env[name];
      if (v === undefined) missing.push(`${path}: environment variable ${name} is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, `${path}/${i}`, missing));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, `${path}/${k}`, missing)]));
  return value;
}

/** Reads and validates a target config (schemas/config/target-config.schema.json). */
export async function loadTargetConfig(path: string): Promise<{ config: ConfigTargetConfig; secrets: string[] }> {
  let raw: unknown;
  try {
    raw = await readConfigFile(path);
  } catch (e) {
    if (e instanceof ConfigFileError)
      throw new TargetConfigError(e.reason === 'no such file' ? `cannot read ${path}: no such file` : e.message);
    throw e;
  }
  // ${env:NAME} first, so that a URL built from the environment is validated as the URL it becomes.
  const missing: string[] = [];
  const config = substituteEnv(raw, '', missing) as ConfigTargetConfig;
  if (missing.length) throw new TargetConfigError(`${path}: ${missing.join('; ')}`);
  const check = registry().validate('config', 'target-config', config);
  // A message may quote a value: what came from the environment (secrets, most often) is redacted in it.
  const fromEnv = [...JSON.stringify(raw).matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)]
    .map((m) => process.env[m[1]!] ?? '')
    .filter(Boolean);
  if (!check.valid)
    throw new TargetConfigError(
      redactText(`${path}: ${check.errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ')}`, fromEnv),
    );
  const secrets = [
    ...(config.clients ?? []).flatMap((c) => [c.clientSecret ?? '', c.refreshToken ?? '']),
    ...(config.users ?? []).map((u) => u.password),
  ].filter(Boolean);
  return { config, secrets };
}

/**
 * TLS material for a target: PEM files read now (relative paths from `baseDir`, the config file's folder), so that a
 * missing or unreadable file is a config error before any request, not a handshake failure later.
 */
export function tlsOf(
  spec: { ca?: string; cert?: string; key?: string; insecure?: boolean } | undefined,
  baseDir: string,
  where = 'tls',
): Target['tls'] {
  if (!spec) return undefined;
  const read = (name: 'ca' | 'cert' | 'key') => {
    const file = spec[name];
    if (file === undefined) return {};
    const path = isAbsolute(file) ? file : join(baseDir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new TargetConfigError(
        `${where}${where.startsWith('--') ? '-' : '.'}${name}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    if (!/-----BEGIN [A-Z ]+-----/.test(text))
      throw new TargetConfigError(
        `${where}${where.startsWith('--') ? '-' : '.'}${name}: ${path} is not a PEM file (no -----BEGIN ...----- line)`,
      );
    return { [name]: text };
  };
  if ((spec.cert === undefined) !== (spec.key === undefined))
    throw new TargetConfigError(`${where}: a client certificate needs both cert and key`);
  return { ...read('ca'), ...read('cert'), ...read('key'), ...(spec.insecure ? { insecure: true } : {}) };
}

/** A client's stored refresh token: the configured one, else its refreshTokenFile's content (read now: a missing file is a config error). */
function storedTokenOf(
  c: NonNullable<ConfigTargetConfig['clients']>[number],
  baseDir: string,
): Pick<TargetClient, 'refreshToken' | 'refreshTokenFile'> {
  const file =
    c.refreshTokenFile === undefined
      ? undefined
      : isAbsolute(c.refreshTokenFile)
        ? c.refreshTokenFile
        : join(baseDir, c.refreshTokenFile);
  let token = c.refreshToken;
  if (token === undefined && file) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new TargetConfigError(
        `clients[${c.clientId}].refreshTokenFile: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    if (!token) throw new TargetConfigError(`clients[${c.clientId}].refreshTokenFile: ${file} is empty`);
  }
  return { ...(token ? { refreshToken: token } : {}), ...(file ? { refreshTokenFile: file } : {}) };
}

/** A target from a config file: explicit URLs win, otherwise the flavour's paths under baseUrl. Every option is read here. */
/** A target config's authorizationCode section, with what it refers to resolved (the endpoint, client and user). */
function browserFlowOf(
  ac: NonNullable<ConfigTargetConfig['authorizationCode']>,
  descriptor: FlavourDescriptor,
  resolved: {
    authorizationUrl: string | undefined;
    client: TargetClient | undefined;
    otherClient: TargetClient | undefined;
    user: TargetUser | undefined;
  },
): AuthorizationCodeSetup {
  if (!resolved.authorizationUrl)
    throw new TargetConfigError('authorizationCode: give authorizationEndpoint (the flavour has no default path)');
  if (!resolved.client)
    throw new TargetConfigError(`authorizationCode: no ${ac.client ?? 'user'} client in clients to run the flow with`);
  if (!resolved.user) throw new TargetConfigError('authorizationCode: give a user in users to log in with');
  if (ac.otherClient && !resolved.otherClient)
    throw new TargetConfigError(`authorizationCode.otherClient: no client named ${ac.otherClient} in clients`);
  const login = ac.login ?? {};
  const defaults = descriptor.browser;
  const formSelector = login.formSelector ?? defaults?.formSelector;
  const codeLifetime = ac.codeLifetime ?? defaults?.codeLifetime;
  return {
    authorizationUrl: resolved.authorizationUrl,
    client: resolved.client,
    ...(resolved.otherClient ? { otherClient: resolved.otherClient } : {}),
    redirectUri: ac.redirectUri,
    pkce: ac.pkce ?? 'optional',
    ...(ac.scope ? { scope: ac.scope } : {}),
    openid: ac.openid ?? defaults?.openid ?? false,
    ...(codeLifetime ? { codeLifetime } : {}),
    login: {
      username: resolved.user.username,
      password: resolved.user.password,
      ...(formSelector ? { formSelector } : {}),
      usernameField: login.usernameField ?? defaults?.usernameField ?? 'username',
      passwordField: login.passwordField ?? defaults?.passwordField ?? 'password',
      consent: login.consent ?? true,
    },
  };
}

export function targetOfConfig(
  config: ConfigTargetConfig,
  secrets: string[],
  profileOverride?: Profile,
  options: { baseDir?: string } = {},
): Target {
  if (!isFlavourName(config.flavour)) throw new TargetConfigError(`unknown flavour ${config.flavour}`);
  const descriptor = FLAVOURS[config.flavour];
  const base = config.baseUrl?.replace(/\/$/, '');
  const under = (path: string | undefined) => (base !== undefined && path !== undefined ? base + path : undefined);
  const paths = descriptor.configPaths;
  const endpoints = config.endpoints ?? {};
  const tokenUrl = endpoints.token ?? under(paths.token);
  if (!tokenUrl) throw new TargetConfigError('give baseUrl or endpoints.token');
  const url = new URL(tokenUrl);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const allowHttp = config.allowHttp ?? false;
  if (url.protocol !== 'https:' && !(allowHttp && local))
    throw new TargetConfigError(
      `TE-A1: the token endpoint must be https (http only for a local target with allowHttp): ${tokenUrl}`,
    );
  if (url.hash) throw new TargetConfigError('TE-A1: the token endpoint must not have a fragment');
  const targetGrants = config.grants ?? descriptor.grants;
  const unsent = (config.requiredParams ?? []).filter((k) => !(k in (config.extraParams ?? {})));
  if (unsent.length)
    throw new TargetConfigError(
      `requiredParams names ${unsent.join(', ')}, which extraParams does not send: give its value there`,
    );
  const toClient = (c: NonNullable<ConfigTargetConfig['clients']>[number]): TargetClient => ({
    clientId: c.clientId,
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    // A public client may hold a secret it sends anyway (the portal's robot client, seed 000): public for the checks.
    public: c.public ?? !c.clientSecret,
    auth: c.auth ?? (c.clientSecret ? (descriptor.clientAuth.includes('basic') ? 'basic' : 'post') : 'none'),
    grants: c.grants ?? targetGrants,
    ...storedTokenOf(c, options.baseDir ?? process.cwd()),
    ...(c.scope ? { scope: c.scope } : {}),
  });
  const clients = (config.clients ?? []).map(toClient);
  const users = (config.users ?? []).map((u) => ({
    username: u.username,
    password: u.password,
    ...(u.operator ? { operator: true } : {}),
  }));
  const byName = (n: string) => clients[(config.clients ?? []).findIndex((c) => c.name === n)];
  const can = (c: TargetClient, grant: string) => c.grants.includes(grant) && targetGrants.includes(grant);
  const user =
    byName('user') ?? clients.find((c) => !c.refreshToken && (can(c, 'password') || can(c, 'refresh_token')));
  // One client may do several grants: the user client serves client_credentials too when it may.
  const service =
    byName('service') ??
    clients.find((c) => !c.public && c !== user && can(c, 'client_credentials')) ??
    (user && !user.public && can(user, 'client_credentials') ? user : undefined);
  // The cross-client checks (TE-G5, TE-I7) need a second client: a configured one, else the service client when it is
  // another than the user client (any other registered client must be refused another's tokens).
  const other =
    byName('other') ?? (service && user && service.clientId !== user.clientId && !service.public ? service : undefined);
  const technical = clients.find((c) => c.refreshToken);
  const budget = { ...DEFAULT_BUDGET, ...config.budget };
  const resourceOption = endpoints.resource;
  const flavourResource = descriptor.resource;
  const resourceUrl =
    typeof resourceOption === 'string' ? resourceOption : (resourceOption?.url ?? under(paths.resource));
  const resourceBody =
    typeof resourceOption === 'object' && resourceOption.body !== undefined
      ? resourceOption.body
      : flavourResource?.body?.text;
  const resourceHeaders = {
    ...(flavourResource?.body && resourceBody !== undefined
      ? { 'content-type': flavourResource.body.contentType }
      : {}),
    ...(typeof resourceOption === 'object' ? resourceOption.headers : {}),
  };
  const policies = config.policies ?? {};
  const refreshRevokesAccess = policies.refreshRevokesAccess ?? descriptor.refreshRevokesAccess;
  const issuer = config.issuer ?? (paths.issuer !== undefined ? under(paths.issuer) : undefined);
  const discoveryUrl = endpoints.discovery ?? under(paths.discovery);
  const jwksUrl = endpoints.jwks ?? under(paths.jwks);
  const logoutUrl = endpoints.logout ?? under(paths.logout);
  const revocationUrl = endpoints.revocation ?? under(paths.revocation);
  const authorizationCode = config.authorizationCode
    ? browserFlowOf(config.authorizationCode, descriptor, {
        authorizationUrl: config.authorizationCode.authorizationEndpoint ?? under(paths.authorization),
        client:
          config.authorizationCode.client === undefined || config.authorizationCode.client === 'user'
            ? user
            : byName(config.authorizationCode.client),
        otherClient: config.authorizationCode.otherClient ? byName(config.authorizationCode.otherClient) : undefined,
        user: users.find((u) => !u.operator),
      })
    : undefined;
  const lifetimes = {
    ...(policies.accessTokenLifetime ? { access: policies.accessTokenLifetime } : {}),
    ...(policies.refreshTokenLifetime !== undefined ? { refresh: policies.refreshTokenLifetime } : {}),
  };
  return {
    flavour: config.flavour,
    ...(config.preset ? { preset: config.preset } : {}),
    tokenUrl,
    ...(logoutUrl ? { logoutUrl } : {}),
    ...(revocationUrl ? { revocationUrl } : {}),
    ...(discoveryUrl ? { discoveryUrl } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
    ...(issuer ? { issuer } : {}),
    ...(resourceUrl
      ? {
          resource: {
            method:
              (typeof resourceOption === 'object' ? resourceOption.method : undefined) ??
              flavourResource?.method ??
              'GET',
            url: resourceUrl,
            headers: resourceHeaders,
            ...(resourceBody !== undefined ? { body: resourceBody } : {}),
          },
        }
      : {}),
    clients: {
      ...(user ? { user } : {}),
      ...(service ? { service } : {}),
      ...(other ? { other } : {}),
      ...(technical ? { technical } : {}),
    },
    ...(users.find((u) => !u.operator) ? { user: users.find((u) => !u.operator)! } : {}),
    ...(users.find((u) => u.operator) ? { operator: users.find((u) => u.operator)! } : {}),
    ...(users.filter((u) => !u.operator).length > 1 ? { extraUsers: users.filter((u) => !u.operator).slice(1) } : {}),
    ...(authorizationCode ? { authorizationCode } : {}),
    grants: targetGrants,
    extraParams: config.extraParams ?? {},
    requiredParams: config.requiredParams ?? requiredOf(descriptor, config.extraParams ?? {}),
    resourceHeaders: {},
    // Not declared (or 'unknown'): rotation is classified (TE-H1) but never asserted.
    refreshMode: policies.refreshRotation ? REFRESH_MODE_OF_ROTATION[policies.refreshRotation] : descriptor.refreshMode,
    ...(refreshRevokesAccess !== undefined ? { refreshRevokesAccess } : {}),
    ...(Object.keys(lifetimes).length ? { lifetimes } : {}),
    ...(policies.sessionLimit ? { sessionLimit: policies.sessionLimit } : {}),
    ...(scopesOf(config, descriptor, user) ? { scope: scopesOf(config, descriptor, user)! } : {}),
    profile: profileOverride ?? config.profile ?? 'rfc6749',
    budget,
    ...(config.tls ? { tls: tlsOf(config.tls, options.baseDir ?? process.cwd())! } : {}),
    // A stored token read from its file is as secret as one written in the config.
    secrets: [
      ...secrets,
      ...clients.flatMap((c) => (c.refreshToken && !secrets.includes(c.refreshToken) ? [c.refreshToken] : [])),
    ],
  };
}
