/** The Keycloak mock's presets: Keycloak versions, and the two realms of the provider documents. */
import type { MockConfigPatch } from '../core/flavour.js';
import type { RealmConfig, Settings } from './model.js';

// The User Session Count Limiter (reference: keycloak/keycloak services/.../authenticators/sessionlimits/
// UserSessionLimitsAuthenticator.java) arrived in Keycloak 17; its direct-grant deny was a 500 unknown_error until
// the JSON error handler of Keycloak 23 (PR #22006) made it a 403. No preset turns it on: a realm configures it.
export const VERSION_SETTINGS: Record<
  string,
  Omit<
    Settings,
    'realms' | 'technicalUsers' | 'signingKey' | 'alsoServe' | 'maxSessions' | 'realmImports' | 'importPasswords'
  >
> = {
  legacy: {
    relativePath: '/auth',
    tokenType: 'bearer',
    refreshAlg: 'HS256',
    sessionStateClaim: true,
    sidClaim: false,
    clientErrors: 'legacy',
    clientCredentialsRefresh: true,
    issuerErrorDetail: false,
    logoutWithoutRefreshToken: 'invalid_request',
    sessionLimitDeny: 'no-limiter',
    authorizationResponseIss: false,
    pkceDowngrade: 'accept',
    authorizeScopeError: 'invalid_request',
    loginButton: 'Log In',
    browserLogout: 'redirect-uri',
  },
  'v12-23': {
    relativePath: '/auth',
    tokenType: 'Bearer',
    refreshAlg: 'HS256',
    sessionStateClaim: true,
    sidClaim: true,
    clientErrors: 'v20',
    clientCredentialsRefresh: false,
    issuerErrorDetail: false,
    logoutWithoutRefreshToken: 'rp-initiated',
    sessionLimitDeny: 'unknown-error-500',
    // iss (RFC 9207) arrived in 23.0 and the PKCE downgrade refusal in 24.0: most of this range has neither.
    authorizationResponseIss: false,
    pkceDowngrade: 'accept',
    authorizeScopeError: 'invalid_scope',
    loginButton: 'Sign In',
    browserLogout: 'client-id',
  },
  current: {
    relativePath: '',
    tokenType: 'Bearer',
    refreshAlg: 'HS512',
    sessionStateClaim: false,
    sidClaim: true,
    clientErrors: 'v20',
    clientCredentialsRefresh: false,
    issuerErrorDetail: true,
    logoutWithoutRefreshToken: 'rp-initiated',
    sessionLimitDeny: 'json-403',
    authorizationResponseIss: true,
    pkceDowngrade: 'reject',
    authorizeScopeError: 'invalid_scope',
    loginButton: 'Sign In',
    browserLogout: 'client-id',
  },
};

/** The two realms of the provider documents: the OCP IAM's and the developer portal's (docs/flavours.md). */
export const DOCUMENT_REALMS: RealmConfig[] = [
  {
    name: 'master',
    accessTokenLifespan: 300,
    ssoSessionIdleTimeout: 1800,
    ssoSessionMaxLifespan: 36000,
    clients: [
      // The document's response says "bearer" and scope "openid" without asking for it: the lower-case switch and an openid default scope.
      {
        clientId: 'ocp',
        public: true,
        grants: ['password', 'refresh_token', 'authorization_code'],
        // The OpenShift console's OAuth callback; a public client, so PKCE with S256 is required of it.
        redirectUris: ['https://console-openshift-console.apps.ocp.example.test/auth/callback'],
        pkceMethod: 'S256',
        scopes: ['openid'],
        lowerCaseBearer: true,
      },
      {
        clientId: 'conformance-service',
        clientSecret: 'conformance-service-secret',
        grants: ['client_credentials'],
        scopes: ['profile', 'email'],
      },
      // The admin console's and kcadm's client: public, the password grant of the master realm's admins (the admin API).
      { clientId: 'admin-cli', public: true, grants: ['password'], scopes: [] },
      {
        clientId: 'conformance-app',
        clientSecret: 'conformance-app-secret',
        grants: ['password', 'refresh_token', 'authorization_code'],
        redirectUris: ['https://app.example.test/callback'],
        scopes: ['profile', 'email'],
        offlineAllowed: true,
      },
    ],
    users: [
      {
        username: 'ocp-user',
        password: 'ocp-password',
        email: 'ocp-user@example.com',
        firstName: 'Olga',
        lastName: 'Operator',
      },
      {
        username: 'qa-bot',
        password: 'qa-bot-password',
        email: 'qa-bot@example.com',
        firstName: 'QA',
        lastName: 'Bot',
      },
      // The bootstrap admin (KEYCLOAK_ADMIN / KC_BOOTSTRAP_ADMIN_USERNAME in a dev container): the admin API's user.
      { username: 'admin', password: 'keycloak-admin-password', realmRoles: ['admin'] },
    ],
  },
  {
    name: 'wallis',
    accessTokenLifespan: 7200,
    ssoSessionIdleTimeout: 1800,
    ssoSessionMaxLifespan: 36000,
    clients: [],
    users: [],
  },
];

/**
 * The OCP IAM document's environment, one of those "with the five-sessions limit": Keycloak >= 23 served under /auth, whose ocp
 * client's direct-grant flow carries the limiter (a per-client flow override, so that the conformance clients of
 * the realm are not limited by it) and denies the sixth session with 403.
 */
const OCP_IAM_REALMS: RealmConfig[] = DOCUMENT_REALMS.map((r) =>
  r.name === 'master' ? { ...r, sessionLimit: { realmLimit: 5, behavior: 'deny', clients: ['ocp'] } } : r,
);

const DEPLOYMENTS: Record<string, { settings: (typeof VERSION_SETTINGS)[string]; realms: RealmConfig[] }> = {
  ...Object.fromEntries(
    Object.entries(VERSION_SETTINGS).map(([name, settings]) => [name, { settings, realms: DOCUMENT_REALMS }]),
  ),
  'ocp-iam': { settings: { ...VERSION_SETTINGS['v12-23']!, sessionLimitDeny: 'json-403' }, realms: OCP_IAM_REALMS },
};

/**
 * The OCP IAM document shows both layouts: its "HTTP Request" section posts to /realms/master/... (the server root)
 * while its curl uses /auth/realms/master/...: the ocp-iam preset serves both (iss follows the base in use).
 */
const ALSO_SERVE: Record<string, ('' | '/auth')[]> = { 'ocp-iam': [''] };

export const presets: Record<string, MockConfigPatch> = Object.fromEntries(
  Object.entries(DEPLOYMENTS).map(([name, { settings, realms }]) => [
    name,
    {
      keycloak: {
        ...settings,
        ...(ALSO_SERVE[name] ? { alsoServe: ALSO_SERVE[name] } : {}),
        realms,
        // The developer portal's technical user, with the developer portal document's client id and secret.
        technicalUsers: [
          {
            realm: 'wallis',
            name: 'Beispiel-Nutzer',
            clientId: '2ce233b7-9349-44d9-8e38-0a88090115d5',
            clientSecret: 'asQx6IsK7hGGaUQIpE7bWEEjr72CGML9',
            userId: '3779eeb7-f9e2-4e6d-88e4-e0ef1ee874a0',
          },
        ],
      },
    },
  ]),
);
