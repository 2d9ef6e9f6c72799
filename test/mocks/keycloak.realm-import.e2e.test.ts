/**
 * Keycloak realm exports loaded by the mock (keycloak.realmImports): one in the shape Keycloak writes today
 * (credentials with secretData/credentialData, pbkdf2-sha256) and one in the shape of Keycloak <= 9
 * (hashedSaltedValue); their clients and users authenticate, roles reach the tokens, lifespans and the session
 * limiter apply, and what the mock leaves out is said at start, one line each. A malformed export: one line naming
 * its JSON path, exit 2.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { basic, http, postForm } from '../support/http.js';
import { cli, startCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-realm-'));
const hash = (password: string, bytes: number) => {
  const salt = randomBytes(16);
  return {
    salt: salt.toString('base64'),
    value: pbkdf2Sync(password, salt, 27500, bytes, 'sha256').toString('base64'),
  };
};

/** As `kc.sh export --realm shop` writes it (Keycloak 2x), trimmed to what matters plus members the mock does not honour. */
function currentExport() {
  const h = hash('alice-pw', 64);
  return {
    id: 'a4c1f5e2-0000-4000-8000-000000000001',
    realm: 'shop',
    enabled: true,
    sslRequired: 'external',
    accessTokenLifespan: 120,
    ssoSessionIdleTimeout: 600,
    accessCodeLifespan: 30,
    revokeRefreshToken: true,
    refreshTokenMaxReuse: 0,
    bruteForceProtected: true,
    identityProviders: [{ alias: 'github', providerId: 'github' }],
    roles: {
      realm: [
        { name: 'shop-admin', composite: false, clientRole: false },
        { name: 'shop-all', composite: true, composites: { realm: ['shop-admin', 'shop-auditor'] }, clientRole: false },
        { name: 'shop-auditor', composite: false, clientRole: false },
        {
          name: 'default-roles-shop',
          composite: true,
          composites: { realm: ['offline_access', 'uma_authorization', 'shop-customer'] },
          clientRole: false,
        },
      ],
      client: { 'shop-web': [{ name: 'buyer', composite: false, clientRole: true, containerId: 'b1' }] },
    },
    groups: [
      {
        id: 'g1',
        name: 'staff',
        path: '/staff',
        attributes: { floor: ['2'] },
        realmRoles: ['staff-member'],
        clientRoles: { 'shop-web': ['reviewer'] },
        subGroups: [
          {
            id: 'g2',
            name: 'leads',
            path: '/staff/leads',
            attributes: {},
            realmRoles: ['lead'],
            clientRoles: {},
            subGroups: [],
          },
        ],
      },
    ],
    authenticatorConfig: [
      {
        id: 'x',
        alias: 'limit',
        config: { realmLimit: '1', behavior: 'Deny new session', errorMessage: 'One at a time' },
      },
    ],
    clients: [
      {
        id: 'b1',
        clientId: 'shop-web',
        enabled: true,
        clientAuthenticatorType: 'client-secret',
        secret: 'shop-web-secret',
        redirectUris: ['https://shop.example/*'],
        bearerOnly: false,
        consentRequired: false,
        standardFlowEnabled: true,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: true,
        serviceAccountsEnabled: false,
        publicClient: false,
        protocol: 'openid-connect',
        attributes: { 'pkce.code.challenge.method': 'S256' },
        protocolMappers: [
          {
            name: 'api audience',
            protocol: 'openid-connect',
            protocolMapper: 'oidc-audience-mapper',
            config: { 'included.client.audience': 'shop-api', 'access.token.claim': 'true' },
          },
          {
            name: 'plan',
            protocolMapper: 'oidc-hardcoded-claim-mapper',
            config: { 'claim.name': 'plan', 'claim.value': '{"tier":"gold"}', 'jsonType.label': 'JSON' },
          },
          {
            name: 'tenant',
            protocolMapper: 'oidc-usermodel-attribute-mapper',
            config: { 'user.attribute': 'tenant', 'claim.name': 'org.tenant', 'jsonType.label': 'String' },
          },
          { name: 'pairwise', protocolMapper: 'oidc-sha256-pairwise-sub-mapper', config: {} },
        ],
        defaultClientScopes: ['profile', 'email'],
        optionalClientScopes: ['offline_access'],
      },
    ],
    users: [
      {
        id: 'c0ffee00-0000-4000-8000-000000000001',
        createdTimestamp: 1700000000000,
        username: 'alice',
        enabled: true,
        emailVerified: true,
        firstName: 'Alice',
        lastName: 'Doe',
        email: 'alice@shop.example',
        attributes: { tenant: ['acme'] },
        credentials: [
          {
            type: 'password',
            userLabel: 'My password',
            createdDate: 1700000000000,
            secretData: JSON.stringify({ value: h.value, salt: h.salt, additionalParameters: {} }),
            credentialData: JSON.stringify({
              hashIterations: 27500,
              algorithm: 'pbkdf2-sha256',
              additionalParameters: {},
            }),
          },
        ],
        realmRoles: ['default-roles-shop', 'shop-admin', 'shop-all'],
        clientRoles: { 'shop-web': ['buyer'] },
        groups: ['/staff/leads'],
      },
    ],
  };
}

