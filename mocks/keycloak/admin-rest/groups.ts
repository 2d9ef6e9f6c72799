/**
 * The admin REST API's groups: find (?search), create (top level and children), get, rename, delete, members, and a
 * group's realm and client role mappings; a user's groups (list, join, leave). Members take the group's roles and
 * its parents' (mocks/keycloak/roles.ts).
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/services/resources/admin/): GroupsResource.java
 * (addTopLevelGroup: 201 + Location, 409 "Top level group named '<name>' already exists."), GroupResource.java
 * (addChild, getMembers), UserResource.java (groups, joinGroup, removeMembership), RoleMapperResource.java;
 * ModelToRepresentation.toRepresentation(GroupModel) (id, name, path, subGroups, attributes, realmRoles, clientRoles).
 */
import { randomUUID } from 'node:crypto';
import type { MockRequest, MockResponse } from '../../core/http.js';
import { empty, json, type KcUser, type Realm } from '../model.js';
import { groupPath, groupsWithPaths, type GroupConfig } from '../roles.js';
import { clientRolesOf } from './clients.js';
import { badRequest, conflict, notFound, objectBody, page, roleNamesOf, roleRep, stableId } from './common.js';

/** A group as the mock keeps it: its config, with an id (the configured one, else one derived from its path). */
type Group = GroupConfig & { id?: string };

