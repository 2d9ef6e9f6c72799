/**
 * Planted deviations (config.plantedDeviations): bugs on purpose, so that a conformance run (or an integrator's own
 * client) can be seen to notice them. Each is planted the same way in every flavour, around the flavour's own
 * handler: a request a buggy server would have served is rewritten into one the flavour serves, or an answer loses
 * what a buggy server leaves out. Never on by default.
 */
import { basicCredentials, header, type MockRequest, type MockResponse } from './http.js';
import { parseForm } from './form.js';
import type { MockContext, ResolvedMockConfig } from './flavour.js';

type Planted = ResolvedMockConfig['plantedDeviations'];

/** Routes of a bearer resource (the flavours name them so). */
const RESOURCE_ROUTES = new Set(['resource']);

/** The plants that act on requests, or on answers: none set, nothing is wrapped (the hot path stays as it is). */
export const plantsRequests = (p: Planted) =>
  !!(
    p.anonymousClient ||
    p.looseCredentials ||
    p.getWithSecret ||
    p.caseSensitiveBearer ||
    p.dropUnknownScopeSilently ||
    p.widenScope ||
    p.refreshAnyClient
  );
export const plantsResponses = (p: Planted) =>
  !!(
    p.wrongExpiresIn ||
    p.noCacheControl ||
    p.serverErrorOnBadPassword ||
    p.wrongErrorCode ||
    p.noBasicChallenge ||
    p.unauthorizedClient401 ||
    p.dropUnknownScopeSilently ||
    p.widenScope
  );

/** Marks a request whose scope the dropUnknownScopeSilently plant narrowed: its answer then states no scope. */
const NARROWED = 'x-idpc-planted-scope-dropped';

/** A loose comparison: case, surrounding whitespace, a prefix or an extension, or one character off all pass. */
export function looselyEqual(given: string, stored: string): boolean {
  if (given === stored) return true;
  const g = given.trim().toLowerCase();
  const s = stored.toLowerCase();
  if (g === s) return true;
  if (g.length >= 4 && (s.startsWith(g) || g.startsWith(s))) return true;
  if (g.length === s.length) {
    let diff = 0;
    for (let i = 0; i < g.length && diff < 2; i++) if (g[i] !== s[i]) diff++;
    return diff === 1;
  }
  return false;
}

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
const isForm = (req: MockRequest) => /application\/x-www-form-urlencoded/i.test(header(req, 'content-type') ?? '');

