/**
 * Keycloak mock: roles and claims of the integrator's choosing, from the mock config and through /__admin: realm
 * roles in realm_access.roles, client roles in resource_access.<client>.roles, further claims in the access and ID
 * tokens; the tokens still validate against Keycloak's claim schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { validate } from '../../src/schemas/registry.js';
import { basic, postForm } from '../support/http.js';

const payload = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString());

describe('keycloak mock: roles and claims', () => {
  let idp: RunningMock;
  const grant = (username: string, password: string) =>
    postForm(
      idp.tokenEndpoint,
      { grant_type: 'password', username, password, scope: 'openid' },
      { authorization: basic('conformance-app', 'conformance-app-secret') },
    );
  beforeAll(async () => {
    idp = await startMock({
      flavour: 'keycloak',
      preset: 'current',
      keycloak: {
        realms: [
          {
            name: 'master',
            clients: [
              {
                clientId: 'conformance-app',
                clientSecret: 'conformance-app-secret',
                grants: ['password'],
                scopes: ['profile'],
                // Hardcoded-claim and Audience mappers on the client.
                claims: { tier: 'standard', tenant: 'client-default' },
                audience: ['orders-api'],
              },
            ],
            // A default client scope's hardcoded claim: every token of the realm.
            claims: { region: 'eu', tier: 'realm-default' },
            users: [
              {
                username: 'alice',
                password: 'alice-pw',
                realmRoles: ['shop-admin'],
                clientRoles: { 'orders-api': ['read', 'write'] },
                claims: { tenant: 'acme', entitlements: ['gold'] },
              },
            ],
          },
        ],
      },
    });
  });
  afterAll(() => idp.close());

  it('a configured user: roles where Keycloak puts them, claims in both tokens, valid against the claim schemas', async () => {
    const r = await grant('alice', 'alice-pw');
    expect(r.status).toBe(200);
    const access = payload(r.json().access_token);
    expect(access.realm_access.roles).toEqual([
      'offline_access',
      'default-roles-master',
      'uma_authorization',
      'shop-admin',
    ]);
    expect(access.resource_access).toEqual({ 'orders-api': { roles: ['read', 'write'] } });
    expect([access.tenant, access.entitlements]).toEqual(['acme', ['gold']]);
    // Realm, then client, then user: the nearer one wins; the Audience mapper's audience comes before account.
    expect([access.region, access.tier]).toEqual(['eu', 'standard']);
    expect(access.aud).toEqual(['orders-api', 'account']);
    expect(payload(r.json().id_token).tenant).toBe('acme');
    expect(validate('keycloak', 'access-claims', access).errors).toEqual([]);
  });

  it('a user added through /__admin/users carries its roles and claims at once', async () => {
    const added = await fetch(`${idp.admin.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'bob',
        password: 'bob-pw',
        realmRoles: ['auditor'],
        claims: { department: 'finance' },
      }),
    });
    expect(added.status).toBe(201);
    const access = payload((await grant('bob', 'bob-pw')).json().access_token);
    expect(access.realm_access.roles).toContain('auditor');
    expect(access.department).toBe('finance');
    expect(access.resource_access).toBeUndefined();
  });
});