export function adminGroups(realm: Realm, knownRealmRoles: () => string[]) {
  const tree = () => (realm.config.groups ??= []) as Group[];
  const all = () => groupsWithPaths(realm) as { path: string; group: Group; parent?: string }[];
  const idOf = (g: Group, path: string) => (g.id ??= stableId('group', realm, path));
  const find = (id: string) => all().find(({ group, path }) => idOf(group, path) === id);
  const members = (path: string) =>
    ([...realm.users.values()] as KcUser[]).filter((u) => u.groups.some((ref) => groupPath(ref) === path));

  function rep(group: Group, path: string): Record<string, unknown> {
    return {
      id: idOf(group, path),
      name: group.name,
      path,
      subGroupCount: (group.subGroups ?? []).length,
      subGroups: (group.subGroups ?? []).map((g) => rep(g, `${path}/${g.name}`)),
      attributes: {},
      realmRoles: group.realmRoles ?? [],
      clientRoles: group.clientRoles ?? {},
      access: { view: true, manage: true, manageMembership: true },
    };
  }

  /** Client roles the realm's groups hold, for a client's role list. */
  const clientRolesHeld = (clientId: string) => all().flatMap(({ group }) => group.clientRoles?.[clientId] ?? []);

  /** A new group under `siblings` (the tree's top, or a group's subgroups). */
  function add(
    req: MockRequest,
    siblings: Group[],
    parentPath: string | undefined,
    location: (p: string) => string,
  ): MockResponse {
    const body = objectBody(req);
    if (!body || typeof body.name !== 'string' || !body.name || body.name.includes('/')) return badRequest();
    if (siblings.some((g) => g.name === body.name))
      return conflict(
        parentPath
          ? `Sibling group named '${body.name}' already exists.`
          : `Top level group named '${body.name}' already exists.`,
      );
    const group: Group = { id: randomUUID(), name: body.name, realmRoles: [], clientRoles: {}, subGroups: [] };
    siblings.push(group);
    const headers = { Location: location(`groups/${group.id}`) };
    // A top-level group is created bare (Response.created); a child comes back as its representation.
    return parentPath ? json(201, rep(group, `${parentPath}/${group.name}`), headers) : empty(201, headers);
  }

  /** /groups… */
  function groups(
    req: MockRequest,
    parts: string[],
    location: (p: string) => string,
    clientIdOf: (uuid: string) => string | undefined,
  ): MockResponse {
    const [, id, sub, kind, clientUuid] = parts;
    const q = new URLSearchParams(req.rawQuery);
    if (id === undefined) {
      if (req.method === 'POST') return add(req, tree(), undefined, location);
      if (req.method !== 'GET') return empty(405);
      const search = q.get('search')?.toLowerCase();
      const top = tree().filter(
        (g) =>
          !search ||
          all().some(({ group, path }) => path.startsWith(`/${g.name}`) && group.name.toLowerCase().includes(search)),
      );
      return json(
        200,
        page(top, q).map((g) => rep(g, `/${g.name}`)),
      );
    }
    const found = find(id);
    if (!found) return notFound('Could not find group by id');
    const { group, path, parent } = found;
    if (sub === undefined) {
      if (req.method === 'GET') return json(200, rep(group, path));
      if (req.method === 'DELETE') {
        const siblings = parent ? (all().find((x) => x.path === parent)?.group.subGroups ?? []) : tree();
        siblings.splice(siblings.indexOf(group), 1);
        for (const u of realm.users.values())
          u.groups = u.groups.filter((ref) => !(groupPath(ref) === path || groupPath(ref).startsWith(`${path}/`)));
        return empty(204);
      }
      if (req.method !== 'PUT') return empty(405);
      const body = objectBody(req);
      if (!body) return badRequest();
      if (typeof body.name === 'string' && body.name && body.name !== group.name) {
        const renamed = `${parent ?? ''}/${body.name}`;
        // Members keep the group under its new path (the mock holds memberships by path).
        for (const u of realm.users.values())
          u.groups = u.groups.map((ref) => {
            const p = groupPath(ref);
            return p === path || p.startsWith(`${path}/`) ? renamed + p.slice(path.length) : ref;
          });
        group.name = body.name;
      }
      return empty(204);
    }
    if (sub === 'children') {
      if (req.method !== 'POST')
        return req.method === 'GET'
          ? json(
              200,
              (group.subGroups ?? []).map((g) => rep(g, `${path}/${g.name}`)),
            )
          : empty(405);
      return add(req, (group.subGroups ??= []), path, location);
    }
    if (sub === 'members') {
      if (req.method !== 'GET') return empty(405);
      return json(
        200,
        page(members(path), q).map((u) => ({ username: u.username, enabled: u.enabled })),
      );
    }
    if (sub === 'role-mappings') {
      if (kind === 'realm') {
        const known = knownRealmRoles();
        return mapRoles(
          req,
          (group.realmRoles ??= []),
          known,
          (n) => stableId('role', realm, n),
          (n) => roleRep(realm, n),
        );
      }
      if (kind === 'clients' && clientUuid) {
        const clientId = clientIdOf(clientUuid);
        if (!clientId) return notFound('Could not find client');
        const container = { id: clientUuid };
        const held = ((group.clientRoles ??= {})[clientId] ??= []);
        const known = clientRolesOf(realm, clientId, clientRolesHeld(clientId));
        return mapRoles(
          req,
          held,
          known,
          (n) => stableId(`role:${clientUuid}`, realm, n),
          (n) => roleRep(realm, n, container),
        );
      }
    }
    return notFound('Resource not found');
  }

  /** A user's /groups and /groups/{groupId}. */
  function userGroups(req: MockRequest, user: KcUser, groupId: string | undefined): MockResponse {
    if (groupId === undefined) {
      if (req.method !== 'GET') return empty(405);
      const paths = new Set(user.groups.map(groupPath));
      return json(
        200,
        all()
          .filter(({ path }) => paths.has(path))
          .map(({ group, path }) => ({ id: idOf(group, path), name: group.name, path, subGroups: [] })),
      );
    }
    const found = find(groupId);
    if (!found) return notFound('Could not find group by id');
    if (req.method === 'PUT') {
      if (!user.groups.some((ref) => groupPath(ref) === found.path)) user.groups = [...user.groups, found.path];
      return empty(204);
    }
    if (req.method === 'DELETE') {
      user.groups = user.groups.filter((ref) => groupPath(ref) !== found.path);
      return empty(204);
    }
    return empty(405);
  }

  return { groups, userGroups, clientRolesHeld, allGroups: all };
}

/** GET lists, POST adds, DELETE removes role mappings held in `held` (RoleMapperResource). */
export function mapRoles(
  req: MockRequest,
  held: string[],
  known: string[],
  idOf: (name: string) => string,
  repOf: (name: string) => unknown,
): MockResponse {
  if (req.method === 'GET') return json(200, held.map(repOf));
  if (req.method !== 'POST' && req.method !== 'DELETE') return empty(405);
  const names = roleNamesOf(req, known, idOf);
  if (!names) return notFound('Role not found');
  for (const n of names) {
    const at = held.indexOf(n);
    if (req.method === 'POST' && at < 0) held.push(n);
    if (req.method === 'DELETE' && at >= 0) held.splice(at, 1);
  }
  return empty(204);
}
