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
  /** The admin's client, logged in as kcadm.sh logs in: admin-cli's password grant on master. */
  async function adminClient() {
    const admin = new KcAdminClient({ baseUrl: base, realmName: 'master' });
    await admin.auth({
      username: 'admin',
      password: 'keycloak-admin-password',
      grantType: 'password',
      clientId: 'admin-cli',
    });
    return admin;
  }

  it('creates a user with a role; the user logs in and the token carries the role', async () => {
    const admin = await adminClient();
    await admin.roles.create({ name: 'shop-admin' });
    const { id } = await admin.users.create({
      username: 'carol',
      email: 'carol@example.com',
      enabled: true,
      attributes: { tenant: ['acme'] },
      credentials: [{ type: 'password', value: 'carol-pw', temporary: false }],
    });
    const role = await admin.roles.findOneByName({ name: 'shop-admin' });
    expect(role).toMatchObject({ name: 'shop-admin', clientRole: false });
    await admin.users.addRealmRoleMappings({ id, roles: [{ id: role!.id!, name: role!.name! }] });
    expect((await admin.users.listRealmRoleMappings({ id })).map((r) => r.name)).toEqual(['shop-admin']);
    expect((await admin.users.find({ username: 'carol', exact: true })).map((u) => u.id)).toEqual([id]);
    await admin.users.update({ id }, { firstName: 'Carol' });
    expect(await admin.users.findOne({ id })).toMatchObject({ firstName: 'Carol', attributes: { tenant: ['acme'] } });
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

  it('creates a client with a role and a group mapping roles; a member of a subgroup gets them in its token', async () => {
    const admin = await adminClient();
    // A confidential client with direct access grants; the mock makes its secret, which can be read and regenerated.
    const { id: clientUuid } = await admin.clients.create({
      clientId: 'shop-api',
      publicClient: false,
      directAccessGrantsEnabled: true,
      standardFlowEnabled: false,
      redirectUris: [],
    });
    expect((await admin.clients.find({ clientId: 'shop-api' })).map((c) => c.id)).toEqual([clientUuid]);
    expect(await admin.clients.findOne({ id: clientUuid })).toMatchObject({
      clientId: 'shop-api',
      publicClient: false,
      directAccessGrantsEnabled: true,
      standardFlowEnabled: false,
    });
    const first = await admin.clients.getClientSecret({ id: clientUuid });
    expect(first.value).toMatch(/^[A-Za-z0-9]{32}$/);
    const second = await admin.clients.generateNewClientSecret({ id: clientUuid });
    expect(second.value).not.toBe(first.value);
    await expect(admin.clients.create({ clientId: 'shop-api' })).rejects.toMatchObject({ response: { status: 409 } });
    await admin.clients.createRole({ id: clientUuid, name: 'order-reader' });
    expect((await admin.clients.listRoles({ id: clientUuid })).map((r) => r.name)).toEqual(['order-reader']);

    // Groups: /staff maps a realm role and the client role; /staff/leads another realm role; dave joins /staff/leads.
    await admin.roles.create({ name: 'staff-member' });
    await admin.roles.create({ name: 'lead' });
    const { id: staff } = await admin.groups.create({ name: 'staff' });
    const leads = await admin.groups.createChildGroup({ id: staff }, { name: 'leads' });
    const role = (name: string) => admin.roles.findOneByName({ name }).then((r) => ({ id: r!.id!, name: r!.name! }));
    await admin.groups.addRealmRoleMappings({ id: staff, roles: [await role('staff-member')] });
    await admin.groups.addRealmRoleMappings({ id: leads.id, roles: [await role('lead')] });
    const orderReader = await admin.clients.findRole({ id: clientUuid, roleName: 'order-reader' });
    await admin.groups.addClientRoleMappings({
      id: staff,
      clientUniqueId: clientUuid,
      roles: [{ id: orderReader!.id!, name: 'order-reader' }],
    });
    expect((await admin.groups.find({ search: 'leads' })).map((g) => g.name)).toEqual(['staff']);
    const { id: dave } = await admin.users.create({
      username: 'dave',
      enabled: true,
      credentials: [{ type: 'password', value: 'dave-pw', temporary: false }],
    });
    await admin.users.addToGroup({ id: dave, groupId: leads.id });
    expect((await admin.users.listGroups({ id: dave })).map((g) => g.path)).toEqual(['/staff/leads']);
    expect((await admin.groups.listMembers({ id: leads.id })).map((u) => u.username)).toEqual(['dave']);

    const r = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'password', username: 'dave', password: 'dave-pw' },
      { authorization: basic('shop-api', second.value!) },
    );
    expect(r.status).toBe(200);
    const access = JSON.parse(Buffer.from(String(r.json().access_token).split('.')[1]!, 'base64url').toString());
    expect(access.realm_access.roles).toEqual(expect.arrayContaining(['staff-member', 'lead']));
    expect(access.resource_access).toEqual({ 'shop-api': { roles: ['order-reader'] } });
    // The old secret is refused once regenerated.
    const stale = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'password', username: 'dave', password: 'dave-pw' },
      { authorization: basic('shop-api', first.value!) },
    );
    expect(stale.status).toBe(401);

    // Leaving the group takes its roles away; a user's client role mapping is its own.
    await admin.users.delFromGroup({ id: dave, groupId: leads.id });
    await admin.users.addClientRoleMappings({
      id: dave,
      clientUniqueId: clientUuid,
      roles: [{ id: orderReader!.id!, name: 'order-reader' }],
    });
    expect(
      (await admin.users.listClientRoleMappings({ id: dave, clientUniqueId: clientUuid })).map((x) => x.name),
    ).toEqual(['order-reader']);
    const again = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'password', username: 'dave', password: 'dave-pw' },
      { authorization: basic('shop-api', second.value!) },
    );
    const claims = JSON.parse(Buffer.from(String(again.json().access_token).split('.')[1]!, 'base64url').toString());
    expect(claims.realm_access.roles).not.toContain('lead');
    expect(claims.resource_access).toEqual({ 'shop-api': { roles: ['order-reader'] } });
    await admin.groups.del({ id: staff });
    expect(await admin.groups.find()).toEqual([]);
    await admin.clients.del({ id: clientUuid });
    expect(await admin.clients.find({ clientId: 'shop-api' })).toEqual([]);
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
