/**
 * The admin REST API's clients: find (by clientId), create, get, update, delete, the secret (read and regenerate)
 * and client roles, as keycloak-admin-client calls them.
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/services/resources/admin/): ClientsResource.java
 * (createClient: 201 + Location, 409 "Client <id> already exists"; getClients: ?clientId exact, &search=true a
 * substring), ClientResource.java (getClientSecret, regenerateSecret: CredentialRepresentation {type "secret", value}),
 * RoleContainerResource.java (client roles); SecretGenerator (a 32-character secret).
 */
import type { MockRequest, MockResponse } from '../../core/http.js';
import { alphanumericToken } from '../../core/random.js';
import { ConfigError } from '../../core/config.js';
import { empty, json, kcClientOf, type KcClient, type Realm } from '../model.js';
import { clientFromRepresentation, representationReader } from '../realm-import.js';
import { badRequest, conflict, notFound, objectBody, page, roleRep, stableId } from './common.js';

export const clientUuid = (realm: Realm, client: KcClient) => stableId('client', realm, client.clientId);
export const clientByUuid = (realm: Realm, id: string) =>
  [...realm.clients.values()].find((c) => clientUuid(realm, c) === id);

/** The roles a client defines: those declared in the realm's roles, and those users and groups hold. */
export function clientRolesOf(realm: Realm, clientId: string, heldByGroups: string[]): string[] {
  const names = new Set(realm.config.roles?.client?.[clientId] ?? []);
  for (const u of realm.users.values()) for (const r of u.clientRoles?.[clientId] ?? []) names.add(r);
  for (const r of heldByGroups) names.add(r);
  return [...names];
}

export function clientRep(realm: Realm, c: KcClient) {
  return {
    id: clientUuid(realm, c),
    clientId: c.clientId,
    enabled: c.enabled,
    clientAuthenticatorType: 'client-secret',
    ...(!c.public && c.clientSecret ? { secret: c.clientSecret } : {}),
    redirectUris: c.redirectUris ?? [],
    webOrigins: [],
    bearerOnly: !!c.bearerOnly,
    consentRequired: !!c.consentRequired,
    standardFlowEnabled: c.grants.includes('authorization_code'),
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: c.grants.includes('password'),
    serviceAccountsEnabled: c.grants.includes('client_credentials'),
    publicClient: c.public,
    frontchannelLogout: true,
    protocol: 'openid-connect',
    attributes: c.pkceMethod ? { 'pkce.code.challenge.method': c.pkceMethod } : {},
    fullScopeAllowed: true,
    defaultClientScopes: c.scopes,
    optionalClientScopes: [],
    access: { view: true, configure: true, manage: true },
  };
}

/** A ClientRepresentation made into the mock's client (the realm export's conversion), or a 400 when malformed. */
function fromRepresentation(rep: Record<string, unknown>, previous?: KcClient): KcClient | MockResponse {
  try {
    const converted = clientFromRepresentation(representationReader('client representation'), rep, '');
    if (!converted) return json(400, { errorMessage: 'Only the openid-connect protocol is served by the mock' });
    const client = kcClientOf({ ...previous, ...converted });
    // A confidential client gets a secret when the representation gives none (SecretGenerator: 32 characters).
    if (!client.public && !client.clientSecret) client.clientSecret = previous?.clientSecret ?? alphanumericToken(32);
    if (client.public) delete client.clientSecret;
    return client;
  } catch (e) {
    if (e instanceof ConfigError) return json(400, { errorMessage: e.problems.join('; ') });
    throw e;
  }
}

export function adminClients(
  realm: Realm,
  req: MockRequest,
  parts: string[],
  location: (path: string) => string,
  rolesHeldByGroups: (clientId: string) => string[],
): MockResponse {
  const [, id, sub, roleName] = parts;
  const q = new URLSearchParams(req.rawQuery);
  if (id === undefined) {
    if (req.method === 'GET') {
      const wanted = q.get('clientId');
      const search = q.get('search') === 'true';
      const found = [...realm.clients.values()].filter(
        (c) =>
          wanted === null || (search ? c.clientId.toLowerCase().includes(wanted.toLowerCase()) : c.clientId === wanted),
      );
      return json(
        200,
        page(found, q).map((c) => clientRep(realm, c)),
      );
    }
    if (req.method !== 'POST') return empty(405);
    const rep = objectBody(req);
    if (!rep || typeof rep.clientId !== 'string' || !rep.clientId) return badRequest();
    if (realm.clients.has(rep.clientId)) return conflict(`Client ${rep.clientId} already exists`);
    const client = fromRepresentation(rep);
    if (!('clientId' in client)) return client;
    realm.clients.set(client.clientId, client);
    return empty(201, { Location: location(`clients/${clientUuid(realm, client)}`) });
  }
  const client = clientByUuid(realm, id);
  if (!client) return notFound('Could not find client');
  if (sub === undefined) {
    if (req.method === 'GET') return json(200, clientRep(realm, client));
    if (req.method === 'DELETE') {
      realm.clients.delete(client.clientId);
      return empty(204);
    }
    if (req.method !== 'PUT') return empty(405);
    const rep = objectBody(req);
    if (!rep) return badRequest();
    // An update names the client by its path: a clientId in the body may rename it.
    const updated = fromRepresentation({ ...clientRep(realm, client), ...rep }, client);
    if (!('clientId' in updated)) return updated;
    if (updated.clientId !== client.clientId && realm.clients.has(updated.clientId))
      return conflict(`Client ${updated.clientId} already exists`);
    realm.clients.delete(client.clientId);
    realm.clients.set(updated.clientId, updated);
    return empty(204);
  }
  if (sub === 'client-secret') {
    if (req.method === 'POST') {
      if (client.public) return json(400, { errorMessage: 'Public clients have no secret' });
      client.clientSecret = alphanumericToken(32);
    } else if (req.method !== 'GET') return empty(405);
    return json(200, { type: 'secret', ...(client.clientSecret ? { value: client.clientSecret } : {}) });
  }
  if (sub === 'roles') {
    const container = { id: clientUuid(realm, client) };
    const names = clientRolesOf(realm, client.clientId, rolesHeldByGroups(client.clientId));
    if (roleName === undefined) {
      if (req.method === 'GET')
        return json(
          200,
          names.map((n) => roleRep(realm, n, container)),
        );
      if (req.method !== 'POST') return empty(405);
      const rep = objectBody(req);
      if (!rep || typeof rep.name !== 'string' || !rep.name) return badRequest();
      if (names.includes(rep.name)) return conflict(`Role with name ${rep.name} already exists`);
      realm.config.roles = realm.config.roles ?? {};
      const byClient = (realm.config.roles.client ??= {});
      (byClient[client.clientId] ??= []).push(rep.name);
      return empty(201, {
        Location: location(`clients/${container.id}/roles/${encodeURIComponent(rep.name)}`),
      });
    }
    if (req.method !== 'GET') return empty(405);
    return names.includes(roleName) ? json(200, roleRep(realm, roleName, container)) : notFound('Could not find role');
  }
  return notFound('Resource not found');
}
