/**
 * `idpc mock` as shipped: the built CLI (dist/, made by `npm test` before vitest runs), one process per flavour,
 * spoken to over HTTP and stopped with SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { cli, startCli } from './support/cli.js';
import { postForm } from './support/http.js';

const GRANTS: Record<string, { path?: string; params: Record<string, string>; headers?: Record<string, string> }> = {
  portal: {
    params: {
      grant_type: 'password',
      client_id: 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1',
      username: 'robot@learningcenter',
      password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5',
    },
  },
  rator: {
    path: '?brand_key=BRAND1',
    params: { grant_type: 'password', username: 'myusername', password: 'mypassword' },
    headers: { authorization: `Basic ${Buffer.from('myclientid:myclientsecret').toString('base64')}` },
  },
  infolink: {
    params: {
      grant_type: 'client_credentials',
      client_id: '9605c5d5-2a1b-49cc-8aaa-b350ee9d86b6',
      client_secret: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
    },
  },
  keycloak: {
    params: {
      grant_type: 'client_credentials',
      client_id: 'conformance-service',
      client_secret: 'conformance-service-secret',
    },
  },
};

describe('idpc mock (built CLI)', () => {
  it.each(Object.keys(GRANTS))(
    '%s: prints one JSON line, issues a token, stops cleanly on SIGTERM',
    async (flavour) => {
      const { info, stop } = await startCli(['mock', flavour, '--json']);
      expect(String(info.url)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const g = GRANTS[flavour]!;
      const r = await postForm(
        String((info.endpoints as Record<string, string>).token) + (g.path ?? ''),
        g.params,
        g.headers,
      );
      expect(r.status).toBe(200);
      expect(await stop()).toBe(0);
    },
  );

  it('keycloak --technical-user prints a working client id, secret and offline refresh token', async () => {
    const { info, stop } = await startCli(['mock', 'keycloak', '--json', '--technical-user', 'wallis:portal-cli']);
    try {
      const tech = (
        info.technicalUsers as {
          name: string;
          clientId: string;
          clientSecret: string;
          refreshToken: string;
          tokenEndpoint: string;
        }[]
      ).find((t) => t.name === 'portal-cli')!;
      const r = await postForm(tech.tokenEndpoint, {
        grant_type: 'refresh_token',
        client_id: tech.clientId,
        client_secret: tech.clientSecret,
        refresh_token: tech.refreshToken,
      });
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
    [['mock', 'portal', '--admin-token', ''], /--admin-token is empty/],
    [['mock', 'portal', '--host', '0.0.0.0'], /host 0\.0\.0\.0 would expose \/__admin without a token/],
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

describe('idpc mock: its config from the environment (IDPC_MOCK_CONFIG), the flavour from the command line', () => {
  it('a JSON config without a flavour: its client authenticates; a --config file goes over it', async () => {
    const env = {
      ...process.env,
      IDPC_MOCK_CONFIG: JSON.stringify({
        clients: [{ clientId: 'from-env', clientSecret: 'env-secret', grants: ['client_credentials'] }],
      }),
    };
    const { info, stop } = await startCli(['mock', 'keycloak', '--json'], env);
    const token = String((info.endpoints as Record<string, string>).token);
    const ok = await postForm(token, {
      grant_type: 'client_credentials',
      client_id: 'from-env',
      client_secret: 'env-secret',
    });
    expect(ok.status).toBe(200);
    expect(await stop()).toBe(0);
    // YAML in the variable, a file over it (its top-level sections win), no flavour in either.
    const dir = mkdtempSync(join(tmpdir(), 'idpc-envcfg-'));
    const file = join(dir, 'over.yaml');
    writeFileSync(file, 'tokens:\n  accessTokenLifetime: 42\n');
    const yamlEnv = {
      ...process.env,
      IDPC_MOCK_CONFIG:
        'clients:\n  - clientId: yaml-client\n    clientSecret: yaml-secret\n    grants: [client_credentials]\n',
    };
    const both = await startCli(['mock', 'portal', '--json', '--config', file], yamlEnv);
    const answer = await postForm(String((both.info.endpoints as Record<string, string>).token), {
      grant_type: 'client_credentials',
      client_id: 'yaml-client',
      client_secret: 'yaml-secret',
    });
    expect([answer.status, answer.json().expires_in]).toEqual([200, 42]);
    expect(await both.stop()).toBe(0);
  }, 30_000);

  it('a broken or contradicting IDPC_MOCK_CONFIG: one line naming the variable, exit 2', () => {
    for (const [value, message] of [
      ['{"clients": [', /^idpc: IDPC_MOCK_CONFIG: not valid JSON: /],
      ['{"flavour": "rator"}', /^idpc: IDPC_MOCK_CONFIG: a rator config, not portal$/],
      ['{"clients": [{"secret": "x"}]}', /^idpc: IDPC_MOCK_CONFIG: \/clients\/0\/clientId: required member/],
    ] as const) {
      const r = spawnSync(process.execPath, [cli, 'mock', 'portal', '--json'], {
        env: { ...process.env, IDPC_MOCK_CONFIG: value },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status, value).toBe(2);
      expect(r.stderr.trim().split('\n'), value).toHaveLength(1);
      expect(r.stderr.trim(), value).toMatch(message);
    }
  }, 60_000);
});

describe('the admin plane is not open by accident', () => {
  it('--host 0.0.0.0 --allow-open-admin starts with a warning; with a token it starts without one', async () => {
    const open = await startCli(['mock', 'portal', '--json', '--host', '0.0.0.0', '--port', '0', '--allow-open-admin']);
    expect(open.stderr()).toMatch(/warning: \/__admin on 0\.0\.0\.0 has no token/);
    await open.stop();
    const guarded = await startCli([
      'mock',
      'portal',
      '--json',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--admin-token',
      'a-long-admin-token',
    ]);
    expect(guarded.stderr()).not.toMatch(/warning/);
    const admin = String(guarded.info.admin);
    expect((await fetch(`${admin}/reset`, { method: 'POST' })).status).toBe(401);
    expect(
      (await fetch(`${admin}/reset`, { method: 'POST', headers: { authorization: 'Bearer a-long-admin-token' } }))
        .status,
    ).toBe(204);
    await guarded.stop();
  });

  it('without a token, what a web page could send is refused (a form body, another Origin, a rebound Host); JSON and plain curl calls pass', async () => {
    const { info, stop } = await startCli(['mock', 'portal', '--json']);
    const admin = String(info.admin);
    const send = (path: string, init: RequestInit) =>
      fetch(`${admin}${path}`, init).then(async (r) => ({ status: r.status, body: await r.text() }));
    const user = JSON.stringify({ username: 'via-page', password: 'pw-via-page' });
    try {
      // A cross-site <form> can send only form, multipart or text bodies.
      expect(
        (
          await send('/users', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'username=via-page&password=x',
          })
        ).status,
      ).toBe(403);
      expect(
        (await send('/users', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: user })).status,
      ).toBe(403);
      // A page's fetch says where it comes from.
      expect((await send('/reset', { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
      expect((await send('/reset', { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
      // DNS rebinding: the page's own name resolved to 127.0.0.1 reaches the port with its Host.
      // (undici's request: fetch will not send a Host of its choosing.)
      expect((await request(`${admin}/users`, { headers: { host: 'evil.example:80' } })).statusCode).toBe(403);
      expect(
        JSON.parse((await send('/users', { method: 'GET' })).body).map((u: { username: string }) => u.username),
      ).not.toContain('via-page');
      // A test's JSON call and a bodiless curl -X POST are served.
      expect(
        (await send('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: user })).status,
      ).toBe(201);
      expect((await send('/reset', { method: 'POST' })).status).toBe(204);
    } finally {
      await stop();
    }
  });
});

describe('idpc mock stops gracefully', () => {
  it('SIGTERM under load: every request the mock had received is answered, none is reset', async () => {
    // Each answer takes 150-300 ms, so that requests are in flight when the signal comes.
    const config = join(mkdtempSync(join(tmpdir(), 'idpc-')), 'slow.json');
    writeFileSync(
      config,
      JSON.stringify({
        flavour: 'portal',
        faults: [{ route: 'token', kind: 'latency', latencyMs: 150, latencyMaxMs: 300, when: { always: true } }],
      }),
    );
    const { info, stop, stderr } = await startCli(['mock', 'portal', '--json', '--config', config]);
    const token = String((info.endpoints as Record<string, string>).token);
    const g = GRANTS.portal!;
    // A new connection per request: after the signal, new ones are refused (never received); received ones must finish.
    const send = () =>
      postForm(token, g.params, { connection: 'close' }).then(
        (r) => ({ kind: 'answered' as const, status: r.status }),
        (e: Error & { code?: string; cause?: { code?: string } }) => ({
          kind: 'error' as const,
          code: e.code ?? e.cause?.code ?? e.message,
        }),
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

  it('SIGTERM at full speed over keep-alive connections: requests already sent on an open connection are answered, none is reset', async () => {
    const { info, stop, stderr } = await startCli(['mock', 'portal', '--json']);
    const token = new URL(String((info.endpoints as Record<string, string>).token));
    const g = GRANTS.portal!;
    const agent = new Agent({ connections: 8, keepAliveTimeout: 10_000 });
    const outcomes: { kind: 'answered' | 'error'; code?: string }[] = [];
    let signalled: Promise<number | null> | undefined;
    // 8 clients sending back to back over their keep-alive connections; the signal comes after 80 answers.
    const client = async () => {
      for (;;) {
        try {
          const r = await request(token, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(g.params).toString(),
          });
          await r.body.dump();
          outcomes.push({ kind: 'answered' });
          if (outcomes.length === 80) signalled = stop();
        } catch (e) {
          const err = e as Error & { code?: string; cause?: { code?: string } };
          outcomes.push({ kind: 'error', code: err.code ?? err.cause?.code ?? err.message });
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(await signalled).toBe(0);
    await agent.close();
    const answered = outcomes.filter((o) => o.kind === 'answered').length;
    const errors = outcomes.filter((o) => o.kind === 'error').map((o) => o.code);
    // After the drain began, answers said Connection: close; the next request opened a new connection, refused.
    expect(
      errors.every((c) => c === 'ECONNREFUSED'),
      errors.join(', '),
    ).toBe(true);
    const [, sent, received] = /answered (\d+) of the (\d+) requests it received/.exec(stderr()) ?? [];
    expect(Number(sent)).toBe(Number(received));
    expect(answered).toBe(Number(received));
  });
});
