/** One Keycloak mock's state: its realms, time, issuer URLs and sessions (shared by the endpoint modules). */
import { randomUUID } from 'node:crypto';
import type { MockContext } from '../core/flavour.js';
import { header, type MockRequest } from '../core/http.js';
import { realmKeys, type RealmKeys } from './keys.js';
import { ExpiryHeap } from '../core/expiry-heap.js';
import { TokenStore } from '../core/store.js';
import { REALM_DEFAULTS, type KcClient, type KcUser, type Realm, type Settings, type UserSession } from './model.js';

export function createState(ctx: MockContext) {
  const kc = ctx.config.extra.keycloak as Settings;
  const clock = ctx.clock;
  const now = () => clock.epochSeconds();
  const rel = kc.relativePath;
  const realms = new Map<string, Realm>();
  const maxSessions = kc.maxSessions ?? 100_000;
  let sessionCount = 0;
  (kc.realms ?? []).forEach((rc, i) => {
    const { clients = [], users = [], sessionLimit, ...rest } = rc;
    const config = { ...REALM_DEFAULTS, ...rest, sessionLimit } as Realm['config'];
    // The first realm shares the core's client and user maps, so /__admin/clients and /__admin/users reach it.
    const clientMap = i === 0 ? (ctx.clients as Map<string, KcClient>) : new Map<string, KcClient>();
    const userMap = i === 0 ? (ctx.users as Map<string, KcUser>) : new Map<string, KcUser>();
    for (const c of clients) clientMap.set(c.clientId, { public: false, grants: [], scopes: [], enabled: true, ...c } as KcClient);
    for (const u of users) userMap.set(u.username, { enabled: true, operator: false, groups: [], ...u } as KcUser);
    let keys: Promise<RealmKeys> | undefined;
    realms.set(rc.name, { name: rc.name, config, clients: clientMap, users: userMap, sessions: new Map(), notBefore: 0, userNotBefore: new Map(), clientNotBefore: new Map(), revokedAccess: new TokenStore({ maxTokens: maxSessions, expiredRetention: 0 }), sessionsByUser: new Map(), sessionExpiries: new ExpiryHeap(), keys: () => (keys ??= realmKeys(kc.signingKey ?? 'fixture', rc.name)) });
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
    sessionCount--;
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
  /**
   * Pops the soonest heap entry: a session already gone is skipped, one whose expiry moved on (a refresh) is pushed
   * back at its new expiry, one that is the soonest and expires by `before` (Infinity: at the cap) ends. Amortised O(log n) per session.
   */
  const evictSoonest = (realm: Realm, before: number) => {
    const top = realm.sessionExpiries.pop();
    if (!top) return;
    const s = realm.sessions.get(top.key);
    if (!s) return;
    const at = sessionExpiry(realm, s);
    if (at > top.at || at > before) realm.sessionExpiries.push(at, s.id);
    else dropSession(realm, s.id);
  };
  /** Ends the sessions that expired (each add sweeps: no scan of the realm, ever). */
  const sweepSessions = (realm: Realm, t: number) => {
    while (realm.sessionExpiries.peekAt() <= t) evictSoonest(realm, t);
    // Lazy entries of ended sessions: rebuild before they outnumber the live ones.
    if (realm.sessionExpiries.size > 2 * realm.sessions.size + 1024) realm.sessionExpiries.rebuild([...realm.sessions.values()].map((x) => [sessionExpiry(realm, x), x.id]));
  };
  const newSession = (realm: Realm, user: { id: string; username: string }, clientId: string, offline: boolean): UserSession => {
    const t = now();
    const s: UserSession = { id: randomUUID(), userId: user.id, username: user.username, offline, started: t, lastRefresh: t, clients: { [clientId]: { timestamp: t, useCount: 0 } } };
    sweepSessions(realm, t);
    // At the cap, the session soonest to expire ends first (memory stays bounded whatever the load).
    while (sessionCount >= maxSessions && realm.sessionExpiries.size > 0) evictSoonest(realm, Number.POSITIVE_INFINITY);
    realm.sessions.set(s.id, s);
    sessionCount++;
    (realm.sessionsByUser.get(s.userId) ?? realm.sessionsByUser.set(s.userId, new Set()).get(s.userId)!).add(s.id);
    realm.sessionExpiries.push(sessionExpiry(realm, s), s.id);
    return s;
  };

  // ---- tokens --------------------------------------------------------------------------------------------
  const tokenTypeFor = (client: KcClient) => (client.lowerCaseBearer ? 'bearer' : kc.tokenType);

  return { ctx, kc, clock, now, rel, realms, baseOf, issuerAt, oidcAt, sessionExpiry, activeSession, newSession, dropSession, tokenTypeFor };
}

export type KcState = ReturnType<typeof createState>;
