// RSS after one million issued tokens with a one-second lifetime and the clock moving on: the full token-endpoint
// handler (parsing, client auth, issuance, serialisation) run through inject(), without sockets, to keep it quick.
import { startMock } from '../dist/mocks/index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const mock = await startMock({ flavour: 'infolink', journal: { enabled: false }, clock: { frozen: true }, tokens: { accessTokenLifetime: 1, refreshTokenLifetime: 1, expiredRetention: 0 } });
const body = Buffer.from('grant_type=client_credentials&client_id=9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6&client_secret=eebb17b2-9ce4-4c73-a23f-d23739bf99b4');
const request = { method: 'POST', path: '/api/v1/oauth2/token', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, bodyTooLarge: false };
globalThis.gc?.();
const before = process.memoryUsage().rss;
let ok = 0;
const t0 = performance.now();
for (let i = 0; i < total; i++) {
  const r = await mock.inject(request);
  if (r.status === 200) ok++;
  if (i % 1000 === 999) mock.clock.advance(2);
}
const seconds = (performance.now() - t0) / 1000;
globalThis.gc?.();
const after = process.memoryUsage().rss;
const stored = mock.context.grants.access.size + mock.context.grants.refresh.size;
await mock.close();
process.stdout.write(JSON.stringify({ tokensIssued: ok, seconds, rssBeforeMB: before / 2 ** 20, rssAfterMB: after / 2 ** 20, tokensStoredAtEnd: stored }));
