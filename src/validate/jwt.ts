const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(text: string): boolean {
  return COMPACT_JWS.test(text);
}

/** Decodes (does not verify) a compact JWS: enough to validate its claims against a schema. */
export function decodeJwtPayload(jwt: string): { ok: true; header: unknown; payload: unknown; headerJson: string } | { ok: false; reason: string } {
  const [h, p] = jwt.split('.');
  try {
    const headerJson = Buffer.from(h!, 'base64url').toString('utf8');
    return { ok: true, header: JSON.parse(headerJson), headerJson, payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
