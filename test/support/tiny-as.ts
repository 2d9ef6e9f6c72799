/**
 * A small, strict RFC 6749 / 6750 / 7009 authorization server written for the tests, so that the runner is judged on
 * a server it was not built around. Correct by default; each option gives it one behaviour a real server has (only
 * Basic at revocation, a required scope, client_credentials only, an unknown scope dropped silently, TLS with a
 * private CA, client certificates), and each `bug` plants one departure the runner must find.
 * Opaque tokens, in-memory state, node:http or node:https; nothing of the mocks' code.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TinyClient {
  id: string;
  secret?: string;
  grants: string[];
  /** Scopes it may ask for; the default scope is all of them. */
  scopes: string[];
}

export type TinyBug =
  /** A secret or password compared without case and by prefix. */
  | 'loose-secret'
  /** A request naming no client at all still gets a client_credentials-like token. */
  | 'anonymous-token'
  /** An unknown scope is granted as asked. */
  | 'scope-widening'
  /** The resource refuses the scheme written `bearer`. */
  | 'case-sensitive-bearer'
  /** A GET token request with the secret in its URI is served. */
  | 'get-with-secret'
  /** A refresh token works for any client. */
  | 'refresh-any-client'
  /** 401 invalid_client without WWW-Authenticate after Basic credentials. */
  | 'no-basic-challenge'
  /** unauthorized_client answered with 401. */
  | 'unauthorized-client-401'
  /** A challenge with an error code to a request that sent no credentials. */
  | 'error-without-credentials'
  /** Unknown scopes are dropped and the answer never states its scope. */
  | 'silent-scope-drop'
  /** A refresh ignores the scope it asks for (the original scope again). */
  | 'ignore-refresh-scope'
  /** expires_in differs from the lifetime the server is configured with (one hour more). */
  | 'wrong-expires-in';

export interface TinyOptions {
  clients?: TinyClient[];
  users?: Record<string, string>;
  /** Client authentication styles the token endpoint takes (default both; RFC 6749 §2.3.1: Basic MUST). */
  tokenAuth?: ('basic' | 'post')[];
  /** Styles the revocation endpoint takes (default: the token endpoint's). */
  revocationAuth?: ('basic' | 'post')[];
  /** A token request without scope is refused with invalid_scope (RFC 6749 §3.3 allows it). */
  requireScope?: boolean;
  /** Unknown scopes are dropped from the grant, and the granted scope is returned (RFC 6749 §3.3 allows it). */
  dropUnknownScope?: boolean;
  /** Issue refresh tokens for the password grant (default true). */
  refreshTokens?: boolean;
  accessTokenLifetime?: number;
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
  bugs?: TinyBug[];
}

export interface TinyServer {
  url: string;
  tokenUrl: string;
  revocationUrl: string;
  resourceUrl: string;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  /** Successful password grants (logins), by user. */
  logins: Map<string, number>;
  close(): Promise<void>;
}

interface Issued {
  kind: 'access' | 'refresh';
  clientId: string;
  scope: string[];
  family: string;
  exp: number;
  revoked: boolean;
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const TINY_CLIENTS: TinyClient[] = [
  {
    id: 'web-app',
    secret: 'web-app-secret-0123456789',
    grants: ['password', 'refresh_token', 'client_credentials'],
    scopes: ['read', 'write'],
  },
  {
    id: 'second-app',
    secret: 'second-app-secret-9876543210',
    grants: ['password', 'refresh_token', 'client_credentials'],
    scopes: ['read', 'write'],
  },
  { id: 'machine-app', secret: 'machine-app-secret-5555555555', grants: ['client_credentials'], scopes: ['read'] },
];
export const TINY_USERS = { alice: 'alice-Correct-Horse-1' };

export async function startTinyAs(options: TinyOptions = {}): Promise<TinyServer> {
  const clients = new Map((options.clients ?? TINY_CLIENTS).map((c) => [c.id, c]));
  const users: Record<string, string> = options.users ?? TINY_USERS;
  const tokenAuth = options.tokenAuth ?? ['basic', 'post'];
  const revocationAuth = options.revocationAuth ?? tokenAuth;
  const lifetime = options.accessTokenLifetime ?? 300;
  const bugs = new Set(options.bugs ?? []);
  const tokens = new Map<string, Issued>();
  const hits = new Map<string, number>();
  const logins = new Map<string, number>();
  const now = () => Math.floor(Date.now() / 1000);
  const same = (stored: string, given: string) =>
    bugs.has('loose-secret')
      ? given.length >= 4 && stored.toLowerCase().startsWith(given.toLowerCase().trimEnd())
      : stored === given;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res
      .writeHead(status, {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=UTF-8' }),
        ...headers,
      })
      .end(text);
  };
  const oauthError = (
    res: ServerResponse,
    status: number,
    error: string,
    description: string,
    headers: Record<string, string> = {},
  ) => send(res, status, { error, error_description: description }, { ...NO_STORE, ...headers });

