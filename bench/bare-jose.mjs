// Baseline for the Keycloak mock: a bare node:http server that signs one RS256 JWT per request with jose
// (WebCrypto, as jose does it) and answers it as a token response.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { SignJWT, importJWK } from 'jose';

const jwk = JSON.parse(readFileSync(new URL('../mocks/keycloak/fixture-key.json', import.meta.url), 'utf8')).keys[0];
const key = await importJWK({ ...jwk, alg: 'RS256' }, 'RS256');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ typ: 'Bearer', azp: 'conformance-service', scope: 'profile email' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setIssuer('http://127.0.0.1/realms/master')
      .setSubject('service-account')
      .setJti(crypto.randomUUID())
      .sign(key);
    const body = JSON.stringify({ access_token: jwt, expires_in: 300, refresh_expires_in: 0, token_type: 'Bearer', 'not-before-policy': 0, scope: 'profile email' });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`READY ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
