/** One Keycloak mock's state: its realms, time, issuer URLs and sessions (shared by the endpoint modules). */
import { randomUUID } from 'node:crypto';
import type { MockContext } from '../core/flavour.js';
import { header, type MockRequest } from '../core/http.js';
import { realmKeys, type RealmKeys } from './keys.js';
import { REALM_DEFAULTS, type KcClient, type KcUser, type Realm, type Settings, type UserSession } from './model.js';

export function createState(ctx: MockContext) {
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
    realms.set(rc.name, { name: rc.name, config, clients: clientMap, users: userMap, sessions: new Map(), notBefore: 0, userNotBefore: new Map(), clientNotBefore: new Map(), revokedAccess: new Map(), sessionsByUser: new Map(), keys: () => (keys ??= realmKeys(kc.signingKey ?? 'fixture', rc.name)) });
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
  /** Removes a session and its entry in the per-user index. */
  const dropSession = (realm: Realm, id: string) => {
    const s = realm.sessions.get(id);
    if (!s) return;
    realm.sessions.delete(id);
    const ids = realm.sessionsByUser.get(s.userId);
    ids?.delete(id);
    if (ids?.size === 0) realm.sessionsByUser.delete(s.userId);
  };
  const sessionExpiry = (realm: Realm, s: UserSession) =>
    s.offline ? s.lastRefresh + realm.config.offlineSessionIdleTimeout : Math.min(s.lastRefresh + realm.config.ssoSessionIdleTimeout, s.started + realm.config.ssoSessionMaxLifespan);
  const activeSession = (realm: Realm, id: string | undefined): UserSession | undefined => {
    const s = id ? realm.sessions.get(id) : undefined;
    if (!s) return undefined;
    if (sessionExpiry(realm, s) <= now()) {
      dropSession(realm, s.id);
      return undefined;
    }
    return s;
  };
  const newSession = (realm: Realm, user: { id: string; username: string }, clientId: string, offline: boolean): UserSession => {
    const t = now();
    const s: UserSession = { id: randomUUID(), userId: user.id, username: user.username, offline, started: t, lastRefresh: t, clients: new Map([[clientId, { timestamp: t, useCount: 0 }]]) };
    realm.sessions.set(s.id, s);
    (realm.sessionsByUser.get(s.userId) ?? realm.sessionsByUser.set(s.userId, new Set()).get(s.userId)!).add(s.id);
    // Keep memory bounded: forget sessions that expired (swept whenever the map grows past a round number).
    if (realm.sessions.size % 1024 === 0) for (const [id, x] of realm.sessions) if (sessionExpiry(realm, x) <= t) dropSession(realm, id);
    return s;
  };

  // ---- tokens --------------------------------------------------------------------------------------------
  const tokenTypeFor = (client: KcClient) => (client.lowerCaseBearer ? 'bearer' : kc.tokenType);

  return { ctx, kc, clock, now, rel, realms, baseOf, issuerAt, oidcAt, sessionExpiry, activeSession, newSession, dropSession, tokenTypeFor };
}

export type KcState = ReturnType<typeof createState>;
