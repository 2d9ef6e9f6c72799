import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { basic, http, postForm, schemaErrors, type Reply } from '../support/http.js';

// The provider document's placeholders (seeds/002), seeded by the default preset.
const AUTH = { authorization: basic('myclientid', 'myclientsecret', false), accept: 'application/json' };
const USER = { username: 'myusername', password: 'mypassword' };
const OPERATOR = { username: 'myoperatorusername', password: 'myoperatorpassword' };

let idp: RunningMock;
beforeAll(async () => {
  idp = await startMock({ flavour: 'rator', port: 0 });
});
afterAll(() => idp.close());
beforeEach(() => idp.reset());

/** Brand key in the query, as "brand access" documents it. */
const token = (
  params: Record<string, string> | [string, string][],
  headers: Record<string, string> = AUTH,
  query = '?brand_key=BRAND1',
) => postForm(idp.tokenEndpoint + query, params, headers);
const balance = (accessToken: string | undefined, brand = 'BRAND1') =>
  http('GET', idp.endpoints.resource!, {
    headers: {
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      'x-rator-brand-key': brand,
      'accept-language': 'it',
    },
  });

function expectError(r: Reply, status: number, body: Record<string, string>) {
  expect(r.status).toBe(status);
  expect(r.json()).toEqual(body);
  expect(r.text).toBe(JSON.stringify(body));
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.headers['content-type']).toBe('application/json;charset=UTF-8');
  if (status === 401) expect(r.headers['www-authenticate']).toContain(`error="${body.error}"`);
  expect(schemaErrors('rator', 'token-error', r).filter((e) => !/^TE-D[13]/.test(e))).toEqual([]);
}

describe('rator mock: the provider document', () => {
  it('password grant with Basic client auth and brand_key in the query', async () => {
    const r = await token({ grant_type: 'password', ...USER });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(
      /^\{"access_token":"[0-9a-f-]{36}","token_type":"bearer","refresh_token":"[0-9a-f-]{36}","expires_in":43199,"scope":"read write"\}$/,
    );
    expect(schemaErrors('rator', 'token-response', r)).toEqual([]);
  });

  it('operator_password and client_credentials (with operator); refresh with brandKey in the body', async () => {
    const op = await token({ grant_type: 'operator_password', ...OPERATOR });
    expect(op.status).toBe(200);
    const cc = await token({ grant_type: 'client_credentials', operator: OPERATOR.username }, AUTH, '');
    expect(cc.status).toBe(400); // no brand key
    const cc2 = await token(
      { grant_type: 'client_credentials', operator: OPERATOR.username, brand_key: 'brand1' },
      AUTH,
      '',
    );
    expect(cc2.status).toBe(200);
    expect(cc2.json().refresh_token).toBeUndefined();
    const refreshed = await token(
      { grant_type: 'refresh_token', refresh_token: String(op.json().refresh_token), brandKey: 'BRAND1' },
      AUTH,
      '',
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.json().refresh_token).toBe(op.json().refresh_token);
  });

  it("client_credentials as the document's call writes it (no operator): the client's own token, no refresh token; an unknown operator is refused", async () => {
    // curl -v -X POST -u myclientid:myclientsecret 'http://host:port/appcontext/oauth/token?grant_type=client_credentials&brand_key={mybrandkey}'
    const r = await http('POST', `${idp.tokenEndpoint}?grant_type=client_credentials&brand_key=BRAND1`, {
      headers: { authorization: basic('myclientid', 'myclientsecret', false) },
    });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ token_type: 'bearer' });
    expect(r.json().refresh_token).toBeUndefined();
    expect(schemaErrors('rator', 'token-response', r)).toEqual([]);
    expect((await balance(String(r.json().access_token))).status).toBe(200);
    expectError(await token({ grant_type: 'client_credentials', operator: 'nobody' }, AUTH, '?brand_key=BRAND1'), 400, {
      error: 'invalid_request',
      error_description: 'Unknown operator: nobody',
    });
  });

  it('the access token works at the resource with the case-sensitive X-RATOR-brand-key', async () => {
    const at = String((await token({ grant_type: 'password', ...USER })).json().access_token);
    const ok = await balance(at);
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ billingGroupId: '201506171857210002' });
    expect((await balance(at, 'brand1')).status).toBe(404);
  });
});

