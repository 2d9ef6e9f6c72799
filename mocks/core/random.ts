import { randomBytes, randomUUID } from 'node:crypto';

/** mulberry32: a small seeded PRNG, so that "fail with probability p" is reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * oauthlib's generate_token: `length` characters of [A-Za-z0-9] from a CSPRNG
 * (oauthlib/oauthlib oauthlib/common.py generate_token, UNICODE_ASCII_CHARACTER_SET).
 * Rejection sampling keeps every character equally likely (62 does not divide 256).
 */
export function alphanumericToken(length = 30): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALNUM[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export const uuidToken = (): string => randomUUID();
