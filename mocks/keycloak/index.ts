/**
 * Keycloak's OpenID Connect endpoints, version by version (presets legacy, v12-23, current).
 * Behaviour from reference/flavours.md §1, read from keycloak/keycloak:
 *   services/.../protocol/oidc/endpoints/{TokenEndpoint,LogoutEndpoint,UserInfoEndpoint}.java,
 *   services/.../protocol/oidc/TokenManager.java (refresh validation, token reuse, AccessTokenResponseBuilder),
 *   services/.../authentication/authenticators/client/ClientIdAndSecretAuthenticator.java,
 *   services/.../authentication/authenticators/directgrant/{ValidateUsername,ValidatePassword}.java,
 *   services/.../authentication/authenticators/sessionlimits/UserSessionLimitsAuthenticator.java,
 *   core/.../representations/AccessTokenResponse.java.
 */
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { keycloak as descriptor } from '../../src/flavours/keycloak.js';
import type { ConfigMockConfig } from '../../src/generated/schemas.js';
import { alphanumericToken } from '../core/random.js';
import type { ClientRecord, FlavourMock, MockConfigPatch, MockContext, UserRecord } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { basicCredentials, formOf, header, Params, requestMediaType, type MockRequest, type MockResponse } from '../core/http.js';
import { decode, signHmac, signRs256, verifyHmac, verifyRs256 } from './jwt.js';
import { realmKeys, type RealmKeys } from './keys.js';

type KeycloakConfig = NonNullable<ConfigMockConfig['keycloak']>;
type RealmConfig = NonNullable<KeycloakConfig['realms']>[number];
type Settings = Required<Omit<KeycloakConfig, 'realms' | 'technicalUsers' | 'alsoServe'>> & Pick<KeycloakConfig, 'realms' | 'technicalUsers' | 'alsoServe'>;

export interface KcClient extends ClientRecord {
  bearerOnly?: boolean;
  consentRequired?: boolean;
  serviceAccountDisabled?: boolean;
  lowerCaseBearer?: boolean;
  refreshForClientCredentials?: boolean;
  offlineAllowed?: boolean;
}

