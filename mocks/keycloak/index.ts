/**
 * Keycloak's OpenID Connect endpoints, version by version (presets legacy, v12-23, current).
 * Behaviour read from keycloak/keycloak:
 *   services/.../protocol/oidc/endpoints/{TokenEndpoint,LogoutEndpoint,UserInfoEndpoint}.java,
 *   services/.../protocol/oidc/TokenManager.java (refresh validation, token reuse, AccessTokenResponseBuilder),
 *   services/.../authentication/authenticators/client/ClientIdAndSecretAuthenticator.java,
 *   services/.../authentication/authenticators/directgrant/{ValidateUsername,ValidatePassword}.java,
 *   services/.../authentication/authenticators/sessionlimits/UserSessionLimitsAuthenticator.java,
 *   core/.../representations/AccessTokenResponse.java.
 */
import { randomUUID } from 'node:crypto';
import { descriptor } from '../../src/flavours/keycloak.js';
import type { MockDescription, FlavourMock, MockContext } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { keycloakAuthorizationEndpoint } from './browser/authorize.js';
import { browserState } from './browser/codes.js';
import { consentStep } from './browser/consent.js';
import { browserFlow } from './browser/flow.js';
import { keycloakLoginActions } from './browser/login-actions.js';
import { keycloakBrowserLogout } from './browser/logout.js';
import { adminRestRoute, keycloakAdminRest } from './admin-rest/index.js';
import { clientAuthentication } from './client-auth.js';
import { sessionLimiter } from './session-limit.js';
import { endpointHandlers } from './endpoints.js';
import { keycloakTokenEndpoint } from './token.js';
import { grantHandlers } from './grants.js';
import { minter } from './mint.js';
import { json, oauthError, REALM_DEFAULTS, userIdOf, type Settings } from './model.js';
import { presets } from './presets.js';
import { createState } from './state.js';
import { technicalUsers as technicalUserFactory } from './technical-users.js';

export type { KcClient, KcUser } from './model.js';

/** Endpoint paths under a realm URL: the descriptor's, which target configs read too. */
const PATHS = descriptor.configPaths;

function create(ctx: MockContext) {
  const s = createState(ctx);
  const { kc, now, rel, realms } = s;
  const tokens = minter(s);
  const auth = clientAuthentication(s);
  const codes = browserState(s);
  const flow = browserFlow(s, codes);
  const enforceSessionLimit = sessionLimiter(s);
  const grants = grantHandlers(s, codes, { ...tokens, grantedScope: auth.grantedScope });
  const { introspect, revoke, logout, certs, userinfo, discovery, liveAccessToken } = endpointHandlers(s, {
    authenticateClient: auth.authenticateClient,
    ...grants,
  });
  const { createTechnicalUser } = technicalUserFactory(s, tokens);

  const routesAt = (prefix: string) => {
    const base = `${prefix}/realms/{realm}`;
    const consent = consentStep(s, prefix, flow, codes);
    return [
      pathRoute(
        'token',
        base + PATHS.token,
        keycloakTokenEndpoint(s, prefix, { authenticateClient: auth.authenticateClient, ...grants }),
      ),
      pathRoute('introspect', `${base}/protocol/openid-connect/token/introspect`, introspect(prefix)),
      pathRoute('revocation', base + PATHS.revocation!, revoke(prefix)),
      pathRoute('logout', base + PATHS.logout!, logout(prefix, keycloakBrowserLogout(s, prefix, flow))),
      pathRoute('certs', base + PATHS.jwks!, certs),
      pathRoute('resource', base + PATHS.resource!, userinfo(prefix)),
      pathRoute('discovery', base + PATHS.discovery!, discovery(prefix)),
      pathRoute(
        'authorization',
        `${base}/protocol/openid-connect/auth`,
        keycloakAuthorizationEndpoint(s, prefix, flow, codes, enforceSessionLimit, consent),
      ),
      pathRoute(
        'login',
        `${base}/login-actions/authenticate`,
        keycloakLoginActions(s, prefix, flow, codes, enforceSessionLimit, consent),
      ),
      pathRoute('consent', `${base}/login-actions/consent`, consent.consentAction),
      adminRestRoute(prefix, keycloakAdminRest(s, prefix, liveAccessToken)),
    ];
  };
  return {
    routes: [rel, ...(kc.alsoServe ?? []).filter((p) => p !== rel)].flatMap(routesAt),
    notFound: () => json(404, { error: 'Unable to find matching target resource method' }),
    // Quarkus (Vert.x) refuses oversized headers before Keycloak: 431 with an empty body.
    headersTooLarge: () => ({ status: 431, headers: {}, body: '' }),
    errorResponse: (status: number, code: string, description: string) => oauthError(status, code, description),
    async init() {
      const technicalUsers = [];
      const notes: string[] = [...s.importNotes];
      // A preset's technical user lives in its realm: with realms configured without it, it is left out, and said so.
      for (const t of kc.technicalUsers ?? []) {
        if (realms.has(t.realm)) technicalUsers.push(await createTechnicalUser(t));
        else notes.push(`technical user "${t.name}" left out: realm "${t.realm}" is not configured (keycloak.realms)`);
      }
      // A session limit changes what logins get: said at start, whether it is on or (Keycloak <= 16) cannot be.
      for (const realm of realms.values()) {
        const limit = realm.config.sessionLimit;
        if (!limit || (!limit.realmLimit && !limit.clientLimit)) continue;
        const what = [
          limit.realmLimit ? `${limit.realmLimit} sessions per user` : '',
          limit.clientLimit ? `${limit.clientLimit} per user and client` : '',
        ]
          .filter(Boolean)
          .join(', ');
        const scope = limit.clients
          ? ` for client${limit.clients.length > 1 ? 's' : ''} ${limit.clients.join(', ')}`
          : '';
        if (kc.sessionLimitDeny === 'no-limiter')
          notes.push(
            `session limit of realm "${realm.name}" not enforced: this Keycloak version has no session limiter (added in 17)`,
          );
        else
          notes.push(
            `session limit on: realm "${realm.name}", ${what}${scope}, ${limit.behavior === 'terminate-oldest' ? 'the oldest session is ended' : `a further login is denied (${kc.sessionLimitDeny === 'json-403' ? '403' : '500 unknown_error'})`}`,
          );
      }
      return { ...(technicalUsers.length ? { technicalUsers } : {}), ...(notes.length ? { notes } : {}) };
    },
    async adminAction(action: string, body: unknown) {
      if (action === 'not-before') {
        // Push revocation: every token of the realm (or of one user or client) issued before now is stale.
        const input = (body ?? {}) as { realm?: unknown; username?: unknown; clientId?: unknown };
        const realm = realms.get(String(input.realm ?? ''));
        if (!realm)
          return {
            status: 400,
            body: {
              error: 'invalid_request',
              problems: ['give {"realm": <existing realm>[, "username" | "clientId"]}'],
            },
          };
        const at = now() + 1;
        if (typeof input.username === 'string') {
          const user = realm.users.get(input.username);
          if (!user) return { status: 404, body: { error: 'not_found' } };
          await s.sessions.setNotBefore(realm, { userId: userIdOf(realm.name, user) }, at);
        } else
          await s.sessions.setNotBefore(
            realm,
            typeof input.clientId === 'string' ? { clientId: input.clientId } : {},
            at,
          );
        return { status: 200, body: { realm: realm.name, notBefore: at } };
      }
      if (action === 'revoke-consent') {
        // The user revokes the client's consent (account console): its sessions' next refresh fails.
        const input = (body ?? {}) as { realm?: unknown; username?: unknown; clientId?: unknown };
        const realm = realms.get(String(input.realm ?? ''));
        const user = realm?.users.get(String(input.username ?? ''));
        if (!realm || !user || typeof input.clientId !== 'string')
          return {
            status: 400,
            body: { error: 'invalid_request', problems: ['give {"realm", "username", "clientId"}'] },
          };
        for (const session of await s.sessions.ofUser(realm, userIdOf(realm.name, user))) {
          if (!session.consentRevoked?.includes(input.clientId)) (session.consentRevoked ??= []).push(input.clientId);
          await s.sessions.save(realm, session);
        }
        return { status: 204, body: {} };
      }
      if (action !== 'technical-users') return { status: 404, body: { error: 'not_found' } };
      const input = body as { realm?: unknown; name?: unknown };
      if (typeof input?.realm !== 'string' || typeof input?.name !== 'string' || !realms.has(input.realm)) {
        return {
          status: 400,
          body: {
            error: 'invalid_request',
            problems: ['give {"realm": <existing realm>, "name": <technical user name>}'],
          },
        };
      }
      return { status: 201, body: await createTechnicalUser({ realm: input.realm, name: input.name }) };
    },
  };
}

