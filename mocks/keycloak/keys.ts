/**
 * Realm keys: an RS256 key pair for access and ID tokens (published in the JWKS) and an HMAC secret for refresh
 * tokens (never published, as in Keycloak: refresh tokens are for Keycloak alone). The committed fixture key makes
 * start-up instant (WebCrypto imports it); "generate" makes a fresh one at first use with jose.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomUUID,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { packageRoot } from '../../src/util/paths.js';

export interface RsaKey {
  /** node:crypto private key: signs synchronously until the WebCrypto key is ready (the first tokens after start). */
  privateKey: KeyObject;
  /** WebCrypto key for RS256 signing on the threadpool (throughput), imported in the background. */
  webKey?: webcrypto.CryptoKey;
  /** node:crypto key for verifying our own access tokens (userinfo, introspection). */
  verifyKey: KeyObject;
  publicJwk: JWK;
}

export interface RealmKeys {
  /** The RS256 key, imported (or generated) at first use. */
  rsa(): Promise<RsaKey & { kid: string }>;
  hmacKid: string;
  hmacSecret: Buffer;
}

let fixture: Promise<{ privateJwk: JWK; publicJwk: JWK; kid: string }> | undefined;

function loadFixture() {
  return (fixture ??= (async () => {
    const file = JSON.parse(readFileSync(join(packageRoot(), 'mocks', 'keycloak', 'fixture-key.json'), 'utf8')) as {
      keys: JWK[];
    };
    const privateJwk = file.keys[0]!;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
    return { privateJwk, publicJwk, kid: privateJwk.kid! };
  })());
}

/**
 * Replicas on a shared store must sign and verify with the same keys: the first to start writes them, the others
 * read them (GrantStore.putDocOnce). Without one (undefined), every start has keys of its own.
 */
export type KeyShare = <T>(name: string, make: () => Promise<T>) => Promise<T>;

export async function realmKeys(
  mode: 'fixture' | 'generate',
  realm: string,
  share: KeyShare = (_n, make) => make(),
): Promise<RealmKeys> {
  // The HMAC secret is per realm and per start: refresh tokens of another realm or another run never verify.
  const hmac = await share(`${realm}:hmac`, async () => ({
    kid: randomUUID(),
    secret: createHash('sha512').update(randomBytes(64)).update(realm).digest('base64'),
  }));
  let rsa: Promise<RsaKey & { kid: string }> | undefined;
  return {
    rsa: () => (rsa ??= loadRsa(mode, () => share(`${realm}:rsa`, generateRsa))),
    hmacKid: hmac.kid,
    hmacSecret: Buffer.from(hmac.secret, 'base64'),
  };
}

async function generateRsa(): Promise<{ privateJwk: JWK; publicJwk: JWK; kid: string }> {
  // jose loads only here: importing it costs more start-up time than the rest of the mock (fixture keys need none of it).
  const { calculateJwkThumbprint, exportJWK, generateKeyPair } = await import('jose');
  const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  return { privateJwk: await exportJWK(pair.privateKey), publicJwk, kid: await calculateJwkThumbprint(publicJwk) };
}

async function loadRsa(
  mode: 'fixture' | 'generate',
  generated: () => Promise<{ privateJwk: JWK; publicJwk: JWK; kid: string }>,
): Promise<RsaKey & { kid: string }> {
  let privateJwk: JWK;
  let publicJwk: JWK;
  let kid: string;
  if (mode === 'fixture') {
    ({ privateJwk, publicJwk, kid } = await loadFixture());
  } else {
    ({ privateJwk, publicJwk, kid } = await generated());
  }
  const privateKey = createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const verifyKey = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const rsa: RsaKey & { kid: string } = {
    kid,
    privateKey,
    verifyKey,
    publicJwk: { kid, kty: 'RSA', alg: 'RS256', use: 'sig', n: publicJwk.n!, e: publicJwk.e! },
  };
  // The WebCrypto import costs a few milliseconds of main thread: it must not stand between start-up and the first
  // token, so it starts a little later (node:crypto signs meanwhile).
  setTimeout(() => {
    webcrypto.subtle
      .importKey(
        'jwk',
        { ...privateJwk, alg: 'RS256' } as webcrypto.JsonWebKey,
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      .then((key) => {
        rsa.webKey = key;
      })
      .catch(() => undefined);
  }, 50).unref();
  return rsa;
}