export interface KcUser extends UserRecord {
  id?: string;
  requiredActions?: string[];
  locked?: boolean;
  otp?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

interface ClientSession {
  /** Seconds; updated on every refresh (TokenManager.refreshAccessToken). */
  timestamp: number;
  currentRefreshToken?: string;
  useCount: number;
}

interface UserSession {
  /** Consent revoked for a client: its next refresh is refused with invalid_scope. */
  consentRevoked?: Set<string>;
  id: string;
  userId: string;
  username: string;
  offline: boolean;
  started: number;
  lastRefresh: number;
  clients: Map<string, ClientSession>;
}

interface Realm {
  name: string;
  config: Required<Omit<RealmConfig, 'clients' | 'users' | 'sessionLimit'>> & Pick<RealmConfig, 'sessionLimit'>;
  clients: Map<string, KcClient>;
  users: Map<string, KcUser>;
  sessions: Map<string, UserSession>;
  keys: () => Promise<RealmKeys>;
  /** Realm not-before (push revocation): tokens issued earlier are stale. */
  notBefore: number;
  /** User and client not-before (per-user "logout all", client push revocation). */
  userNotBefore: Map<string, number>;
  clientNotBefore: Map<string, number>;
  /** Revoked access tokens by jti, until they expire (TokenRevocationEndpoint.revokeAccessToken: a single-use-store entry). */
  revokedAccess: Map<string, number>;
}

const VERSION_SETTINGS: Record<string, Omit<Settings, 'realms' | 'technicalUsers' | 'signingKey' | 'alsoServe'>> = {
  legacy: { relativePath: '/auth', tokenType: 'bearer', refreshAlg: 'HS256', sessionStateClaim: true, sidClaim: false, clientErrors: 'legacy', clientCredentialsRefresh: true, issuerErrorDetail: false, logoutWithoutRefreshToken: 'invalid_request', sessionLimitDeny: 'json-403' },
  'v12-23': { relativePath: '/auth', tokenType: 'Bearer', refreshAlg: 'HS256', sessionStateClaim: true, sidClaim: true, clientErrors: 'v20', clientCredentialsRefresh: false, issuerErrorDetail: false, logoutWithoutRefreshToken: 'rp-initiated', sessionLimitDeny: 'json-403' },
  current: { relativePath: '', tokenType: 'Bearer', refreshAlg: 'HS512', sessionStateClaim: false, sidClaim: true, clientErrors: 'v20', clientCredentialsRefresh: false, issuerErrorDetail: true, logoutWithoutRefreshToken: 'rp-initiated', sessionLimitDeny: 'json-403' },
};

/** The two realms of the provider documents: the OCP IAM (seeds/003) and the developer portal (seeds/001). */
const DOCUMENT_REALMS: RealmConfig[] = [
  {
    name: 'master',
    accessTokenLifespan: 300,
    ssoSessionIdleTimeout: 1800,
    ssoSessionMaxLifespan: 36000,
    // The OCP client's direct-grant flow carries the five-session limiter (a per-client flow override),
    // so that the conformance clients of this realm are not limited by it.
    sessionLimit: { realmLimit: 5, behavior: 'deny', clients: ['ocp'] },
    clients: [
      // The document's response says "bearer" and scope "openid" without asking for it: the lower-case switch and an openid default scope.
      { clientId: 'ocp', public: true, grants: ['password', 'refresh_token'], scopes: ['openid'], lowerCaseBearer: true },
      { clientId: 'conformance-service', clientSecret: 'conformance-service-secret', grants: ['client_credentials'], scopes: ['profile', 'email'] },
      { clientId: 'conformance-app', clientSecret: 'conformance-app-secret', grants: ['password', 'refresh_token'], scopes: ['profile', 'email'], offlineAllowed: true },
    ],
    users: [
      { username: 'ocp-user', password: 'ocp-password', email: 'ocp-user@example.com', firstName: 'Olga', lastName: 'Operator' },
      { username: 'qa-bot', password: 'qa-bot-password', email: 'qa-bot@example.com', firstName: 'QA', lastName: 'Bot' },
    ],
  },
  { name: 'wallis', accessTokenLifespan: 7200, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, clients: [], users: [] },
];

const presets: Record<string, MockConfigPatch> = Object.fromEntries(
  Object.entries(VERSION_SETTINGS).map(([name, settings]) => [
    name,
    {
      keycloak: {
        ...settings,
        realms: DOCUMENT_REALMS,
        // The developer portal's technical user, with the document's client id and secret (seeds/001).
        technicalUsers: [{ realm: 'wallis', name: 'Beispiel-Nutzer', clientId: '2ce233b7-9349-44d9-8e38-0a88090115d5', clientSecret: 'asQx6IsK7hGGaUQIpE7bWEEjr72CGML9', userId: '3779eeb7-f9e2-4e6d-88e4-e0ef1ee874a0' }],
      },
    },
  ]),
);

const REALM_DEFAULTS = { enabled: true, sslRequired: 'external', accessTokenLifespan: 300, ssoSessionIdleTimeout: 1800, ssoSessionMaxLifespan: 36000, offlineSessionIdleTimeout: 2592000, revokeRefreshToken: false, refreshTokenMaxReuse: 0 };
/** Client scopes every realm knows (Keycloak's built-in ones); anything else is "Invalid scopes". */
const REALM_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins', 'address', 'phone', 'microprofile-jwt', 'acr', 'basic']);

/** Keycloak's security headers (captures of Keycloak 2x). */
const SECURITY = { 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'SAMEORIGIN', 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains', 'X-Content-Type-Options': 'nosniff', 'X-XSS-Protection': '1; mode=block' };
/** TokenEndpoint sets these before any check: every token-endpoint answer carries them. */
const NO_CACHE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const json = (status: number, body: unknown, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { ...SECURITY, 'Content-Type': 'application/json', ...extra },
  body: JSON.stringify(body),
});
const oauthError = (status: number, error: string, description: string, extra: Record<string, string> = {}) =>
  json(status, { error, error_description: description }, { ...NO_CACHE, ...extra });
const empty = (status: number, extra: Record<string, string> = {}): MockResponse => ({ status, headers: { ...SECURITY, ...extra }, body: '' });

/** A stable id for a user (Keycloak ids are UUIDs): derived from realm and username unless configured. */
const userIdOf = (realm: string, user: KcUser) => {
  if (user.id) return user.id;
  const h = createHash('sha256').update(`${realm}\0${user.username}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

class KcError extends Error {
  constructor(readonly response: MockResponse) {
    super('keycloak error');
  }
}

function create(ctx: MockContext) {
  const kc = ctx.config.extra.keycloak as Settings;
  const clock = ctx.clock;
  const now = () => clock.epochSeconds();
  const rel = kc.relativePath;
  const realms = new Map<string, Realm>();
  (kc.realms ?? []).forEach((rc, i) => {
    const { clients = [], users = [], sessionLimit, ...rest } = rc;
    const config = { ...REALM_DEFAULTS, ...rest, sessionLimit } as Realm['config'];
    // The first realm shares the core's client and user maps, so /__admin/clients and /__admin/users reach it.
    const clientMap = i === 0 ? (ctx.clients as Map<string, KcClient>) : new Map<string, KcClient>();
    const userMap = i === 0 ? (ctx.users as Map<string, KcUser>) : new Map<string, KcUser>();
    for (const c of clients) clientMap.set(c.clientId, { public: false, grants: [], scopes: [], enabled: true, ...c } as KcClient);
    for (const u of users) userMap.set(u.username, { enabled: true, operator: false, groups: [], ...u } as KcUser);
    let keys: Promise<RealmKeys> | undefined;
    realms.set(rc.name, { name: rc.name, config, clients: clientMap, users: userMap, sessions: new Map(), notBefore: 0, userNotBefore: new Map(), clientNotBefore: new Map(), revokedAccess: new Map(), keys: () => (keys ??= realmKeys(kc.signingKey ?? 'fixture', rc.name)) });
  });

  /**
   * iss = {base}/realms/{realm}, with {base} the host the request came to plus the base path in use (Keycloak takes
   * the request's host unless a hostname is configured): a token minted under one base is refused under another.
   */
  const baseOf = (req: MockRequest | undefined, prefix: string) => {
    const host = req ? header(req, 'host') : undefined;
    return `${host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : ctx.baseUrl}${prefix}`;
  };
  const issuerAt = (realm: Realm, base: string) => `${base}/realms/${realm.name}`;
  // Warm the first realm's RS256 key while the server starts listening: the first token does not wait for the import.
  const first = realms.values().next().value as Realm | undefined;
  if (first) void first.keys().then((k) => k.rsa()).catch(() => undefined);
  const oidcAt = (realm: Realm, base: string, path: string) => `${issuerAt(realm, base)}/protocol/openid-connect${path}`;

  // ---- sessions ------------------------------------------------------------------------------------------
  const sessionExpiry = (realm: Realm, s: UserSession) =>
    s.offline ? s.lastRefresh + realm.config.offlineSessionIdleTimeout : Math.min(s.lastRefresh + realm.config.ssoSessionIdleTimeout, s.started + realm.config.ssoSessionMaxLifespan);
  const activeSession = (realm: Realm, id: string | undefined): UserSession | undefined => {
    const s = id ? realm.sessions.get(id) : undefined;
    if (!s) return undefined;
    if (sessionExpiry(realm, s) <= now()) {
      realm.sessions.delete(s.id);
      return undefined;
    }
    return s;
  };
  const newSession = (realm: Realm, user: { id: string; username: string }, clientId: string, offline: boolean): UserSession => {
    const t = now();
    const s: UserSession = { id: randomUUID(), userId: user.id, username: user.username, offline, started: t, lastRefresh: t, clients: new Map([[clientId, { timestamp: t, useCount: 0 }]]) };
    realm.sessions.set(s.id, s);
    // Keep memory bounded: forget sessions that expired (swept whenever the map grows past a round number).
    if (realm.sessions.size % 1024 === 0) for (const [id, x] of realm.sessions) if (sessionExpiry(realm, x) <= t) realm.sessions.delete(id);
    return s;
  };

  // ---- tokens --------------------------------------------------------------------------------------------
  const tokenTypeFor = (client: KcClient) => (client.lowerCaseBearer ? 'bearer' : kc.tokenType);

  async function mint(iss: string, realm: Realm, client: KcClient, subject: { id: string; user?: KcUser; serviceAccount?: boolean }, scope: string, session: UserSession | undefined, requestedScope: string | undefined, withRefresh: boolean, refreshOnly = false) {
    const keys = await realm.keys();
    const t = now();
    const sessionEnd = session && !session.offline ? session.started + realm.config.ssoSessionMaxLifespan : Number.POSITIVE_INFINITY;
    const exp = Math.min(t + realm.config.accessTokenLifespan, sessionEnd);
    const user = subject.user;
    const profile = user
      ? {
          email_verified: !!user.email,
          ...(user.firstName || user.lastName ? { name: [user.firstName, user.lastName].filter(Boolean).join(' ') } : {}),
          preferred_username: user.username,
          ...(user.firstName ? { given_name: user.firstName } : {}),
          ...(user.lastName ? { family_name: user.lastName } : {}),
          ...(user.email ? { email: user.email } : {}),
        }
      : { preferred_username: `service-account-${client.clientId}`, client_id: client.clientId };
    const sessionClaims = (s: UserSession | undefined) => ({
      ...(s && kc.sessionStateClaim ? { session_state: s.id } : {}),
    });
    // Claim order as Keycloak serialises an AccessToken.
    const defect = ctx.config.plantedDeviations.jwtDefect;
    const access = {
      exp,
      iat: defect === 'iat-equals-exp' ? exp : t,
      ...(session && !subject.serviceAccount ? { auth_time: session.started } : {}),
      jti: randomUUID(),
      iss: defect === 'wrong-issuer' ? `${iss}-elsewhere` : iss,
      ...(user ? { aud: 'account' } : {}),
      sub: subject.id,
      typ: 'Bearer',
      azp: client.clientId,
      ...sessionClaims(session),
      acr: '1',
      realm_access: { roles: ['offline_access', `default-roles-${realm.name}`, 'uma_authorization'] },
      scope,
      ...(session && kc.sidClaim ? { sid: session.id } : {}),
      ...profile,
    };
    // A technical user's offline token needs no access token: no RS256 work (nor key import) at start-up then.
    let accessToken = '';
    if (!refreshOnly) {
      const rsa = await keys.rsa();
      accessToken = await signRs256(access, rsa.kid, defect === 'foreign-key' ? foreignSigningKey() : rsa);
    }
    let refreshToken: string | undefined;
    let refreshExp = 0;
    if (withRefresh && session) {
      const offline = session.offline;
      refreshExp = offline ? 0 : Math.min(t + realm.config.ssoSessionIdleTimeout, sessionEnd);
      const refresh = {
        ...(offline ? {} : { exp: refreshExp }),
        iat: t,
        jti: randomUUID(),
        iss,
        aud: iss,
        sub: subject.id,
        typ: offline ? 'Offline' : 'Refresh',
        azp: client.clientId,
        ...sessionClaims(session),
        scope,
        ...(kc.sidClaim ? { sid: session.id } : {}),
      };
      refreshToken = signHmac(refresh, kc.refreshAlg, keys.hmacKid, keys.hmacSecret);
    }
    let idToken: string | undefined;
    if (user && (requestedScope ?? '').split(' ').includes('openid')) {
      const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
      const rsa = await keys.rsa();
      idToken = await signRs256(
        { exp, iat: t, auth_time: session?.started ?? t, jti: randomUUID(), iss, aud: defect === 'foreign-audience' ? 'idpc-another-client' : client.clientId, sub: subject.id, typ: 'ID', azp: client.clientId, ...sessionClaims(session), at_hash: atHash, acr: '1', ...(session && kc.sidClaim ? { sid: session.id } : {}), ...profile },
        rsa.kid,
        rsa,
      );
    }
    // AccessTokenResponse field order; refresh_expires_in 0 without a refresh token or for offline tokens.
    const body = {
      access_token: accessToken,
      expires_in: exp - t,
      refresh_expires_in: refreshToken && refreshExp > 0 ? refreshExp - t : 0,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      token_type: tokenTypeFor(client),
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      ...(session ? { session_state: session.id } : {}),
      scope,
    };
    return { body, refreshToken };
  }

  // ---- client authentication ----------------------------------------------------------------------------
  function authenticateClient(realm: Realm, req: MockRequest, p: Params): { client: KcClient; auth: 'basic' | 'post' | 'none' } {
    const authz = header(req, 'authorization');
    const basic = authz?.startsWith('Basic ') ? basicCredentials(req, !ctx.config.plantedDeviations.noBasicDecoding) : undefined;
    const bodyId = p.first('client_id');
    if (authz && !authz.startsWith('Basic ') && bodyId === undefined) {
      throw new KcError(empty(401, { ...NO_CACHE, 'WWW-Authenticate': `Basic realm="${realm.name}"` }));
    }
    const creds = basic && basic !== 'malformed' ? basic : undefined;
    // Body client_id / client_secret override the Basic values (ClientIdAndSecretAuthenticator).
    const clientId = bodyId ?? creds?.id;
    const secret = p.first('client_secret') ?? creds?.secret;
    const auth = bodyId !== undefined || p.has('client_secret') ? 'post' : creds ? 'basic' : 'none';
    if (!clientId) {
      throw new KcError(kc.clientErrors === 'v20' ? oauthError(400, 'invalid_client', 'Missing client_id parameter') : oauthError(400, 'unauthorized_client', 'UNKNOWN_CLIENT: Client was not identified by any client authenticator'));
    }
    const client = realm.clients.get(clientId);
    const v20 = kc.clientErrors === 'v20';
    if (!client) throw new KcError(v20 ? oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials') : oauthError(400, 'invalid_client', 'Invalid client credentials'));
    if (!client.enabled) throw new KcError(v20 ? oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials') : oauthError(400, 'unauthorized_client', 'Invalid client credentials'));
    if (!client.public) {
      if (secret === undefined || secret === '') throw new KcError(v20 ? oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials') : oauthError(401, 'unauthorized_client', 'Client secret not provided in request'));
      if (secret !== client.clientSecret) throw new KcError(v20 ? oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials') : oauthError(401, 'unauthorized_client', 'Invalid client secret'));
    }
    if (client.bearerOnly) throw new KcError(oauthError(400, 'invalid_client', 'Bearer-only not allowed'));
    return { client, auth };
  }

  /** The client's scope string: requested openid first, then the client's default scopes, then other requested scopes. */
  function grantedScope(client: KcClient, requested: string | undefined): string {
    const req = (requested ?? '').split(' ').filter(Boolean);
    const unknown = req.filter((s) => !REALM_SCOPES.has(s) && !client.scopes.includes(s));
    if (unknown.length) throw new KcError(oauthError(400, 'invalid_scope', `Invalid scopes: ${requested}`));
    const out: string[] = [];
    if (req.includes('openid')) out.push('openid');
    for (const s of client.scopes) if (!out.includes(s)) out.push(s);
    for (const s of req) if (!out.includes(s)) out.push(s);
    return out.join(' ');
  }

  // ---- grants --------------------------------------------------------------------------------------------
  async function passwordGrant(iss: string, realm: Realm, client: KcClient, p: Params, req: MockRequest): Promise<MockResponse> {
    if (!client.grants.includes('password')) return oauthError(400, 'unauthorized_client', 'Client not allowed for direct access grants');
    const requested = p.first('scope');
    const scope = grantedScope(client, requested);
    const username = p.first('username');
    if (!username) return oauthError(401, 'invalid_request', 'Missing parameter: username');
    const user = realm.users.get(username);
    if (!user) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (!user.enabled) return oauthError(400, 'invalid_grant', 'Account disabled');
    // Brute-force lock answers like bad credentials, with 400 (ValidatePassword / BruteForceProtector).
    if (user.locked) return oauthError(400, 'invalid_grant', 'Invalid user credentials');
    if (!p.first('password') || p.first('password') !== user.password) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.otp !== undefined && p.first('totp') !== user.otp) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.requiredActions?.length) return oauthError(400, 'invalid_grant', 'Account is not fully set up');
    if (client.consentRequired) return oauthError(400, 'invalid_client', 'Client requires user consent');
    const offline = scope.split(' ').includes('offline_access');
    if (offline && client.offlineAllowed === false) return oauthError(400, 'not_allowed', 'Offline tokens not allowed for the user or client');
    const denied = enforceSessionLimit(realm, client, user, req);
    if (denied) return denied;
    const userId = userIdOf(realm.name, user);
    const session = newSession(realm, { id: userId, username: user.username }, client.clientId, offline);
    const { body } = await mint(iss, realm, client, { id: userId, user }, scope, session, requested, true);
    return json(200, body, NO_CACHE);
  }

  /** User Session Count Limiter (direct grant): deny (403 since Keycloak 23) or terminate the oldest sessions. */
  function enforceSessionLimit(realm: Realm, client: KcClient, user: KcUser, req: MockRequest): MockResponse | undefined {
    const limit = realm.config.sessionLimit;
    if (!limit || (!limit.realmLimit && !limit.clientLimit)) return undefined;
    if (limit.clients && !limit.clients.includes(client.clientId)) return undefined; // a flow override for other clients
    const userId = userIdOf(realm.name, user);
    const live = () => [...realm.sessions.values()].filter((s) => !s.offline && s.userId === userId && activeSession(realm, s.id));
    const exceeded = () => {
      const sessions = live();
      return (limit.realmLimit !== undefined && sessions.length >= limit.realmLimit) || (limit.clientLimit !== undefined && sessions.filter((s) => s.clients.has(client.clientId)).length >= limit.clientLimit);
    };
    if (!exceeded()) return undefined;
    if (limit.behavior === 'terminate-oldest') {
      while (exceeded()) {
        const oldest = live().sort((a, b) => a.lastRefresh - b.lastRefresh)[0];
        if (!oldest) break;
        realm.sessions.delete(oldest.id);
      }
      return undefined;
    }
    if (kc.sessionLimitDeny === 'unknown-error-500') return json(500, { error: 'unknown_error' }, NO_CACHE);
    const message = limit.errorMessage ?? 'There are too many sessions';
    // FreeMarkerLoginFormsProvider.createErrorPage: JSON for a JSON request, otherwise the HTML error page.
    if ((header(req, 'accept') ?? '').includes('application/json')) return json(403, { error: message }, NO_CACHE);
    return { status: 403, headers: { ...SECURITY, ...NO_CACHE, 'Content-Type': 'text/html;charset=utf-8' }, body: `<!DOCTYPE html><html><head><title>Sign in to ${realm.name}</title></head><body><div id="kc-error-message"><p class="instruction">${message}</p></div></body></html>` };
  }

  async function clientCredentialsGrant(iss: string, realm: Realm, client: KcClient, p: Params): Promise<MockResponse> {
    if (client.public) return oauthError(401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
    if (!client.grants.includes('client_credentials')) return oauthError(401, 'unauthorized_client', 'Client not enabled to retrieve service account');
    if (client.serviceAccountDisabled) return oauthError(401, 'invalid_request', `User 'service-account-${client.clientId}' disabled`);
    const scope = grantedScope(client, p.first('scope'));
    const serviceUser = { id: userIdOf(realm.name, { username: `service-account-${client.clientId}` } as KcUser), username: `service-account-${client.clientId}` };
    // Keycloak >= 12: no refresh token and no user session, unless the client asks for the old behaviour.
    const withSession = kc.clientCredentialsRefresh || client.refreshForClientCredentials === true;
    const session = withSession ? newSession(realm, serviceUser, client.clientId, false) : undefined;
    const { body } = await mint(iss, realm, client, { id: serviceUser.id, serviceAccount: true }, scope, session, undefined, withSession);
    return json(200, body, NO_CACHE);
  }

  /** Verifies a refresh token as TokenManager.verifyRefreshToken does; returns its payload or an error answer. */
  async function checkRefreshToken(iss: string, realm: Realm, client: KcClient, token: string, checkExpiry: boolean): Promise<Record<string, unknown> | MockResponse> {
    const keys = await realm.keys();
    const payload = verifyHmac(token, keys.hmacSecret);
    if (!payload || (payload.typ !== 'Refresh' && payload.typ !== 'Offline')) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    if (payload.iss !== iss) {
      return oauthError(400, 'invalid_grant', `Invalid token issuer. Expected '${iss}'${kc.issuerErrorDetail ? `, but was '${String(payload.iss)}'` : ''}`);
    }
    if (checkExpiry && typeof payload.exp === 'number' && payload.exp > 0 && payload.exp <= now()) return oauthError(400, 'invalid_grant', 'Token is not active');
    if (payload.azp !== client.clientId) return oauthError(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match");
    const iat = Number(payload.iat);
    if (checkExpiry && (iat < realm.notBefore || iat < (realm.clientNotBefore.get(client.clientId) ?? 0) || iat < (realm.userNotBefore.get(String(payload.sub)) ?? 0))) {
      return oauthError(400, 'invalid_grant', 'Stale token');
    }
    return payload;
  }

  async function refreshGrant(iss: string, realm: Realm, client: KcClient, p: Params): Promise<MockResponse> {
    const token = p.first('refresh_token');
    if (!token) return oauthError(400, 'invalid_request', 'No refresh token');
    const checked = await checkRefreshToken(iss, realm, client, token, true);
    if ('status' in checked) return checked as MockResponse;
    const payload = checked;
    const offline = payload.typ === 'Offline';
    const sid = String(payload.sid ?? payload.session_state ?? '');
    const existing = realm.sessions.get(sid);
    const session = activeSession(realm, sid);
    if (!session || session.offline !== offline) {
      if (!offline) return oauthError(400, 'invalid_grant', 'Session not active');
      return oauthError(400, 'invalid_grant', existing ? 'Offline session not active' : 'Offline user session not found');
    }
    const user = [...realm.users.values()].find((u) => userIdOf(realm.name, u) === session.userId);
    // A client_credentials session (the legacy behaviour) belongs to the client's service-account user, which Keycloak
    // keeps as a realm user (ClientManager.enableServiceAccount); the refresh works like any other.
    const serviceAccount = !user && session.username === `service-account-${client.clientId}`;
    if (!user && !serviceAccount) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    if (user && !user.enabled) return oauthError(400, 'invalid_grant', 'User disabled');
    const clientSession = session.clients.get(client.clientId);
    if (!clientSession) return oauthError(400, 'invalid_grant', "Session doesn't have required client");
    if (session.consentRevoked?.has(client.clientId)) return oauthError(400, 'invalid_scope', 'Client no longer has requested consent from user');
    if (realm.config.revokeRefreshToken) {
      // TokenManager.validateTokenReuse: an older token after a newer one was used is stale; reuse is counted.
      const jti = String(payload.jti);
      if (clientSession.currentRefreshToken !== undefined && clientSession.currentRefreshToken !== jti && Number(payload.iat) < clientSession.timestamp) {
        return oauthError(400, 'invalid_grant', 'Stale token');
      }
      if (clientSession.currentRefreshToken !== jti) {
        clientSession.currentRefreshToken = jti;
        clientSession.useCount = 0;
      }
      if (clientSession.useCount > realm.config.refreshTokenMaxReuse) {
        session.clients.delete(client.clientId); // the client session is detached: its siblings fail next
        return oauthError(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded');
      }
      clientSession.useCount += 1;
    }
    const original = String(payload.scope ?? '');
    const requested = p.first('scope');
    let scope = original;
    if (requested) {
      const list = requested.split(' ').filter(Boolean);
      if (!list.every((s) => original.split(' ').includes(s))) return oauthError(400, 'invalid_scope', `Invalid scopes: ${requested}`);
      scope = original.split(' ').filter((s) => list.includes(s)).join(' ');
    }
    const t = now();
    session.lastRefresh = t;
    clientSession.timestamp = t;
    const subject = user ? { id: session.userId, user } : { id: session.userId, serviceAccount: true };
    const { body } = await mint(iss, realm, client, subject, scope, session, requested ?? (original.includes('openid') ? 'openid' : undefined), true);
    return json(200, body, NO_CACHE);
  }

  // ---- endpoints -----------------------------------------------------------------------------------------
  const realmOf = (params: Record<string, string>): Realm | MockResponse => {
    const realm = realms.get(params.realm!);
    if (!realm) return json(404, { error: 'Realm does not exist' });
    return realm;
  };

  const token = (prefix: string) => async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    if (req.method === 'OPTIONS') return empty(200, { Allow: 'OPTIONS, POST' });
    // JAX-RS: @POST and @Consumes(application/x-www-form-urlencoded) decide before TokenEndpoint runs.
    if (req.method !== 'POST') return empty(405, { Allow: 'OPTIONS, POST' });
    if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    const iss = issuerAt(realm, baseOf(req, prefix));
    if (req.bodyTooLarge) return oauthError(400, 'invalid_request', 'Request body too large');
    const form = formOf(req, 'reject');
    if (form.malformed.length) return oauthError(400, 'invalid_request', 'Invalid form parameter encoding');
    const p = new Params(form.pairs);
    const grantType = p.first('grant_type');
    const note = (r: MockResponse, clientId?: string, auth?: 'basic' | 'post' | 'none'): MockResponse => {
      r.note = { grantType, clientId: clientId ?? p.first('client_id'), clientAuth: auth };
      return r;
    };
    // checkSsl before checkRealm (TokenEndpoint.processGrantRequestInternal); the mock only speaks HTTP.
    if (realm.config.sslRequired === 'all') return note(oauthError(403, 'invalid_request', 'HTTPS required'));
    if (!realm.config.enabled) return note(oauthError(403, 'access_denied', 'Realm not enabled'));
    if (!grantType) return note(oauthError(400, 'invalid_request', 'Missing form parameter: grant_type'));
    if (!['password', 'client_credentials', 'refresh_token', 'authorization_code'].includes(grantType)) return note(oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type'));
    try {
      const { client, auth } = authenticateClient(realm, req, p);
      if (p.duplicated().length) return note(oauthError(400, 'invalid_request', 'duplicated parameter'), client.clientId, auth);
      let response: MockResponse;
      if (grantType === 'password') response = await passwordGrant(iss, realm, client, p, req);
      else if (grantType === 'client_credentials') response = await clientCredentialsGrant(iss, realm, client, p);
      else if (grantType === 'refresh_token') response = await refreshGrant(iss, realm, client, p);
      else response = oauthError(400, 'invalid_request', 'Missing parameter: code');
      return note(response, client.clientId, auth);
    } catch (e) {
      if (e instanceof KcError) return note(e.response);
      throw e;
    }
  };

  const logout = (prefix: string) => async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    const rpInitiated = (): MockResponse => ({ status: 200, headers: { ...SECURITY, 'Content-Type': 'text/html;charset=utf-8' }, body: `<!DOCTYPE html><html><head><title>Logging out</title></head><body><p>Do you want to log out?</p></body></html>` });
    if (req.method === 'GET') return rpInitiated();
    if (req.method !== 'POST') return empty(405, { Allow: 'GET, OPTIONS, POST' });
    if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
    const form = formOf(req, 'reject');
    const p = new Params(form.pairs);
    try {
      const token = p.first('refresh_token');
      if (!token) {
        // Keycloak >= 18 routes a form POST without refresh_token to RP-initiated logout.
        if (kc.logoutWithoutRefreshToken === 'rp-initiated') return rpInitiated();
        authenticateClient(realm, req, p);
        return oauthError(400, 'invalid_request', 'No refresh token');
      }
      const { client } = authenticateClient(realm, req, p);
      // LogoutEndpoint verifies the refresh token without the expiry check: an expired one still logs out.
      const checked = await checkRefreshToken(issuerAt(realm, baseOf(req, prefix)), realm, client, token, false);
      if ('status' in checked) return checked as MockResponse;
      const sid = String(checked.sid ?? checked.session_state ?? '');
      realm.sessions.delete(sid); // idempotent: a session already gone is still 204
      return empty(204);
    } catch (e) {
      if (e instanceof KcError) return e.response;
      throw e;
    }
  };

  const certs = async (_req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const found = realmOf(params);
    if ('status' in found) return found;
    return json(200, { keys: [(await (await found.keys()).rsa()).publicJwk] }, { 'Cache-Control': 'no-cache' });
  };

  /** Access-token checks of UserInfoEndpoint / introspection: signature, typ, issuer, expiry, live session. */
  const liveAccessToken = async (iss: string, realm: Realm, token: string): Promise<Record<string, unknown> | undefined> => {
    const defect = ctx.config.plantedDeviations.jwtDefect;
    // A planted JWT defect is in what the token endpoint issues; the resource still serves those tokens.
    const payload = defect === 'foreign-key' ? decode(token)?.payload : verifyRs256(token, (await (await realm.keys()).rsa()).verifyKey);
    const expired = typeof payload?.exp !== 'number' || payload.exp <= now();
    if (!payload || payload.typ !== 'Bearer' || (payload.iss !== iss && defect !== 'wrong-issuer') || (expired && !ctx.config.plantedDeviations.acceptExpiredAccessTokens)) return undefined;
    if (realm.revokedAccess.has(String(payload.jti))) return undefined;
    const sid = (payload.sid ?? payload.session_state) as string | undefined;
    if (sid !== undefined && !activeSession(realm, sid)) return undefined;
    return payload;
  };

  /**
   * RFC 7009 as Keycloak implements it (keycloak/keycloak services/.../protocol/oidc/endpoints/TokenRevocationEndpoint.java):
   * client authentication first; a duplicated parameter or no token is 400 invalid_request; a token that does not
   * decode, or whose session is gone, is 200 with an invalid_token body; another client's token is 400 "Unmatching
   * clients"; a refresh or offline token ends the client's session (its access tokens with it), an access token is
   * remembered as revoked until it expires. Success: 200, empty body.
   */
  const revoke = (prefix: string) => async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    if (req.method === 'OPTIONS') return empty(200, { Allow: 'OPTIONS, POST' });
    if (req.method !== 'POST') return empty(405, { Allow: 'OPTIONS, POST' });
    if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    if (!realm.config.enabled) return oauthError(403, 'access_denied', 'Realm not enabled');
    const p = new Params(formOf(req, 'reject').pairs);
    try {
      const { client } = authenticateClient(realm, req, p);
      if (p.duplicated().length) return oauthError(400, 'invalid_request', 'duplicated parameter');
      const token = p.first('token');
      if (token === undefined) return oauthError(400, 'invalid_request', 'Token not provided');
      const iss = issuerAt(realm, baseOf(req, prefix));
      const invalid = json(200, { error: 'invalid_token', error_description: 'Invalid token' });
      const keys = await realm.keys();
      const claims = verifyHmac(token, keys.hmacSecret) ?? verifyRs256(token, (await keys.rsa()).verifyKey);
      if (!claims || claims.iss !== iss) return invalid;
      if (!['Refresh', 'Offline', 'Bearer', 'DPoP'].includes(String(claims.typ))) return oauthError(400, 'unsupported_token_type', 'Unsupported token type');
      if (claims.azp === undefined) return invalid;
      if (claims.azp !== client.clientId) return oauthError(400, 'invalid_request', 'Unmatching clients');
      const sid = String(claims.sid ?? claims.session_state ?? '');
      const session = realm.sessions.get(sid);
      if (!session || !activeSession(realm, sid)) return invalid;
      if (claims.typ === 'Refresh' || claims.typ === 'Offline') {
        session.clients.delete(client.clientId);
        if (session.clients.size === 0) realm.sessions.delete(sid);
      } else {
        const nowS = now();
        for (const [jti, exp] of realm.revokedAccess) if (exp < nowS) realm.revokedAccess.delete(jti);
        realm.revokedAccess.set(String(claims.jti), Number(claims.exp));
      }
      return { status: 200, headers: { ...SECURITY }, body: '' };
    } catch (e) {
      if (e instanceof KcError) return e.response;
      throw e;
    }
  };

  const userinfo = (prefix: string) => async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    const challenge = (error: string, description: string) => ({ 'WWW-Authenticate': `Bearer realm="${realm.name}", error="${error}", error_description="${description}"` });
    const m = /^Bearer +(\S+)$/i.exec(header(req, 'authorization') ?? '');
    const token = m?.[1] ?? (req.method === 'POST' ? new Params(formOf(req, 'reject').pairs).first('access_token') : undefined);
    if (!token) return json(401, { error: 'invalid_request', error_description: 'Token not provided' }, challenge('invalid_request', 'Token not provided'));
    const payload = await liveAccessToken(issuerAt(realm, baseOf(req, prefix)), realm, token);
    if (!payload) return json(401, { error: 'invalid_token', error_description: 'Token verification failed' }, challenge('invalid_token', 'Token verification failed'));
    const { sub, email_verified, name, preferred_username, given_name, family_name, email } = payload;
    return json(200, Object.fromEntries(Object.entries({ sub, email_verified, name, preferred_username, given_name, family_name, email }).filter(([, v]) => v !== undefined)));
  };

  const introspect = (prefix: string) => async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    if (req.method !== 'POST') return empty(405, { Allow: 'POST' });
    const p = new Params(formOf(req, 'reject').pairs);
    try {
      const { client } = authenticateClient(realm, req, p);
      const token = p.first('token');
      if (!token) return oauthError(400, 'invalid_request', 'Token not provided');
      const iss = issuerAt(realm, baseOf(req, prefix));
      const access = await liveAccessToken(iss, realm, token);
      if (access) return json(200, { ...access, client_id: access.azp, username: access.preferred_username, token_type: 'Bearer', active: true });
      const refresh = await checkRefreshToken(iss, realm, client, token, true);
      if (!('status' in refresh) && activeSession(realm, String(refresh.sid ?? refresh.session_state ?? ''))) return json(200, { ...refresh, client_id: refresh.azp, active: true });
      return json(200, { active: false });
    } catch (e) {
      if (e instanceof KcError) return e.response;
      throw e;
    }
  };

  const discovery = (prefix: string) => (req: MockRequest, params: Record<string, string>): MockResponse => {
    const found = realmOf(params);
    if ('status' in found) return found;
    const realm = found;
    const base = baseOf(req, prefix);
    const oidc = (r: Realm, path: string) => oidcAt(r, base, path);
    return json(200, {
      issuer: issuerAt(realm, base),
      authorization_endpoint: oidc(realm, '/auth'),
      token_endpoint: oidc(realm, '/token'),
      introspection_endpoint: oidc(realm, '/token/introspect'),
      revocation_endpoint: oidc(realm, '/revoke'),
      userinfo_endpoint: oidc(realm, '/userinfo'),
      end_session_endpoint: oidc(realm, '/logout'),
      jwks_uri: oidc(realm, '/certs'),
      grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'],
      response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      userinfo_signing_alg_values_supported: ['RS256', 'none'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      introspection_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'client_secret_jwt'],
      claims_supported: ['aud', 'sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email', 'acr'],
      scopes_supported: ['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins'],
      code_challenge_methods_supported: ['plain', 'S256'],
    });
  };

  /** A developer-portal technical user: a confidential client plus an offline refresh token, shown once. */
  async function createTechnicalUser(input: { realm: string; name: string; clientId?: string; clientSecret?: string; userId?: string }) {
    const realm = realms.get(input.realm);
    if (!realm) throw new Error(`no realm "${input.realm}"`);
    const userId = input.userId ?? randomUUID();
    const user: KcUser = { username: randomUUID(), password: alphanumericToken(32), enabled: true, operator: false, groups: [], id: userId, firstName: undefined, lastName: input.name };
    realm.users.set(user.username, user);
    const client: KcClient = { clientId: input.clientId ?? randomUUID(), clientSecret: input.clientSecret ?? alphanumericToken(32), public: false, grants: ['refresh_token'], scopes: ['profile', 'email'], enabled: true, offlineAllowed: true };
    realm.clients.set(client.clientId, client);
    const session = newSession(realm, { id: userId, username: user.username }, client.clientId, true);
    const base = baseOf(undefined, rel);
    const { refreshToken } = await mint(issuerAt(realm, base), realm, client, { id: userId, user }, 'profile email offline_access', session, undefined, true, true);
    return { realm: realm.name, name: input.name, clientId: client.clientId, clientSecret: client.clientSecret, refreshToken, tokenEndpoint: oidcAt(realm, base, '/token') };
  }

  const routesAt = (prefix: string) => {
    const base = `${prefix}/realms/{realm}`;
    return [
      pathRoute('token', `${base}/protocol/openid-connect/token`, token(prefix)),
      pathRoute('introspect', `${base}/protocol/openid-connect/token/introspect`, introspect(prefix)),
      pathRoute('revocation', `${base}/protocol/openid-connect/revoke`, revoke(prefix)),
      pathRoute('logout', `${base}/protocol/openid-connect/logout`, logout(prefix)),
      pathRoute('certs', `${base}/protocol/openid-connect/certs`, certs),
      pathRoute('resource', `${base}/protocol/openid-connect/userinfo`, userinfo(prefix)),
      pathRoute('discovery', `${base}/.well-known/openid-configuration`, discovery(prefix)),
      // The authorization endpoint discovery advertises: the mock has no browser login, so it answers as Keycloak does
      // a request without a known client_id (AuthorizationEndpoint.checkClient: the "Client not found." error page, 400).
      pathRoute('authorization', `${base}/protocol/openid-connect/auth`, async () => ({
        status: 400,
        headers: { ...SECURITY, 'Content-Type': 'text/html;charset=utf-8' },
        body: '<!DOCTYPE html><html><head><title>Error</title></head><body><div id="kc-error-message"><p class="instruction">Client not found.</p></div></body></html>',
      })),
    ];
  };
  return {
    routes: [rel, ...(kc.alsoServe ?? []).filter((p) => p !== rel)].flatMap(routesAt),
    notFound: () => json(404, { error: 'Unable to find matching target resource method' }),
    // Quarkus (Vert.x) refuses oversized headers before Keycloak: 431 with an empty body.
    headersTooLarge: () => ({ status: 431, headers: {}, body: '' }),
    errorResponse: (status: number, code: string, description: string) => oauthError(status, code, description),
    async init() {
      const technicalUsers = [];
      const notes: string[] = [];
      // A preset's technical user lives in its realm: with realms configured without it, it is left out, and said so.
      for (const t of kc.technicalUsers ?? []) {
        if (realms.has(t.realm)) technicalUsers.push(await createTechnicalUser(t));
        else notes.push(`technical user "${t.name}" left out: realm "${t.realm}" is not configured (keycloak.realms)`);
      }
      return { ...(technicalUsers.length ? { technicalUsers } : {}), ...(notes.length ? { notes } : {}) };
    },
    async adminAction(action: string, body: unknown) {
      if (action === 'not-before') {
        // Push revocation: every token of the realm (or of one user or client) issued before now is stale.
        const input = (body ?? {}) as { realm?: unknown; username?: unknown; clientId?: unknown };
        const realm = realms.get(String(input.realm ?? ''));
        if (!realm) return { status: 400, body: { error: 'invalid_request', problems: ['give {"realm": <existing realm>[, "username" | "clientId"]}'] } };
        const at = now() + 1;
        if (typeof input.username === 'string') {
          const user = realm.users.get(input.username);
          if (!user) return { status: 404, body: { error: 'not_found' } };
          realm.userNotBefore.set(userIdOf(realm.name, user), at);
        } else if (typeof input.clientId === 'string') realm.clientNotBefore.set(input.clientId, at);
        else realm.notBefore = at;
        return { status: 200, body: { realm: realm.name, notBefore: at } };
      }
      if (action === 'revoke-consent') {
        // The user revokes the client's consent (account console): its sessions' next refresh fails.
        const input = (body ?? {}) as { realm?: unknown; username?: unknown; clientId?: unknown };
        const realm = realms.get(String(input.realm ?? ''));
        const user = realm?.users.get(String(input.username ?? ''));
        if (!realm || !user || typeof input.clientId !== 'string') return { status: 400, body: { error: 'invalid_request', problems: ['give {"realm", "username", "clientId"}'] } };
        for (const s of realm.sessions.values()) if (s.userId === userIdOf(realm.name, user)) (s.consentRevoked ??= new Set()).add(input.clientId);
        return { status: 204, body: {} };
      }
      if (action !== 'technical-users') return { status: 404, body: { error: 'not_found' } };
      const input = body as { realm?: unknown; name?: unknown };
      if (typeof input?.realm !== 'string' || typeof input?.name !== 'string' || !realms.has(input.realm)) {
        return { status: 400, body: { error: 'invalid_request', problems: ['give {"realm": <existing realm>, "name": <technical user name>}'] } };
      }
      return { status: 201, body: await createTechnicalUser({ realm: input.realm, name: input.name }) };
    },
  };
}

export const keycloakMock: FlavourMock = {
  descriptor,
  presets,
  defaultPreset: 'v12-23',
  tokens: { access: randomUUID, refresh: randomUUID },
  create,
  cliOptions: ['technical-user'],
  describe: (config) => {
    const realm = (config.extra.keycloak as Settings).realms?.[0];
    // Refresh rotates; with revokeRefreshToken a used one dies. A refresh never ends the old access token (TokenManager).
    return { refreshMode: realm?.revokeRefreshToken ? 'rotate-revoke' : 'rotate', refreshRevokesAccess: false, scope: { full: 'profile email phone', narrower: 'email' } };
  },
  endpoints: (config, baseUrl) => {
    const kc = config.extra.keycloak as Settings;
    const first = kc.realms?.[0]?.name ?? 'master';
    const realmUrl = `${baseUrl}${kc.relativePath}/realms/${first}`;
    return {
      token: `${realmUrl}/protocol/openid-connect/token`,
      logout: `${realmUrl}/protocol/openid-connect/logout`,
      resource: `${realmUrl}/protocol/openid-connect/userinfo`,
      discovery: `${realmUrl}/.well-known/openid-configuration`,
      jwks: `${realmUrl}/protocol/openid-connect/certs`,
      introspection: `${realmUrl}/protocol/openid-connect/token/introspect`,
      revocation: `${realmUrl}/protocol/openid-connect/revoke`,
    };
  },
};

/** A key that is in no realm's JWKS (plantedDeviations.jwtDefect foreign-key), made once. */
let foreign: { privateKey: KeyObject } | undefined;
function foreignSigningKey(): { privateKey: KeyObject } {
  foreign ??= { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
  return foreign;
}