describe("rator mock: the document's query-string form", () => {
  it('every parameter in the query of a POST, as "brand access" shows it', async () => {
    const q = new URLSearchParams({
      username: USER.username,
      password: USER.password,
      grant_type: 'password',
      brand_key: 'BRAND1',
    });
    const r = await http('POST', `${idp.tokenEndpoint}?${q}`, { headers: AUTH });
    expect(r.status).toBe(200);
    expect(schemaErrors('rator', 'token-response', r)).toEqual([]);
  });
});

describe('rator mock: Spring semantics', () => {
  it('the same token is returned for a repeated grant, with expires_in counting down', async () => {
    const a = (await token({ grant_type: 'password', ...USER })).json();
    idp.clock.advance(100);
    const b = (await token({ grant_type: 'password', ...USER })).json();
    expect(b.access_token).toBe(a.access_token);
    expect(b.expires_in).toBe(43099);
  });

  it('refresh reuses the refresh token and removes the old access token', async () => {
    const a = (await token({ grant_type: 'password', ...USER })).json();
    const b = (await token({ grant_type: 'refresh_token', refresh_token: String(a.refresh_token) })).json();
    expect(b.refresh_token).toBe(a.refresh_token);
    expect(b.access_token).not.toBe(a.access_token);
    expectError(await balance(String(a.access_token)), 401, {
      error: 'invalid_token',
      error_description: `Invalid access token: ${String(a.access_token)}`,
    });
    const c = (await token({ grant_type: 'refresh_token', refresh_token: String(a.refresh_token) })).json();
    expect(c.refresh_token).toBe(a.refresh_token);
  });

  it('expired access token: "Access token expired" once, then "Invalid access token"', async () => {
    const at = String((await token({ grant_type: 'password', ...USER })).json().access_token);
    idp.clock.advance(43200);
    expectError(await balance(at), 401, { error: 'invalid_token', error_description: `Access token expired: ${at}` });
    expectError(await balance(at), 401, { error: 'invalid_token', error_description: `Invalid access token: ${at}` });
    const none = await balance(undefined);
    expectError(none, 401, {
      error: 'unauthorized',
      error_description: 'Full authentication is required to access this resource',
    });
    expect(none.headers['www-authenticate']).toBe(
      'Bearer realm="oauth", error="unauthorized", error_description="Full authentication is required to access this resource"',
    );
  });

  it('expired refresh token: 401 invalid_token, then unknown', async () => {
    const rt = String((await token({ grant_type: 'password', ...USER })).json().refresh_token);
    idp.clock.advance(2592000);
    expectError(await token({ grant_type: 'refresh_token', refresh_token: rt }), 401, {
      error: 'invalid_token',
      error_description: `Invalid refresh token (expired): ${rt}`,
    });
    expectError(await token({ grant_type: 'refresh_token', refresh_token: rt }), 400, {
      error: 'invalid_grant',
      error_description: `Invalid refresh token: ${rt}`,
    });
  });
});

