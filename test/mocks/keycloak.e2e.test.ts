import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { validate } from '../../src/schemas/registry.js';
import { decodeJwtPayload } from '../../src/util/jwt.js';
import { basic, http, postForm, schemaErrors, type Reply } from '../support/http.js';

const PRESETS = ['legacy', 'v12-23', 'current'] as const;
type Preset = (typeof PRESETS)[number];
const APP = { client_id: 'conformance-app', client_secret: 'conformance-app-secret' };
const USER = { username: 'qa-bot', password: 'qa-bot-password' };

/** Every JWT in a token response decodes to claims that validate against the foundation's claim schemas. */
function expectValidJwts(body: Record<string, unknown>) {
  const header = (t: string) => Buffer.from(t.split('.')[0]!, 'base64url').toString();
  const access = decodeJwtPayload(String(body.access_token));
  expect(access.ok).toBe(true);
  expect(header(String(body.access_token))).toMatch(/^\{"alg":"RS256","typ" : "JWT","kid" : "[^"]+"\}$/);
  if (access.ok) expect(validate('keycloak', 'access-claims', access.payload).errors).toEqual([]);
  if (body.refresh_token) {
    const r = decodeJwtPayload(String(body.refresh_token));
    expect(r.ok).toBe(true);
    if (r.ok) {
      const kind = (r.payload as { typ: string }).typ === 'Offline' ? 'offline-claims' : 'refresh-claims';
      expect(validate('keycloak', kind, r.payload).errors).toEqual([]);
    }
  }
  if (body.id_token) {
    const i = decodeJwtPayload(String(body.id_token));
    expect(i.ok).toBe(true);
    if (i.ok) expect(validate('keycloak', 'id-claims', i.payload).errors).toEqual([]);
  }
}

describe.each(PRESETS)('keycloak mock, preset %s', (preset: Preset) => {
  let idp: RunningMock;
  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak', preset });
  });
  afterAll(() => idp.close());
  beforeEach(() => idp.reset());

  const realmUrl = (realm = 'master') => `${idp.url}${preset === 'current' ? '' : '/auth'}/realms/${realm}`;
  const tokenUrl = (realm = 'master') => `${realmUrl(realm)}/protocol/openid-connect/token`;
  const token = (
    params: Record<string, string> | [string, string][],
    headers: Record<string, string> = {},
    realm = 'master',
  ) => postForm(tokenUrl(realm), params, headers);
  const password = (extra: Record<string, string> = {}) => token({ grant_type: 'password', ...APP, ...USER, ...extra });

  function expectError(r: Reply, status: number, error: string, description: string) {
    expect({ status: r.status, body: r.text }).toEqual({
      status,
      body: JSON.stringify({ error, error_description: description }),
    });
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers.pragma).toBe('no-cache');
    expect(schemaErrors('keycloak', 'token-error', r).filter((e) => !e.startsWith('TE-D1'))).toEqual([]);
  }

  it('password grant: the response field order, token type and JWTs', async () => {
    const r = await password({ scope: 'openid' });
    expect(r.status).toBe(200);
    const body = r.json();
    expect(Object.keys(body)).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
      'id_token',
      'not-before-policy',
      'session_state',
      'scope',
    ]);
    expect(body).toMatchObject({
      expires_in: 300,
      refresh_expires_in: 1800,
      token_type: preset === 'legacy' ? 'bearer' : 'Bearer',
      'not-before-policy': 0,
      scope: 'openid profile email',
    });
    expect(schemaErrors('keycloak', 'token-response', r)).toEqual([]);
    expectValidJwts(body);
    const refresh = decodeJwtPayload(String(body.refresh_token));
    expect(Buffer.from(String(body.refresh_token).split('.')[0]!, 'base64url').toString()).toContain(
      preset === 'current' ? '"alg":"HS512"' : '"alg":"HS256"',
    );
    const access = decodeJwtPayload(String(body.access_token));
    if (access.ok && refresh.ok) {
      expect('session_state' in (access.payload as object)).toBe(preset !== 'current');
      expect('sid' in (access.payload as object)).toBe(preset !== 'legacy');
      expect((access.payload as { iss: string }).iss).toBe(realmUrl());
    }
  });

  it('client_credentials: no refresh token from Keycloak 12 on', async () => {
    const r = await token({
      grant_type: 'client_credentials',
      client_id: 'conformance-service',
      client_secret: 'conformance-service-secret',
    });
    expect(r.status).toBe(200);
    const body = r.json();
    expect('refresh_token' in body).toBe(preset === 'legacy');
    expect('session_state' in body).toBe(preset === 'legacy');
    if (preset !== 'legacy') expect(body.refresh_expires_in).toBe(0);
    expect(schemaErrors('keycloak', 'token-response', r)).toEqual([]);
    expectValidJwts(body);
  });

  it('the refresh of an offline token is again an offline token, with refresh_expires_in 0', async () => {
    const first = (await password({ scope: 'offline_access' })).json();
    expect(first.refresh_expires_in).toBe(0);
    const r = await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(first.refresh_token) });
    expect(r.status).toBe(200);
    const refreshed = decodeJwtPayload(String(r.json().refresh_token));
    expect(refreshed.ok && (refreshed.payload as { typ: string }).typ).toBe('Offline');
    expectValidJwts(r.json());
  });

  describe('token endpoint errors (flavours.md §1.2, §1.3, §1.5)', () => {
    it('grant_type missing or unknown', async () => {
      expectError(await token({ ...APP }), 400, 'invalid_request', 'Missing form parameter: grant_type');
      expectError(
        await token({ grant_type: 'urn:nope', ...APP }),
        400,
        'unsupported_grant_type',
        'Unsupported grant_type',
      );
    });

    it('client authentication', async () => {
      const v20 = preset !== 'legacy';
      if (v20) {
        expectError(
          await token({ grant_type: 'password', ...USER }),
          400,
          'invalid_client',
          'Missing client_id parameter',
        );
        expectError(
          await token({ grant_type: 'password', client_id: 'nobody', ...USER }),
          401,
          'invalid_client',
          'Invalid client or Invalid client credentials',
        );
        expectError(
          await token({ grant_type: 'password', client_id: 'conformance-app', client_secret: 'wrong', ...USER }),
          401,
          'unauthorized_client',
          'Invalid client or Invalid client credentials',
        );
        expectError(
          await token({ grant_type: 'password', client_id: 'conformance-app', ...USER }),
          401,
          'unauthorized_client',
          'Invalid client or Invalid client credentials',
        );
        idp.context.clients.get('conformance-app')!.enabled = false;
        expectError(await password(), 401, 'invalid_client', 'Invalid client or Invalid client credentials');
      } else {
        expectError(
          await token({ grant_type: 'password', client_id: 'nobody', ...USER }),
          400,
          'invalid_client',
          'Invalid client credentials',
        );
        expectError(
          await token({ grant_type: 'password', client_id: 'conformance-app', client_secret: 'wrong', ...USER }),
          401,
          'unauthorized_client',
          'Invalid client secret',
        );
        expectError(
          await token({ grant_type: 'password', client_id: 'conformance-app', ...USER }),
          401,
          'unauthorized_client',
          'Client secret not provided in request',
        );
      }
      const noWww = await token({
        grant_type: 'password',
        client_id: 'conformance-app',
        client_secret: 'wrong',
        ...USER,
      });
      expect(noWww.headers['www-authenticate']).toBeUndefined();
    });

    it('Basic client auth (form-url-decoded), body overriding Basic, a non-Basic scheme', async () => {
      idp.context.clients.set('id with:colon', {
        clientId: 'id with:colon',
        clientSecret: 's%c+r:t',
        public: false,
        grants: ['password'],
        scopes: [],
        enabled: true,
      });
      expect(
        (await token({ grant_type: 'password', ...USER }, { authorization: basic('id with:colon', 's%c+r:t') })).status,
      ).toBe(200);
      expect(
        (await token({ grant_type: 'password', ...APP, ...USER }, { authorization: basic('conformance-app', 'wrong') }))
          .status,
      ).toBe(200);
      const bearer = await token({ grant_type: 'password', ...USER }, { authorization: 'Bearer abc' });
      expect([bearer.status, bearer.text, bearer.headers['www-authenticate']]).toEqual([
        401,
        '',
        'Basic realm="master"',
      ]);
    });

    it('password grant failures', async () => {
      expectError(await password({ password: 'wrong' }), 401, 'invalid_grant', 'Invalid user credentials');
      expectError(await password({ username: 'nobody' }), 401, 'invalid_grant', 'Invalid user credentials');
      expectError(
        await token({ grant_type: 'password', ...APP, password: 'x' }),
        401,
        'invalid_request',
        'Missing parameter: username',
      );
      expectError(
        await token({ grant_type: 'password', ...APP, username: USER.username }),
        401,
        'invalid_grant',
        'Invalid user credentials',
      );
      expectError(await password({ scope: 'nonsense' }), 400, 'invalid_scope', 'Invalid scopes: nonsense');
      (idp.context.clients.get('conformance-app') as { offlineAllowed?: boolean }).offlineAllowed = false;
      expectError(
        await password({ scope: 'offline_access' }),
        400,
        'not_allowed',
        'Offline tokens not allowed for the user or client',
      );
      idp.context.clients.get('conformance-app')!.grants = ['refresh_token'];
      expectError(await password(), 400, 'unauthorized_client', 'Client not allowed for direct access grants');
      idp.context.users.get(USER.username)!.enabled = false;
      idp.context.clients.get('conformance-app')!.grants = ['password', 'refresh_token'];
      expectError(await password(), 400, 'invalid_grant', 'Account disabled');
    });

    it('locked, one-time code, required actions, consent (flavours.md §1.5)', async () => {
      const user = idp.context.users.get(USER.username) as {
        locked?: boolean;
        otp?: string;
        requiredActions?: string[];
      };
      user.locked = true;
      expectError(await password(), 400, 'invalid_grant', 'Invalid user credentials');
      user.locked = false;
      user.otp = '123456';
      expectError(await password(), 401, 'invalid_grant', 'Invalid user credentials');
      expect((await password({ totp: '123456' })).status).toBe(200);
      delete user.otp;
      user.requiredActions = ['UPDATE_PASSWORD'];
      expectError(await password(), 400, 'invalid_grant', 'Account is not fully set up');
      user.requiredActions = [];
      (idp.context.clients.get('conformance-app') as { consentRequired?: boolean }).consentRequired = true;
      expectError(await password(), 400, 'invalid_client', 'Client requires user consent');
    });

    it('realm checks: HTTPS required, realm not enabled', async () => {
      const m = await startMock({
        flavour: 'keycloak',
        preset,
        keycloak: {
          realms: [
            { name: 'tls', sslRequired: 'all', clients: [], users: [] },
            { name: 'off', enabled: false, clients: [], users: [] },
          ],
          technicalUsers: [],
        },
      });
      try {
        const url = (realm: string) =>
          `${m.url}${preset === 'current' ? '' : '/auth'}/realms/${realm}/protocol/openid-connect/token`;
        expectError(
          await postForm(url('tls'), { grant_type: 'password', ...APP, ...USER }),
          403,
          'invalid_request',
          'HTTPS required',
        );
        expectError(
          await postForm(url('off'), { grant_type: 'password', ...APP, ...USER }),
          403,
          'access_denied',
          'Realm not enabled',
        );
      } finally {
        await m.close();
      }
    });

    it('client_credentials failures', async () => {
      expectError(
        await token({ grant_type: 'client_credentials', client_id: 'ocp' }),
        401,
        'unauthorized_client',
        'Public client not allowed to retrieve service account',
      );
      expectError(
        await token({ grant_type: 'client_credentials', ...APP }),
        401,
        'unauthorized_client',
        'Client not enabled to retrieve service account',
      );
      (idp.context.clients.get('conformance-service') as { serviceAccountDisabled?: boolean }).serviceAccountDisabled =
        true;
      expectError(
        await token({
          grant_type: 'client_credentials',
          client_id: 'conformance-service',
          client_secret: 'conformance-service-secret',
        }),
        401,
        'invalid_request',
        "User 'service-account-conformance-service' disabled",
      );
    });

    it('duplicated parameter; bearer-only client; JSON body, GET', async () => {
      expectError(
        await token([
          ['grant_type', 'password'],
          ['client_id', APP.client_id],
          ['client_secret', APP.client_secret],
          ['username', 'qa-bot'],
          ['username', 'qa-bot'],
          ['password', USER.password],
        ]),
        400,
        'invalid_request',
        'duplicated parameter',
      );
      idp.context.clients.set('api', {
        clientId: 'api',
        clientSecret: 'x',
        public: false,
        grants: [],
        scopes: [],
        enabled: true,
        bearerOnly: true,
      } as never);
      expectError(
        await token({ grant_type: 'password', client_id: 'api', client_secret: 'x', ...USER }),
        400,
        'invalid_client',
        'Bearer-only not allowed',
      );
      expect(
        (await http('POST', tokenUrl(), { body: '{}', headers: { 'content-type': 'application/json' } })).status,
      ).toBe(415);
      expect((await http('GET', tokenUrl())).status).toBe(405);
    });

    it('refresh failures: missing, garbage, access token, other client, expired, other issuer', async () => {
      const body = (await password()).json();
      const rt = String(body.refresh_token);
      expectError(await token({ grant_type: 'refresh_token', ...APP }), 400, 'invalid_request', 'No refresh token');
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: 'garbage' }),
        400,
        'invalid_grant',
        'Invalid refresh token',
      );
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: rt.slice(0, -4) }),
        400,
        'invalid_grant',
        'Invalid refresh token',
      );
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(body.access_token) }),
        400,
        'invalid_grant',
        'Invalid refresh token',
      );
      idp.context.clients.set('other', {
        clientId: 'other',
        clientSecret: 'o',
        public: false,
        grants: ['password'],
        scopes: [],
        enabled: true,
      });
      expectError(
        await token({ grant_type: 'refresh_token', client_id: 'other', client_secret: 'o', refresh_token: rt }),
        400,
        'invalid_grant',
        "Invalid refresh token. Token client and authorized client don't match",
      );
      idp.clock.advance(1801);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: rt }),
        400,
        'invalid_grant',
        'Token is not active',
      );
    });

    it('a refresh token minted under another base: invalid issuer (iss follows the base in use)', async () => {
      const both = await startMock({ flavour: 'keycloak', preset, keycloak: { alsoServe: ['', '/auth'] } });
      try {
        const legacyBase = `${both.url}/auth/realms/master`;
        const rootBase = `${both.url}/realms/master`;
        const [minted, other] = preset === 'current' ? [rootBase, legacyBase] : [legacyBase, rootBase];
        const rt = String(
          (
            await postForm(`${minted}/protocol/openid-connect/token`, { grant_type: 'password', ...APP, ...USER })
          ).json().refresh_token,
        );
        const r = await postForm(`${other}/protocol/openid-connect/token`, {
          grant_type: 'refresh_token',
          ...APP,
          refresh_token: rt,
        });
        expectError(
          r,
          400,
          'invalid_grant',
          `Invalid token issuer. Expected '${other}'${preset === 'current' ? `, but was '${minted}'` : ''}`,
        );
        // And by host name: 127.0.0.1 and localhost are two bases too.
        const viaLocalhost = `${minted.replace('127.0.0.1', 'localhost')}/protocol/openid-connect/token`;
        expect(
          (await postForm(viaLocalhost, { grant_type: 'refresh_token', ...APP, refresh_token: rt })).json()
            .error_description,
        ).toMatch(/^Invalid token issuer/);
      } finally {
        await both.close();
      }
    });

    it('session not active: idle timeout, logout', async () => {
      const a = (await password()).json();
      idp.clock.advance(1000);
      const b = await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) });
      expect(b.status).toBe(200); // refreshing extends the idle window
      idp.clock.advance(1000);
      expect(
        (await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(b.json().refresh_token) })).status,
      ).toBe(200);
      const c = (await password()).json();
      const logout = await postForm(`${realmUrl()}/protocol/openid-connect/logout`, {
        ...APP,
        refresh_token: String(c.refresh_token),
      });
      expect(logout.status).toBe(204);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(c.refresh_token) }),
        400,
        'invalid_grant',
        'Session not active',
      );
    });

    it('offline session not found after logout of the offline token', async () => {
      const o = (await password({ scope: 'offline_access' })).json();
      expect(
        (
          await postForm(`${realmUrl()}/protocol/openid-connect/logout`, {
            ...APP,
            refresh_token: String(o.refresh_token),
          })
        ).status,
      ).toBe(204);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(o.refresh_token) }),
        400,
        'invalid_grant',
        'Offline user session not found',
      );
    });

    it('offline session idle expiry: "Offline session not active"; deleted user: "Invalid refresh token"; push revocation: "Stale token"', async () => {
      const o = (await password({ scope: 'offline_access' })).json();
      idp.clock.advance(2592000 + 1);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(o.refresh_token) }),
        400,
        'invalid_grant',
        'Offline session not active',
      );
      const a = (await password()).json();
      idp.context.users.delete(USER.username);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) }),
        400,
        'invalid_grant',
        'Invalid refresh token',
      );
      await idp.reset();
      const b = (await password()).json();
      const pushed = await http('POST', `${idp.admin.url}/flavour/not-before`, {
        body: JSON.stringify({ realm: 'master' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(pushed.status).toBe(200);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(b.refresh_token) }),
        400,
        'invalid_grant',
        'Stale token',
      );
    });

    it('user and client not-before ("Stale token"), consent revoked ("Client no longer has requested consent from user")', async () => {
      const admin = (action: string, body: unknown) =>
        http('POST', `${idp.admin.url}/flavour/${action}`, {
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      const a = (await password()).json();
      expect((await admin('not-before', { realm: 'master', username: USER.username })).status).toBe(200);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) }),
        400,
        'invalid_grant',
        'Stale token',
      );
      await idp.reset();
      const b = (await password()).json();
      expect((await admin('not-before', { realm: 'master', clientId: APP.client_id })).status).toBe(200);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(b.refresh_token) }),
        400,
        'invalid_grant',
        'Stale token',
      );
      await idp.reset();
      const c = (await password()).json();
      expect(
        (await admin('revoke-consent', { realm: 'master', username: USER.username, clientId: APP.client_id })).status,
      ).toBe(204);
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(c.refresh_token) }),
        400,
        'invalid_scope',
        'Client no longer has requested consent from user',
      );
    });

    it('user disabled after the grant: "User disabled"', async () => {
      const a = (await password()).json();
      idp.context.users.get(USER.username)!.enabled = false;
      expectError(
        await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) }),
        400,
        'invalid_grant',
        'User disabled',
      );
    });
  });

  describe('refresh policies', () => {
    it('default (Revoke Refresh Token off): a new refresh token, and the old one still works', async () => {
      const a = (await password()).json();
      const b = (await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) })).json();
      expect(b.refresh_token).not.toBe(a.refresh_token);
      expect(
        (await token({ grant_type: 'refresh_token', ...APP, refresh_token: String(a.refresh_token) })).status,
      ).toBe(200);
    });

    it('Revoke Refresh Token on: an older token after a newer one was used is stale; reuse beyond the maximum is refused', async () => {
      const strict = await startMock({
        flavour: 'keycloak',
        preset,
        keycloak: {
          realms: [
            {
              name: 'master',
              revokeRefreshToken: true,
              refreshTokenMaxReuse: 0,
              clients: [
                {
                  clientId: 'conformance-app',
                  clientSecret: 'conformance-app-secret',
                  grants: ['password', 'refresh_token'],
                  scopes: [],
                },
              ],
              users: [{ username: 'qa-bot', password: 'qa-bot-password' }],
            },
          ],
          technicalUsers: [],
        },
      });
      try {
        const url = `${strict.url}${preset === 'current' ? '' : '/auth'}/realms/master/protocol/openid-connect/token`;
        const refresh = (rt: string) => postForm(url, { grant_type: 'refresh_token', ...APP, refresh_token: rt });
        const a = (await postForm(url, { grant_type: 'password', ...APP, ...USER })).json();
        strict.clock.advance(1);
        const b = (await refresh(String(a.refresh_token))).json();
        strict.clock.advance(1);
        const c = await refresh(String(b.refresh_token));
        expect(c.status).toBe(200);
        strict.clock.advance(1);
        expect((await refresh(String(a.refresh_token))).json()).toEqual({
          error: 'invalid_grant',
          error_description: 'Stale token',
        });
        // Reusing the current token beyond refreshTokenMaxReuse (0): refused, and the client session is detached.
        const d = String(c.json().refresh_token);
        expect((await refresh(d)).status).toBe(200);
        expect((await refresh(d)).json()).toEqual({
          error: 'invalid_grant',
          error_description: 'Maximum allowed refresh token reuse exceeded',
        });
        expect((await refresh(d)).json()).toEqual({
          error: 'invalid_grant',
          error_description: "Session doesn't have required client",
        });
      } finally {
        await strict.close();
      }
    });
  });

  describe('logout (flavours.md §1.6)', () => {
    it("204, idempotent, works with an expired refresh token, refuses garbage and another client's token", async () => {
      const logoutUrl = `${realmUrl()}/protocol/openid-connect/logout`;
      const a = (await password()).json();
      idp.clock.advance(1801); // the refresh token expired; logout skips the expiry check
      expect((await postForm(logoutUrl, { ...APP, refresh_token: String(a.refresh_token) })).status).toBe(204);
      expect((await postForm(logoutUrl, { ...APP, refresh_token: String(a.refresh_token) })).status).toBe(204);
      expectError(
        await postForm(logoutUrl, { ...APP, refresh_token: 'garbage' }),
        400,
        'invalid_grant',
        'Invalid refresh token',
      );
      const b = (await password()).json();
      idp.context.clients.set('other', {
        clientId: 'other',
        clientSecret: 'o',
        public: false,
        grants: ['password'],
        scopes: [],
        enabled: true,
      });
      expectError(
        await postForm(logoutUrl, { client_id: 'other', client_secret: 'o', refresh_token: String(b.refresh_token) }),
        400,
        'invalid_grant',
        "Invalid refresh token. Token client and authorized client don't match",
      );
      idp.context.clients.set('api', {
        clientId: 'api',
        clientSecret: 'x',
        public: false,
        grants: [],
        scopes: [],
        enabled: true,
        bearerOnly: true,
      } as never);
      expectError(
        await postForm(logoutUrl, { client_id: 'api', client_secret: 'x', refresh_token: String(b.refresh_token) }),
        400,
        'invalid_client',
        'Bearer-only not allowed',
      );
      const missing = await postForm(logoutUrl, { ...APP });
      if (preset === 'legacy') expectError(missing, 400, 'invalid_request', 'No refresh token');
      else expect([missing.status, missing.headers['content-type']]).toEqual([200, 'text/html;charset=utf-8']);
    });
  });

  describe('userinfo, introspection, discovery', () => {
    it('userinfo accepts a live access token and refuses an expired one or one of an ended session', async () => {
      const a = (await password()).json();
      const info = (t: string) =>
        http('GET', `${realmUrl()}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${t}` } });
      const ok = await info(String(a.access_token));
      expect(ok.status).toBe(200);
      expect(ok.json()).toMatchObject({ preferred_username: 'qa-bot', email: 'qa-bot@example.com' });
      idp.clock.advance(301);
      const expired = await info(String(a.access_token));
      expect(expired.status).toBe(401);
      expect(expired.headers['www-authenticate']).toBe(
        'Bearer realm="master", error="invalid_token", error_description="Token verification failed"',
      );
      expect(schemaErrors('keycloak', 'resource-error', expired)).toEqual([]);
    });

    it('introspection: active with claims, then inactive after logout', async () => {
      const a = (await password()).json();
      const introspect = () =>
        postForm(`${realmUrl()}/protocol/openid-connect/token/introspect`, { ...APP, token: String(a.access_token) });
      expect((await introspect()).json()).toMatchObject({ active: true, azp: 'conformance-app', typ: 'Bearer' });
      await postForm(`${realmUrl()}/protocol/openid-connect/logout`, {
        ...APP,
        refresh_token: String(a.refresh_token),
      });
      expect((await introspect()).json()).toEqual({ active: false });
    });

    it("discovery names this realm's endpoints; the JWKS publishes only the RS256 key", async () => {
      const d = (await http('GET', `${realmUrl()}/.well-known/openid-configuration`)).json();
      expect(d.issuer).toBe(realmUrl());
      expect(d.token_endpoint).toBe(tokenUrl());
      const jwks = (await http('GET', String(d.jwks_uri))).json() as { keys: Record<string, string>[] };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(jwks.keys[0]!.d).toBeUndefined();
      expect(
        (
          await http(
            'GET',
            `${idp.url}${preset === 'current' ? '' : '/auth'}/realms/nope/.well-known/openid-configuration`,
          )
        ).status,
      ).toBe(404);
    });
  });
});

