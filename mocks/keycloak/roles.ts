/**
 * A Keycloak user's effective roles: its own role mappings plus those of its groups and of their parent groups
 * (a subgroup inherits its parent's role mappings), composite realm roles expanded, as Keycloak's
 * RoleUtils.getDeepUserRoleMappings resolves them and the "realm roles" / "client roles" protocol mappers put them
 * into realm_access and resource_access.
 * Sources: keycloak/keycloak server-spi-private/src/main/java/org/keycloak/models/utils/RoleUtils.java,
 * services/src/main/java/org/keycloak/protocol/oidc/mappers/{RealmRolesMapper,ClientRolesMapper}... (via
 * AbstractUserRoleMappingMapper), model/jpa GroupAdapter (paths "/parent/child").
 */
import type { Group } from '../../src/generated/schemas.js';
import type { KcUser, Realm } from './model.js';

/** A group as a realm config declares it (schemas/keycloak/mock-config.schema.json $defs/group). */
export type GroupConfig = Group;

/** Every group of the realm with its path, parents first. */
export function groupsWithPaths(realm: Realm): { path: string; group: GroupConfig; parent?: string }[] {
  const out: { path: string; group: GroupConfig; parent?: string }[] = [];
  const walk = (groups: GroupConfig[], parent?: string) => {
    for (const g of groups) {
      const path = `${parent ?? ''}/${g.name}`;
      out.push({ path, group: g, ...(parent ? { parent } : {}) });
      walk(g.subGroups ?? [], path);
    }
  };
  walk(realm.config.groups ?? []);
  return out;
}

/** A user's group reference as a path: "/a/b" stays, a bare name means the top-level group of that name. */
export const groupPath = (reference: string) => (reference.startsWith('/') ? reference : `/${reference}`);

export function effectiveRoles(realm: Realm, user: KcUser): { realm: string[]; clients: Record<string, string[]> } {
  const realmRoles = new Set(user.realmRoles ?? []);
  const clients = new Map<string, Set<string>>();
  const addClientRoles = (byClient: Record<string, string[]> | undefined) => {
    for (const [clientId, roles] of Object.entries(byClient ?? {})) {
      const set = clients.get(clientId) ?? clients.set(clientId, new Set()).get(clientId)!;
      for (const r of roles) set.add(r);
    }
  };
  addClientRoles(user.clientRoles);
  if (user.groups.length) {
    const byPath = new Map(groupsWithPaths(realm).map((g) => [g.path, g.group]));
    for (const reference of user.groups) {
      const path = groupPath(reference);
      // The group and each parent on its path: /a/b/c -> /a, /a/b, /a/b/c.
      const segments = path.split('/').filter(Boolean);
      for (let i = 1; i <= segments.length; i++) {
        const group = byPath.get(`/${segments.slice(0, i).join('/')}`);
        for (const r of group?.realmRoles ?? []) realmRoles.add(r);
        addClientRoles(group?.clientRoles);
      }
    }
  }
  // Composite realm roles hold their composites, recursively; every user holds default-roles-<realm>
  // (RoleUtils.expandCompositeRoles; the realm's default role since Keycloak 13).
  const composites = realm.config.roles?.composites ?? {};
  const pending = [`default-roles-${realm.name}`, ...realmRoles];
  const expanded = new Set<string>(pending);
  while (pending.length) {
    const c = composites[pending.pop()!];
    for (const r of c?.realm ?? [])
      if (!expanded.has(r)) {
        expanded.add(r);
        realmRoles.add(r);
        pending.push(r);
      }
    addClientRoles(c?.client);
  }
  return {
    realm: [...realmRoles],
    clients: Object.fromEntries([...clients].filter(([, roles]) => roles.size).map(([c, roles]) => [c, [...roles]])),
  };
}
