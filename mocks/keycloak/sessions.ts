/**
 * Where the Keycloak mock keeps its user sessions, revoked access tokens and not-before times: in this process
 * (maps and an expiry heap, bounded by keycloak.maxSessions; the default) or in the mock's shared store (Redis),
 * so that replicas are one Keycloak: a session created at one replica refreshes at another, the session limiter
 * counts the user's sessions of every replica, and a logout or a revocation holds everywhere.
 * Keycloak itself keeps these in its Infinispan caches (model/infinispan UserSessionProvider), shared by its nodes.
 */
import { randomUUID } from 'node:crypto';
import type { GrantStore } from '../core/grant-store.js';
import type { Realm, UserSession } from './model.js';

export interface NotBefore {
  realm: number;
  users: Record<string, number>;
  clients: Record<string, number>;
}

export interface Sessions {
  /** The session if it is live; an expired one ends here. */
  active(realm: Realm, id: string | undefined): Promise<UserSession | undefined>;
  /** Whether the session is known at all, live or expired (an expired offline session answers differently). */
  known(realm: Realm, id: string): Promise<boolean>;
  create(
    realm: Realm,
    user: { id: string; username: string },
    clientId: string,
    offline: boolean,
  ): Promise<UserSession>;
  /** Writes back a session changed in place (a refresh, a client detached, consent revoked). */
  save(realm: Realm, s: UserSession): Promise<void>;
  drop(realm: Realm, id: string): Promise<void>;
  /** The user's live sessions (the limiter's count: the user's own, never a scan of the realm). */
  ofUser(realm: Realm, userId: string): Promise<UserSession[]>;
  /** An access token revoked (TokenRevocationEndpoint), remembered until it expires. */
  revokeAccess(realm: Realm, jti: string, exp: number): Promise<void>;
  accessRevoked(realm: Realm, jti: string): Promise<boolean>;
  notBefore(realm: Realm): Promise<NotBefore>;
  setNotBefore(realm: Realm, scope: { userId?: string; clientId?: string }, at: number): Promise<void>;
  /** Runs `critical` alone under `key`, across replicas too (the limiter's count-then-create, a refresh's reuse count). */
  exclusive<T>(key: string, critical: () => Promise<T>): Promise<T>;
}

export const sessionExpiry = (realm: Realm, s: UserSession) =>
  s.offline
    ? s.lastRefresh + realm.config.offlineSessionIdleTimeout
    : Math.min(s.lastRefresh + realm.config.ssoSessionIdleTimeout, s.started + realm.config.ssoSessionMaxLifespan);

const newSessionRecord = (
  user: { id: string; username: string },
  clientId: string,
  offline: boolean,
  t: number,
): UserSession => ({
  id: randomUUID(),
  userId: user.id,
  username: user.username,
  offline,
  started: t,
  lastRefresh: t,
  clients: { [clientId]: { timestamp: t, useCount: 0 } },
});