describe('keycloak mock: the provider documents, as written', () => {
  let idp: RunningMock;
  const afterAllClose: RunningMock[] = [];
  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak' });
  });
  afterAll(() => Promise.all([idp, ...afterAllClose].map((m) => m.close())));

  it('seeds/001: the technical user refreshes with client id, secret and the offline token shown once', async () => {
    const tech = (
      idp.startup.technicalUsers as {
        clientId: string;
        clientSecret: string;
        refreshToken: string;
        tokenEndpoint: string;
      }[]
    )[0]!;
    expect(tech.clientId).toBe('2ce233b7-9349-44d9-8e38-0a88090115d5');
    expect(tech.tokenEndpoint).toBe(`${idp.url}/auth/realms/wallis/protocol/openid-connect/token`);
    const r = await postForm(
      tech.tokenEndpoint,
      {
        client_id: tech.clientId,
        client_secret: tech.clientSecret,
        refresh_token: tech.refreshToken,
        grant_type: 'refresh_token',
      },
      { accept: 'application/json' },
    );
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      expires_in: 7200,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'profile email offline_access',
    });
    expect(Object.keys(body)).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
      'not-before-policy',
      'session_state',
      'scope',
    ]);
    expectValidJwts(body);
    // The admin call makes more technical users, each shown once.
    const made = await http('POST', `${idp.admin.url}/flavour/technical-users`, {
      body: JSON.stringify({ realm: 'wallis', name: 'ci-bot' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(made.status).toBe(201);
    const bot = made.json();
    expect(
      (
        await postForm(String(bot.tokenEndpoint), {
          client_id: String(bot.clientId),
          client_secret: String(bot.clientSecret),
          refresh_token: String(bot.refreshToken),
          grant_type: 'refresh_token',
        })
      ).status,
    ).toBe(200);
  });

  it('seeds/003 as written works everywhere: without a configured limit (the default), a sixth session is granted', async () => {
    await idp.reset();
    const url = `${idp.url}/auth/realms/master/protocol/openid-connect/token`;
    for (let i = 0; i < 6; i++)
      expect(
        (
          await postForm(url, {
            client_id: 'ocp',
            grant_type: 'password',
            username: 'ocp-user',
            password: 'ocp-password',
          })
        ).status,
      ).toBe(200);
    expect(idp.startup.notes ?? []).toEqual([]);
  });

  it('seeds/003 "in some environments" (preset ocp-iam): five sessions, the sixth refused with 403, logout frees one; said at start', async () => {
    const ocp = await startMock({ flavour: 'keycloak', preset: 'ocp-iam', journal: { enabled: false } });
    afterAllClose.push(ocp);
    expect(ocp.startup.notes).toEqual([
      'session limit on: realm "master", 5 sessions per user for client ocp, a further login is denied (403)',
    ]);
    const url = `${ocp.url}/auth/realms/master/protocol/openid-connect/token`;
    const login = (headers: Record<string, string> = {}) =>
      postForm(
        url,
        { client_id: 'ocp', grant_type: 'password', username: 'ocp-user', password: 'ocp-password' },
        headers,
      );
    const sessions: Record<string, unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await login();
      expect(r.status).toBe(200);
      sessions.push(r.json());
    }
    expect(sessions[0]).toMatchObject({
      expires_in: 300,
      refresh_expires_in: 1800,
      token_type: 'bearer',
      scope: 'openid',
    });
    expect(Object.keys(sessions[0]!)).toEqual([
      'access_token',
      'expires_in',
      'refresh_expires_in',
      'refresh_token',
      'token_type',
      'not-before-policy',
      'session_state',
      'scope',
    ]);
    const sixth = await login({ accept: 'application/json' });
    expect([sixth.status, sixth.text]).toEqual([403, '{"error":"There are too many sessions"}']);
    expect(validate('keycloak', 'session-limit-error', sixth.json()).valid).toBe(true);
    const html = await login();
    expect([html.status, html.headers['content-type']]).toEqual([403, 'text/html;charset=utf-8']);
    const logout = await postForm(`${ocp.url}/auth/realms/master/protocol/openid-connect/logout`, {
      client_id: 'ocp',
      refresh_token: String(sessions[0]!.refresh_token),
    });
    expect(logout.status).toBe(204);
    expect((await login()).status).toBe(200);
    // The document's "HTTP Request" section posts without /auth, its curl with it: both are served, one realm, and
    // each token names the base it was minted under.
    const rootLayout = await postForm(`${ocp.url}/realms/master/protocol/openid-connect/token`, {
      client_id: 'ocp',
      grant_type: 'password',
      username: 'qa-bot',
      password: 'qa-bot-password',
    });
    expect(rootLayout.status).toBe(200);
    const iss = JSON.parse(
      Buffer.from(String(rootLayout.json().access_token).split('.')[1]!, 'base64url').toString(),
    ).iss;
    expect(iss).toBe(`${ocp.url}/realms/master`);
  });

  it('a configured deny limit answers as the version did: 500 unknown_error on 17-22 (v12-23), none at all before 17 (legacy)', async () => {
    const realm = {
      name: 'master',
      sessionLimit: { realmLimit: 2, behavior: 'deny' as const },
      clients: [{ clientId: 'ocp', public: true, grants: ['password', 'refresh_token'], scopes: ['openid'] }],
      users: [{ username: 'ocp-user', password: 'ocp-password' }],
    };
    for (const [preset, third, note] of [
      [
        'v12-23',
        500,
        'session limit on: realm "master", 2 sessions per user, a further login is denied (500 unknown_error)',
      ],
      [
        'legacy',
        200,
        'session limit of realm "master" not enforced: this Keycloak version has no session limiter (added in 17)',
      ],
      ['current', 403, 'session limit on: realm "master", 2 sessions per user, a further login is denied (403)'],
    ] as const) {
      const m = await startMock({
        flavour: 'keycloak',
        preset,
        keycloak: { realms: [realm], technicalUsers: [] },
        journal: { enabled: false },
      });
      try {
        expect(m.startup.notes).toEqual([note]);
        const url = `${m.url}${preset === 'current' ? '' : '/auth'}/realms/master/protocol/openid-connect/token`;
        const login = () =>
          postForm(
            url,
            { client_id: 'ocp', grant_type: 'password', username: 'ocp-user', password: 'ocp-password' },
            { accept: 'application/json' },
          );
        expect([(await login()).status, (await login()).status]).toEqual([200, 200]);
        const r = await login();
        expect(r.status).toBe(third);
        if (third === 500) expect(r.json()).toEqual({ error: 'unknown_error' });
      } finally {
        await m.close();
      }
    }
  });

  it('session limit "terminate oldest": the sixth login succeeds and the oldest session ends', async () => {
    const m = await startMock({
      flavour: 'keycloak',
      keycloak: {
        realms: [
          {
            name: 'master',
            sessionLimit: { realmLimit: 5, behavior: 'terminate-oldest' },
            clients: [{ clientId: 'ocp', public: true, grants: ['password', 'refresh_token'], scopes: ['openid'] }],
            users: [{ username: 'ocp-user', password: 'ocp-password' }],
          },
        ],
        technicalUsers: [],
      },
    });
    try {
      const url = `${m.url}/auth/realms/master/protocol/openid-connect/token`;
      const tokens: string[] = [];
      for (let i = 0; i < 6; i++) {
        m.clock.advance(1);
        const r = await postForm(url, {
          client_id: 'ocp',
          grant_type: 'password',
          username: 'ocp-user',
          password: 'ocp-password',
        });
        expect(r.status).toBe(200);
        tokens.push(String(r.json().refresh_token));
      }
      expect(
        (await postForm(url, { client_id: 'ocp', grant_type: 'refresh_token', refresh_token: tokens[0]! })).json(),
      ).toEqual({ error: 'invalid_grant', error_description: 'Session not active' });
      expect(
        (await postForm(url, { client_id: 'ocp', grant_type: 'refresh_token', refresh_token: tokens[1]! })).status,
      ).toBe(200);
    } finally {
      await m.close();
    }
  });
});

