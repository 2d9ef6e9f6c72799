/**
 * The Educates training portal's OAuth2 endpoints: Django + django-oauth-toolkit 2.3 + oauthlib 3.2.
 * Behaviour from reference/flavours.md §2, read from:
 *   jazzband/django-oauth-toolkit oauth2_provider/oauth2_validators.py (client auth, refresh, revoke),
 *   oauthlib/oauthlib oauthlib/oauth2/rfc6749/{errors.py,tokens.py,endpoints/base.py,grant_types/*.py},
 *   educates/educates-training-platform training-portal/src/project/{settings.py,urls.py}.
 */
import { descriptor } from '../../src/flavours/portal.js';
import { serialize } from '../core/json.js';
import { alphanumericToken } from '../core/random.js';
import type { ClientRecord, FlavourMock, MockContext, MockConfigPatch } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { basicCredentials, bearerToken, formOf, header, Params, type MockRequest, type MockResponse } from '../core/http.js';
import { passwordMatches } from '../core/passwords.js';

/** Headers Django's middleware puts on every answer of the portal (SecurityMiddleware, OAuth2TokenMiddleware's Vary). */
const DJANGO_HEADERS = { Vary: 'Authorization', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'Cross-Origin-Opener-Policy': 'same-origin' };
/** oauthlib GrantTypeBase._get_default_headers. */
const TOKEN_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const json = (value: unknown) => serialize(value, 'python');

function oauthError(status: number, error: string, description?: string, extraHeaders: Record<string, string> = {}): MockResponse {
  const body: Record<string, string> = { error };
  if (description) body.error_description = description;
  return { status, headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS, ...extraHeaders }, body: json(body) };
}

/** oauthlib InvalidClientError: 401 with a Bearer challenge, even when the client used Basic (errors.py). */
const invalidClient = () => oauthError(401, 'invalid_client', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_client"' });

const html = (status: number, body: string, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS, ...extra },
  body,
});

