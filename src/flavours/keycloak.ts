import { errorCode, header, type FlavourDescriptor } from './types.js';

/**
 * Keycloak. Sources: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/endpoints/TokenEndpoint.java,
 * .../authentication/authenticators/directgrant/{ValidateUsername,ValidatePassword}.java,
 * .../authentication/AuthenticationProcessor.java.
 */
export const descriptor: FlavourDescriptor = {
  name: 'keycloak',
  title: 'Keycloak',
  tokenPath: '{base}/realms/{realm}/protocol/openid-connect/token',
  configPaths: {
    token: '/protocol/openid-connect/token',
    revocation: '/protocol/openid-connect/revoke',
    logout: '/protocol/openid-connect/logout',
    resource: '/protocol/openid-connect/userinfo',
    discovery: '/.well-known/openid-configuration',
    jwks: '/protocol/openid-connect/certs',
    issuer: '',
    authorization: '/protocol/openid-connect/auth',
  },
  logoutPath: '{base}/realms/{realm}/protocol/openid-connect/logout',
  resource: { method: 'GET', path: '{base}/realms/{realm}/protocol/openid-connect/userinfo' },
  grants: ['password', 'client_credentials', 'refresh_token'],
  clientAuth: ['basic', 'post', 'none'],
  tokenTypes: ['Bearer', 'bearer'],
  jsonStyle: 'compact',
  // keycloak/keycloak services/.../protocol/oidc/endpoints/TokenEndpoint.java and ClientIdAndSecretAuthenticator.java (Keycloak >= 20 wording; the legacy preset below).
  expectedErrors: {
    'missing-grant-type': { status: 400, error: 'invalid_request', description: 'Missing form parameter: grant_type' },
    'unknown-grant-type': { status: 400, error: 'unsupported_grant_type', description: 'Unsupported grant_type' },
    'bad-password': { status: 401, error: 'invalid_grant', description: 'Invalid user credentials' },
    'unknown-user': { status: 401, error: 'invalid_grant', description: 'Invalid user credentials' },
    'bad-client-secret': {
      status: 401,
      error: 'unauthorized_client',
      description: 'Invalid client or Invalid client credentials',
    },
    'unknown-client': {
      status: 401,
      error: 'invalid_client',
      description: 'Invalid client or Invalid client credentials',
    },
    'missing-refresh-token': { status: 400, error: 'invalid_request', description: 'No refresh token' },
    'bad-refresh-token': { status: 400, error: 'invalid_grant', description: 'Invalid refresh token' },
  },
  expectedErrorsByPreset: {
    legacy: {
      'bad-client-secret': { status: 401, error: 'unauthorized_client', description: 'Invalid client secret' },
      'unknown-client': { status: 400, error: 'invalid_client', description: 'Invalid client credentials' },
    },
  },
  refreshMode: 'rotate',
  // UserSessionLimitsAuthenticator, Deny new session in direct grant: 403 since KC 23 (PR #22006), 500 before.
  sessionLimitStatus: 403,
  oidc: true,
  initExample: { baseUrl: 'https://iam.example.com/realms/master', preset: 'v12-23' },
  // RealmsResource: a realm name that does not exist is 404 {"error":"Realm does not exist"} (keycloak/keycloak
  // services/.../resources/RealmsResource.java init()).
  preflightHints: [
    {
      applies: ({ response, body }) => response.status === 404 && errorCode(body) === 'Realm does not exist',
      cause:
        'the realm does not exist at this server (404 "Realm does not exist"): check the realm name in baseUrl (.../realms/NAME)',
    },
  ],
  offlineTokens: {
    scope: 'offline_access',
    refreshExpiresIn: 0,
    source:
      'keycloak/keycloak services/.../protocol/oidc/TokenManager.java (an offline token has no exp: refresh_expires_in 0); seed 001',
  },
  documentedLifetimes: {
    access: 300,
    refresh: 1800,
    source:
      'Keycloak realm defaults: Access Token Lifespan 5 minutes, SSO Session Idle 30 minutes (refresh_expires_in) (keycloak/keycloak server-spi .../models/RealmModel defaults, Admin console Sessions and Tokens tabs)',
  },
  // Keycloak's login theme (login.ftl): form#kc-form-login with username and password; codes live the realm's
  // "Client login timeout" (accessCodeLifespan, 60 s).
  browser: {
    formSelector: '#kc-form-login',
    usernameField: 'username',
    passwordField: 'password',
    openid: true,
    codeLifetime: 60,
  },
  deviations: [
    {
      checks: ['TE-P18'],
      applies: () => true,
      reason:
        "A Keycloak code's secret part is a random UUID (122 random bits); its other parts, the user session and the client's id, are no secret",
      source:
        'keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/OIDCLoginProtocol.java (authenticated)',
    },
    {
      // Keycloak 24 (PR #26808) refuses a verifier for a code requested without a challenge; 23 and older accept it.
      checks: ['TE-P13'],
      applies: ({ response, preset }) => response.status === 200 && preset !== 'current',
      reason:
        'Keycloak up to 23 accepts a code_verifier for a code requested without a code_challenge (the PKCE downgrade check arrived in 24.0)',
      source:
        'keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/utils/PkceUtils.java (24.0, PR #26808)',
    },
    {
      // An unknown scope at the authorization endpoint was invalid_request until 13.0 (commit d4a36d0d9c).
      checks: ['TE-P6'],
      applies: ({ response, variant, preset }) =>
        variant === 'invalid-scope' &&
        preset === 'legacy' &&
        /[?&#]error=invalid_request(&|$)/.test(response.headers.location?.[0] ?? ''),
      reason:
        'Keycloak up to 12 answers an unknown scope at the authorization endpoint with invalid_request, not invalid_scope',
      source:
        'keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/endpoints/AuthorizationEndpointChecker.java (checkValidScope; invalid_scope from 13.0)',
    },
    {
      checks: ['TE-G10'],
      applies: ({ response, body }) =>
        response.status === 200 && typeof (body as Record<string, unknown> | undefined)?.scope === 'string',
      reason:
        "Keycloak builds a refresh's new refresh token from its new access token, so after a narrowed refresh the refresh token keeps the narrowed scope, not the original one",
      source:
        'keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/TokenManager.java (AccessTokenResponseBuilder.generateRefreshToken: new RefreshToken(accessToken))',
    },
    {
      checks: ['TE-B4', 'TE-F2', 'TE-G6', 'TE-I6'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'unauthorized_client',
      reason: 'Keycloak (>= 20) answers a confidential client without a secret with 401 unauthorized_client',
      source:
        'keycloak/keycloak services/.../authentication/authenticators/client/ClientIdAndSecretAuthenticator.java; AuthenticationProcessor.java',
    },
    {
      checks: ['TE-E3'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'invalid_grant',
      reason: 'Keycloak answers wrong user credentials with 401 invalid_grant "Invalid user credentials"',
      source: 'keycloak/keycloak services/.../authenticators/directgrant/ValidatePassword.java',
    },
    {
      checks: ['TE-E2'],
      // Each case its own answer: a missing username is never invalid_grant, a missing password never invalid_request.
      applies: ({ response, body, variant }) =>
        response.status === 401 &&
        errorCode(body) ===
          (variant === 'missing-username'
            ? 'invalid_request'
            : variant === 'missing-password'
              ? 'invalid_grant'
              : undefined),
      reason:
        'Keycloak answers a missing username with 401 invalid_request "Missing parameter: username", and a missing password like a wrong one (401 invalid_grant "Invalid user credentials")',
      source: 'keycloak/keycloak services/.../authenticators/directgrant/ValidateUsername.java; ValidatePassword.java',
    },
    {
      checks: ['TE-B5'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'unauthorized_client',
      reason: 'Keycloak (>= 20) answers a wrong client secret with 401 unauthorized_client',
      source:
        'keycloak/keycloak services/.../authentication/AuthenticationProcessor.java (reportFailedAuth); issue #16923',
    },
    {
      checks: ['TE-B13'],
      applies: ({ response, body }) =>
        response.status === 401 &&
        errorCode(body) === 'unauthorized_client' &&
        header(response, 'www-authenticate') === undefined,
      reason:
        'Keycloak sends its 401 unauthorized_client for a wrong client secret without a WWW-Authenticate challenge',
      source:
        'keycloak/keycloak services/.../authentication/AuthenticationProcessor.java (reportFailedAuth); issue #16923',
    },
    {
      checks: ['TE-E6', 'TE-D1'],
      applies: ({ response, body }) =>
        response.status === 401 &&
        errorCode(body) === 'unauthorized_client' &&
        (body as Record<string, unknown>).error_description === 'Client not enabled to retrieve service account',
      reason:
        'Keycloak answers client_credentials by a client without a service account with 401 unauthorized_client "Client not enabled to retrieve service account"',
      source:
        'keycloak/keycloak services/.../protocol/oidc/grants/ClientCredentialsGrantType.java (Response.Status.UNAUTHORIZED)',
    },
    {
      checks: ['TE-B11'],
      applies: ({ response, body }) => response.status === 400 && errorCode(body) === 'unauthorized_client',
      reason:
        'Keycloak (<= 19) answers a request naming no client with 400 unauthorized_client "UNKNOWN_CLIENT: Client was not identified by any client authenticator"',
      source:
        'keycloak/keycloak services/.../authentication/AuthenticationProcessor.java (authenticateClient: no authenticator identified the client)',
    },
    {
      checks: ['TE-B6'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'unauthorized_client',
      reason: 'Keycloak (>= 20) answers a wrong client secret with 401 unauthorized_client',
      source: 'keycloak/keycloak services/.../authentication/AuthenticationProcessor.java (reportFailedAuth)',
    },
    {
      checks: ['TE-D1'],
      applies: ({ response, body }) =>
        response.status === 401 &&
        ['invalid_grant', 'invalid_request', 'unauthorized_client'].includes(errorCode(body) ?? ''),
      reason: 'Keycloak answers failed direct-grant authentication and client authentication with 401',
      source:
        'keycloak/keycloak services/.../authenticators/directgrant/ValidatePassword.java; AuthenticationProcessor.java',
    },
    {
      checks: ['TE-D1'],
      applies: ({ response, body }) =>
        response.status === 403 && ['access_denied', 'invalid_request'].includes(errorCode(body) ?? ''),
      reason: 'Keycloak refuses a disabled realm or plain HTTP with 403',
      source: 'keycloak/keycloak services/.../protocol/oidc/endpoints/TokenEndpoint.java (checkSsl, checkRealm)',
    },
    {
      checks: ['TE-D3'],
      applies: ({ body }) => ['not_allowed', 'access_denied'].includes(errorCode(body) ?? ''),
      reason: 'Keycloak uses not_allowed (offline tokens refused) and access_denied (realm disabled)',
      source: 'keycloak/keycloak services/.../protocol/oidc/TokenManager.java; TokenEndpoint.java',
    },
  ],
};
