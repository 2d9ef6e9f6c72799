/**
 * The subset of Keycloak's Admin REST API that keycloak-admin-client uses to provision a test realm: users (find, get,
 * create with credentials, update, delete, reset password, role mappings, groups), clients (find, create, get,
 * update, delete, the secret, client roles: ./clients.ts), groups (./groups.ts) and realm roles (list, get, create). The caller is a bearer token of the master realm whose user holds the realm role admin (admin-cli's
 * password grant, as `kcadm.sh` and keycloak-admin-client log in).
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/services/resources/admin/): UsersResource.java
 * (createUser: 201 with Location, 409 "User exists with same username"), UserResource.java, RoleContainerResource.java,
 * RoleMapperResource.java; AdminRoot.java (401 without a valid token, 403 without the role).
 * What it changes lives in this process (replicas on a shared store do not see it; /__admin/users is theirs).
 */
import type { Route } from '../../core/flavour.js';
import { bearerToken, type MockRequest, type MockResponse } from '../../core/http.js';
import { empty, json, userIdOf, type KcUser, type Realm } from '../model.js';
import type { KcState } from '../state.js';
import { adminClients, clientByUuid, clientRolesOf, clientUuid } from './clients.js';
import { badRequest, notFound, objectBody, page, roleRep, stableId } from './common.js';
import { adminGroups, mapRoles } from './groups.js';

type LiveAccessToken = (iss: string, realm: Realm, token: string) => Promise<Record<string, unknown> | undefined>;

/** Roles every realm has (Keycloak creates them with the realm); master's admin role too. */
const builtInRoles = (realm: Realm) => [
  'offline_access',
  'uma_authorization',
  `default-roles-${realm.name}`,
  ...(realm.name === 'master' ? ['admin', 'create-realm'] : []),
];

const decodeSegment = (x: string) => {
  try {
    return decodeURIComponent(x);
  } catch {
    return x;
  }
};

