/**
 * Mocks over HTTPS (issue: TLS): `startMock({ tls: true })` makes a CA and a certificate for the loopback names and
 * gives the test the CA; issuers and discovery say https. Real clients (undici, openid-client) talk to the mock
 * when they trust that CA and refuse it when they do not; `idpc mock --tls` prints the CA's file, and the runner
 * (`--tls-ca`) runs the browser flow against it as a real target. Bad TLS flags are one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { packageRoot } from '../src/util/paths.js';
import { cli, runCli, startCli } from './support/cli.js';
import { targetEnv } from './support/target-env.js';

describe('a mock over HTTPS', () => {
  let idp: RunningMock;
  let trusting: Agent;
  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak', preset: 'current', tls: true });
    trusting = new Agent({ connect: { ca: idp.tls!.ca } });
  });
  afterAll(async () => {
    await trusting.close();
    await idp.close();
  });

  it('serves https with a certificate its CA signed; issuers and discovery say https', async () => {
    expect(idp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.tls!.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const r = await request(idp.endpoints.discovery!, { dispatcher: trusting });
    const doc = (await r.body.json()) as Record<string, string>;
    expect(doc.issuer).toBe(`${idp.url}/realms/master`);
    expect(doc.token_endpoint?.startsWith('https://')).toBe(true);
  });

  it('undici without the CA is refused on the certificate, as it should be', async () => {
    await expect(request(idp.endpoints.discovery!)).rejects.toMatchObject({
      code: expect.stringMatching(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
      ),
    });
  });

  it('openid-client with the CA discovers and gets a token; without it, it fails on the certificate', async () => {
    const realm = new URL(`${idp.url}/realms/master`);
    const withCa = {
      [oidc.customFetch]: ((url: string, options: object) =>
        undiciFetch(url, { ...options, dispatcher: trusting } as never)) as unknown as oidc.CustomFetch,
    };
    const config = await oidc.discovery(realm, 'conformance-service', 'conformance-service-secret', undefined, withCa);
    Object.assign(config, withCa);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.iss).toBe(`${idp.url}/realms/master`);
    await expect(oidc.discovery(realm, 'conformance-service', 'conformance-service-secret')).rejects.toThrow();
  });
});

describe('idpc mock --tls', () => {
  it('prints the CA file (in --json: caFile), and the runner trusts it with --tls-ca: the browser flow conforms', async () => {
    const { info, stop } = await startCli(['mock', 'keycloak', '--tls', '--json']);
    try {
      expect(String(info.url)).toMatch(/^https:\/\//);
      expect(String(info.caFile)).toMatch(/ca\.pem$/);
      const r = await runCli(
        [
          'run',
          '--target',
          join(packageRoot(), 'fixtures/targets/keycloak.target.yaml'),
          '--tls-ca',
          String(info.caFile),
          '--suites',
          'authorization-code',
          '--seed',
          '1',
          '--quiet',
        ],
        { ...process.env, ...targetEnv('keycloak', String(info.url)) },
      );
      expect(r.stdout + r.stderr).toMatch(/CONFORMS/);
      expect(r.code).toBe(0);
    } finally {
      await stop();
    }
  }, 60_000);

  it('TLS flags that cannot work: one line, exit 2', () => {
    for (const [args, message] of [
      [['--tls-cert', 'x.pem'], /^idpc: --tls-cert and --tls-key go together/],
      [
        ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
        /^idpc: tls\.certFile: \/nonexistent\/cert\.pem: no such file$/,
      ],
    ] as const) {
      const r = spawnSync(process.execPath, [cli, 'mock', 'portal', ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim(), args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 30_000);
});