describe.each(PRESETS)('keycloak mock revocation and discovery, preset %s', (preset: Preset) => {
  let idp: RunningMock;
  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak', preset, journal: { enabled: false } });
  });
  afterAll(() => idp.close());

  it('revoking a refresh token (TokenRevocationEndpoint) answers 200 with an empty body and ends the session: refresh and userinfo fail', async () => {
    const grant = (await postForm(idp.endpoints.token!, { grant_type: 'password', ...APP, ...USER })).json();
    const revoked = await postForm(idp.endpoints.revocation!, { token: String(grant.refresh_token), ...APP });
    expect(revoked.status).toBe(200);
    expect(revoked.text).toBe('');
    const refresh = await postForm(idp.endpoints.token!, {
      grant_type: 'refresh_token',
      refresh_token: String(grant.refresh_token),
      ...APP,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.json().error).toBe('invalid_grant');
    const me = await http('GET', idp.endpoints.resource!, {
      headers: { authorization: `Bearer ${String(grant.access_token)}` },
    });
    expect(me.status).toBe(401);
  });

  it('an access token revoked on its own is refused at userinfo; missing token, other clients, unknown tokens as Keycloak answers them', async () => {
    const grant = (await postForm(idp.endpoints.token!, { grant_type: 'password', ...APP, ...USER })).json();
    expect(
      (
        await postForm(idp.endpoints.revocation!, {
          token: String(grant.access_token),
          token_type_hint: 'access_token',
          ...APP,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await http('GET', idp.endpoints.resource!, {
          headers: { authorization: `Bearer ${String(grant.access_token)}` },
        })
      ).status,
    ).toBe(401);
    const none = await postForm(idp.endpoints.revocation!, { ...APP });
    expect([none.status, none.json()]).toEqual([
      400,
      { error: 'invalid_request', error_description: 'Token not provided' },
    ]);
    const other = await postForm(idp.endpoints.revocation!, { token: String(grant.refresh_token), client_id: 'ocp' });
    expect([other.status, other.json().error_description]).toEqual([400, 'Unmatching clients']);
    const unknown = await postForm(idp.endpoints.revocation!, { token: 'not-a-token', ...APP });
    expect([unknown.status, unknown.json().error]).toEqual([200, 'invalid_token']);
  });

  it('every URL its discovery document advertises answers something other than 404', async () => {
    const doc = (await http('GET', idp.endpoints.discovery!)).json();
    const urls = Object.entries(doc).filter(
      ([k, v]) => typeof v === 'string' && /_(endpoint|uri)$/.test(k) && /^https?:/.test(v as string),
    );
    expect(urls.length).toBeGreaterThan(5);
    for (const [member, url] of urls) {
      const get = await http('GET', url as string);
      const post = get.status === 404 || get.status === 405 ? await postForm(url as string, {}) : get;
      expect(post.status, `${member} ${String(url)}`).not.toBe(404);
    }
  });
});

describe('keycloak mock configurations that pass the schema start', () => {
  it("realms without the preset's developer-portal realm: the technical user is left out, and said so", async () => {
    const idp = await startMock({
      flavour: 'keycloak',
      keycloak: { realms: [{ name: 'master' }] },
      journal: { enabled: false },
    } as never);
    try {
      expect(idp.startup.notes).toEqual([
        'technical user "Beispiel-Nutzer" left out: realm "wallis" is not configured (keycloak.realms)',
      ]);
      expect((await http('GET', idp.endpoints.discovery!)).status).toBe(200);
    } finally {
      await idp.close();
    }
  });
});

describe('keycloak mock reset', () => {
  it('POST /__admin/reset shows the technical user again, with an offline token that works', async () => {
    const idp = await startMock({ flavour: 'keycloak', journal: { enabled: false } });
    try {
      const r = await http('POST', `${idp.admin.url}/reset`);
      expect(r.status).toBe(200);
      const tech = (
        r.json().technicalUsers as {
          clientId: string;
          clientSecret: string;
          refreshToken: string;
          tokenEndpoint: string;
        }[]
      )[0]!;
      const refreshed = await postForm(tech.tokenEndpoint, {
        grant_type: 'refresh_token',
        client_id: tech.clientId,
        client_secret: tech.clientSecret,
        refresh_token: tech.refreshToken,
      });
      expect(refreshed.status).toBe(200);
    } finally {
      await idp.close();
    }
  });
});

describe('keycloak mock memory: sessions bounded and expired through one heap', () => {
  it('keycloak.maxSessions: beyond the cap the session soonest to expire ends; a refreshed one outlives older idle ones', async () => {
    const idp = await startMock({
      flavour: 'keycloak',
      keycloak: { maxSessions: 5, technicalUsers: [] },
      journal: { enabled: false },
    });
    try {
      const url = idp.endpoints.token!;
      const login = async () =>
        String(
          (
            await postForm(url, {
              grant_type: 'password',
              client_id: 'conformance-app',
              client_secret: 'conformance-app-secret',
              username: 'qa-bot',
              password: 'qa-bot-password',
            })
          ).json().refresh_token,
        );
      const refresh = (rt: string) =>
        postForm(url, {
          grant_type: 'refresh_token',
          client_id: 'conformance-app',
          client_secret: 'conformance-app-secret',
          refresh_token: rt,
        });
      const first = await login();
      idp.clock.advance(10);
      const second = await login();
      idp.clock.advance(10);
      // A refresh moves the first session's idle expiry past the second's: the second is now the soonest to expire.
      const firstNow = String((await refresh(first)).json().refresh_token);
      for (let i = 0; i < 4; i++) await login();
      expect((await refresh(second)).json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Session not active',
      });
      expect((await refresh(firstNow)).status).toBe(200);
    } finally {
      await idp.close();
    }
  });
});