// Educates' robot account as the provider document shows it (seeds/000): the document's own curl works as written.
const ROBOT_CLIENT = { clientId: 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1', clientSecret: 't5IfXbGZQThAKR43apoc9usOFVDv2BLE', grants: ['password', 'refresh_token'], scopes: ['user:info'] };
const USERS = [
  { username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5', groups: ['robots'] },
  { username: 'learningcenter', password: '0kGmMlYw46BZT2vCntyrRuFf1gQq5ohi', groups: ['admins'] },
];

const presets: Record<string, MockConfigPatch> = {
  // Educates: the robot Application is client_type "public" (manager/portal.py), ACCESS_TOKEN_EXPIRE_SECONDS 36000,
  // refresh tokens deleted by the hourly clear_expired 30 days after their access token expired; DOT defaults
  // ROTATE_REFRESH_TOKEN=True, grace 0: a refresh revokes the old refresh token and deletes the old access token.
  educates: {
    clients: [{ ...ROBOT_CLIENT, public: true }],
    users: USERS,
    tokens: { accessTokenLifetime: 36000, refreshTokenLifetime: 36000 + 2592000 },
    refresh: { rotate: true, revokeOldRefreshToken: true, revokeOldAccessToken: true, graceSeconds: 0, maxReuse: 0, scopeAfterNarrowing: 'narrowed' },
  },
  confidential: {
    clients: [{ ...ROBOT_CLIENT, public: false }],
    users: USERS,
    tokens: { accessTokenLifetime: 36000, refreshTokenLifetime: 36000 + 2592000 },
    refresh: { rotate: true, revokeOldRefreshToken: true, revokeOldAccessToken: true, graceSeconds: 0, maxReuse: 0, scopeAfterNarrowing: 'narrowed' },
  },
};

const ALL_SCOPES = ['user:info'];

/**
 * django-oauth-toolkit's OAuth2Validator client authentication: Basic first (unquote_plus of id and secret),
 * then body client_id + client_secret; a public client is identified by client_id alone.
 * Returns the client, or undefined for invalid_client.
 */
function authenticateClient(ctx: MockContext, req: MockRequest, body: Params, alwaysAuthenticate: boolean): { client?: ClientRecord; auth: 'basic' | 'post' | 'none' } {
  const authz = header(req, 'authorization') ?? '';
  if (authz.startsWith('Basic ')) {
    const creds = basicCredentials(req, !ctx.config.plantedDeviations.noBasicDecoding);
    if (!creds || creds === 'malformed') return { auth: 'basic' };
    const client = ctx.clients.get(creds.id);
    return { client: client && client.enabled && client.clientSecret === creds.secret ? client : undefined, auth: 'basic' };
  }
  const clientId = body.last('client_id');
  const secret = body.last('client_secret');
  if (clientId && secret) {
    const client = ctx.clients.get(clientId);
    return { client: client && client.enabled && client.clientSecret === secret ? client : undefined, auth: 'post' };
  }
  const client = clientId ? ctx.clients.get(clientId) : undefined;
  // client_authentication_required: True for an unknown or confidential client, or when the grant always authenticates.
  if (!client || !client.enabled || !client.public || alwaysAuthenticate) return { auth: 'none' };
  return { client, auth: 'none' };
}

function tokenBody(access: string, expiresIn: number, scope: string[], refresh?: string): string {
  // oauthlib BearerToken.create_token: access_token, expires_in, token_type, scope, refresh_token.
  return json({ access_token: access, expires_in: expiresIn, token_type: 'Bearer', ...(scope.length ? { scope: scope.join(' ') } : {}), ...(refresh ? { refresh_token: refresh } : {}) });
}

function scopesOf(requested: string | undefined): string[] | 'invalid' {
  if (!requested) return ALL_SCOPES; // DEFAULT_SCOPES ["__all__"]
  const list = requested.split(' ').filter(Boolean);
  return list.every((s) => ALL_SCOPES.includes(s)) ? list : 'invalid';
}

function create(ctx: MockContext) {
  const expiresIn = ctx.config.tokens.accessTokenLifetime;

  const token = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method === 'OPTIONS') return html(200, '', { Allow: 'POST, OPTIONS' });
    // Django's View dispatch: anything but POST/OPTIONS is 405 with an empty body.
    if (req.method !== 'POST') return html(405, '', { Allow: 'POST, OPTIONS' });
    // Django refuses a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE with its 400 page (RequestDataTooBig).
    if (req.bodyTooLarge) return html(400, '<h1>Bad Request (400)</h1>');
    // oauthlib endpoint-level check, before any grant: no query string on a POST (endpoints/base.py).
    if (req.rawQuery !== '') return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS }, body: json({ error: 'invalid_request', error_description: 'URL query parameters are not allowed' }) };
    // Django parses only form bodies into request.POST (python's lenient decoding) and keeps the LAST of repeated names.
    const body = new Params(formOf(req, 'keep-literal').pairs);
    const grantType = body.last('grant_type');
    const note = { grantType, clientId: body.last('client_id') };
    const withNote = (r: MockResponse, auth?: 'basic' | 'post' | 'none', clientId?: string): MockResponse => {
      r.note = { grantType, clientId: clientId ?? note.clientId, clientAuth: auth };
      return r;
    };

    if (grantType === 'password') {
      const { client, auth } = authenticateClient(ctx, req, body, false);
      if (!client) return withNote(invalidClient(), auth);
      for (const p of ['username', 'password']) if (!body.last(p)) return withNote(oauthError(400, 'invalid_request', `Request is missing ${p} parameter.`), auth, client.clientId);
      const user = ctx.users.get(body.last('username')!);
      if (!user || !user.enabled || !passwordMatches(user, body.last('password'))) return withNote(oauthError(400, 'invalid_grant', 'Invalid credentials given.'), auth, client.clientId);
      if (!client.grants.includes('password')) return withNote(oauthError(400, 'unauthorized_client'), auth, client.clientId);
      const scope = scopesOf(body.last('scope'));
      if (scope === 'invalid') return withNote(oauthError(400, 'invalid_scope'), auth, client.clientId);
      const issued = await ctx.grants.issue({ clientId: client.clientId, username: user.username, scope, withRefresh: true });
      return withNote({ status: 200, headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS }, body: tokenBody(issued.access.value, expiresIn, scope, issued.refresh?.value) }, auth, client.clientId);
    }

    if (grantType === 'refresh_token') {
      // refresh_token.py: presence first (None only: an empty value goes on and fails as invalid_grant), then the client.
      const presented = body.last('refresh_token');
      if (presented === undefined) return withNote(oauthError(400, 'invalid_request', 'Missing refresh token parameter.'));
      const { client, auth } = authenticateClient(ctx, req, body, false);
      if (!client) return withNote(invalidClient(), auth);
      if (!client.grants.includes('refresh_token')) return withNote(oauthError(400, 'unauthorized_client'), auth, client.clientId);
      const found = await ctx.grants.lookupRefresh(presented);
      // validate_refresh_token: exists, not revoked beyond the grace period, same application. DOT 2.3 checks no expiry
      // at refresh time; the refresh-token lifetime here is when Educates' hourly clear_expired deletes it.
      const usable = found.record && found.record.clientId === client.clientId && found.state === 'active';
      if (!usable) {
        if (found.record && found.state === 'superseded') await ctx.grants.onReplay(found.record);
        return withNote(oauthError(400, 'invalid_grant'), auth, client.clientId);
      }
      const record = found.record!;
      let scope = record.scope;
      const requested = body.last('scope');
      if (requested) {
        const list = requested.split(' ').filter(Boolean);
        if (!list.every((s) => record.scope.includes(s))) return withNote(oauthError(400, 'invalid_scope'), auth, client.clientId);
        scope = list;
      }
      const used = await ctx.grants.refreshGrant(record, scope);
      // Another request (on any replica) used it first and it is spent now: as if this one had come second.
      if ('lost' in used) {
        if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
        return withNote(oauthError(400, 'invalid_grant'), auth, client.clientId);
      }
      const { access, refresh } = used;
      return withNote({ status: 200, headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS }, body: tokenBody(access.value, expiresIn, scope, refresh.value) }, auth, client.clientId);
    }

    if (grantType === 'client_credentials') {
      // client_credentials.py always authenticates the client; the robot is a password-type application.
      const { client, auth } = authenticateClient(ctx, req, body, true);
      if (!client) return withNote(invalidClient(), auth);
      if (!client.grants.includes('client_credentials')) return withNote(oauthError(400, 'unauthorized_client'), auth, client.clientId);
      const scope = scopesOf(body.last('scope'));
      if (scope === 'invalid') return withNote(oauthError(400, 'invalid_scope'), auth, client.clientId);
      const issued = await ctx.grants.issue({ clientId: client.clientId, scope, withRefresh: false });
      return withNote({ status: 200, headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS }, body: tokenBody(issued.access.value, expiresIn, scope) }, auth, client.clientId);
    }

    if (grantType === 'authorization_code') {
      // The default handler: grant type check, then client, then the code (authorization_code.py).
      const { client, auth } = authenticateClient(ctx, req, body, false);
      if (!client) return withNote(invalidClient(), auth);
      if (!body.last('code')) return withNote(oauthError(400, 'invalid_request', 'Missing code parameter.'), auth, client.clientId);
      return withNote(oauthError(400, 'invalid_grant'), auth, client.clientId);
    }

    // Missing or unknown grant_type (and JSON bodies, which Django does not parse) reach the default
    // authorization_code handler, whose first check fails (token.py -> authorization_code.py).
    return withNote(oauthError(400, 'unsupported_grant_type'));
  };

  const revoke = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method === 'OPTIONS') return html(200, '', { Allow: 'POST, OPTIONS' });
    if (req.method !== 'POST') return html(405, '', { Allow: 'POST, OPTIONS' });
    if (req.bodyTooLarge) return html(400, '<h1>Bad Request (400)</h1>');
    if (req.rawQuery !== '') return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS }, body: json({ error: 'invalid_request', error_description: 'URL query parameters are not allowed' }) };
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

  /** @protected_resource(): a missing, unknown, expired or revoked token is a bare 403 (decorators.py). */
  const catalog = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return html(405, '', { Allow: 'GET, HEAD, OPTIONS' });
    const value = bearerToken(req);
    const found = value ? await ctx.grants.lookupAccess(value) : undefined;
    const authenticated = found?.state === 'active';
    if (!authenticated && (ctx.config.extra.portal as { catalogVisibility: 'private' | 'public' }).catalogVisibility !== 'public') return html(403, '');
    const environments = [
      {
        name: 'educates-lab-w01',
        state: 'RUNNING',
        workshop: { name: 'lab-k8s-fundamentals', resource: 'lab-k8s-fundamentals', title: 'Kubernetes Fundamentals', description: 'Workshop on getting started with Kubernetes', vendor: '', authors: [], difficulty: '', duration: '', tags: [], labels: {}, logo: '', url: '' },
        duration: 1800,
        capacity: 3,
        reserved: 0,
        allocated: 0,
        available: 3,
        ...(authenticated ? { sessions: [] } : {}),
      },
    ];
    const body = { portal: { name: 'learningcenter', labels: {}, uid: '2b3c4d5e-0000-4000-8000-000000000001', generation: 1, url: ctx.baseUrl, sessions: { maximum: 0, registered: 0, anonymous: 0, allocated: 0 } }, environments };
    return { status: 200, headers: { 'Content-Type': 'application/json', ...DJANGO_HEADERS }, body: json(body) };
  };

  return {
    routes: [
      pathRoute('token', descriptor.tokenPath, token),
      pathRoute('revoke', descriptor.revocationPath!, revoke),
      pathRoute('resource', descriptor.resource!.path, catalog),
      // APPEND_SLASH: /oauth2/token -> 301 /oauth2/token/ (CommonMiddleware).
      pathRoute('redirect', '/oauth2/token', (req) => html(301, '', { Location: `/oauth2/token/${req.rawQuery ? `?${req.rawQuery}` : ''}` })),
    ],
    notFound: () => html(404, '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>'),
    // Django's default 400 page (django/views/defaults.py bad_request).
    headersTooLarge: () => html(400, '<h1>Bad Request (400)</h1>'),
    errorResponse: (status: number, code: string, description: string) => oauthError(status, code, description),
  };
}

export const mock: FlavourMock = {
  descriptor,
  sectionDefaults: { catalogVisibility: 'private' },
  presets,
  defaultPreset: 'educates',
  sharesStore: true,
  tokens: { access: () => alphanumericToken(30), refresh: () => alphanumericToken(30) },
  create,
  endpoints: (_config, base) => ({ token: base + descriptor.tokenPath, revocation: base + descriptor.revocationPath!, resource: base + descriptor.resource!.path }),
};
