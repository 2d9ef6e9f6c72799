import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { basic, http, postForm, schemaErrors, type Reply } from '../support/http.js';

// The robot account of the provider document (seeds/000).
const CLIENT_ID = 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1';
const SECRET = 't5IfXbGZQThAKR43apoc9usOFVDv2BLE';
const ROBOT = { username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5' };

let idp: RunningMock;
beforeAll(async () => {
  idp = await startMock({ flavour: 'portal', port: 0 });
});
afterAll(() => idp.close());
beforeEach(() => idp.reset());

const token = (params: Record<string, string> | [string, string][], headers: Record<string, string> = {}) =>
  postForm(idp.tokenEndpoint, params, headers);
const passwordGrant = () => token({ grant_type: 'password', ...ROBOT }, { authorization: basic(CLIENT_ID, SECRET) });

function expectError(r: Reply, status: number, body: string, extra: Record<string, string> = {}) {
  expect(r.status).toBe(status);
  expect(r.text).toBe(body);
  for (const [k, v] of Object.entries(extra)) expect(r.headers[k]).toBe(v);
  if (r.headers['content-type'] === 'application/json')
    expect(schemaErrors('portal', 'token-error', r).filter((e) => !e.startsWith('TE-D'))).toEqual([]);
}

describe('portal mock: the provider document, as written', () => {
  it('password grant with HTTP Basic (seeds/000 curl)', async () => {
    const r = await passwordGrant();
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      /^\{"access_token": "[A-Za-z0-9]{30}", "expires_in": 36000, "token_type": "Bearer", "scope": "user:info", "refresh_token": "[A-Za-z0-9]{30}"\}$/,
    );
    expect(r.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      vary: 'Authorization',
    });
    expect(schemaErrors('portal', 'token-response', r)).toEqual([]);
  });

  it('refresh with client credentials in the body (seeds/000 second curl)', async () => {
    const first = (await passwordGrant()).json();
    const r = await token({
      grant_type: 'refresh_token',
      refresh_token: String(first.refresh_token),
      client_id: CLIENT_ID,
      client_secret: SECRET,
    });
    expect(r.status).toBe(200);
    expect(schemaErrors('portal', 'token-response', r)).toEqual([]);
    expect(r.json().refresh_token).not.toBe(first.refresh_token);
  });

  it('the robot client is public: client_id alone works, a wrong secret does not', async () => {
    expect((await token({ grant_type: 'password', client_id: CLIENT_ID, ...ROBOT })).status).toBe(200);
    expectError(
      await token({ grant_type: 'password', client_id: CLIENT_ID, client_secret: 'nope', ...ROBOT }),
      401,
      '{"error": "invalid_client"}',
      { 'www-authenticate': 'Bearer error="invalid_client"' },
    );
  });
});

