/**
 * `idpc mock` as shipped: the built CLI (dist/, made by `npm test` before vitest runs), one process per flavour,
 * spoken to over HTTP and stopped with SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, startCli } from './support/cli.js';
import { postForm } from './support/http.js';

const GRANTS: Record<string, { path?: string; params: Record<string, string>; headers?: Record<string, string> }> = {
  portal: { params: { grant_type: 'password', client_id: 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1', username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5' } },
  rator: { path: '?brand_key=BRAND1', params: { grant_type: 'password', username: 'myusername', password: 'mypassword' }, headers: { authorization: `Basic ${Buffer.from('myclientid:myclientsecret').toString('base64')}` } },
  infolink: { params: { grant_type: 'client_credentials', client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6', client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4' } },
  keycloak: { params: { grant_type: 'client_credentials', client_id: 'conformance-service', client_secret: 'conformance-service-secret' } },
};

describe('idpc mock (built CLI)', () => {
  it.each(Object.keys(GRANTS))('%s: prints one JSON line, issues a token, stops cleanly on SIGTERM', async (flavour) => {
    const { info, stop } = await startCli(['mock', flavour, '--json']);
    expect(String(info.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const g = GRANTS[flavour]!;
    const r = await postForm(String((info.endpoints as Record<string, string>).token) + (g.path ?? ''), g.params, g.headers);
    expect(r.status).toBe(200);
    expect(await stop()).toBe(0);
  });

  it('keycloak --technical-user prints a working client id, secret and offline refresh token', async () => {
    const { info, stop } = await startCli(['mock', 'keycloak', '--json', '--technical-user', 'wallis:portal-cli']);
    try {
      const tech = (info.technicalUsers as { name: string; clientId: string; clientSecret: string; refreshToken: string; tokenEndpoint: string }[]).find((t) => t.name === 'portal-cli')!;
      const r = await postForm(tech.tokenEndpoint, { grant_type: 'refresh_token', client_id: tech.clientId, client_secret: tech.clientSecret, refresh_token: tech.refreshToken });
      expect(r.status).toBe(200);
      expect(r.json().refresh_expires_in).toBe(0);
    } finally {
      await stop();
    }
  });

  it.each([
    [['mock', 'okta'], /no mock for flavour "okta"/],
    [['mock', 'portal', '--port', 'abc'], /--port must be 0\.\.65535/],
    [['mock', 'portal', '--bogus'], /Unknown option '--bogus'/],
    [['mock', 'portal', '--preset', 'nope'], /no preset "nope"/],
    [['mock', 'rator', '--technical-user', 'x'], /--technical-user is a Keycloak option/],
  ])('usage errors exit 2 with one line: %j', (args, message) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bad config file is reported with the path of each problem, exit 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'idpc-')), 'mock.yaml');
    writeFileSync(file, 'flavour: portal\ntokens:\n  accessTokenLifetime: "long"\nclients:\n  - clientSecret: x\n');
    const r = spawnSync(process.execPath, [cli, 'mock', 'portal', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('/tokens/accessTokenLifetime: must be integer, got string "long"');
    expect(r.stderr).toContain('/clients/0/clientId: required member "clientId" is missing');
  });
});

describe('idpc mock stops gracefully', () => {
  it('SIGTERM under load: every request the mock had received is answered, none is reset', async () => {
    // Each answer takes 150-300 ms, so that requests are in flight when the signal comes.
    const config = join(mkdtempSync(join(tmpdir(), 'idpc-')), 'slow.json');
    writeFileSync(config, JSON.stringify({ flavour: 'portal', faults: [{ route: 'token', kind: 'latency', latencyMs: 150, latencyMaxMs: 300, when: { always: true } }] }));
    const { info, stop, stderr } = await startCli(['mock', 'portal', '--json', '--config', config]);
    const token = String((info.endpoints as Record<string, string>).token);
    const g = GRANTS.portal!;
    // A new connection per request: after the signal, new ones are refused (never received); received ones must finish.
    const send = () =>
      postForm(token, g.params, { connection: 'close' }).then(
        (r) => ({ kind: 'answered' as const, status: r.status }),
        (e: Error & { code?: string; cause?: { code?: string } }) => ({ kind: 'error' as const, code: e.code ?? e.cause?.code ?? e.message }),
      );
    const inFlight = Array.from({ length: 150 }, (_, i) => new Promise((r) => setTimeout(r, i * 2)).then(send));
    await new Promise((r) => setTimeout(r, 200));
    const exit = stop();
    const outcomes = await Promise.all(inFlight);
    expect(await exit).toBe(0);
    const answered = outcomes.filter((o) => o.kind === 'answered');
    const errors = outcomes.filter((o) => o.kind === 'error').map((o) => (o as { code: string }).code);
    expect(answered.length).toBeGreaterThan(10);
    expect(answered.every((o) => (o as { status: number }).status === 200)).toBe(true);
    // The mock counts what it read and what it finished answering: every request it received was answered, and each of
    // those answers reached its client. Connections still in the kernel's backlog at the close were never received.
    const [, sent, received] = /answered (\d+) of the (\d+) requests it received/.exec(stderr()) ?? [];
    expect(Number(sent)).toBe(Number(received));
    expect(answered.length).toBe(Number(received));
    expect(errors.every((c) => ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(c))).toBe(true);
  });
});
