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
  // Django's AuthenticationForm (username, password) under the CSRF token; no OpenID Connect (OIDC_ENABLED False);
  // django-oauth-toolkit's AUTHORIZATION_CODE_EXPIRE_SECONDS, 60.
  browser: { usernameField: 'username', passwordField: 'password', openid: false, codeLifetime: 60 },
  deviations: [
    {
      checks: ['TE-P3'],
      applies: ({ variant }) => variant === 'extra-query',
      reason:
        "django-oauth-toolkit accepts a redirect_uri whose query adds parameters to the registered one's (the registered query need only be a subset)",
      source: 'jazzband/django-oauth-toolkit oauth2_provider/models.py (redirect_to_uri_allowed; 1.7 to 3.0)',
    },
    {
      checks: ['TE-P10'],
      applies: ({ response, body, variant }) =>
        (variant === 'absent' && response.status === 200) ||
        (variant === 'different' && response.status === 400 && errorCode(body) === 'invalid_request'),
      reason:
        "django-oauth-toolkit takes the application's only redirect URI when the token request leaves redirect_uri out, and answers a mismatch with invalid_request 'Mismatching redirect URI.' (not invalid_grant)",
      source:
        'oauthlib/oauthlib oauthlib/oauth2/rfc6749/grant_types/authorization_code.py (validate_token_request); jazzband/django-oauth-toolkit oauth2_provider/models.py (default_redirect_uri)',
    },
    {
      checks: ['TE-P8'],
      applies: ({ response }) => response.status === 200,
      reason:
        "django-oauth-toolkit revokes nothing when a code is replayed: the tokens of the code's first exchange keep working",
      source:
        'jazzband/django-oauth-toolkit oauth2_provider/oauth2_validators.py (validate_code, invalidate_authorization_code)',
    },
    {
      checks: ['TE-P11'],
      applies: ({ response, body }) => response.status === 400 && errorCode(body) === 'invalid_request',
      reason: "oauthlib answers a missing code_verifier with invalid_request 'Code verifier required.'",
      source: 'oauthlib/oauthlib oauthlib/oauth2/rfc6749/grant_types/authorization_code.py (validate_token_request)',
    },
    {
      checks: ['TE-P13'],
      applies: ({ response }) => response.status === 200,
      reason:
        'oauthlib ignores a code_verifier when the code was requested without a challenge and PKCE is not required (Educates sets PKCE_REQUIRED False)',
      source:
        'oauthlib/oauthlib oauthlib/oauth2/rfc6749/grant_types/authorization_code.py; educates-training-platform training-portal/src/project/settings.py',
    },
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
