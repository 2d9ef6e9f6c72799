import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { http, postForm, schemaErrors } from '../support/http.js';

const CLIENT = {
  client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
  client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
};
const INVALID = '{"error_description":"Credentials or token is invalid or expired","error":"invalid_grant"}';
const ENVELOPE =
  '{"result":{"code":"invalid_grant","message":"Credentials or token is invalid or expired"},"status":"error"}';

let idp: RunningMock;
beforeAll(async () => {
  idp = await startMock({ flavour: 'infolink', port: 0 });
});
afterAll(() => idp.close());
beforeEach(() => idp.reset());

const token = (params: Record<string, string>) => postForm(idp.tokenEndpoint, params);
const executeJob = (accessToken: string | undefined, path = '/api/v1/executeJob') =>
  http('POST', idp.url + path, {
    body: JSON.stringify({
      appId: '170',
      isAsync: false,
      responseFormat: 'text',
      operation: { opName: 'RunScenario', opParams: { scenario: 'LoadData', parameters: {}, data: null } },
    }),
    headers: { 'content-type': 'application/json', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
  });

describe('infolink mock: the provider document, as written', () => {
  it('client_credentials and password grants answer the documented shape', async () => {
    for (const params of [
      { grant_type: 'client_credentials', ...CLIENT },
      { grant_type: 'password', ...CLIENT, username: 'john@company.com', password: 'mypassword' },
    ]) {
      const r = await token(params);
      expect(r.status).toBe(200);
      expect(r.text).toMatch(
        /^\{"access_token":"[0-9a-f-]{36}","refresh_token":"[0-9a-f-]{36}","token_type":"Bearer","expires_in":1800\}$/,
      );
      expect(schemaErrors('infolink', 'token-response', r)).toEqual([]);
    }
  });

  it('refresh with the refresh token alone; the old one then fails with the documented body', async () => {
    const first = (await token({ grant_type: 'client_credentials', ...CLIENT })).json();
    const second = await token({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) });
    expect(second.status).toBe(200);
    expect(second.json().refresh_token).not.toBe(first.refresh_token);
    const replay = await token({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) });
    expect([replay.status, replay.text]).toEqual([400, INVALID]);
    expect(schemaErrors('infolink', 'token-error', replay)).toEqual([]);
  });

  it('expired refresh token: the documented body', async () => {
    const rt = String((await token({ grant_type: 'client_credentials', ...CLIENT })).json().refresh_token);
    idp.clock.advance(86400);
    expect((await token({ grant_type: 'refresh_token', refresh_token: rt })).text).toBe(INVALID);
  });

  it('executeJob (and executeJob.jsp) with a fresh, then an expired access token', async () => {
    const at = String((await token({ grant_type: 'client_credentials', ...CLIENT })).json().access_token);
    for (const path of ['/api/v1/executeJob', '/api/v1/executeJob.jsp']) {
      const ok = await executeJob(at, path);
      expect(ok.status).toBe(200);
      expect(ok.json().status).toBe('success');
      expect(schemaErrors('infolink', 'resource-success', ok)).toEqual([]);
    }
    idp.clock.advance(1800);
    const expired = await executeJob(at);
    expect([expired.status, expired.text]).toEqual([401, ENVELOPE]);
    expect(schemaErrors('infolink', 'resource-error', expired)).toEqual([]);
    expect((await executeJob(undefined)).text).toBe(ENVELOPE);
  });
});

describe('infolink mock: errors (documented choices)', () => {
  it('bad client, bad user, missing and unknown grant types', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [
        { grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'x' },
        401,
        '{"error_description":"Client authentication failed","error":"invalid_client"}',
      ],
      [{ grant_type: 'password', ...CLIENT, username: 'john@company.com', password: 'x' }, 400, INVALID],
      [
        { grant_type: 'password', ...CLIENT, username: 'john@company.com' },
        400,
        '{"error_description":"Missing password","error":"invalid_request"}',
      ],
      [{ ...CLIENT }, 400, '{"error_description":"Missing grant_type","error":"invalid_request"}'],
      [
        { grant_type: 'authorization_code', ...CLIENT },
        400,
        '{"error_description":"Unsupported grant type","error":"unsupported_grant_type"}',
      ],
      [{ grant_type: 'refresh_token' }, 400, '{"error_description":"Missing refresh_token","error":"invalid_request"}'],
    ];
    for (const [params, status, body] of cases) {
      const r = await token(params);
      expect([r.status, r.text]).toEqual([status, body]);
      expect(schemaErrors('infolink', 'token-error', r)).toEqual([]);
    }
  });
});

describe('infolink mock: refresh and the client secret', () => {
  it('the document refreshes with the token alone; a wrong client_secret sent along is refused, the right one accepted', async () => {
    const idp = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    try {
      const client = {
        client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
        client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
      };
      const grant = async () =>
        String(
          (await postForm(idp.tokenEndpoint, { grant_type: 'client_credentials', ...client })).json().refresh_token,
        );
      expect(
        (await postForm(idp.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: await grant() })).status,
      ).toBe(200);
      const wrong = await postForm(idp.tokenEndpoint, {
        grant_type: 'refresh_token',
        refresh_token: await grant(),
        client_id: client.client_id,
        client_secret: 'wrong',
      });
      expect([wrong.status, wrong.json()]).toEqual([
        401,
        { error_description: 'Client authentication failed', error: 'invalid_client' },
      ]);
      expect(
        (await postForm(idp.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: await grant(), ...client }))
          .status,
      ).toBe(200);
    } finally {
      await idp.close();
    }
  });

  it("accepts executeJob with the document's own single-quoted body", async () => {
    const idp = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    try {
      const access = String(
        (
          await postForm(idp.tokenEndpoint, {
            grant_type: 'client_credentials',
            client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
            client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
          })
        ).json().access_token,
      );
      const body =
        "{'appId':'170', 'isAsync': false, 'responseFormat': 'text', 'operation':{'opName': 'RunScenario', 'opParams': {'scenario': 'LoadData', 'parameters': {}, 'data': null }}}";
      const r = await http('POST', idp.endpoints.resource!, {
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
      });
      expect(r.status).toBe(200);
      expect(r.json().status).toBe('success');
    } finally {
      await idp.close();
    }
  });
});
