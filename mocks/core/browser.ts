/**
 * What every flavour's browser flow shares: cookies in and out, HTML escaping, and the authorization response
 * delivered in the response mode the client asked for (OAuth 2.0 Multiple Response Type Encoding Practices:
 * query, fragment; OAuth 2.0 Form Post Response Mode: form_post). The flavour decides the order of the parameters
 * and which ones it sends (Keycloak's session_state and iss); this module only encodes them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { header, type MockRequest, type MockResponse } from './http.js';

/** The request's cookies by name (the first of a repeated name, as browsers send the most specific path first). */
export function cookiesOf(req: MockRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export interface CookieAttributes {
  path: string;
  httpOnly?: boolean;
  sameSite?: 'None' | 'Lax' | 'Strict';
  secure?: boolean;
  /** Seconds; 0 expires the cookie now; absent: a session cookie. */
  maxAge?: number;
}

/** One Set-Cookie line. */
export function setCookie(name: string, value: string, a: CookieAttributes): string {
  return [
    `${name}=${value}`,
    ...(a.maxAge !== undefined ? [`Max-Age=${a.maxAge}`] : []),
    `Path=${a.path}`,
    ...(a.sameSite ? [`SameSite=${a.sameSite}`] : []),
    ...(a.secure ? ['Secure'] : []),
    ...(a.httpOnly ? ['HttpOnly'] : []),
  ].join('; ');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * The authorization response at the client's redirect URI. query: the parameters join the URI's own query (a URI
 * with a query gets `&`); fragment: after `#`; form_post: a 200 page whose form posts them (auto-submitted).
 */
export function deliver(
  redirectUri: string,
  mode: ResponseMode,
  params: [string, string][],
  headers: Record<string, string>,
  cookies?: string[],
  /** How the query is encoded: percent (a space is %20; Java's URI builders) or form (a space is +; Python's urlencode). */
  encoding: 'percent' | 'form' = 'percent',
): MockResponse {
  const withCookies = cookies?.length ? { cookies } : {};
  if (mode === 'form_post') {
    const inputs = params
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}"/>`)
      .join('');
    return {
      status: 200,
      headers: { ...headers, 'Content-Type': 'text/html;charset=utf-8' },
      body: `<HTML><HEAD><TITLE>OIDC Form_Post Response</TITLE></HEAD><BODY onload="javascript:document.forms[0].submit()"><FORM METHOD="POST" ACTION="${escapeHtml(redirectUri)}">${inputs}<NOSCRIPT><INPUT type="submit" value="Continue"/></NOSCRIPT></FORM></BODY></HTML>`,
      ...withCookies,
    };
  }
  const encoded =
    encoding === 'form'
      ? new URLSearchParams(params).toString()
      : params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const joiner = mode === 'fragment' ? '#' : redirectUri.includes('?') ? '&' : '?';
  return {
    status: 302,
    headers: { ...headers, Location: encoded ? `${redirectUri}${joiner}${encoded}` : redirectUri },
    body: '',
    ...withCookies,
  };
}

/** A redirect within the provider (to its login page, back to the authorization request). */
export const seeOther = (location: string, headers: Record<string, string>, cookies?: string[]): MockResponse => ({
  status: 302,
  headers: { ...headers, Location: location },
  body: '',
  ...(cookies?.length ? { cookies } : {}),
});

/**
 * RFC 7636 §4.6: S256 compares BASE64URL(SHA256(verifier)) with the challenge, plain compares them as they are.
 * Constant time, as oauthlib's HEAD does (oauthlib/oauth2/rfc6749/grant_types/authorization_code.py).
 */
export function pkceMatches(verifier: string, challenge: string, method: string): boolean {
  const derived = method === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
  const a = Buffer.from(derived);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
