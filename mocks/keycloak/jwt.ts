/**
 * Keycloak's JWS bytes. Keycloak writes the protected header with its own serializer, spaces around ":" for typ
 * and kid ({"alg":"RS256","typ" : "JWT","kid" : "..."}), so every Keycloak token starts
 * eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJ (keycloak/keycloak core/.../jose/jws/JWSBuilder.java). JOSE libraries serialise
 * headers themselves, so the header is built here and the signature made with WebCrypto (RS256) or HMAC.
 */
import {
  createHmac,
  sign as signSync,
  timingSafeEqual,
  verify as verifySignature,
  webcrypto,
  type KeyObject,
} from 'node:crypto';

export const keycloakHeader = (alg: string, kid: string): string => `{"alg":"${alg}","typ" : "JWT","kid" : "${kid}"}`;

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

/** RS256 (PKCS#1 v1.5, deterministic): WebCrypto on the threadpool when its key is ready, node:crypto until then. */
export async function signRs256(
  payload: object,
  kid: string,
  key: { webKey?: webcrypto.CryptoKey; privateKey: KeyObject },
): Promise<string> {
  const input = `${b64url(keycloakHeader('RS256', kid))}.${b64url(JSON.stringify(payload))}`;
  const signature = key.webKey
    ? new Uint8Array(await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key.webKey, new TextEncoder().encode(input)))
    : signSync('RSA-SHA256', Buffer.from(input), key.privateKey);
  return `${input}.${b64url(signature)}`;
}

const HMAC: Record<string, string> = { HS256: 'sha256', HS512: 'sha512' };

export function signHmac(payload: object, alg: 'HS256' | 'HS512', kid: string, secret: Buffer): string {
  const input = `${b64url(keycloakHeader(alg, kid))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${createHmac(HMAC[alg]!, secret).update(input).digest('base64url')}`;
}

export interface Decoded {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  input: string;
  signature: Buffer;
}

export function decode(token: string): Decoded | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object' || Array.isArray(payload))
      return undefined;
    return { header, payload, input: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** The payload of a refresh token signed with this realm's HMAC secret, or undefined. */
export function verifyHmac(token: string, secret: Buffer): Record<string, unknown> | undefined {
  const d = decode(token);
  const alg = d && typeof d.header.alg === 'string' ? HMAC[d.header.alg] : undefined;
  if (!d || !alg) return undefined;
  const expected = createHmac(alg, secret).update(d.input).digest();
  return expected.length === d.signature.length && timingSafeEqual(expected, d.signature) ? d.payload : undefined;
}

/** The payload of an access token signed with this realm's RS256 key, or undefined. */
export function verifyRs256(token: string, key: KeyObject): Record<string, unknown> | undefined {
  const d = decode(token);
  if (d?.header.alg !== 'RS256') return undefined;
  return verifySignature('RSA-SHA256', Buffer.from(d.input), key, d.signature) ? d.payload : undefined;
}
