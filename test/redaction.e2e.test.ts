/**
 * Redaction as a user meets it: `idpc run` against a small strict server (test/support/tiny-as.ts) whose client id
 * shares a prefix with its secret, whose user's password is 3 characters and whose second client's secret is 4.
 * Every output (stdout, stderr, each report format) is read: no secret, no 8-character piece of a long one, no short
 * one standing as a value; the ids and usernames readable; the short secrets named as weak. The server serves a GET
 * with the secret in its URI (a planted bug), so that reports carry failing evidence with curl lines.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { REDACT_RUN } from '../src/util/redact.js';
import { runCli } from './support/cli.js';
import { startTinyAs, type TinyServer } from './support/tiny-as.js';

const servers: TinyServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

const LONG = 'qa-client-secret-123';
const SHORT = { password: 'pw7', secret: 'sc1x' };

describe('redaction in every output of a run', () => {
  it('ids sharing a prefix with a secret stay readable; short secrets are redacted and reported weak', async () => {
    const as = await startTinyAs({
      clients: [
        {
          id: 'qa-client-id',
          secret: LONG,
          grants: ['password', 'refresh_token', 'client_credentials'],
          scopes: ['read'],
        },
        {
          id: 'second-app',
          secret: SHORT.secret,
          grants: ['password', 'refresh_token', 'client_credentials'],
          scopes: ['read'],
        },
      ],
      users: { 'alice-wonder': SHORT.password },
      // A failure, so that reports carry evidence and curl lines: a GET with the secret in its URI is served (TE-A9).
      bugs: ['get-with-secret'],
    });
    servers.push(as);
    const dir = mkdtempSync(join(tmpdir(), 'idpc-redaction-'));
    const target = join(dir, 'tiny.target.yaml');
    writeFileSync(
      target,
      [
        'flavour: rfc6749',
        'allowHttp: true',
        `endpoints: { token: "${as.tokenUrl}", revocation: "${as.revocationUrl}", resource: "${as.resourceUrl}" }`,
        'clients:',
        `  - { name: user, clientId: qa-client-id, clientSecret: ${LONG} }`,
        `  - { name: other, clientId: second-app, clientSecret: ${SHORT.secret} }`,
        `users: [{ username: alice-wonder, password: ${SHORT.password} }]`,
        'grants: [password, client_credentials, refresh_token]',
        'budget: { maxRequests: 400, maxBadCredentialAttempts: 40, ratePerSecond: 500 }',
      ].join('\n'),
    );
    const reports = join(dir, 'reports');
    const r = await runCli(
      ['run', '--target', target, '--seed', '1', '--report', 'json,html,junit', '--report-dir', reports],
      process.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    const outputs = [r.stdout, r.stderr, ...readdirSync(reports).map((f) => readFileSync(join(reports, f), 'utf8'))];
    const all = outputs.join('\n');
    // The client id shares "qa-client-" with the secret, and the tool's own names share "-client-" (the variant
    // "bad-client-secret", the scenario "cross-client-revocation"): where such a name stands alone, it is the name.
    const vocabulary = new Set(['qa-client-id', ...ALL_CHECKS.flatMap((c) => c.variants ?? [])]);
    for (const f of readdirSync('suites'))
      for (const w of readFileSync(join('suites', f), 'utf8').match(/[A-Za-z0-9.@-]+/g) ?? []) vocabulary.add(w);
    const withoutIds = all.replace(/[A-Za-z0-9.@-]+/g, (word) => (vocabulary.has(word) ? '' : word));
    for (let i = 0; i + REDACT_RUN <= LONG.length; i++)
      expect(withoutIds, `piece ${LONG.slice(i, i + REDACT_RUN)}`).not.toContain(LONG.slice(i, i + REDACT_RUN));
    for (const s of Object.values(SHORT)) expect(all).not.toMatch(new RegExp(`(^|[^A-Za-z0-9])${s}([^A-Za-z0-9]|$)`));
    // The names are readable, wherever requests show them.
    expect(all).toContain('client_id=qa-client-id');
    expect(all).toContain('alice-wonder');
    expect(all).not.toMatch(/\[redacted:[0-9a-f]{8}\]id\b/);
    const json = JSON.parse(readFileSync(join(reports, 'idpc-report.json'), 'utf8')) as {
      runs: { weakSecrets?: string[] }[];
    };
    expect(json.runs[0]!.weakSecrets?.sort()).toEqual([
      "client second-app's secret (4 characters)",
      "user alice-wonder's password (3 characters)",
    ]);
    expect(r.stdout + r.stderr).toMatch(/warning: user alice-wonder's password \(3 characters\) is weak/);
  }, 120_000);
});
