import type { IncomingHttpHeaders } from 'node:http';
import { parseForm, Params, type BadEncoding, type ParsedForm } from './form.js';

/** A request as the flavour handlers see it: body already read (bounded), nothing parsed that they did not ask for. */
export interface MockRequest {
  method: string;
  path: string;
  /** Raw query string without "?" ("" when absent). */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body exceeded the configured limit; `body` holds nothing then. */
  bodyTooLarge: boolean;
}

/** What a handler answers: plain data, so faults can rewrite it and the journal can record it. */
export interface MockResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set-Cookie lines (a header that may repeat; the browser flow's session cookies). */
  cookies?: string[];
  /** Journal annotations. */
  note?: {
    grantType?: string | undefined;
    clientId?: string | undefined;
    clientAuth?: 'basic' | 'post' | 'none' | 'both' | undefined;
  };
}

export function header(req: MockRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Media type of the request, lower-case, without parameters. */
export function requestMediaType(req: MockRequest): string | undefined {
  return header(req, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase() || undefined;
}

export function isForm(req: MockRequest): boolean {
  return requestMediaType(req) === 'application/x-www-form-urlencoded';
}

/** The body's form parameters (none unless the request declared a form body). */
export function formOf(req: MockRequest, mode: BadEncoding): ParsedForm {
  if (!isForm(req) || req.bodyTooLarge) return { pairs: [], malformed: [] };
  return parseForm(req.body.toString('utf8'), mode);
}

export function queryOf(req: MockRequest, mode: BadEncoding): ParsedForm {
  return parseForm(req.rawQuery, mode);
}

export { Params };

/** HTTP Basic credentials. `formDecode`: RFC 6749 §2.3.1 says id and secret are form-urlencoded before base64. */
export function basicCredentials(
  req: MockRequest,
  formDecode: boolean,
): { id: string; secret: string } | 'malformed' | undefined {
  const auth = header(req, 'authorization');
  if (!auth) return undefined;
  const m = /^Basic +(.*)$/.exec(auth);
  if (!m) return undefined;
  const raw = Buffer.from(m[1]!.trim(), 'base64').toString('utf8');
  const colon = raw.indexOf(':');
  if (colon < 0) return 'malformed';
  const id = raw.slice(0, colon);
  const secret = raw.slice(colon + 1);
  if (!formDecode) return { id, secret };
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  const did = dec(id);
  const dsecret = dec(secret);
  return did === undefined || dsecret === undefined ? 'malformed' : { id: did, secret: dsecret };
}

/**
 * The bearer token of the Authorization header. The scheme is case-insensitive (RFC 7235 §2.1), as oauthlib reads it
 * (oauthlib/oauth2/rfc6749/tokens.py get_token_from_header: split_header[0].lower() == 'bearer').
 */
export function bearerToken(req: MockRequest): string | undefined {
  const m = /^bearer +(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return m?.[1];
}