/** The route: {prefix}/admin/realms/{realm}/… (any depth), named admin-rest in the journal and for faults. */
export function adminRestRoute(prefix: string, handle: Route['handle']): Route {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}/admin/realms/([^/]+)(/.*)?$`);
  return {
    name: 'admin-rest',
    match(path) {
      const m = pattern.exec(path);
      return m ? { realm: decodeSegment(m[1]!), rest: m[2] ?? '' } : undefined;
    },
    handle,
  };
}

export function keycloakAdminRest(s: KcState, prefix: string, liveAccessToken: LiveAccessToken) {
  /** The realm's roles: built in, declared (config or created here), and held by users and groups. */
  const rolesOf = (realm: Realm, groupRoles: string[]) => {
    const names = new Set([...builtInRoles(realm), ...(realm.config.roles?.realm ?? []), ...groupRoles]);
    for (const u of realm.users.values()) for (const r of (u as KcUser).realmRoles ?? []) names.add(r);
    return [...names];
  };
  const userRep = (realm: Realm, u: KcUser) => ({
    id: userIdOf(realm.name, u),
    username: u.username,
    ...(u.firstName !== undefined ? { firstName: u.firstName } : {}),
    ...(u.lastName !== undefined ? { lastName: u.lastName } : {}),
    ...(u.email !== undefined ? { email: u.email } : {}),
    emailVerified: u.email !== undefined,
    createdTimestamp: 0,
    enabled: u.enabled,
    totp: u.otp !== undefined,
    disableableCredentialTypes: [],
    requiredActions: u.requiredActions ?? [],
    ...(u.attributes && Object.keys(u.attributes).length ? { attributes: u.attributes } : {}),
    notBefore: 0,
    access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: true, manage: true },
  });
  const byId = (realm: Realm, id: string) =>
    ([...realm.users.values()] as KcUser[]).find((u) => userIdOf(realm.name, u) === id);
  /** A master-realm token whose user holds the admin role, else 401 / 403 as AdminRoot answers. */
  async function authorised(req: MockRequest): Promise<MockResponse | undefined> {
    const master = s.realms.get('master');
    const token = bearerToken(req);
    const claims =
      master && token ? await liveAccessToken(s.issuerAt(master, s.baseOf(req, prefix)), master, token) : undefined;
    if (!claims) return json(401, { error: 'HTTP 401 Unauthorized' });
    const roles = (claims.realm_access as { roles?: string[] } | undefined)?.roles ?? [];
    return roles.includes('admin') ? undefined : json(403, { error: 'HTTP 403 Forbidden' });
  }

  function userFrom(rep: Record<string, unknown>, base: Partial<KcUser> = {}): KcUser {
    const str = (k: string) => (typeof rep[k] === 'string' ? (rep[k] as string) : undefined);
    const user: KcUser = {
      ...base,
      username: String(rep.username ?? base.username).toLowerCase(),
      enabled: typeof rep.enabled === 'boolean' ? rep.enabled : (base.enabled ?? false),
      operator: false,
      groups: base.groups ?? [],
    } as KcUser;
    for (const k of ['email', 'firstName', 'lastName'] as const) if (str(k) !== undefined) user[k] = str(k)!;
    // UserRepresentation.attributes: name -> list of values (a single value is taken as a list of one).
    if (rep.attributes && typeof rep.attributes === 'object' && !Array.isArray(rep.attributes))
      user.attributes = Object.fromEntries(
        Object.entries(rep.attributes as Record<string, unknown>).map(([k, v]) => [
          k,
          (Array.isArray(v) ? v : [v]).map(String),
        ]),
      );
    const credential = Array.isArray(rep.credentials)
      ? (rep.credentials as { type?: string; value?: string }[]).find((c) => c.type === 'password' && c.value)
      : undefined;
    if (credential?.value) setPassword(user, credential.value);
    return user;
  }
  /** The password in clear here (a hash only goes to a shared store: mocks/core/passwords.ts). */
  function setPassword(user: KcUser, password: string) {
    user.password = password;
    delete user.passwordHash;
  }

  /** A user's role mappings: GET all (MappingsRepresentation), realm ones, or one client's. */
  function userRoleMappings(
    realm: Realm,
    req: MockRequest,
    user: KcUser,
    kind: string | undefined,
    clientId: string | undefined,
    groupRoles: string[],
  ): MockResponse {
    if (kind === undefined) {
      if (req.method !== 'GET') return empty(405);
      const clientMappings = Object.fromEntries(
        Object.entries(user.clientRoles ?? {})
          .filter(([, roles]) => roles.length)
          .map(([cid, roles]) => {
            const client = realm.clients.get(cid);
            const container = { id: client ? clientUuid(realm, client) : stableId('client', realm, cid) };
            return [cid, { id: container.id, client: cid, mappings: roles.map((r) => roleRep(realm, r, container)) }];
          }),
      );
      return json(200, {
        realmMappings: (user.realmRoles ?? []).map((r) => roleRep(realm, r)),
        ...(Object.keys(clientMappings).length ? { clientMappings } : {}),
      });
    }
    if (kind === 'realm')
      return mapRoles(
        req,
        (user.realmRoles ??= []),
        rolesOf(realm, groupRoles),
        (n) => stableId('role', realm, n),
        (n) => roleRep(realm, n),
      );
    if (kind === 'clients' && clientId) {
      const client = clientByUuid(realm, clientId);
      if (!client) return notFound('Could not find client');
      const container = { id: clientId };
      const known = clientRolesOf(realm, client.clientId, groupsOf(realm).clientRolesHeld(client.clientId));
      const byClient = (user.clientRoles ??= {});
      return mapRoles(
        req,
        (byClient[client.clientId] ??= []),
        known,
        (n) => stableId(`role:${clientId}`, realm, n),
        (n) => roleRep(realm, n, container),
      );
    }
    return notFound('Resource not found');
  }

  const groupApis = new WeakMap<Realm, ReturnType<typeof adminGroups>>();
  const groupsOf = (realm: Realm) => {
    let api = groupApis.get(realm);
    if (!api) groupApis.set(realm, (api = adminGroups(realm, () => rolesOf(realm, groupRealmRoles(realm)))));
    return api;
  };
  const groupRealmRoles = (realm: Realm) =>
    groupsOf(realm)
      .allGroups()
      .flatMap(({ group }) => group.realmRoles ?? []);

  return async (req: MockRequest, route: Record<string, string>): Promise<MockResponse> => {
    const denied = await authorised(req);
    if (denied) return denied;
    const realm = s.realms.get(route.realm ?? '');
    if (!realm) return json(404, { error: 'Realm not found.' });
    const parts = (route.rest ?? '').split('/').filter(Boolean).map(decodeSegment);
    const [collection, id, sub, kind, clientId] = parts;
    const q = new URLSearchParams(req.rawQuery);
    const location = (path: string) => `${s.baseOf(req, prefix)}/admin/realms/${realm.name}/${path}`;
    const groupApi = groupsOf(realm);
    if (collection === 'clients') return adminClients(realm, req, parts, location, groupApi.clientRolesHeld);
    if (collection === 'groups')
      return groupApi.groups(req, parts, location, (uuid) => clientByUuid(realm, uuid)?.clientId);
    if (collection === 'users' && id === undefined) {
      if (req.method === 'GET') {
        const exact = q.get('exact') === 'true';
        const match = (v: string | undefined, wanted: string | null) =>
          wanted === null ||
          (v !== undefined && (exact ? v === wanted : v.toLowerCase().includes(wanted.toLowerCase())));
        const search = q.get('search');
        const found = ([...realm.users.values()] as KcUser[]).filter(
          (u) =>
            match(u.username, q.get('username')) &&
            match(u.email, q.get('email')) &&
            (search === null ||
              [u.username, u.email, u.firstName, u.lastName].some((v) =>
                v?.toLowerCase().includes(search.toLowerCase()),
              )),
        );
        return json(
          200,
          page(found, q).map((u) => userRep(realm, u)),
        );
      }
      if (req.method !== 'POST') return empty(405);
      const rep = objectBody(req);
      if (!rep || typeof rep.username !== 'string' || !rep.username)
        return json(400, { errorMessage: 'User name is missing' });
      if (realm.users.has(rep.username.toLowerCase()))
        return json(409, { errorMessage: 'User exists with same username' });
      const user = userFrom(rep);
      realm.users.set(user.username, user);
      return empty(201, { Location: location(`users/${userIdOf(realm.name, user)}`) });
    }
    if (collection === 'users' && id !== undefined) {
      const user = byId(realm, id);
      if (!user) return notFound('User not found');
      if (sub === undefined) {
        if (req.method === 'GET') return json(200, userRep(realm, user));
        if (req.method === 'DELETE') {
          realm.users.delete(user.username);
          return empty(204);
        }
        if (req.method === 'PUT') {
          const rep = objectBody(req);
          if (!rep) return badRequest();
          realm.users.set(user.username, userFrom({ username: user.username, ...rep }, user));
          return empty(204);
        }
        return empty(405);
      }
      if (sub === 'reset-password' && req.method === 'PUT') {
        const rep = objectBody(req);
        if (!rep || typeof rep.value !== 'string' || !rep.value) return json(400, { error: 'missing_password' });
        setPassword(user, rep.value);
        return empty(204);
      }
      if (sub === 'role-mappings') return userRoleMappings(realm, req, user, kind, clientId, groupRealmRoles(realm));
      if (sub === 'groups') return groupApi.userGroups(req, user, kind);
      return notFound('Resource not found');
    }
    if (collection === 'roles') {
      const names = rolesOf(realm, groupRealmRoles(realm));
      if (id === undefined) {
        if (req.method === 'GET')
          return json(
            200,
            names.map((n) => roleRep(realm, n)),
          );
        if (req.method !== 'POST') return empty(405);
        const rep = objectBody(req);
        if (!rep || typeof rep.name !== 'string' || !rep.name) return badRequest();
        if (names.includes(rep.name)) return json(409, { errorMessage: `Role with name ${rep.name} already exists` });
        realm.config.roles = realm.config.roles ?? {};
        (realm.config.roles.realm ??= []).push(rep.name);
        return empty(201, { Location: location(`roles/${encodeURIComponent(rep.name)}`) });
      }
      if (req.method !== 'GET') return empty(405);
      return names.includes(id) ? json(200, roleRep(realm, id)) : notFound('Could not find role');
    }
    return notFound('Resource not found');
  };
}
