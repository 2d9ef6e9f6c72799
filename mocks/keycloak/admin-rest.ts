/**
 * The subset of Keycloak's Admin REST API that keycloak-admin-client uses to provision test users: users (find, get,
 * create with credentials, update, delete, reset password), realm roles (list, get, create) and a user's realm role
 * mappings. The caller is a bearer token of the master realm whose user holds the realm role admin (admin-cli's
 * password grant, as `kcadm.sh` and keycloak-admin-client log in).
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/services/resources/admin/): UsersResource.java
 * (createUser: 201 with Location, 409 "User exists with same username"), UserResource.java, RoleContainerResource.java,
 * RoleMapperResource.java; AdminRoot.java (401 without a valid token, 403 without the role).
 * What it changes lives in this process (replicas on a shared store do not see it; /__admin/users is theirs).
 */
import { createHash } from 'node:crypto';
import type { Route } from '../core/flavour.js';
import { bearerToken, type MockRequest, type MockResponse } from '../core/http.js';
import { empty, json, userIdOf, type KcUser, type Realm } from './model.js';
import type { KcState } from './state.js';

type LiveAccessToken = (iss: string, realm: Realm, token: string) => Promise<Record<string, unknown> | undefined>;

/** Roles every realm has (Keycloak creates them with the realm); master's admin role too. */
const builtInRoles = (realm: Realm) => [
  'offline_access',
  'uma_authorization',
  `default-roles-${realm.name}`,
  ...(realm.name === 'master' ? ['admin', 'create-realm'] : []),
];

const roleId = (realm: Realm, name: string) => {
  const h = createHash('sha256').update(`role\0${realm.name}\0${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

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
  /** Realm roles created through the API, by realm. */
  const created = new Map<string, Set<string>>();
  const rolesOf = (realm: Realm) => {
    const names = new Set([...builtInRoles(realm), ...(created.get(realm.name) ?? [])]);
    for (const u of realm.users.values()) for (const r of (u as KcUser).realmRoles ?? []) names.add(r);
    return [...names];
  };
  const roleRep = (realm: Realm, name: string) => ({
    id: roleId(realm, name),
    name,
    composite: name === `default-roles-${realm.name}`,
    clientRole: false,
    containerId: realm.name,
  });
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
    notBefore: 0,
    access: { manageGroupMembership: true, view: true, mapRoles: true, impersonate: true, manage: true },
  });
  const byId = (realm: Realm, id: string) =>
    ([...realm.users.values()] as KcUser[]).find((u) => userIdOf(realm.name, u) === id);
  const notFound = (what: string) => json(404, { error: `${what} not found` });
  const body = (req: MockRequest): Record<string, unknown> | undefined => {
    try {
      const v = JSON.parse(req.body.toString('utf8')) as unknown;
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const badRequest = () => json(400, { error: 'unknown_error' });

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

  return async (req: MockRequest, route: Record<string, string>): Promise<MockResponse> => {
    const denied = await authorised(req);
    if (denied) return denied;
    const realm = s.realms.get(route.realm ?? '');
    if (!realm) return json(404, { error: 'Realm not found.' });
    const parts = (route.rest ?? '').split('/').filter(Boolean).map(decodeSegment);
    const [collection, id, sub, kind] = parts;
    const q = new URLSearchParams(req.rawQuery);
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
        const first = Number(q.get('first') ?? 0);
        const max = Number(q.get('max') ?? 100);
        return json(
          200,
          found.slice(first, first + max).map((u) => userRep(realm, u)),
        );
      }
      if (req.method !== 'POST') return empty(405);
      const rep = body(req);
      if (!rep || typeof rep.username !== 'string' || !rep.username)
        return json(400, { errorMessage: 'User name is missing' });
      if (realm.users.has(rep.username.toLowerCase()))
        return json(409, { errorMessage: 'User exists with same username' });
      const user = userFrom(rep);
      realm.users.set(user.username, user);
      return empty(201, {
        Location: `${s.baseOf(req, prefix)}/admin/realms/${realm.name}/users/${userIdOf(realm.name, user)}`,
      });
    }
    if (collection === 'users' && id !== undefined) {
      const user = byId(realm, id);
      if (!user) return notFound('User');
      if (sub === undefined) {
        if (req.method === 'GET') return json(200, userRep(realm, user));
        if (req.method === 'DELETE') {
          realm.users.delete(user.username);
          return empty(204);
        }
        if (req.method === 'PUT') {
          const rep = body(req);
          if (!rep) return badRequest();
          realm.users.set(user.username, userFrom({ username: user.username, ...rep }, user));
          return empty(204);
        }
        return empty(405);
      }
      if (sub === 'reset-password' && req.method === 'PUT') {
        const rep = body(req);
        if (!rep || typeof rep.value !== 'string' || !rep.value) return json(400, { error: 'missing_password' });
        setPassword(user, rep.value);
        return empty(204);
      }
      if (sub === 'role-mappings' && kind === 'realm') {
        if (req.method === 'GET')
          return json(
            200,
            (user.realmRoles ?? []).map((r) => roleRep(realm, r)),
          );
        const reps = (() => {
          try {
            return JSON.parse(req.body.toString('utf8')) as { name?: string; id?: string }[];
          } catch {
            return undefined;
          }
        })();
        if (!Array.isArray(reps)) return badRequest();
        const known = rolesOf(realm);
        const names = reps.map((r) => r.name ?? known.find((n) => roleId(realm, n) === r.id));
        if (names.some((n) => n === undefined || !known.includes(n))) return json(404, { error: 'Role not found' });
        const current = new Set(user.realmRoles ?? []);
        for (const n of names as string[]) req.method === 'DELETE' ? current.delete(n) : current.add(n);
        user.realmRoles = [...current];
        return empty(204);
      }
      return notFound('Resource');
    }
    if (collection === 'roles') {
      const names = rolesOf(realm);
      if (id === undefined) {
        if (req.method === 'GET')
          return json(
            200,
            names.map((n) => roleRep(realm, n)),
          );
        if (req.method !== 'POST') return empty(405);
        const rep = body(req);
        if (!rep || typeof rep.name !== 'string' || !rep.name) return badRequest();
        if (names.includes(rep.name)) return json(409, { errorMessage: `Role with name ${rep.name} already exists` });
        (created.get(realm.name) ?? created.set(realm.name, new Set()).get(realm.name)!).add(rep.name);
        return empty(201, {
          Location: `${s.baseOf(req, prefix)}/admin/realms/${realm.name}/roles/${encodeURIComponent(rep.name)}`,
        });
      }
      if (req.method !== 'GET') return empty(405);
      return names.includes(id) ? json(200, roleRep(realm, id)) : json(404, { error: 'Could not find role' });
    }
    return notFound('Resource');
  };
}