describe('rator mock: error table (flavours.md §3.3)', () => {
  it('wrong password, unknown user, an end user on operator_password', async () => {
    for (const params of [
      { grant_type: 'password', username: USER.username, password: 'x' },
      { grant_type: 'password', username: 'nobody', password: 'x' },
      { grant_type: 'operator_password', ...USER },
    ]) {
      expectError(await token(params), 400, { error: 'invalid_grant', error_description: 'Bad credentials' });
    }
  });

  it('disabled user: 400 invalid_grant "User is disabled"', async () => {
    idp.context.users.get(USER.username)!.enabled = false;
    expectError(await token({ grant_type: 'password', ...USER }), 400, {
      error: 'invalid_grant',
      error_description: 'User is disabled',
    });
  });

  it('client authentication: none, wrong secret, URL-encoded Basic (legacy Spring does not form-decode)', async () => {
    expectError(await token({ grant_type: 'password', ...USER }, {}), 401, {
      error: 'unauthorized',
      error_description: 'Full authentication is required to access this resource',
    });
    const bad = await token({ grant_type: 'password', ...USER }, { authorization: basic('myclientid', 'wrong') });
    expectError(bad, 401, { error: 'unauthorized', error_description: 'Bad credentials' });
    expect(bad.headers['www-authenticate']).toBe(
      'Basic realm="oauth2/client", error="unauthorized", error_description="Bad credentials"',
    );
    idp.context.clients.set('id with space', {
      clientId: 'id with space',
      clientSecret: 's:p%c',
      public: false,
      grants: ['password'],
      scopes: ['read'],
      enabled: true,
    });
    expect(
      (await token({ grant_type: 'password', ...USER }, { authorization: basic('id with space', 's:p%c', false) }))
        .status,
    ).toBe(200);
    expect(
      (await token({ grant_type: 'password', ...USER }, { authorization: basic('id with space', 's:p%c', true) }))
        .status,
    ).toBe(401);
  });

  it('grant not allowed for the client: 401 invalid_client', async () => {
    idp.context.clients.get('myclientid')!.grants = ['password'];
    expectError(await token({ grant_type: 'operator_password', ...OPERATOR }), 401, {
      error: 'invalid_client',
      error_description: 'Unauthorized grant type: operator_password',
    });
  });

  it('grant_type missing or unknown, implicit, body client_id mismatch', async () => {
    expectError(await token(USER), 400, { error: 'invalid_request', error_description: 'Missing grant type' });
    expectError(await token({ grant_type: 'foo' }), 400, {
      error: 'unsupported_grant_type',
      error_description: 'Unsupported grant type',
    });
    expectError(await token({ grant_type: 'implicit' }), 400, {
      error: 'invalid_grant',
      error_description: 'Implicit grant type not supported from token endpoint',
    });
    expectError(await token({ grant_type: 'password', client_id: 'someone-else', ...USER }), 401, {
      error: 'invalid_client',
      error_description: 'Given client ID does not match authenticated client',
    });
  });

  it('scope not allowed (with the allowed scope echoed); refresh widening', async () => {
    expectError(await token({ grant_type: 'password', scope: 'admin', ...USER }), 400, {
      error: 'invalid_scope',
      error_description: 'Invalid scope: admin',
      scope: 'read write',
    } as Record<string, string>);
    const rt = String((await token({ grant_type: 'password', scope: 'read', ...USER })).json().refresh_token);
    expectError(await token({ grant_type: 'refresh_token', refresh_token: rt, scope: 'read write' }), 400, {
      error: 'invalid_scope',
      error_description: 'Unable to narrow the scope of the client authentication to [read, write].',
      scope: 'read',
    } as Record<string, string>);
  });

  it("refresh: missing, unknown, another client's", async () => {
    expectError(await token({ grant_type: 'refresh_token' }), 400, {
      error: 'invalid_request',
      error_description: 'refresh_token parameter not provided',
    });
    expectError(await token({ grant_type: 'refresh_token', refresh_token: 'nope' }), 400, {
      error: 'invalid_grant',
      error_description: 'Invalid refresh token: nope',
    });
    const rt = String((await token({ grant_type: 'password', ...USER })).json().refresh_token);
    idp.context.clients.set('other', {
      clientId: 'other',
      clientSecret: 'o',
      public: false,
      grants: ['refresh_token'],
      scopes: ['read', 'write'],
      enabled: true,
    });
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic('other', 'o') }),
      400,
      { error: 'invalid_grant', error_description: `Wrong client for this refresh token: ${rt}` },
    );
  });

  it('GET /oauth/token when authenticated: 405 method_not_allowed', async () => {
    expectError(
      await http('GET', `${idp.tokenEndpoint}?brand_key=BRAND1&grant_type=password`, { headers: AUTH }),
      405,
      { error: 'method_not_allowed', error_description: "Request method 'GET' not supported" },
    );
  });

  it('brand key: missing (documented choice), unknown', async () => {
    expectError(await token({ grant_type: 'password', ...USER }, AUTH, ''), 400, {
      error: 'invalid_request',
      error_description: 'Missing brand key',
    });
    expectError(await token({ grant_type: 'password', ...USER }, AUTH, '?brand_key=NOPE'), 400, {
      error: 'invalid_request',
      error_description: 'Invalid brand key',
    });
  });
});

