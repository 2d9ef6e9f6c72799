import { it } from 'vitest';
import { startTinyAs } from './support/tiny-as.js';
import { runConformance } from '../src/runner/run.js';
import { targetOfConfig } from '../src/runner/target.js';
it('explore', async () => {
  const opts = JSON.parse(process.env.TINY ?? '{}');
  const as = await startTinyAs(opts);
  const cfg = JSON.parse((process.env.CFG ?? '{}'));
  const config = { flavour: 'rfc6749', allowHttp: true, endpoints: { token: as.tokenUrl, revocation: as.revocationUrl, resource: as.resourceUrl },
    clients: [{ name: 'user', clientId: 'web-app', clientSecret: 'web-app-secret-0123456789', ...(cfg.scope ? {scope: cfg.scope} : {}) }, { name: 'other', clientId: 'second-app', clientSecret: 'second-app-secret-9876543210', ...(cfg.scope ? {scope: cfg.scope} : {}) }],
    users: [{ username: 'alice', password: 'alice-Correct-Horse-1' }], grants: ['password', 'client_credentials', 'refresh_token'],
    policies: { refreshRotation: 'rotate' }, budget: { maxRequests: 800, maxBadCredentialAttempts: 60, ratePerSecond: 1000, timeoutMs: 5000 }, ...(cfg.over ?? {}) } as any;
  const run = await runConformance({ target: targetOfConfig(config, []), seed: Number(process.env.SEED ?? 1), numRuns: 3 });
  console.log('VERDICT', run.verdict, run.exitCode, JSON.stringify((run as any).incomplete));
  for (const r of run.results) { if (r.status === 'skip' || r.status === 'pass' || r.status === 'info') continue; console.log('R', r.suite, r.check, r.variant ?? '', r.status, (r.message ?? '').slice(0, 300)); for (const e of r.evidence ?? []) console.log('   E', e.curl.slice(0, 250), '=>', e.response?.status, e.response?.body?.slice(0, 150)); }
  await as.close();
}, 120000);