/** This process's sessions: maps per realm, an expiry heap for sweeping and the cap (no scan, ever). */
export function memorySessions(store: GrantStore, now: () => number, maxSessions: number): Sessions {
  let sessionCount = 0;
  const dropSession = (realm: Realm, id: string) => {
    const s = realm.sessions.get(id);
    if (!s) return;
    realm.sessions.delete(id);
    sessionCount--;
    const ids = realm.sessionsByUser.get(s.userId);
    ids?.delete(id);
    if (ids?.size === 0) realm.sessionsByUser.delete(s.userId);
  };
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
  /** Ends the sessions that expired (each add sweeps). */
  const sweepSessions = (realm: Realm, t: number) => {
    while (realm.sessionExpiries.peekAt() <= t) evictSoonest(realm, t);
    // Lazy entries of ended sessions: rebuild before they outnumber the live ones.
    if (realm.sessionExpiries.size > 2 * realm.sessions.size + 1024)
      realm.sessionExpiries.rebuild([...realm.sessions.values()].map((x) => [sessionExpiry(realm, x), x.id]));
  };
  return {
    active: async (realm, id) => activeSession(realm, id),
    known: async (realm, id) => realm.sessions.has(id),
    async create(realm, user, clientId, offline) {
      const t = now();
      const s = newSessionRecord(user, clientId, offline, t);
      sweepSessions(realm, t);
      // At the cap, the session soonest to expire ends first (memory stays bounded whatever the load).
      while (sessionCount >= maxSessions && realm.sessionExpiries.size > 0)
        evictSoonest(realm, Number.POSITIVE_INFINITY);
      realm.sessions.set(s.id, s);
      sessionCount++;
      (realm.sessionsByUser.get(s.userId) ?? realm.sessionsByUser.set(s.userId, new Set()).get(s.userId)!).add(s.id);
      realm.sessionExpiries.push(sessionExpiry(realm, s), s.id);
      return s;
    },
    save: async () => undefined, // the session object is the stored one
    drop: async (realm, id) => dropSession(realm, id),
    async ofUser(realm, userId) {
      const ids = realm.sessionsByUser.get(userId) ?? new Set<string>();
      const out: UserSession[] = [];
      for (const id of ids) {
        const s = activeSession(realm, id);
        if (!s) ids.delete(id);
        else out.push(s);
      }
      return out;
    },
    revokeAccess: async (realm, jti, exp) => realm.revokedAccess.add({ value: jti, expiresAt: exp }, now()),
    accessRevoked: async (realm, jti) => realm.revokedAccess.get(jti) !== undefined,
    notBefore: async (realm) => ({
      realm: realm.notBefore,
      users: Object.fromEntries(realm.userNotBefore),
      clients: Object.fromEntries(realm.clientNotBefore),
    }),
    async setNotBefore(realm, scope, at) {
      if (scope.userId) realm.userNotBefore.set(scope.userId, at);
      else if (scope.clientId) realm.clientNotBefore.set(scope.clientId, at);
      else realm.notBefore = at;
    },
    exclusive: (key, critical) => store.exclusive(key, critical),
  };
}

/**
 * Sessions in the shared store, as documents that expire with the session (plus `retention` seconds, so that an
 * expired offline session is still told from an unknown one), a set of session ids per user, revoked access tokens
 * until they expire, one not-before document per realm. Bounded by Redis' own TTLs.
 */
export function sharedSessions(store: GrantStore, now: () => number, retention: number): Sessions {
  const sessionKey = (realm: Realm, id: string) => `kc:${realm.name}:session:${id}`;
  const userKey = (realm: Realm, userId: string) => `kc:${realm.name}:user:${userId}`;
  const nbfKey = (realm: Realm) => `kc:${realm.name}:not-before`;
  const read = (realm: Realm, id: string) => store.getDoc<UserSession>(sessionKey(realm, id));
  const put = async (realm: Realm, s: UserSession) => {
    const until = sessionExpiry(realm, s) + retention;
    await store.putDoc(sessionKey(realm, s.id), s, until, now());
    await store.addMember(userKey(realm, s.userId), s.id, until, now());
  };
  const self: Sessions = {
    async active(realm, id) {
      const s = id ? await read(realm, id) : undefined;
      return s && sessionExpiry(realm, s) > now() ? s : undefined;
    },
    known: async (realm, id) => (await read(realm, id)) !== undefined,
    async create(realm, user, clientId, offline) {
      const s = newSessionRecord(user, clientId, offline, now());
      await put(realm, s);
      return s;
    },
    save: put,
    async drop(realm, id) {
      const s = await read(realm, id);
      await store.deleteDoc(sessionKey(realm, id));
      if (s) await store.removeMember(userKey(realm, s.userId), id);
    },
    async ofUser(realm, userId) {
      const out: UserSession[] = [];
      for (const id of await store.members(userKey(realm, userId))) {
        const s = await self.active(realm, id);
        if (s) out.push(s);
        else await store.removeMember(userKey(realm, userId), id);
      }
      return out;
    },
    revokeAccess: (realm, jti, exp) => store.putDoc(`kc:${realm.name}:revoked:${jti}`, 1, exp, now()),
    accessRevoked: async (realm, jti) => (await store.getDoc(`kc:${realm.name}:revoked:${jti}`)) !== undefined,
    notBefore: async (realm) => (await store.getDoc<NotBefore>(nbfKey(realm))) ?? { realm: 0, users: {}, clients: {} },
    async setNotBefore(realm, scope, at) {
      await store.exclusive(nbfKey(realm), async () => {
        const nbf = await self.notBefore(realm);
        if (scope.userId) nbf.users[scope.userId] = at;
        else if (scope.clientId) nbf.clients[scope.clientId] = at;
        else nbf.realm = at;
        await store.putDoc(nbfKey(realm), nbf, Number.POSITIVE_INFINITY, now());
      });
    },
    exclusive: (key, critical) => store.exclusive(key, critical),
  };
  return self;
}
