/**
 * The Educates training portal's OAuth2 endpoints: Django + django-oauth-toolkit 2.3 + oauthlib 3.2.
 * Behaviour read from:
 *   jazzband/django-oauth-toolkit oauth2_provider/oauth2_validators.py (client auth, refresh, revoke),
 *   oauthlib/oauthlib oauthlib/oauth2/rfc6749/{errors.py,tokens.py,endpoints/base.py,grant_types/*.py},
 *   educates/educates-training-platform training-portal/src/project/{settings.py,urls.py}.
 */
import { descriptor } from '../../src/flavours/portal.js';
import { alphanumericToken } from '../core/random.js';
import type { FlavourMock, MockContext, MockConfigPatch } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { formOf, Params, type MockRequest, type MockResponse } from '../core/http.js';
import { CODE_LIFETIME, portalBrowser } from './browser.js';
import { portalTokenEndpoint } from './token.js';
import { portalWorkshops } from './workshops.js';
import { authenticateClient, DJANGO_HEADERS, djangoNotFound, html, invalidClient, json, oauthError } from './wire.js';

// Educates' robot account as the portal's provider document shows it (docs/flavours.md): the document's own curl works as written.
const ROBOT_CLIENT = {
  clientId: 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1',
  clientSecret: 't5IfXbGZQThAKR43apoc9usOFVDv2BLE',
  grants: ['password', 'refresh_token'],
  scopes: ['user:info'],
};
// Two workshop sessions' applications as Educates registers them (manager/sessions.py): public, authorization code, no
// consent (skip_authorization), its redirect URI the session's oauth_callback; the gateway sends no PKCE.
const sessionClient = (session: string) => ({
  clientId: session,
  public: true,
  // DOT lets an authorization-code application refresh (oauth2_validators.py GRANT_TYPE_MAPPING["refresh_token"]).
  grants: ['authorization_code', 'refresh_token'],
  scopes: ['user:info'],
  redirectUris: [`https://${session}.workshops.example.test/oauth_callback`],
  skipConsent: true,
});
const SESSION_CLIENTS = [sessionClient('educates-lab-w01-s001'), sessionClient('educates-lab-w01-s002')];
const USERS = [
  { username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5', groups: ['robots'] },
  { username: 'learningcenter', password: '0kGmMlYw46BZT2vCntyrRuFf1gQq5ohi', groups: ['admins'] },
];

const presets: Record<string, MockConfigPatch> = {
  // Educates: the robot Application is client_type "public" (manager/portal.py), ACCESS_TOKEN_EXPIRE_SECONDS 36000,
  // refresh tokens deleted by the hourly clear_expired 30 days after their access token expired; DOT defaults
  // ROTATE_REFRESH_TOKEN=True, grace 0: a refresh revokes the old refresh token and deletes the old access token.
  educates: {
    clients: [{ ...ROBOT_CLIENT, public: true }, ...SESSION_CLIENTS],
    users: USERS,
    tokens: { accessTokenLifetime: 36000, refreshTokenLifetime: 36000 + 2592000 },
    refresh: {
      rotate: true,
      revokeOldRefreshToken: true,
      revokeOldAccessToken: true,
      graceSeconds: 0,
      maxReuse: 0,
      scopeAfterNarrowing: 'narrowed',
    },
  },
  confidential: {
    clients: [{ ...ROBOT_CLIENT, public: false }, ...SESSION_CLIENTS],
    users: USERS,
    tokens: { accessTokenLifetime: 36000, refreshTokenLifetime: 36000 + 2592000 },
    refresh: {
      rotate: true,
      revokeOldRefreshToken: true,
      revokeOldAccessToken: true,
      graceSeconds: 0,
      maxReuse: 0,
      scopeAfterNarrowing: 'narrowed',
    },
  },
};

function create(ctx: MockContext) {
  const browser = portalBrowser(ctx);
  const workshops = portalWorkshops(ctx);
  const revoke = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method === 'OPTIONS') return html(200, '', { Allow: 'POST, OPTIONS' });
    if (req.method !== 'POST') return html(405, '', { Allow: 'POST, OPTIONS' });
    if (req.bodyTooLarge) return html(400, '<h1>Bad Request (400)</h1>');
    if (req.rawQuery !== '')
      return {
        status: 400,
        headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS },
        body: json({ error: 'invalid_request', error_description: 'URL query parameters are not allowed' }),
      };
    const body = new Params(formOf(req, 'keep-literal').pairs);
    const { client, auth } = authenticateClient(ctx, req, body, false);
    if (!client) return { ...invalidClient(), note: { clientAuth: auth } };
    const value = body.last('token');
    if (!value) return oauthError(400, 'invalid_request', 'Missing token parameter.');
    // oauthlib raises unsupported_token_type only for a valid type it does not support (both are supported here);
    // any other hint is ignored (oauthlib/oauth2/rfc6749/endpoints/base.py _raise_on_unsupported_token).
    // DOT revoke_token: the hinted type first, then the other; revoking a refresh token deletes its access token.
    // A token of another application is left alone (oauthlib checks ownership) and the answer is still 200.
    const a = await ctx.grants.store.live('access', value);
    if (a && a.clientId === client.clientId) await ctx.grants.revokeAccess(value);
    const r = await ctx.grants.store.live('refresh', value);
    if (r && r.clientId === client.clientId) await ctx.grants.revokeRefresh(value);
    return { ...html(200, ''), note: { clientId: client.clientId, clientAuth: auth } };
  };

  return {
    routes: [
      pathRoute('token', descriptor.tokenPath, portalTokenEndpoint(ctx)),
      pathRoute('revoke', descriptor.revocationPath!, revoke),
      pathRoute('resource', descriptor.resource!.path, workshops.catalog),
      pathRoute('environment-status', '/workshops/environment/{name}/status/', workshops.status),
      pathRoute('environment-request', '/workshops/environment/{name}/request/', workshops.request),
      pathRoute('session-activate', '/workshops/session/{name}/activate/', workshops.activate),
      pathRoute('session-schedule', '/workshops/session/{name}/schedule/', workshops.schedule),
      pathRoute('session-terminate', '/workshops/session/{name}/terminate/', workshops.terminate),
      pathRoute('authorization', descriptor.configPaths.authorization!, browser.authorize),
      pathRoute('login', '/accounts/login/', browser.login),
      pathRoute('logout', '/accounts/logout/', browser.logout),
      // APPEND_SLASH: /oauth2/token -> 301 /oauth2/token/ (CommonMiddleware).
      pathRoute('redirect', '/oauth2/token', (req) =>
        html(301, '', { Location: `/oauth2/token/${req.rawQuery ? `?${req.rawQuery}` : ''}` }),
      ),
    ],
    notFound: djangoNotFound,
    // Django's default 400 page (django/views/defaults.py bad_request).
    headersTooLarge: () => html(400, '<h1>Bad Request (400)</h1>'),
    errorResponse: (status: number, code: string, description: string) => oauthError(status, code, description),
  };
}

export const mock: FlavourMock = {
  descriptor,
  sectionDefaults: {
    catalogVisibility: 'private',
    // One environment of three sessions, as a TrainingPortal with `capacity: 3` and one workshop deploys it.
    environments: [
      {
        name: 'educates-lab-w01',
        workshop: {
          name: 'lab-k8s-fundamentals',
          title: 'Kubernetes Fundamentals',
          description: 'Workshop on getting started with Kubernetes',
        },
        capacity: 3,
        reserved: 0,
        duration: 1800,
      },
    ],
  },
  presets,
  defaultPreset: 'educates',
  sharesStore: true,
  tokens: { access: () => alphanumericToken(30), refresh: () => alphanumericToken(30) },
  create,
  endpoints: (_config, base) => ({
    token: base + descriptor.tokenPath,
    revocation: base + descriptor.revocationPath!,
    resource: base + descriptor.resource!.path,
    authorization: base + descriptor.configPaths.authorization!,
  }),
  describe: () => ({ codeLifetime: CODE_LIFETIME }),
};
