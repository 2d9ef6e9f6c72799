/** One Keycloak mock's state: its realms, time, issuer URLs and sessions (shared by the endpoint modules). */
import type { MockContext } from '../core/flavour.js';
import { header, type MockRequest } from '../core/http.js';
import { realmKeys, type KeyShare, type RealmKeys } from './keys.js';
import { ExpiryHeap } from '../core/expiry-heap.js';
import { TokenStore } from '../core/store.js';
import { kcClientOf, REALM_DEFAULTS, type KcClient, type KcUser, type Realm, type Settings } from './model.js';
import { importRealm } from './realm-import.js';
import { memorySessions, sharedSessions } from './sessions.js';

export function createState(ctx: MockContext) {
  const kc = ctx.config.extra.keycloak as Settings;
  const clock = ctx.clock;
  const now = () => clock.epochSeconds();
  const rel = kc.relativePath;
  const realms = new Map<string, Realm>();
  const store = ctx.grants.store;
  // Replicas on a shared store sign and verify with one set of keys: the first replica's (mocks/keycloak/keys.ts).
  const shareKeys: KeyShare | undefined = store.shared
    ? async (name, make) =>
        (await store.getDoc(`kc:keys:${name}`)) ??
        store.putDocOnce(`kc:keys:${name}`, await make(), Number.POSITIVE_INFINITY, 0)
    : undefined;
  const maxSessions = kc.maxSessions;
  // Realm exports replace a preset realm of the same name; what they leave out is said at start (importNotes).
  const imported = (kc.realmImports ?? []).map((file) => importRealm(file, kc.importPasswords ?? {}));
  const importNotes = imported.flatMap((x) => x.notes);
  const realmConfigs = [
    ...(kc.realms ?? []).filter((r) => !imported.some((x) => x.realm.name === r.name)),
    ...imported.map((x) => x.realm),
  ];
  realmConfigs.forEach((rc, i) => {
    const { clients = [], users = [], sessionLimit, ...rest } = rc;
    // Groups and roles are copied: the admin REST API changes them in this mock, never in its configuration.
    const config = {
      ...REALM_DEFAULTS,
      ...rest,
      groups: structuredClone(rest.groups ?? []),
      roles: structuredClone(rest.roles ?? {}),
      claims: rest.claims ?? {},
      sessionLimit,
    } as Realm['config'];
    // The first realm shares the core's client and user maps, so /__admin/clients and /__admin/users reach it.
    const clientMap = i === 0 ? (ctx.clients as Map<string, KcClient>) : new Map<string, KcClient>();
    const userMap = i === 0 ? (ctx.users as Map<string, KcUser>) : new Map<string, KcUser>();
    for (const c of clients) clientMap.set(c.clientId, kcClientOf(c as KcClient));
    for (const u of users) userMap.set(u.username, { enabled: true, operator: false, groups: [], ...u } as KcUser);
    let keys: Promise<RealmKeys> | undefined;
    realms.set(rc.name, {
      name: rc.name,
      config,
      clients: clientMap,
      users: userMap,
      sessions: new Map(),
      notBefore: 0,
      userNotBefore: new Map(),
      clientNotBefore: new Map(),
      revokedAccess: new TokenStore({ maxTokens: maxSessions, expiredRetention: 0 }),
      sessionsByUser: new Map(),
      sessionExpiries: new ExpiryHeap(),
      keys: () => (keys ??= realmKeys(kc.signingKey, rc.name, shareKeys)),
    });
  });

  /**
   * iss = {base}/realms/{realm}, with {base} the host the request came to plus the base path in use (Keycloak takes
   * the request's host unless a hostname is configured): a token minted under one base is refused under another.
   */
  const baseOf = (req: MockRequest | undefined, prefix: string) => {
    const host = req ? header(req, 'host') : undefined;
    const scheme = ctx.baseUrl.startsWith('https:') ? 'https' : 'http';
    return `${host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${scheme}://${host}` : ctx.baseUrl}${prefix}`;
  };
  const issuerAt = (realm: Realm, base: string) => `${base}/realms/${realm.name}`;
  // Warm the first realm's RS256 key while the server starts listening: the first token does not wait for the import.
  const first = realms.values().next().value as Realm | undefined;
  if (first)
    void first
      .keys()
      .then((k) => k.rsa())
      .catch(() => undefined);
  const oidcAt = (realm: Realm, base: string, path: string) =>
    `${issuerAt(realm, base)}/protocol/openid-connect${path}`;

  // ---- sessions ------------------------------------------------------------------------------------------
  // This process's maps, or the shared store when replicas share one (mocks/keycloak/sessions.ts).
  const sessions = ctx.grants.store.shared
    ? sharedSessions(ctx.grants.store, now, ctx.config.tokens.expiredRetention)
    : memorySessions(ctx.grants.store, now, maxSessions);

  // ---- clients other replicas created ---------------------------------------------------------------------
  // A technical user made at run time (POST /__admin/flavour/technical-users) at one replica is a user and a client
  // in that replica's realm maps; on a shared store it is also a document under its client id, which another
  // replica takes into its maps the first time a request names that client (mocks/keycloak/technical-users.ts).
  const sharedClientKey = (realm: Realm, clientId: string) => `kc:${realm.name}:client:${clientId}`;
  async function adoptSharedClient(realm: Realm, clientId: string): Promise<KcClient | undefined> {
    if (!store.shared) return undefined;
    const held = await store.getDoc<{ user: KcUser; client: KcClient }>(sharedClientKey(realm, clientId));
    if (!held) return undefined;
    realm.users.set(held.user.username, held.user);
    realm.clients.set(held.client.clientId, held.client);
    return held.client;
  }

  // ---- tokens --------------------------------------------------------------------------------------------
  const tokenTypeFor = (client: KcClient) => (client.lowerCaseBearer ? 'bearer' : kc.tokenType);

  return {
    ctx,
    kc,
    clock,
    now,
    rel,
    realms,
    baseOf,
    issuerAt,
    oidcAt,
    sessions,
    tokenTypeFor,
    sharedClientKey,
    adoptSharedClient,
    importNotes,
  };
}

export type KcState = ReturnType<typeof createState>;
