import { errorCode, type FlavourDescriptor } from './types.js';

/** InfoLink (Precisely). Source: the InfoLink provider document; docs-v3-8.infolinkcloud.com rest-api/authentication/oauth-20-auth. */
export const descriptor: FlavourDescriptor = {
  name: 'infolink',
  title: 'InfoLink',
  tokenPath: '/api/v1/oauth2/token',
  configPaths: { token: '/api/v1/oauth2/token', resource: '/api/v1/executeJob' },
  // The document's own executeJob call (Invoke-WebRequest ... -ContentType "application/json" -Body "{'appId':'170', ...}"):
  // single-quoted members, which InfoLink's lenient JSON reader accepts.
  resource: {
    method: 'POST',
    path: '/api/v1/executeJob',
    body: {
      contentType: 'application/json',
      text: "{'appId':'170', 'isAsync': false, 'responseFormat': 'text', 'operation':{'opName': 'RunScenario', 'opParams': {'scenario': 'LoadData', 'parameters': {}, 'data': null }}}",
    },
  },
  grants: ['client_credentials', 'password', 'refresh_token'],
  noScopes: 'the InfoLink document defines no scopes: its token requests carry none and its answers state none',
  choices: [
    'Error statuses are not public: token errors use 400 (401 for invalid_client), resource errors 401',
    'Bad client credentials: 401 {"error_description":"Client authentication failed","error":"invalid_client"}',
    'Bad user credentials, unknown/expired refresh tokens: 400 {"error_description":"Credentials or token is invalid or expired","error":"invalid_grant"}',
    'Refresh rotates the refresh token (the document shows a new one) and the old one stops working',
    'Token responses carry Cache-Control: no-store and Pragma: no-cache',
    'Token-endpoint parameters are read from the form body only (credentials never from the URI query)',
    'A repeated parameter: the first value wins',
    'Refresh takes the refresh token alone (the document); a client_secret sent with it is checked (401 invalid_client when wrong)',
  ],
  clientAuth: ['post'],
  tokenTypes: ['Bearer'],
  jsonStyle: 'compact',
  // The provider document's body for every invalid credential or token; the rest are documented choices.
  expectedErrors: {
    'missing-grant-type': { status: 400, error: 'invalid_request', description: 'Missing grant_type' },
    'unknown-grant-type': { status: 400, error: 'unsupported_grant_type', description: 'Unsupported grant type' },
    'bad-password': { status: 400, error: 'invalid_grant', description: 'Credentials or token is invalid or expired' },
    'unknown-user': { status: 400, error: 'invalid_grant', description: 'Credentials or token is invalid or expired' },
    'bad-client-secret': { status: 401, error: 'invalid_client', description: 'Client authentication failed' },
    'unknown-client': { status: 401, error: 'invalid_client', description: 'Client authentication failed' },
    'missing-refresh-token': { status: 400, error: 'invalid_request', description: 'Missing refresh_token' },
    'bad-refresh-token': {
      status: 400,
      error: 'invalid_grant',
      description: 'Credentials or token is invalid or expired',
    },
  },
  refreshMode: 'rotate-revoke',
  documentedLifetimes: { access: 1800, source: 'the InfoLink document\'s token answers ("expires_in": 1800)' },
  deviations: [
    {
      checks: ['TE-G6'],
      applies: ({ response }) => response.status === 200,
      reason:
        "InfoLink's refresh grant takes the refresh token alone, without client authentication, as its document shows",
      source: 'InfoLink provider document (refresh access token)',
    },
    {
      checks: ['TE-J2'],
      applies: ({ body }) => (body as { status?: unknown } | undefined)?.status === 'error',
      reason: 'InfoLink resources answer in their result/status envelope, without a Bearer challenge',
      source: 'InfoLink provider document (expired access token body)',
    },
    {
      checks: ['TE-B1'],
      applies: ({ response }) => response.status === 401,
      reason: 'InfoLink documents client credentials in the request body only (no HTTP Basic)',
      source: 'InfoLink provider document; docs-v3-8.infolinkcloud.com rest-api/authentication/oauth-20-auth',
    },
    {
      checks: ['TE-F3'],
      applies: ({ response }) => response.status === 200,
      reason: 'InfoLink returns a refresh token with the client_credentials grant, as its document shows',
      source: 'InfoLink provider document (client credentials grant response)',
    },
    {
      checks: ['TE-A6'],
      applies: ({ response, body }) => response.status === 200 && errorCode(body) === undefined,
      reason:
        'InfoLink (a servlet application) takes the first value of a repeated parameter (documented choice: not public)',
      source: 'src/flavours/infolink.ts choices',
    },
  ],
};
