/**
 * The portal's wire shapes (Django + django-oauth-toolkit + oauthlib): its headers, its error body, its token answer
 * and DOT's client authentication. Sources: jazzband/django-oauth-toolkit oauth2_provider/oauth2_validators.py,
 * oauthlib/oauthlib oauthlib/oauth2/rfc6749/{errors.py,tokens.py}.
 */
import { serialize } from '../core/json.js';
import type { ClientRecord, MockContext } from '../core/flavour.js';
import { basicCredentials, header, type MockRequest, type MockResponse } from '../core/http.js';
import type { Params } from '../core/form.js';
import { TokenError as TokenErrorClass, type TokenError, type TokenRequest } from '../core/token-endpoint.js';

/** Headers Django's middleware puts on every answer of the portal (SecurityMiddleware, OAuth2TokenMiddleware's Vary). */
export const DJANGO_HEADERS = {
  Vary: 'Authorization',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
/** oauthlib GrantTypeBase._get_default_headers. */
export const TOKEN_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const json = (value: unknown) => serialize(value, 'python');

export function oauthError(
  status: number,
  error: string,
  description?: string,
  extraHeaders: Record<string, string> = {},
): MockResponse {
  const body: Record<string, string> = { error };
  if (description) body.error_description = description;
  return { status, headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS, ...extraHeaders }, body: json(body) };
}

/** oauthlib InvalidClientError: 401 with a Bearer challenge, even when the client used Basic (errors.py). */
export const invalidClient = () =>
  oauthError(401, 'invalid_client', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_client"' });

export const html = (status: number, body: string, extra: Record<string, string> = {}): MockResponse => ({
  status,
  headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS, ...extra },
  body,
});

/** Django's 404 page with DEBUG off (django/views/defaults.py page_not_found). */
export const djangoNotFound = () =>
  html(404, '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>');

export const ALL_SCOPES = ['user:info'];

/**
 * django-oauth-toolkit's OAuth2Validator client authentication: Basic first (unquote_plus of id and secret),
 * then body client_id + client_secret; a public client is identified by client_id alone.
 * Returns the client, or undefined for invalid_client.
 */
export function authenticateClient(
  ctx: MockContext,
  req: MockRequest,
  body: Params,
  alwaysAuthenticate: boolean,
): { client?: ClientRecord; auth: 'basic' | 'post' | 'none' } {
  const authz = header(req, 'authorization') ?? '';
  if (authz.startsWith('Basic ')) {
    const creds = basicCredentials(req, !ctx.config.plantedDeviations.noBasicDecoding);
    if (!creds || creds === 'malformed') return { auth: 'basic' };
    const client = ctx.clients.get(creds.id);
    return { client: client?.enabled && client.clientSecret === creds.secret ? client : undefined, auth: 'basic' };
  }
  const clientId = body.last('client_id');
  const secret = body.last('client_secret');
  if (clientId && secret) {
    const client = ctx.clients.get(clientId);
    return { client: client?.enabled && client.clientSecret === secret ? client : undefined, auth: 'post' };
  }
  const client = clientId ? ctx.clients.get(clientId) : undefined;
  // client_authentication_required: True for an unknown or confidential client, or when the grant always authenticates.
  if (!client?.enabled || !client.public || alwaysAuthenticate) return { auth: 'none' };
  return { client, auth: 'none' };
}

export function tokenBody(access: string, expiresIn: number, scope: string[], refresh?: string): string {
  // oauthlib BearerToken.create_token: access_token, expires_in, token_type, scope, refresh_token.
  return json({
    access_token: access,
    expires_in: expiresIn,
    token_type: 'Bearer',
    ...(scope.length ? { scope: scope.join(' ') } : {}),
    ...(refresh ? { refresh_token: refresh } : {}),
  });
}

export function scopesOf(requested: string | undefined): string[] | 'invalid' {
  if (!requested) return ALL_SCOPES; // DEFAULT_SCOPES ["__all__"]
  const list = requested.split(' ').filter(Boolean);
  return list.every((s) => ALL_SCOPES.includes(s)) ? list : 'invalid';
}

/** The token endpoint's one error path: a TokenError as oauthlib renders it ({ headers } in its details). */
export const renderTokenError = (e: TokenError): MockResponse =>
  oauthError(
    e.status,
    e.error,
    e.description || undefined,
    (e.details.headers as Record<string, string> | undefined) ?? {},
  );

/** oauthlib's InvalidClientError as a refusal. */
export const invalidClientError = () =>
  new TokenErrorClass(401, 'invalid_client', '', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_client"' } });

/**
 * A grant's own client authentication (oauthlib: each grant type authenticates the client, in its own order); the
 * journal note names the client and how it authenticated, or the client_id the body gave.
 */
export function authenticateFor(ctx: MockContext, t: TokenRequest<unknown>, alwaysAuthenticate: boolean): ClientRecord {
  const { client, auth } = authenticateClient(ctx, t.req, t.params, alwaysAuthenticate);
  t.note.clientAuth = auth;
  if (!client) throw invalidClientError();
  t.note.clientId = client.clientId;
  return client;
}

/** A token answer with Django's headers. */
export const issuedAnswer = (body: string): MockResponse => ({
  status: 200,
  headers: { ...TOKEN_HEADERS, ...DJANGO_HEADERS },
  body,
});