describe('portal mock: error table (flavours.md §2.4)', () => {
  it('bad client via Basic, unknown client, no client at all: 401 invalid_client with a Bearer challenge', async () => {
    for (const headers of [
      { authorization: basic(CLIENT_ID, 'wrong') },
      { authorization: basic('unknown', SECRET) },
      {},
    ] as Record<string, string>[]) {
      expectError(await token({ grant_type: 'password', ...ROBOT }, headers), 401, '{"error": "invalid_client"}', {
        'www-authenticate': 'Bearer error="invalid_client"',
        'cache-control': 'no-store',
      });
    }
  });

  it('username or password missing or empty', async () => {
    const auth = { authorization: basic(CLIENT_ID, SECRET) };
    expectError(
      await token({ grant_type: 'password', password: 'x' }, auth),
      400,
      '{"error": "invalid_request", "error_description": "Request is missing username parameter."}',
    );
    expectError(
      await token({ grant_type: 'password', username: ROBOT.username, password: '' }, auth),
      400,
      '{"error": "invalid_request", "error_description": "Request is missing password parameter."}',
    );
  });

  it('wrong password, unknown user, inactive user: 400 invalid_grant', async () => {
    const auth = { authorization: basic(CLIENT_ID, SECRET) };
    for (const creds of [
      { username: ROBOT.username, password: 'wrong' },
      { username: 'nobody', password: 'x' },
    ]) {
      expectError(
        await token({ grant_type: 'password', ...creds }, auth),
        400,
        '{"error": "invalid_grant", "error_description": "Invalid credentials given."}',
      );
    }
    idp.context.users.get(ROBOT.username)!.enabled = false;
    expectError(
      await passwordGrant(),
      400,
      '{"error": "invalid_grant", "error_description": "Invalid credentials given."}',
    );
  });

  it('grant_type missing, unknown, or a JSON body: unsupported_grant_type', async () => {
    const auth = { authorization: basic(CLIENT_ID, SECRET) };
    expectError(await token({ username: 'x' }, auth), 400, '{"error": "unsupported_grant_type"}');
    expectError(await token({ grant_type: 'urn:x' }, auth), 400, '{"error": "unsupported_grant_type"}');
    const r = await http('POST', idp.tokenEndpoint, {
      body: JSON.stringify({ grant_type: 'password', ...ROBOT }),
      headers: { 'content-type': 'application/json', ...auth },
    });
    expectError(r, 400, '{"error": "unsupported_grant_type"}');
  });

  it('client_credentials: unauthorized_client with a valid secret, invalid_client without', async () => {
    expectError(
      await token({ grant_type: 'client_credentials' }, { authorization: basic(CLIENT_ID, SECRET) }),
      400,
      '{"error": "unauthorized_client"}',
    );
    expectError(
      await token({ grant_type: 'client_credentials', client_id: CLIENT_ID }),
      401,
      '{"error": "invalid_client"}',
    );
  });

  it('scope outside user:info: invalid_scope', async () => {
    expectError(
      await token({ grant_type: 'password', scope: 'admin', ...ROBOT }, { authorization: basic(CLIENT_ID, SECRET) }),
      400,
      '{"error": "invalid_scope"}',
    );
  });

  it('a query string on the token URL: text/html, no cache headers', async () => {
    const r = await postForm(`${idp.tokenEndpoint}?grant_type=password`, ROBOT, {
      authorization: basic(CLIENT_ID, SECRET),
    });
    expect(r.status).toBe(400);
    expect(r.text).toBe('{"error": "invalid_request", "error_description": "URL query parameters are not allowed"}');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBeUndefined();
  });

  it("refresh_token missing; unknown, rotated or another client's refresh token", async () => {
    expectError(
      await token({ grant_type: 'refresh_token', client_id: CLIENT_ID }),
      400,
      '{"error": "invalid_request", "error_description": "Missing refresh token parameter."}',
    );
    expectError(
      await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: 'garbage' }),
      400,
      '{"error": "invalid_grant"}',
    );
    idp.context.clients.set('other', {
      clientId: 'other',
      public: true,
      grants: ['password', 'refresh_token'],
      scopes: [],
      enabled: true,
    });
    const rt = String((await passwordGrant()).json().refresh_token);
    expectError(
      await token({ grant_type: 'refresh_token', client_id: 'other', refresh_token: rt }),
      400,
      '{"error": "invalid_grant"}',
    );
    expect((await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: rt })).status).toBe(200);
    expectError(
      await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: rt }),
      400,
      '{"error": "invalid_grant"}',
    );
  });

  it('refresh with a wider scope: invalid_scope; a narrower one sticks to the new refresh token', async () => {
    const rt = String((await passwordGrant()).json().refresh_token);
    expectError(
      await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: rt, scope: 'user:info admin' }),
      400,
      '{"error": "invalid_scope"}',
    );
  });

  it('duplicate parameters: Django keeps the last value', async () => {
    const r = await token(
      [
        ['grant_type', 'client_credentials'],
        ['grant_type', 'password'],
        ['username', ROBOT.username],
        ['password', ROBOT.password],
      ],
      { authorization: basic(CLIENT_ID, SECRET) },
    );
    expect(r.status).toBe(200);
  });

  it('GET, PUT: 405 with an empty body; /oauth2/token without slash: 301', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await http(method, idp.tokenEndpoint);
      expect([r.status, r.text, r.headers.allow]).toEqual([405, '', 'POST, OPTIONS']);
    }
    const r = await http('POST', `${idp.url}/oauth2/token`, { body: '' });
    expect([r.status, r.headers.location]).toEqual([301, '/oauth2/token/']);
  });
});

describe('portal mock: rotation, expiry and resources', () => {
  const catalog = (accessToken?: string) =>
    http('GET', idp.endpoints.resource!, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });

  it('a refresh revokes the old refresh token AND the old access token', async () => {
    const first = (await passwordGrant()).json();
    expect((await catalog(String(first.access_token))).status).toBe(200);
    const second = (
      await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: String(first.refresh_token) })
    ).json();
    expect((await catalog(String(first.access_token))).status).toBe(403);
    expect((await catalog(String(second.access_token))).status).toBe(200);
  });

  it('resources answer 403 with an empty body to a missing, bad or expired token (no sleeping: the clock moves)', async () => {
    const at = String((await passwordGrant()).json().access_token);
    for (const r of [await catalog(), await catalog('bad-token')]) {
      expect([r.status, r.text, r.headers['www-authenticate']]).toEqual([403, '', undefined]);
      expect(schemaErrors('portal', 'resource-error', r)).toEqual([]);
    }
    const ok = await catalog(at);
    expect(ok.status).toBe(200);
    expect(ok.text.startsWith('{"portal": {"name": "learningcenter"')).toBe(true);
    idp.clock.advance(36000);
    const expired = await catalog(at);
    expect([expired.status, expired.text]).toEqual([403, '']);
  });

  it('the refresh token outlives the access token (DOT 2.3 checks no refresh expiry)', async () => {
    const rt = String((await passwordGrant()).json().refresh_token);
    idp.clock.advance(36000 + 3600);
    expect((await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: rt })).status).toBe(200);
  });

  it('revocation: 200 with an empty body, also for an unknown token; the revoked refresh token is gone', async () => {
    const grant = (await passwordGrant()).json();
    const revoke = (t: string) =>
      postForm(idp.endpoints.revocation!, { token: t, client_id: CLIENT_ID, client_secret: SECRET });
    for (const r of [await revoke(String(grant.refresh_token)), await revoke('unknown')])
      expect([r.status, r.text]).toEqual([200, '']);
    expect((await catalog(String(grant.access_token))).status).toBe(403);
    expect(
      (await token({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: String(grant.refresh_token) }))
        .text,
    ).toBe('{"error": "invalid_grant"}');
    const bad = await postForm(idp.endpoints.revocation!, { token: 'x', client_id: CLIENT_ID, client_secret: 'wrong' });
    expectError(bad, 401, '{"error": "invalid_client"}');
  });
});
