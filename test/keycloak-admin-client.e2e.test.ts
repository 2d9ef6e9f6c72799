/**
 * keycloak-admin-client (the real client) provisions through the Keycloak mock's admin API, as a test suite does
 * before its own tests: it logs in with admin-cli on master, creates a realm role and a user with a password, maps
 * the role, finds, updates and resets the user; that user's password grant then carries the role. Without the admin
 * role, or without a token, the API refuses as Keycloak does.
 */
import KcAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { basic, http, postForm } from './support/http.js';

describe.each(['current', 'v12-23'] as const)('keycloak-admin-client against the Keycloak mock (%s)', (preset) => {
  let idp: RunningMock;
  let base: string;
  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak', preset });
    base = idp.endpoints.discovery!.replace('/realms/master/.well-known/openid-configuration', '');
  });
  afterAll(() => idp.close());

  it('creates a user with a role; the user logs in and the token carries the role', async () => {
    const admin = new KcAdminClient({ baseUrl: base, realmName: 'master' });
    await admin.auth({
      username: 'admin',
      password: 'keycloak-admin-password',
      grantType: 'password',
      clientId: 'admin-cli',
    });
    await admin.roles.create({ name: 'shop-admin' });
    const { id } = await admin.users.create({
      username: 'carol',
      email: 'carol@example.com',
      enabled: true,
      credentials: [{ type: 'password', value: 'carol-pw', temporary: false }],
    });
    const role = await admin.roles.findOneByName({ name: 'shop-admin' });
    expect(role).toMatchObject({ name: 'shop-admin', clientRole: false });
    await admin.users.addRealmRoleMappings({ id, roles: [{ id: role!.id!, name: role!.name! }] });
    expect((await admin.users.listRealmRoleMappings({ id })).map((r) => r.name)).toEqual(['shop-admin']);
    expect((await admin.users.find({ username: 'carol', exact: true })).map((u) => u.id)).toEqual([id]);
    await admin.users.update({ id }, { firstName: 'Carol' });
    expect((await admin.users.findOne({ id }))?.firstName).toBe('Carol');
    await admin.users.resetPassword({ id, credential: { type: 'password', value: 'carol-new-pw', temporary: false } });

    const r = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'password', username: 'carol', password: 'carol-new-pw' },
      { authorization: basic('conformance-app', 'conformance-app-secret') },
    );
    expect(r.status).toBe(200);
    const access = JSON.parse(Buffer.from(String(r.json().access_token).split('.')[1]!, 'base64url').toString());
    expect(access.realm_access.roles).toContain('shop-admin');
    expect(access.given_name).toBe('Carol');

    await expect(admin.users.create({ username: 'carol', enabled: true })).rejects.toMatchObject({
      response: { status: 409 },
    });
    await admin.users.del({ id });
    expect(await admin.users.findOne({ id })).toBeNull(); // the client turns the 404 into null
  });

  it('refuses without a token (401) and a user without the admin role (403)', async () => {
    expect((await http('GET', `${base}/admin/realms/master/users`)).status).toBe(401);
    const qa = await postForm(`${base}/realms/master/protocol/openid-connect/token`, {
      grant_type: 'password',
      client_id: 'admin-cli',
      username: 'qa-bot',
      password: 'qa-bot-password',
    });
    const forbidden = await http('GET', `${base}/admin/realms/master/users`, {
      headers: { authorization: `Bearer ${qa.json().access_token}` },
    });
    expect([forbidden.status, forbidden.json()]).toEqual([403, { error: 'HTTP 403 Forbidden' }]);
  });
});