/** The token request as a buggy server would have read it: the flavour then serves what that server would have served. */
export function plantRequest(p: Planted, route: string | undefined, req: MockRequest, ctx: MockContext): MockRequest {
  if (route && RESOURCE_ROUTES.has(route) && p.caseSensitiveBearer) {
    // Only the exact spelling "Bearer" is a bearer token to this server (RFC 7235 §2.1: schemes are case-insensitive).
    const auth = header(req, 'authorization');
    if (auth && !auth.startsWith('Bearer ') && /^bearer /i.test(auth)) {
      const { authorization: _a, ...headers } = req.headers;
      return { ...req, headers };
    }
    return req;
  }
  if (route !== 'token') return req;
  let out = req;
  if (p.getWithSecret && req.method === 'GET' && /(^|&)client_secret=/.test(req.rawQuery)) {
    // The whole request in the URI, secret included, served like a POST (RFC 6749 §2.3.1: MUST NOT).
    out = {
      ...out,
      method: 'POST',
      rawQuery: '',
      body: Buffer.from(req.rawQuery),
      headers: { ...req.headers, 'content-type': 'application/x-www-form-urlencoded' },
    };
  }
  if (!isForm(out)) return out;
  const pairs = parseForm(out.body.toString('utf8'), 'keep-literal').pairs;
  let changed = false;
  let headers = out.headers;
  if (p.anonymousClient && !header(out, 'authorization') && !pairs.some(([k]) => k === 'client_id')) {
    // A request that names no client is taken for the first confidential client's.
    const client = [...ctx.clients.values()].find((c) => c.enabled && c.clientSecret);
    if (client)
      headers = {
        ...headers,
        authorization: `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret!)}`).toString('base64')}`,
      };
  }
  if (p.refreshAnyClient && pairs.some(([k, v]) => k === 'grant_type' && v === 'refresh_token')) {
    // A refresh token is taken from whichever client presents it: the request is served as its owner's (the
    // client a JWT refresh token names in azp; RFC 6749 §6, §10.4 require the binding).
    const token = pairs.find(([k]) => k === 'refresh_token')?.[1] ?? '';
    let owner: string | undefined;
    try {
      owner = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { azp?: string })
        .azp;
    } catch {
      owner = undefined;
    }
    const client = owner !== undefined ? ctx.clients.get(owner) : undefined;
    if (client?.clientSecret) {
      headers = {
        ...headers,
        authorization: `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}`,
      };
      for (let i = pairs.length - 1; i >= 0; i--)
        if (pairs[i]![0] === 'client_id' || pairs[i]![0] === 'client_secret') pairs.splice(i, 1);
      changed = true;
    }
  }
  if (p.looseCredentials) {
    const basic = basicCredentials(out, true);
    if (basic && basic !== 'malformed') {
      const client = ctx.clients.get(basic.id);
      if (client?.clientSecret && looselyEqual(basic.secret, client.clientSecret))
        headers = {
          ...headers,
          authorization: `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(client.clientSecret)}`).toString('base64')}`,
        };
    }
    const id = pairs.find(([k]) => k === 'client_id')?.[1];
    const client = id !== undefined ? ctx.clients.get(id) : undefined;
    const username = pairs.find(([k]) => k === 'username')?.[1];
    const user = username !== undefined ? ctx.users.get(username) : undefined;
    for (const pair of pairs) {
      if (
        pair[0] === 'client_secret' &&
        client?.clientSecret &&
        pair[1] !== client.clientSecret &&
        looselyEqual(pair[1], client.clientSecret)
      )
        [pair[1], changed] = [client.clientSecret, true];
      if (
        pair[0] === 'password' &&
        user?.password !== undefined &&
        pair[1] !== user.password &&
        looselyEqual(pair[1], user.password)
      )
        [pair[1], changed] = [user.password, true];
    }
  }
  if (p.dropUnknownScopeSilently || p.widenScope) {
    // Scopes the client does not have are dropped from the request; the answer then loses its scope member
    // (dropUnknownScopeSilently), or claims what was asked for (widenScope).
    const basic = basicCredentials(out, true);
    const id = basic && basic !== 'malformed' ? basic.id : pairs.find(([k]) => k === 'client_id')?.[1];
    const client = id !== undefined ? ctx.clients.get(id) : undefined;
    const scope = pairs.find(([k]) => k === 'scope');
    if (client && scope) {
      const kept = scope[1].split(' ').filter((x) => x && client.scopes.includes(x));
      if (kept.length !== scope[1].split(' ').filter(Boolean).length) {
        headers = { ...headers, [NARROWED]: encodeURIComponent(scope[1]) };
        scope[1] = kept.join(' ');
        changed = true;
      }
    }
  }
  if (headers !== out.headers) out = { ...out, headers };
  return changed
    ? { ...out, body: Buffer.from(pairs.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&')) }
    : out;
}

const errorOf = (r: MockResponse): string | undefined => {
  if (r.status < 400) return undefined;
  try {
    const e = (JSON.parse(r.body) as { error?: unknown }).error;
    return typeof e === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
};

/** The answer as a buggy server would have sent it. */
export function plantResponse(
  p: Planted,
  route: string | undefined,
  req: MockRequest,
  response: MockResponse,
): MockResponse {
  let out = response;
  if (route !== 'token') return out;
  if (p.wrongExpiresIn && out.status === 200) {
    // expires_in an hour off what the tokens live (TE-C18): the token itself is unchanged.
    out = {
      ...out,
      body: out.body.replace(/("expires_in"\s*:\s*)(\d+)/, (_m, k: string, v: string) => `${k}${Number(v) + 3600}`),
    };
  }
  const asked = header(req, NARROWED);
  if (asked !== undefined && out.status === 200) {
    try {
      const { scope: _s, ...rest } = JSON.parse(out.body) as Record<string, unknown>;
      // widenScope: the token answer says it granted every scope asked for, allowed or not (RFC 6749 §3.3).
      out = { ...out, body: JSON.stringify(p.widenScope ? { ...rest, scope: decodeURIComponent(asked) } : rest) };
    } catch {
      // not JSON: nothing to change
    }
  }
  if (p.noCacheControl) {
    const { 'Cache-Control': _c, Pragma: _p, ...rest } = out.headers;
    out = { ...out, headers: rest };
  }
  if (p.noBasicChallenge && out.status === 401) {
    const { 'WWW-Authenticate': _w, ...rest } = out.headers;
    out = { ...out, headers: rest };
  }
  const error = errorOf(out);
  if (p.unauthorizedClient401 && error === 'unauthorized_client' && out.status === 400) out = { ...out, status: 401 };
  if (
    p.serverErrorOnBadPassword &&
    error === 'invalid_grant' &&
    /(^|&)grant_type=password(&|$)/.test(req.body.toString('utf8'))
  ) {
    out = {
      ...out,
      status: 500,
      body: JSON.stringify({ error: 'server_error', error_description: 'Internal Server Error' }),
      headers: { ...out.headers, 'Content-Type': 'application/json' },
    };
  } else if (p.wrongErrorCode && error !== undefined) {
    out = {
      ...out,
      body: out.body.replace(`"${error}"`, `"${error === 'invalid_request' ? 'invalid_grant' : 'invalid_request'}"`),
    };
  }
  return out;
}