/** Keycloak <= 9's credential shape. */
function legacyExport() {
  const h = hash('bob-pw', 32);
  return {
    realm: 'legacy-shop',
    enabled: true,
    clients: [
      {
        clientId: 'legacy-app',
        secret: 'legacy-secret',
        directAccessGrantsEnabled: true,
        publicClient: false,
        // The client's own Access Token Lifespan; a device-flow switch the mock does not serve.
        attributes: { 'access.token.lifespan': '90', 'oauth2.device.authorization.grant.enabled': 'true' },
      },
    ],
    users: [
      {
        username: 'bob',
        enabled: true,
        credentials: [
          {
            type: 'password',
            hashedSaltedValue: h.value,
            salt: h.salt,
            hashIterations: 27500,
            algorithm: 'pbkdf2-sha256',
            counter: 0,
            digits: 0,
            period: 0,
            config: {},
          },
        ],
        realmRoles: ['offline_access'],
      },
    ],
  };
}

const write = (name: string, doc: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

describe('keycloak mock: realm exports', () => {
  let idp: RunningMock;
  afterAll(() => idp?.close());

  it('loads both shapes: users log in with their hashed passwords, roles and lifespans apply, the limiter too; the rest is named', async () => {
    idp = await startMock({
      flavour: 'keycloak',
      preset: 'current',
      keycloak: { realmImports: [write('shop.json', currentExport()), write('legacy.json', legacyExport())] },
    });
    const token = (realm: string, client: [string, string], username: string, password: string) =>
      postForm(
        `${idp.url}/realms/${realm}/protocol/openid-connect/token`,
        { grant_type: 'password', username, password },
        { authorization: basic(...client) },
      );
    const alice = await token('shop', ['shop-web', 'shop-web-secret'], 'alice', 'alice-pw');
    expect(alice.status).toBe(200);
    expect(alice.json().expires_in).toBe(120);
    const claims = JSON.parse(Buffer.from(String(alice.json().access_token).split('.')[1]!, 'base64url').toString());
    // Roles of the user, of its group /staff/leads and of that group's parent /staff.
    expect(claims.realm_access.roles).toEqual(expect.arrayContaining(['shop-admin', 'lead', 'staff-member']));
    // Composites expanded: shop-all holds shop-auditor; every user holds default-roles-shop, which holds shop-customer.
    expect(claims.realm_access.roles).toEqual(expect.arrayContaining(['shop-auditor', 'shop-customer']));
    expect(claims.resource_access).toEqual({ 'shop-web': { roles: ['buyer', 'reviewer'] } });
    expect(claims.sub).toBe('c0ffee00-0000-4000-8000-000000000001');
    // The client's mappers: an audience, a hardcoded JSON claim, the user's tenant attribute under org.tenant.
    expect(claims.aud).toEqual(['shop-api', 'account']);
    expect([claims.plan, claims.org]).toEqual([{ tier: 'gold' }, { tenant: 'acme' }]);
    expect((await token('shop', ['shop-web', 'shop-web-secret'], 'alice', 'wrong')).status).toBe(401);
    // realmLimit 1, "Deny new session": the second login is refused.
    const second = await token('shop', ['shop-web', 'shop-web-secret'], 'alice', 'alice-pw');
    expect(second.status).toBe(403);
    expect(second.text).toContain('One at a time');
    const bob = await token('legacy-shop', ['legacy-app', 'legacy-secret'], 'bob', 'bob-pw');
    expect(bob.status).toBe(200);
    expect(bob.json().expires_in).toBe(90);
    const notes = (idp.startup.notes ?? []) as string[];
    for (const expected of [
      'realm import shop: bruteForceProtected is not honoured by the mock',
      'realm import shop: identityProviders is not honoured by the mock',
      'realm import shop: client shop-web: protocol mapper pairwise (oidc-sha256-pairwise-sub-mapper) is not honoured by the mock',
      'realm import shop: group staff: attributes are not honoured by the mock',
      'realm import legacy-shop: client legacy-app: attribute oauth2.device.authorization.grant.enabled is not honoured by the mock',
    ])
      expect(notes).toContain(expected);
  });

  it('idpc mock keycloak --realm-import FILE (repeatable); another flavour refuses the option in one line', async () => {
    const file = write('cli.json', legacyExport());
    const { info, stop } = await startCli([
      'mock',
      'keycloak',
      '--preset',
      'current',
      '--json',
      '--realm-import',
      file,
    ]);
    try {
      const r = await postForm(
        `${String(info.url)}/realms/legacy-shop/protocol/openid-connect/token`,
        { grant_type: 'password', username: 'bob', password: 'bob-pw' },
        { authorization: basic('legacy-app', 'legacy-secret') },
      );
      expect(r.status).toBe(200);
    } finally {
      await stop();
    }
    const other = spawnSync(process.execPath, [cli, 'mock', 'portal', '--realm-import', file], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect([other.status, other.stderr.trim()]).toEqual([2, 'idpc: --realm-import is a Keycloak option']);
  }, 30_000);

  it('a malformed export: one line naming the file and the JSON path, exit 2', () => {
    const bad = write('bad.json', {
      realm: 'shop',
      users: [{ username: 'x', credentials: [{ type: 'password', secretData: 42 }] }],
    });
    const r = spawnSync(process.execPath, [cli, 'mock', 'keycloak'], {
      env: { ...process.env, IDPC_MOCK_CONFIG: JSON.stringify({ keycloak: { realmImports: [bad] } }) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`idpc: ${bad}: /users/0/credentials/secretData: must be a JSON string`);
  });

  // Keycloak 24+ writes argon2id hashes (Argon2PasswordHashProvider: version 1.3, m=7168 KiB, t=5, p=1, 32 bytes).
  // This one is erin-pw's, made once with node:crypto's argon2Sync (Node 24) for the salt below.
  const argon2Export = () => ({
    realm: 'argon',
    clients: [{ clientId: 'argon-app', secret: 'argon-secret', directAccessGrantsEnabled: true }],
    users: [
      {
        username: 'erin',
        enabled: true,
        credentials: [
          {
            type: 'password',
            secretData: JSON.stringify({
              value: 'UnvC7Cb2UETSfgpFcUua3AShJILNO0x5kPtrozO/U5E=',
              salt: 'obLD1OX2BxgpOktcbX6PkA==',
              additionalParameters: {},
            }),
            credentialData: JSON.stringify({
              hashIterations: 5,
              algorithm: 'argon2',
              additionalParameters: {
                hashLength: ['32'],
                memory: ['7168'],
                type: ['id'],
                version: ['1.3'],
                parallelism: ['1'],
              },
            }),
          },
        ],
      },
    ],
  });
  const erin = (m: RunningMock, password: string) =>
    postForm(
      `${m.url}/realms/argon/protocol/openid-connect/token`,
      { grant_type: 'password', username: 'erin', password },
      { authorization: basic('argon-app', 'argon-secret') },
    );
  const nodeHasArgon2 = typeof (crypto as { argon2Sync?: unknown }).argon2Sync === 'function';

  it('argon2 hashes: checked where Node has argon2; elsewhere said at start, and keycloak.importPasswords stands in', async () => {
    const file = write('argon.json', argon2Export());
    const m = await startMock({ flavour: 'keycloak', preset: 'current', keycloak: { realmImports: [file] } });
    try {
      const notes = (m.startup.notes ?? []) as string[];
      const said = notes.some((n) => n.includes("erin's password is an argon2 hash"));
      expect(said).toBe(!nodeHasArgon2);
      expect((await erin(m, 'erin-pw')).status).toBe(nodeHasArgon2 ? 200 : 401);
      expect((await erin(m, 'not-erin-pw')).status).toBe(401);
    } finally {
      await m.close();
    }
    const overridden = await startMock({
      flavour: 'keycloak',
      preset: 'current',
      keycloak: { realmImports: [file], importPasswords: { 'argon/erin': 'chosen-pw' } },
    });
    try {
      expect((overridden.startup.notes ?? []) as string[]).not.toContainEqual(expect.stringContaining('erin'));
      expect((await erin(overridden, 'chosen-pw')).status).toBe(200);
      expect((await erin(overridden, 'erin-pw')).status).toBe(401);
    } finally {
      await overridden.close();
    }
  });

  it('the session limiter binds to the flows that use it: the browser flow only, or one client’s direct-grant override', async () => {
    const user = { username: 'fay', enabled: true, credentials: [{ type: 'password', value: 'fay-pw' }] };
    const limiterConfig = [{ id: 'c1', alias: 'limit', config: { realmLimit: '1', behavior: 'Deny new session' } }];
    const browserOnly = {
      realm: 'browser-limited',
      browserFlow: 'browser with limit',
      directGrantFlow: 'direct grant',
      authenticatorConfig: limiterConfig,
      authenticationFlows: [
        {
          id: 'f1',
          alias: 'browser with limit',
          authenticationExecutions: [{ authenticator: 'auth-cookie' }, { flowAlias: 'forms' }],
        },
        {
          id: 'f2',
          alias: 'forms',
          authenticationExecutions: [{ authenticator: 'user-session-limits', authenticatorConfig: 'limit' }],
        },
        {
          id: 'f3',
          alias: 'direct grant',
          authenticationExecutions: [{ authenticator: 'direct-grant-validate-password' }],
        },
      ],
      clients: [{ clientId: 'app', secret: 'app-secret', directAccessGrantsEnabled: true }],
      users: [user],
    };
    const perClient = {
      realm: 'kiosk-limited',
      authenticatorConfig: limiterConfig,
      authenticationFlows: [
        {
          id: 'f3',
          alias: 'direct grant',
          authenticationExecutions: [{ authenticator: 'direct-grant-validate-password' }],
        },
        {
          id: 'f4',
          alias: 'kiosk direct',
          authenticationExecutions: [{ authenticator: 'user-session-limits', authenticatorConfig: 'limit' }],
        },
      ],
      clients: [
        {
          clientId: 'kiosk',
          secret: 'kiosk-secret',
          directAccessGrantsEnabled: true,
          authenticationFlowBindingOverrides: { direct_grant: 'f4' },
        },
        { clientId: 'free', secret: 'free-secret', directAccessGrantsEnabled: true },
      ],
      users: [user],
    };
    const m = await startMock({
      flavour: 'keycloak',
      preset: 'current',
      keycloak: { realmImports: [write('browser-limited.json', browserOnly), write('kiosk-limited.json', perClient)] },
    });
    const grant = (realm: string, client: string) =>
      postForm(
        `${m.url}/realms/${realm}/protocol/openid-connect/token`,
        { grant_type: 'password', username: 'fay', password: 'fay-pw' },
        { authorization: basic(client, `${client}-secret`), accept: 'application/json' },
      );
    try {
      // The limiter sits in the browser flow only: password grants are not limited.
      for (let i = 0; i < 3; i++) expect((await grant('browser-limited', 'app')).status).toBe(200);
      expect((await grant('kiosk-limited', 'kiosk')).status).toBe(200);
      expect((await grant('kiosk-limited', 'kiosk')).status).toBe(403);
      expect((await grant('kiosk-limited', 'free')).status).toBe(200);
    } finally {
      await m.close();
    }
  });

  it('a client’s browser-flow override carries the limiter to its browser logins only', async () => {
    const exported = {
      realm: 'kiosk-browser',
      authenticatorConfig: [{ id: 'c1', alias: 'limit', config: { realmLimit: '1', behavior: 'Deny new session' } }],
      authenticationFlows: [
        { id: 'b1', alias: 'browser', authenticationExecutions: [{ authenticator: 'auth-cookie' }] },
        {
          id: 'b2',
          alias: 'kiosk browser',
          authenticationExecutions: [{ authenticator: 'user-session-limits', authenticatorConfig: 'limit' }],
        },
      ],
      clients: [
        {
          clientId: 'kiosk',
          publicClient: true,
          redirectUris: ['https://kiosk.example/cb'],
          authenticationFlowBindingOverrides: { browser: 'b2' },
        },
        { clientId: 'desk', publicClient: true, redirectUris: ['https://desk.example/cb'] },
      ],
      users: [{ username: 'gus', enabled: true, credentials: [{ type: 'password', value: 'gus-pw' }] }],
    };
    // login_hint completes each login at once (login.honourLoginHint): a new session per request, no cookie kept.
    const m = await startMock({
      flavour: 'keycloak',
      preset: 'current',
      login: { honourLoginHint: true },
      keycloak: { realmImports: [write('kiosk-browser.json', exported)] },
    });
    const authorize = (client: string) =>
      http(
        'GET',
        `${m.url}/realms/kiosk-browser/protocol/openid-connect/auth?${new URLSearchParams({
          client_id: client,
          redirect_uri: `https://${client}.example/cb`,
          response_type: 'code',
          scope: 'openid',
          login_hint: 'gus',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })}`,
      );
    try {
      expect((await authorize('kiosk')).status).toBe(302);
      const denied = await authorize('kiosk');
      expect([denied.status, denied.text.includes('There are too many sessions')]).toEqual([403, true]);
      expect((await authorize('desk')).status).toBe(302);
    } finally {
      await m.close();
    }
  });
});