  /** RFC 6749 §2.3.1 client authentication; undefined after it answered the error itself. */
  const authenticate = (
    req: IncomingMessage,
    res: ServerResponse,
    form: URLSearchParams,
    styles: ('basic' | 'post')[],
    status401 = true,
  ): TinyClient | undefined => {
    const authz = req.headers.authorization;
    const bodyId = form.get('client_id');
    const bodySecret = form.get('client_secret');
    const challenge: Record<string, string> = bugs.has('no-basic-challenge')
      ? {}
      : { 'WWW-Authenticate': 'Basic realm="tiny"' };
    if (authz?.toLowerCase().startsWith('basic ')) {
      if (bodySecret !== null)
        return void oauthError(res, 400, 'invalid_request', 'more than one client authentication method');
      if (!styles.includes('basic'))
        return void oauthError(res, 401, 'invalid_client', 'client_secret_basic is not accepted here', challenge);
      const decoded = Buffer.from(authz.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      let id = '';
      let secret = '';
      try {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        return void oauthError(res, 401, 'invalid_client', 'malformed Basic credentials', challenge);
      }
      const c = clients.get(id);
      if (colon < 0 || !c?.secret || !same(c.secret, secret) || (bodyId !== null && bodyId !== id))
        return void oauthError(res, 401, 'invalid_client', 'client authentication failed', challenge);
      return c;
    }
    if (bodyId === null) {
      if (bugs.has('anonymous-token'))
        return { id: 'anonymous', grants: ['password', 'client_credentials', 'refresh_token'], scopes: ['read'] };
      return void oauthError(res, status401 ? 401 : 400, 'invalid_client', 'no client authentication', challenge);
    }
    const c = clients.get(bodyId);
    if (!c) return void oauthError(res, 401, 'invalid_client', 'client authentication failed', challenge);
    if (!c.secret)
      return bodySecret === null ? c : void oauthError(res, 401, 'invalid_client', 'a public client has no secret');
    if (bodySecret === null)
      return void oauthError(res, 401, 'invalid_client', 'client authentication failed', challenge);
    if (!styles.includes('post'))
      return void oauthError(res, 401, 'invalid_client', 'client_secret_post is not accepted here', challenge);
    if (!same(c.secret, bodySecret))
      return void oauthError(res, 401, 'invalid_client', 'client authentication failed', challenge);
    return c;
  };

  /** RFC 6749 §6: a refresh token keeps the scope of the one it replaces (refreshScope), whatever the access token gets. */
  const issue = (
    res: ServerResponse,
    client: TinyClient,
    scope: string[],
    withRefresh: boolean,
    family = randomBytes(8).toString('hex'),
    refreshScope = scope,
  ) => {
    const access = randomBytes(32).toString('base64url');
    tokens.set(access, { kind: 'access', clientId: client.id, scope, family, exp: now() + lifetime, revoked: false });
    const body: Record<string, unknown> = {
      access_token: access,
      token_type: 'Bearer',
      expires_in: bugs.has('wrong-expires-in') ? lifetime + 3600 : lifetime,
      ...(bugs.has('silent-scope-drop') ? {} : { scope: scope.join(' ') }),
    };
    if (withRefresh) {
      const refresh = randomBytes(32).toString('base64url');
      tokens.set(refresh, {
        kind: 'refresh',
        clientId: client.id,
        scope: refreshScope,
        family,
        exp: now() + 86_400,
        revoked: false,
      });
      body.refresh_token = refresh;
    }
    send(res, 200, body, NO_STORE);
  };

  /** RFC 6749 §3.3: the granted scope, or undefined after answering invalid_scope. */
  const grantScope = (
    res: ServerResponse,
    client: TinyClient,
    requested: string | null,
    ceiling = client.scopes,
    refresh = false,
  ): string[] | undefined => {
    if (requested === null || requested === '') {
      // RFC 6749 §6: a refresh without scope gets the original one.
      if (options.requireScope && !refresh) return void oauthError(res, 400, 'invalid_scope', 'a scope is required');
      return [...ceiling];
    }
    const asked = requested.split(' ').filter(Boolean);
    if (bugs.has('scope-widening')) return asked;
    const allowed = asked.filter((s) => ceiling.includes(s));
    if (allowed.length !== asked.length && !options.dropUnknownScope && !bugs.has('silent-scope-drop'))
      return void oauthError(res, 400, 'invalid_scope', 'the requested scope is not allowed');
    if (!allowed.length) return void oauthError(res, 400, 'invalid_scope', 'no requested scope is allowed');
    return allowed;
  };

  const token = (req: IncomingMessage, res: ServerResponse, raw: string, query: URLSearchParams) => {
    if (req.method === 'GET' && bugs.has('get-with-secret') && query.get('client_secret')) {
      const c = clients.get(query.get('client_id') ?? '');
      if (c?.secret === query.get('client_secret')) return issue(res, c, c.scopes, false);
    }
    if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'use POST', { Allow: 'POST' });
    if ([...query.keys()].length)
      return oauthError(res, 400, 'invalid_request', 'parameters in the URI query are not accepted');
    if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? ''))
      return oauthError(res, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(raw);
    const names = [...form.keys()];
    if (new Set(names).size !== names.length) return oauthError(res, 400, 'invalid_request', 'a parameter is repeated');
    const grant = form.get('grant_type');
    if (!grant) return oauthError(res, 400, 'invalid_request', 'grant_type is missing');
    const client = authenticate(req, res, form, tokenAuth);
    if (!client) return;
    if (!['password', 'client_credentials', 'refresh_token'].includes(grant))
      return oauthError(res, 400, 'unsupported_grant_type', 'unsupported grant_type');
    if (!client.grants.includes(grant))
      return oauthError(
        res,
        bugs.has('unauthorized-client-401') ? 401 : 400,
        'unauthorized_client',
        'the client may not use this grant',
      );
    if (grant === 'password') {
      const username = form.get('username');
      const password = form.get('password');
      if (!username || !password) return oauthError(res, 400, 'invalid_request', 'username and password are required');
      const stored = users[username];
      if (stored === undefined || !same(stored, password))
        return oauthError(res, 400, 'invalid_grant', 'invalid resource owner credentials');
      const scope = grantScope(res, client, form.get('scope'));
      if (!scope) return;
      logins.set(username, (logins.get(username) ?? 0) + 1);
      issue(res, client, scope, options.refreshTokens !== false);
      return;
    }
    if (grant === 'client_credentials') {
      if (!client.secret && client.id !== 'anonymous')
        return oauthError(res, 400, 'unauthorized_client', 'a public client cannot use client_credentials');
      const scope = grantScope(res, client, form.get('scope'));
      if (scope) issue(res, client, scope, false);
      return;
    }
    const presented = form.get('refresh_token');
    if (!presented) return oauthError(res, 400, 'invalid_request', 'refresh_token is missing');
    const record = tokens.get(presented);
    if (
      record?.kind !== 'refresh' ||
      record.exp <= now() ||
      (record.clientId !== client.id && !bugs.has('refresh-any-client'))
    )
      return oauthError(res, 400, 'invalid_grant', 'invalid refresh token');
    if (record.revoked) {
      // RFC 9700 §4.14.2: a replayed rotated token ends its family.
      for (const t of tokens.values()) if (t.family === record.family) t.revoked = true;
      return oauthError(res, 400, 'invalid_grant', 'invalid refresh token');
    }
    const scope = bugs.has('ignore-refresh-scope')
      ? record.scope
      : grantScope(res, client, form.get('scope'), record.scope, true);
    if (!scope) return;
    record.revoked = true; // rotation
    issue(res, client, scope, true, record.family, record.scope);
  };

  const revoke = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'use POST', { Allow: 'POST' });
    const form = new URLSearchParams(raw);
    const client = authenticate(req, res, form, revocationAuth);
    if (!client) return;
    const value = form.get('token');
    if (!value) return oauthError(res, 400, 'invalid_request', 'token is missing');
    // RFC 7009 §2.2: an invalid hint is ignored, an unknown token is 200; another client's token is left alone.
    const record = tokens.get(value);
    if (record && record.clientId === client.id) {
      if (record.kind === 'refresh') for (const t of tokens.values()) if (t.family === record.family) t.revoked = true;
      record.revoked = true;
    }
    res.writeHead(200, NO_STORE).end();
  };

  const resource = (req: IncomingMessage, res: ServerResponse) => {
    const authz = req.headers.authorization;
    if (!authz) {
      const challenge = bugs.has('error-without-credentials')
        ? 'Bearer realm="tiny", error="invalid_request"'
        : 'Bearer realm="tiny"';
      return send(res, 401, undefined, { 'WWW-Authenticate': challenge });
    }
    const m = /^(\S+)\s+(\S+)$/.exec(authz);
    const schemeOk = m && (bugs.has('case-sensitive-bearer') ? m[1] === 'Bearer' : m[1]!.toLowerCase() === 'bearer');
    if (!m || !schemeOk)
      return send(res, 400, undefined, { 'WWW-Authenticate': 'Bearer realm="tiny", error="invalid_request"' });
    const record = tokens.get(m[2]!);
    if (record?.kind !== 'access' || record.revoked || record.exp <= now())
      return send(res, 401, undefined, { 'WWW-Authenticate': 'Bearer realm="tiny", error="invalid_token"' });
    send(res, 200, { client: record.clientId, scope: record.scope.join(' ') });
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        if (url.pathname === '/token') return token(req, res, raw, url.searchParams);
        if (url.pathname === '/revoke') return revoke(req, res, raw);
        if (url.pathname === '/me') return resource(req, res);
        send(res, 404, { error: 'not_found' });
      } catch (e) {
        send(res, 500, { error: 'server_error', error_description: (e as Error).message });
      }
    });
  };
  const server: Server = options.tls
    ? createHttps(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.ca ? { ca: options.tls.ca } : {}),
          requestCert: !!options.tls.requestCert,
          rejectUnauthorized: !!options.tls.requestCert,
        },
        handler,
      )
    : createHttp(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    revocationUrl: `${url}/revoke`,
    resourceUrl: `${url}/me`,
    hits,
    logins,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