it('rator mock: form client authentication (allowFormAuthenticationForClients) when configured', async () => {
  const form = await startMock({ flavour: 'rator', rator: { formClientAuth: true } });
  try {
    const ok = await postForm(`${form.tokenEndpoint}?brand_key=BRAND1`, {
      grant_type: 'password',
      client_id: 'myclientid',
      client_secret: 'myclientsecret',
      ...USER,
    });
    expect(ok.status).toBe(200);
    const bad = await postForm(`${form.tokenEndpoint}?brand_key=BRAND1`, {
      grant_type: 'password',
      client_id: 'myclientid',
      client_secret: 'wrong',
      ...USER,
    });
    expect([bad.status, bad.text]).toEqual([
      401,
      '{"error":"invalid_client","error_description":"Bad client credentials"}',
    ]);
    expect(bad.headers['www-authenticate']).toBe(
      'Form realm="oauth2/client", error="invalid_client", error_description="Bad client credentials"',
    );
  } finally {
    await form.close();
  }
});

it('rator mock: missingBrandKey "unauthorized" is configurable', async () => {
  const strict = await startMock({ flavour: 'rator', rator: { missingBrandKey: 'unauthorized' } });
  try {
    const r = await postForm(strict.tokenEndpoint, { grant_type: 'password', ...USER }, AUTH);
    expect(r.status).toBe(401);
    expect(r.json().error).toBe('unauthorized');
  } finally {
    await strict.close();
  }
});

it('rator mock: a token without the resource id gets 403 access_denied (resource ids configured)', async () => {
  const m = await startMock({ flavour: 'rator', rator: { resourceId: 'rator-api' } });
  try {
    const at = String(
      (await postForm(`${m.tokenEndpoint}?brand_key=BRAND1`, { grant_type: 'password', ...USER }, AUTH)).json()
        .access_token,
    );
    const r = await http('GET', m.endpoints.resource!, {
      headers: { authorization: `Bearer ${at}`, 'x-rator-brand-key': 'BRAND1' },
    });
    expect([r.status, r.text]).toEqual([
      403,
      '{"error":"access_denied","error_description":"Invalid token does not contain resource id (rator-api)"}',
    ]);
    expect(schemaErrors('rator', 'resource-error', r)).toEqual([]);
    m.context.clients.get('myclientid')!.resourceIds = ['rator-api'];
    const at2 = String(
      (await postForm(`${m.tokenEndpoint}?brand_key=BRAND1`, { grant_type: 'password', ...USER }, AUTH)).json()
        .access_token,
    );
    expect(
      (
        await http('GET', m.endpoints.resource!, {
          headers: { authorization: `Bearer ${at2}`, 'x-rator-brand-key': 'BRAND1' },
        })
      ).status,
    ).toBe(200);
  } finally {
    await m.close();
  }
});

describe('rator mock: a rotating configuration that revokes the used refresh token', () => {
  it('of 20 parallel refreshes with one refresh token, exactly one succeeds; the others are "Invalid refresh token"', async () => {
    const idp = await startMock({
      flavour: 'rator',
      refresh: { rotate: true, revokeOldRefreshToken: true },
      journal: { enabled: false },
    });
    try {
      const auth = { authorization: `Basic ${Buffer.from('myclientid:myclientsecret').toString('base64')}` };
      const grant = (
        await postForm(
          `${idp.tokenEndpoint}?brand_key=BRAND1`,
          { grant_type: 'password', username: 'myusername', password: 'mypassword' },
          auth,
        )
      ).json();
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          postForm(
            `${idp.tokenEndpoint}?brand_key=BRAND1`,
            { grant_type: 'refresh_token', refresh_token: String(grant.refresh_token) },
            auth,
          ),
        ),
      );
      expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
      for (const r of replies.filter((x) => x.status !== 200))
        expect(r.json()).toEqual({
          error: 'invalid_grant',
          error_description: `Invalid refresh token: ${String(grant.refresh_token)}`,
        });
    } finally {
      await idp.close();
    }
  });
});
