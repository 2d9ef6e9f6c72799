/** The Keycloak mock's data model and its small shared helpers (Keycloak's JSON, errors and security headers). */
import type { ExpiryHeap } from '../core/expiry-heap.js';
import type { StoredToken, TokenStore } from '../core/store.js';
import { createHash } from 'node:crypto';
import type { Client, ConfigMockConfig, User } from '../../src/generated/schemas.js';
import type { ClientRecord, UserRecord } from '../core/flavour.js';
import type { MockResponse } from '../core/http.js';
import { TokenError } from '../core/token-endpoint.js';
import { escapeHtml } from '../core/browser.js';
import type { RealmKeys } from './keys.js';

export type KeycloakConfig = NonNullable<ConfigMockConfig['keycloak']>;
export type RealmConfig = NonNullable<KeycloakConfig['realms']>[number];
export type Settings = Required<
  Omit<KeycloakConfig, 'realms' | 'technicalUsers' | 'alsoServe' | 'realmImports' | 'importPasswords'>
> &
  Pick<KeycloakConfig, 'realms' | 'technicalUsers' | 'alsoServe' | 'realmImports' | 'importPasswords'>;

/** Keycloak's members of a client and a user (schemas/config/mock-config.schema.json $defs/client, $defs/user). */
export interface KcClient
  extends ClientRecord,
    Pick<
      Client,
      | 'bearerOnly'
      | 'consentRequired'
      | 'serviceAccountDisabled'
      | 'lowerCaseBearer'
      | 'refreshForClientCredentials'
      | 'offlineAllowed'
      | 'claims'
      | 'audience'
      | 'accessTokenLifespan'
      | 'attributeClaims'
    > {}

export interface KcUser
  extends UserRecord,
    Pick<
      User,
      | 'id'
      | 'requiredActions'
      | 'locked'
      | 'otp'
      | 'email'
      | 'firstName'
      | 'lastName'
      | 'realmRoles'
      | 'clientRoles'
      | 'claims'
      | 'attributes'
    > {}

/** A client of a realm from its config (or a ClientRepresentation made into one), the schema's defaults filled. */
export const kcClientOf = (c: Partial<KcClient> & { clientId: string }): KcClient =>
  ({ public: false, grants: [], scopes: [], enabled: true, ...c }) as KcClient;

export interface ClientSession {
  /** Seconds; updated on every refresh (TokenManager.refreshAccessToken). */
  timestamp: number;
  currentRefreshToken?: string;
  useCount: number;
}

export interface UserSession {
  /** Consent revoked for a client: its next refresh is refused with invalid_scope. */
  consentRevoked?: string[];
  id: string;
  userId: string;
  username: string;
  offline: boolean;
  started: number;
  lastRefresh: number;
  /** Client sessions by client id: a plain object, not a Map (one entry almost always; ~150 bytes less a session). */
  clients: Record<string, ClientSession>;
}

export interface Realm {
  name: string;
  config: Required<Omit<RealmConfig, 'clients' | 'users' | 'sessionLimit'>> & Pick<RealmConfig, 'sessionLimit'>;
  clients: Map<string, KcClient>;
  users: Map<string, KcUser>;
  sessions: Map<string, UserSession>;
  /** When each session expires, as last known (a refresh moves it on; the heap is corrected lazily): expiry and the cap. */
  sessionExpiries: ExpiryHeap;
  keys: () => Promise<RealmKeys>;
  /** Realm not-before (push revocation): tokens issued earlier are stale. */
  notBefore: number;
  /** User and client not-before (per-user "logout all", client push revocation). */
  userNotBefore: Map<string, number>;
  clientNotBefore: Map<string, number>;
  /** Revoked access tokens by jti, until they expire (TokenRevocationEndpoint.revokeAccessToken: a single-use-store entry). */
  revokedAccess: TokenStore<StoredToken>;
  /** Session ids by user (pruned lazily: a removed session's id is dropped when next seen), so per-user checks need not scan the realm. */
  sessionsByUser: Map<string, Set<string>>;
}

export const REALM_DEFAULTS = {
  enabled: true,
  sslRequired: 'external',
  accessTokenLifespan: 300,
  ssoSessionIdleTimeout: 1800,
  ssoSessionMaxLifespan: 36000,
  offlineSessionIdleTimeout: 2592000,
  revokeRefreshToken: false,
  refreshTokenMaxReuse: 0,
  accessCodeLifespan: 60,
  accessCodeLifespanLogin: 1800,
};
/** Client scopes every realm knows (Keycloak's built-in ones); anything else is "Invalid scopes". */
export const REALM_SCOPES = new Set([
  'openid',
  'offline_access',
  'profile',
  'email',
  'roles',
  'web-origins',
  'address',
  'phone',
  'microprofile-jwt',
  'acr',
  'basic',
]);

/** Keycloak's security headers (captures of Keycloak 2x). */
export const SECURITY = {
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-XSS-Protection': '1; mode=block',
};
/** TokenEndpoint sets these before any check: every token-endpoint answer carries them. */
export const NO_CACHE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const json = (status: number, body: unknown, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { ...SECURITY, 'Content-Type': 'application/json', ...extra },
  body: JSON.stringify(body),
});
export const oauthError = (status: number, error: string, description: string, extra: Record<string, string> = {}) =>
  json(status, { error, error_description: description }, { ...NO_CACHE, ...extra });
export const empty = (status: number, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { ...SECURITY, ...extra },
  body: '',
});

/**
 * Keycloak's error page (FreeMarkerLoginFormsProvider.createErrorPage with the login theme's error.ftl): the title
 * "Sign in to {realm}", "We are sorry...", the message in a p.instruction. HTML, never a redirect.
 */
export const errorPage = (
  realm: { name: string },
  status: number,
  message: string,
  extra: Record<string, string> = {},
): MockResponse => ({
  status,
  headers: { ...SECURITY, ...extra, 'Content-Type': 'text/html;charset=utf-8' },
  body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to ${escapeHtml(realm.name)}</title></head><body><div id="kc-content"><h1 id="kc-page-title">We are sorry...</h1><div id="kc-error-message"><p class="instruction">${escapeHtml(message)}</p></div></div></body></html>`,
});

/** A stable id for a user (Keycloak ids are UUIDs): derived from realm and username unless configured. */
// Computed once per user: every session and token of the user shares the one string (memory, and no hash per grant).
const derivedIds = new WeakMap<KcUser, string>();
export const userIdOf = (realm: string, user: KcUser) => {
  if (user.id) return user.id;
  const cached = derivedIds.get(user);
  if (cached) return cached;
  const h = createHash('sha256').update(`${realm}\0${user.username}`).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  derivedIds.set(user, id);
  return id;
};

/** A refusal already in Keycloak's format (thrown by client authentication): the token endpoint's TokenError, pre-rendered. */
export class KcError extends TokenError {
  constructor(readonly response: MockResponse) {
    super(response.status, 'keycloak', "a refusal in Keycloak's format");
  }
}

/** Keycloak's one error path: a pre-rendered KcError as it is, any other TokenError as OAuth2ErrorRepresentation. */
export const renderTokenError = (e: TokenError): MockResponse =>
  e instanceof KcError ? e.response : oauthError(e.status, e.error, e.description);

/** An endpoint whose client authentication may refuse the request (KcError): answered with that refusal. */
export const refusing =
  <A extends unknown[]>(handle: (...args: A) => Promise<MockResponse>) =>
  async (...args: A): Promise<MockResponse> => {
    try {
      return await handle(...args);
    } catch (e) {
      if (e instanceof KcError) return e.response;
      throw e;
    }
  };
