import { errorCode, header, type FlavourDescriptor } from './types.js';

/**
 * Educates training portal: django-oauth-toolkit 2.3 over oauthlib 3.2.
 * Sources: oauthlib oauth2/rfc6749/{errors.py,tokens.py,endpoints/base.py};
 * educates-training-platform training-portal/src/project/{urls.py,settings.py}.
 */
export const descriptor: FlavourDescriptor = {
  name: 'portal',
  title: 'Educates training portal (django-oauth-toolkit)',
  tokenPath: '/oauth2/token/',
  configPaths: {
    token: '/oauth2/token/',
    revocation: '/oauth2/revoke-token/',
    resource: '/workshops/catalog/environments/',
    authorization: '/oauth2/authorize/',
  },
  revocationPath: '/oauth2/revoke-token/',
  resource: { method: 'GET', path: '/workshops/catalog/environments/' },
  grants: ['password', 'refresh_token'],
  clientAuth: ['basic', 'post', 'none'],
  tokenTypes: ['Bearer'],
  jsonStyle: 'python',
  // oauthlib oauthlib/oauth2/rfc6749/endpoints/token.py: unknown grant types reach the default (authorization_code) handler.
  expectedErrors: {
    'missing-grant-type': { status: 400, error: 'unsupported_grant_type' },
    'unknown-grant-type': { status: 400, error: 'unsupported_grant_type' },
    'bad-password': { status: 400, error: 'invalid_grant', description: 'Invalid credentials given.' },
    'unknown-user': { status: 400, error: 'invalid_grant', description: 'Invalid credentials given.' },
    'bad-client-secret': { status: 401, error: 'invalid_client' },
    'unknown-client': { status: 401, error: 'invalid_client' },
    'missing-refresh-token': { status: 400, error: 'invalid_request', description: 'Missing refresh token parameter.' },
    'bad-refresh-token': { status: 400, error: 'invalid_grant' },
  },
  refreshMode: 'rotate-revoke',
  // A refresh deletes the old access token (django-oauth-toolkit oauth2_provider/models.py RefreshToken.revoke).
  refreshRevokesAccess: true,
  // Seed 000: the password grant with -u id:secret, the refresh with client_id and client_secret in the body.
  documentedRefreshAuth: 'post',
  documentedLifetimes: {
    access: 36000,
    source:
      'django-oauth-toolkit ACCESS_TOKEN_EXPIRE_SECONDS default 36000 (oauth2_provider/settings.py); the portal keeps it',
  },
  deviations: [
    {
      checks: ['TE-G10'],
      applies: ({ response, body }) =>
        response.status === 200 && typeof (body as Record<string, unknown> | undefined)?.scope === 'string',
      reason:
        "django-oauth-toolkit links the new refresh token to the new access token and takes the next refresh's original scope from it: after a narrowed refresh the narrowed scope stays",
      source:
        'jazzband/django-oauth-toolkit oauth2_provider/oauth2_validators.py (save_bearer_token; get_original_scopes reads refresh_token.access_token.scope)',
    },
    {
      checks: ['TE-J2'],
      applies: ({ response }) => response.status === 403 && response.body === '',
      reason:
        "the portal's REST resources answer a missing or bad token with 403 and an empty body, no WWW-Authenticate",
      source:
        'jazzband/django-oauth-toolkit oauth2_provider/decorators.py (protected_resource -> HttpResponseForbidden)',
    },
    {
      checks: ['TE-A6'],
      applies: ({ response }) => response.status === 200,
      reason: 'Django keeps the last value of a repeated form parameter, so oauthlib never sees the duplicate',
      source: 'jazzband/django-oauth-toolkit oauth2_provider/oauth2_backends.py (extract_body: request.POST.items())',
    },
    {
      checks: ['TE-A7'],
      applies: ({ response, body }) => response.status === 400 && errorCode(body) === 'unsupported_grant_type',
      reason:
        'oauthlib dispatches a request without grant_type to its default (authorization_code) handler, which answers unsupported_grant_type',
      source: 'oauthlib/oauthlib oauthlib/oauth2/rfc6749/endpoints/token.py; grant_types/authorization_code.py',
    },
    {
      checks: ['TE-D2'],
      applies: ({ response, body }) =>
        response.status === 400 &&
        errorCode(body) === 'invalid_request' &&
        /text\/html/i.test(header(response, 'content-type') ?? ''),
      reason:
        'oauthlib raises "URL query parameters are not allowed" at endpoint level, so Django sends it as text/html',
      source: 'oauthlib/oauthlib oauthlib/oauth2/rfc6749/endpoints/base.py (_raise_on_bad_post_request)',
    },
    {
      checks: ['TE-C13'],
      applies: ({ response, body }) => response.status === 400 && errorCode(body) === 'invalid_request',
      reason: 'endpoint-level oauthlib errors carry no Cache-Control/Pragma headers',
      source: 'oauthlib/oauthlib oauthlib/oauth2/rfc6749/endpoints/base.py',
    },
    {
      checks: ['TE-B13'],
      applies: ({ response }) => response.status === 401 && /^Bearer/i.test(header(response, 'www-authenticate') ?? ''),
      reason: 'oauthlib answers invalid_client with a Bearer challenge even when the client used Basic',
      source: 'oauthlib/oauthlib oauthlib/oauth2/rfc6749/errors.py (InvalidClientError)',
    },
  ],
};
