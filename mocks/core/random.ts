import { randomFillSync, randomUUID } from 'node:crypto';

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
const ALNUM_CODES = Buffer.from(ALNUM, 'latin1');

export function alphanumericToken(length = 30): string {
  const out = Buffer.allocUnsafe(length);
  let n = 0;
  while (n < length) {
    const byte = nextRandomByte();
    if (byte < 248) out[n++] = ALNUM_CODES[byte % 62]!;
  }
  return out.toString('latin1');
}

// CSPRNG bytes drawn in blocks: one getrandom call per 8 KiB instead of one per token (the mock's hot path).
const pool = Buffer.alloc(8192);
let poolIndex = pool.length;
function nextRandomByte(): number {
  if (poolIndex === pool.length) {
    randomFillSync(pool);
    poolIndex = 0;
  }
  return pool[poolIndex++]!;
}

export const uuidToken = (): string => randomUUID();
