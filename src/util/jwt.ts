const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(text: string): boolean {
  return COMPACT_JWS.test(text);
}

/** Decodes (does not verify) a compact JWS: enough to validate its claims against a schema. */
export function decodeJwtPayload(
  jwt: string,
): { ok: true; header: unknown; payload: unknown; headerJson: string } | { ok: false; reason: string } {
  const [h, p] = jwt.split('.');
  try {
    const headerJson = Buffer.from(h!, 'base64url').toString('utf8');
    return {
      ok: true,
      header: JSON.parse(headerJson),
      headerJson,
      payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')),
    };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** A compact JWS's part as a JSON object, or a thrown error (what jose's decodeProtectedHeader/decodeJwt accept). */
function jsonPart(token: string, index: 0 | 1, what: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TypeError(`not a compact JWS: ${parts.length} parts`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(parts[index]!, 'base64url').toString('utf8'));
  } catch {
    throw new TypeError(`the ${what} is not base64url-encoded JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The protected header of a compact JWS (not verified). Decoding needs no crypto: jose loads only to verify. */
export const decodeJwsHeader = (token: string): { alg?: string; kid?: string; [name: string]: unknown } =>
  jsonPart(token, 0, 'protected header');

/** The claims of a compact JWS (not verified). */
export const decodeJwtClaims = (
  token: string,
): Record<string, unknown> & { iat?: number; exp?: number; iss?: string; aud?: string | string[]; sub?: string } =>
  jsonPart(token, 1, 'payload') as never;