export const mock: FlavourMock = {
  descriptor,
  presets,
  defaultPreset: 'v12-23',
  // The keycloak section's defaults as the mock config schema states them (a test holds the two equal).
  sectionDefaults: { signingKey: 'fixture', maxSessions: 100_000 },
  sharesStore: true,
  tokens: { access: randomUUID, refresh: randomUUID },
  create,
  cliOptions: ['technical-user', 'realm-import'],
  cliPatch: ({ realmImport }) => (realmImport?.length ? { keycloak: { realmImports: realmImport } } : {}),
  describe: (config, startup) => {
    const realm = (config.extra.keycloak as Settings).realms?.[0];
    const technical = (startup.technicalUsers as MockDescription['offlineClient'][] | undefined)?.[0];
    // Refresh rotates; with revokeRefreshToken a used one dies. A refresh never ends the old access token (TokenManager).
    return {
      refreshMode: realm?.revokeRefreshToken ? 'rotate-revoke' : 'rotate',
      refreshRevokesAccess: false,
      // The first realm's Access Token Lifespan and SSO Session Idle (refresh_expires_in), as TokenManager issues them.
      lifetimes: {
        access: realm?.accessTokenLifespan ?? REALM_DEFAULTS.accessTokenLifespan,
        refresh: realm?.ssoSessionIdleTimeout ?? REALM_DEFAULTS.ssoSessionIdleTimeout,
      },
      scope: { full: 'profile email phone', narrower: 'email' },
      openid: true,
      codeLifetime: realm?.accessCodeLifespan ?? REALM_DEFAULTS.accessCodeLifespan,
      ...(technical ? { offlineClient: technical } : {}),
    };
  },
  endpoints: (config, baseUrl) => {
    const kc = config.extra.keycloak as Settings;
    const first = kc.realms?.[0]?.name ?? 'master';
    const realmUrl = `${baseUrl}${kc.relativePath}/realms/${first}`;
    return {
      token: realmUrl + PATHS.token,
      logout: realmUrl + PATHS.logout!,
      resource: realmUrl + PATHS.resource!,
      discovery: realmUrl + PATHS.discovery!,
      jwks: realmUrl + PATHS.jwks!,
      introspection: `${realmUrl}/protocol/openid-connect/token/introspect`,
      revocation: realmUrl + PATHS.revocation!,
      authorization: realmUrl + PATHS.authorization!,
    };
  },
};
