/**
 * Users' passwords where other processes can read them (the control document replicas share in Redis) are kept as
 * scrypt hashes, never in clear, as Keycloak and Django keep theirs (PBKDF2 there; node:crypto's scrypt here).
 * A replica that learns a user only by hash checks a password against it once and then remembers the clear text in
 * its own memory, so a login costs one hash per user and replica, not one per request.
 * The salt is derived from the username: every replica seals a configured user alike, so one that already knows the
 * password recognises it without hashing on each change of the control document.
 */
import * as crypto from 'node:crypto';
import { createHash, pbkdf2Sync, scryptSync, timingSafeEqual } from 'node:crypto';
import type { UserRecord } from './flavour.js';

/** scrypt's cost: about 10 ms here, paid once per user and replica. */
const COST = { N: 4096, r: 8, p: 1 };
const PREFIX = 'scrypt:4096:8:1:';

const sealedCache = new Map<string, string>();
const CACHE_MAX = 10_000;

/** The hash of a user's password as the shared store keeps it. */
export function passwordHash(username: string, password: string): string {
  const key = `${username}\0${password}`;
  const held = sealedCache.get(key);
  if (held) return held;
  const salt = createHash('sha256').update(`idpc-user:${username}`).digest().subarray(0, 16);
  const hash = PREFIX + scryptSync(password, salt, 32, COST).toString('base64url');
  if (sealedCache.size >= CACHE_MAX) sealedCache.delete(sealedCache.keys().next().value!);
  sealedCache.set(key, hash);
  return hash;
}

/** The user as it may be written where others read: the password replaced by its hash. */
export function sealUser<U extends UserRecord>(user: U): U {
  if (user.password === undefined) return user;
  const { password, ...rest } = user;
  return { ...rest, passwordHash: passwordHash(user.username, password) } as U;
}

/** The user as this replica keeps it: the clear password back where it already knew it (`known`), else the hash. */
export function unsealUser<U extends UserRecord>(user: U, known: UserRecord | undefined): U {
  if (user.password !== undefined || !user.passwordHash) return user;
  if (known?.password !== undefined && passwordHash(user.username, known.password) === user.passwordHash) {
    const { passwordHash: _h, ...rest } = user;
    return { ...rest, password: known.password } as U;
  }
  return user;
}

export interface Pbkdf2Credential {
  digest: 'sha1' | 'sha256' | 'sha512';
  iterations: number;
  salt: string;
  value: string;
}

export interface Argon2Credential {
  variant: 'argon2id' | 'argon2i' | 'argon2d';
  iterations: number;
  memory: number;
  parallelism: number;
  salt: string;
  value: string;
}

type Argon2Sync = (
  algorithm: string,
  parameters: {
    message: string;
    nonce: Buffer;
    parallelism: number;
    tagLength: number;
    memory: number;
    passes: number;
  },
) => Buffer;
/** node:crypto's argon2 (Node 24.7 and later; absent before, so looked up rather than imported). */
const argon2Sync = (crypto as unknown as { argon2Sync?: Argon2Sync }).argon2Sync;
export const argon2Available = typeof argon2Sync === 'function';

/** Whether the derived key equals the stored one, in constant time. */
const sameKey = (derived: Buffer, expected: Buffer) =>
  derived.length === expected.length && timingSafeEqual(derived, expected);

/** Whether `given` is the user's password; a user known only by hash is checked once and then kept in clear here. */
export function passwordMatches(user: UserRecord, given: string | undefined): boolean {
  if (given === undefined) return false;
  if (user.password !== undefined) return user.password === given;
  // A password known by its PBKDF2 hash (a Keycloak realm export's credential): the derived key's length is the stored one's.
  const pbkdf2 = (user as UserRecord & { passwordPbkdf2?: Pbkdf2Credential }).passwordPbkdf2;
  if (pbkdf2) {
    const expected = Buffer.from(pbkdf2.value, 'base64');
    const derived = pbkdf2Sync(
      given,
      Buffer.from(pbkdf2.salt, 'base64'),
      pbkdf2.iterations,
      expected.length,
      pbkdf2.digest,
    );
    if (!sameKey(derived, expected)) return false;
    user.password = given;
    return true;
  }
  // An Argon2 hash (Keycloak 24+'s default; version 1.3, the only one node:crypto computes).
  const argon2 = (user as UserRecord & { passwordArgon2?: Argon2Credential }).passwordArgon2;
  if (argon2) {
    if (!argon2Sync) return false;
    const expected = Buffer.from(argon2.value, 'base64');
    const derived = argon2Sync(argon2.variant, {
      message: given,
      nonce: Buffer.from(argon2.salt, 'base64'),
      parallelism: argon2.parallelism,
      tagLength: expected.length,
      memory: argon2.memory,
      passes: argon2.iterations,
    });
    if (!sameKey(derived, expected)) return false;
    user.password = given;
    return true;
  }
  if (!user.passwordHash) return false;
  const a = Buffer.from(passwordHash(user.username, given));
  const b = Buffer.from(user.passwordHash);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
  user.password = given;
  return true;
}
