import { expect, it } from 'vitest';
import { decode, keycloakHeader, signHmac, signRs256, verifyHmac, verifyRs256 } from './jwt.js';
import { realmKeys } from './keys.js';

it("writes Keycloak's header bytes, and both RS256 paths (node:crypto at start, WebCrypto after) sign identically", async () => {
  const keys = await realmKeys('fixture', 'test');
  const rsa = await keys.rsa();
  const sync = await signRs256({ sub: 'x', n: 1 }, rsa.kid, { privateKey: rsa.privateKey });
  while (!rsa.webKey) await new Promise((r) => setTimeout(r, 1));
  const web = await signRs256({ sub: 'x', n: 1 }, rsa.kid, rsa);
  expect(web).toBe(sync); // PKCS#1 v1.5 is deterministic
  expect(sync.startsWith('eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJ')).toBe(true);
  expect(Buffer.from(sync.split('.')[0]!, 'base64url').toString()).toBe(keycloakHeader('RS256', rsa.kid));
  expect(verifyRs256(sync, rsa.verifyKey)).toEqual({ sub: 'x', n: 1 });
  expect(verifyRs256(`${sync.slice(0, -2)}AA`, rsa.verifyKey)).toBeUndefined();
});

it('HMAC refresh tokens verify only with their realm secret', async () => {
  const a = await realmKeys('fixture', 'a');
  const b = await realmKeys('fixture', 'b');
  const t = signHmac({ typ: 'Refresh' }, 'HS512', a.hmacKid, a.hmacSecret);
  expect(decode(t)?.header.alg).toBe('HS512');
  expect(verifyHmac(t, a.hmacSecret)).toEqual({ typ: 'Refresh' });
  expect(verifyHmac(t, b.hmacSecret)).toBeUndefined();
  expect(verifyHmac('not.a.token', a.hmacSecret)).toBeUndefined();
});
