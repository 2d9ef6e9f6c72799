// Memory and scale of the mocks, each scenario in its own process (node --expose-gc bench/memory.mjs SCENARIO N):
//   tokens FLAVOUR N   N token grants with the flavour's default (long) lifetimes: nothing expires, the byte cap binds.
//   sessions N         N Keycloak user sessions (password grants of N/3 users, 3 sessions each).
//   latency N          a password grant's latency (median of 500) with 0 and with N other sessions in the realm,
//                      with a per-user session limit on, so the limiter runs on every grant.
// Requests go through inject() (the full handler: parsing, client auth, issuance, serialisation) without sockets.
import { startMock } from '../dist/mocks/index.js';

const [scenario, flavourOrN, maybeN] = process.argv.slice(2);
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const request = (path, body, headers = {}) => {
  const [p, q = ''] = path.split('?');
  return { method: 'POST', path: p, rawQuery: q, headers: { ...form, ...headers }, body: Buffer.from(body), bodyTooLarge: false };
};
const GRANTS = {
  portal: request('/oauth2/token/', 'grant_type=password&username=robot%40learningcenter&password=QrnY67ME9yGasNhq2OTbgWA4RzipUvo5&client_id=ACZpcaLIT3qr725YWmXu8et9REl4HBg1'),
  infolink: request('/api/v1/oauth2/token', 'grant_type=password&client_id=9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6&client_secret=eebb17b2-9ce4-4c73-a23f-d23739bf99b4&username=john%40company.com&password=mypassword'),
  rator: request('/appcontext/oauth/token?brand_key=BRAND1', 'grant_type=password&username=myusername&password=mypassword', { authorization: basic('myclientid', 'myclientsecret') }),
};

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const mb = (b) => Math.round((b / 2 ** 20) * 10) / 10;

async function tokens(flavour, n) {
  const mock = await startMock({ flavour, journal: { enabled: false }, ...(process.env.BYTES ? { tokens: { maxStoredBytes: Number(process.env.BYTES) } } : {}) });
  const req = GRANTS[flavour];
  let ok = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if ((await mock.inject(req)).status === 200) ok++;
    if (i % 5000 === 0) sample();
  }
  globalThis.gc?.();
  sample();
  const mu = process.memoryUsage();
  const out = { scenario: 'tokens', flavour, grants: ok, heapUsedMB: mb(mu.heapUsed), heapTotalMB: mb(mu.heapTotal), externalMB: mb(mu.external), arrayBuffersMB: mb(mu.arrayBuffers), seconds: (performance.now() - t0) / 1000, rssMB: mb(process.memoryUsage().rss), peakRssMB: mb(peak), tokensStored: mock.context.grants.store.stats().tokens, estimatedStoreMB: mb(mock.context.grants.store.stats().estimatedBytes) };
  await mock.close();
  return out;
}

const USER_PASSWORD = 'bench-password';
function keycloakWith(users, sessionLimit) {
  return startMock({
    flavour: 'keycloak',
    journal: { enabled: false },
    keycloak: {
      technicalUsers: [],
      realms: [{ name: 'master', ...(sessionLimit ? { sessionLimit } : {}), clients: [{ clientId: 'bench', clientSecret: 'bench-secret', grants: ['password', 'refresh_token'], scopes: ['profile'] }], users: Array.from({ length: users }, (_, i) => ({ username: `u${i}`, password: USER_PASSWORD })) }],
    },
  });
}
const login = (username) => request('/auth/realms/master/protocol/openid-connect/token', `grant_type=password&client_id=bench&client_secret=bench-secret&username=${username}&password=${USER_PASSWORD}`);

async function sessions(n) {
  const users = Math.ceil(n / 3);
  const mock = await keycloakWith(users);
  let ok = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if ((await mock.inject(login(`u${i % users}`))).status === 200) ok++;
    if (i % 2000 === 0) sample();
  }
  globalThis.gc?.();
  sample();
  const mu = process.memoryUsage();
  const out = { scenario: 'sessions', sessions: ok, heapUsedMB: mb(mu.heapUsed), heapTotalMB: mb(mu.heapTotal), seconds: (performance.now() - t0) / 1000, rssMB: mb(process.memoryUsage().rss), peakRssMB: mb(peak) };
  await mock.close();
  return out;
}

async function latency(n) {
  const users = Math.ceil(n / 3) + 1;
  // u0 is the probe: at its limit of 3, each login ends its oldest session (the limiter's work on every grant).
  const mock = await keycloakWith(users, { realmLimit: 3, behavior: 'terminate-oldest' });
  const probe = login('u0');
  const medianOf = async (k) => {
    const xs = [];
    for (let i = 0; i < k; i++) {
      const t = performance.now();
      await mock.inject(probe);
      xs.push(performance.now() - t);
    }
    return xs.sort((a, b) => a - b)[Math.floor(k / 2)];
  };
  await medianOf(200); // warm-up
  const atZero = await medianOf(500);
  for (let i = 0; i < n; i++) await mock.inject(login(`u${1 + (i % (users - 1))}`));
  const atN = await medianOf(500);
  const out = { scenario: 'latency', otherSessions: n, medianMsAt0: atZero, medianMsAtN: atN, ratio: atN / atZero };
  await mock.close();
  return out;
}

const result = scenario === 'tokens' ? await tokens(flavourOrN, Number(maybeN ?? 1_000_000)) : scenario === 'sessions' ? await sessions(Number(flavourOrN ?? 100_000)) : await latency(Number(flavourOrN ?? 30_000));
process.stdout.write(JSON.stringify(result));
