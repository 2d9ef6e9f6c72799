/**
 * The login driver's cookie jar: what a browser keeps of the target's Set-Cookie headers (RFC 6265 §5.3, the parts a
 * login needs: host-only cookies, Path, Max-Age and Expires, deletion), sent back by host and path. Secure cookies
 * are kept over plain HTTP as well: Keycloak up to 25 marks its SameSite=None cookies Secure even on http, and the
 * jar only ever talks to the target's own origin. Parsing is undici's (getSetCookies).
 */
import { getSetCookies, Headers } from 'undici';

interface Kept {
  name: string;
  value: string;
  host: string;
  path: string;
  /** Epoch milliseconds; undefined: a session cookie. */
  expires?: number;
}

/** RFC 6265 §5.1.4: the directory of the request path, the default Path of a cookie set without one. */
function defaultPath(pathname: string): string {
  if (!pathname.startsWith('/')) return '/';
  const last = pathname.lastIndexOf('/');
  return last <= 0 ? '/' : pathname.slice(0, last);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class CookieJar {
  private readonly cookies: Kept[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes the Set-Cookie headers of an answer to `url`. */
  store(url: string, setCookie: readonly string[] | undefined): void {
    if (!setCookie?.length) return;
    const u = new URL(url);
    const headers = new Headers();
    for (const line of setCookie) headers.append('set-cookie', line);
    for (const c of getSetCookies(headers)) {
      const path = c.path?.startsWith('/') ? c.path : defaultPath(u.pathname);
      const at = this.cookies.findIndex((k) => k.name === c.name && k.host === u.host && k.path === path);
      if (at >= 0) this.cookies.splice(at, 1);
      const expires =
        c.maxAge !== undefined ? this.now() + c.maxAge * 1000 : c.expires ? new Date(c.expires).getTime() : undefined;
      if (expires !== undefined && expires <= this.now()) continue; // Max-Age=0 or a past date deletes it
      this.cookies.push({
        name: c.name,
        value: c.value,
        host: u.host,
        path,
        ...(expires !== undefined ? { expires } : {}),
      });
    }
  }

  /** The Cookie header for a request to `url` (longer paths first, RFC 6265 §5.4), or undefined. */
  header(url: string): string | undefined {
    const u = new URL(url);
    const t = this.now();
    const sent = this.cookies
      .filter((c) => c.host === u.host && pathMatches(u.pathname, c.path) && (c.expires === undefined || c.expires > t))
      .sort((a, b) => b.path.length - a.path.length);
    return sent.length ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** Cookie names and values, for redaction (a session cookie is a credential). */
  values(): string[] {
    return this.cookies.map((c) => c.value).filter((v) => v.length >= 8);
  }

  clear(): void {
    this.cookies.length = 0;
  }
}
