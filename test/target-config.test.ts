/**
 * Every option the target-config schema accepts is read: a config with all of them set is turned into a target
 * through a recording proxy, and each leaf of the schema must have been looked at. An option nothing reads would
 * be accepted and silently ignored, the way lifetimes once were.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetOfConfig } from '../src/runner/target.js';
import type { ConfigTargetConfig } from '../src/generated/schemas.js';
import { packageRoot } from '../src/util/paths.js';
import { registry } from '../src/schemas/registry.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
}

/** Leaf option paths of the schema ("policies.sessionLimit", "clients[].scope", "endpoints.resource.headers"). */
function leaves(s: Schema, prefix: string): string[] {
  const variants = s.oneOf ?? [s];
  const out: string[] = [];
  for (const v of variants) {
    if (v.properties)
      for (const [k, sub] of Object.entries(v.properties)) out.push(...leaves(sub, prefix ? `${prefix}.${k}` : k));
    else if (v.items?.properties) out.push(...leaves(v.items, `${prefix}[]`));
    else out.push(prefix);
  }
  return [...new Set(out)];
}

/** A deep proxy that records every property path read. */
function recording<T extends object>(value: T, seen: Set<string>, prefix = ''): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key))) return v;
      const path = Array.isArray(target) ? `${prefix}[]` : prefix ? `${prefix}.${key}` : key;
      seen.add(path);
      return v && typeof v === 'object' ? recording(v as object, seen, path) : v;
    },
  });
}

const full: ConfigTargetConfig = {
  $schema: './target-config.schema.json',
  flavour: 'keycloak',
  preset: 'current',
  baseUrl: 'https://iam.example.com/realms/master',
  issuer: 'https://iam.example.com/realms/master',
  endpoints: {
    token: 'https://iam.example.com/realms/master/protocol/openid-connect/token',
    revocation: 'https://iam.example.com/realms/master/protocol/openid-connect/revoke',
    logout: 'https://iam.example.com/realms/master/protocol/openid-connect/logout',
    discovery: 'https://iam.example.com/realms/master/.well-known/openid-configuration',
    jwks: 'https://iam.example.com/realms/master/protocol/openid-connect/certs',
    resource: { url: 'https://api.example.com/me', method: 'POST', headers: { 'x-api': '1' }, body: '{}' },
  },
  allowHttp: false,
  clients: [
    {
      name: 'user',
      clientId: 'app',
      clientSecret: 's',
      public: false,
      auth: 'post',
      refreshToken: 'r',
      scope: 'openid',
      grants: ['password', 'refresh_token'],
    },
    { name: 'browser', clientId: 'spa', public: true, grants: ['authorization_code'] },
    { name: 'browser-2', clientId: 'spa-2', public: true, grants: ['authorization_code'] },
  ],
  users: [{ username: 'u', password: 'p', operator: false }],
  authorizationCode: {
    authorizationEndpoint: 'https://iam.example.com/realms/master/protocol/openid-connect/auth',
    redirectUri: 'https://spa.example.com/callback',
    client: 'browser',
    otherClient: 'browser-2',
    pkce: 'S256',
    scope: 'profile',
    openid: true,
    codeLifetime: 60,
    login: { formSelector: '#kc-form-login', usernameField: 'username', passwordField: 'password', consent: false },
  },
  grants: ['password', 'refresh_token', 'client_credentials'],
  extraParams: { a: 'b' },
  requiredParams: ['a'],
  scopes: { granted: 'openid profile', narrower: 'profile', notAllowed: 'admin', unknown: 'nope' },
  tls: {
    ca: 'test/fixtures/tls/ca.pem',
    cert: 'test/fixtures/tls/client.pem',
    key: 'test/fixtures/tls/client.key',
    insecure: true,
  },
  policies: {
    refreshRotation: 'rotate',
    refreshRevokesAccess: true,
    accessTokenLifetime: 2,
    refreshTokenLifetime: 4,
    sessionLimit: 5,
  },
  profile: 'bcp9700',
  budget: {
    maxRequests: 100,
    maxBadCredentialAttempts: 3,
    ratePerSecond: 5,
    timeoutMs: 1000,
    maxWaitSeconds: 10,
    maxBodyBytes: 65536,
  },
};

describe('target config', () => {
  it('the full example is valid against its schema', () => {
    const v = registry().validate('config', 'target-config', full);
    expect(v.errors).toEqual([]);
  });

  it('every option of the schema is read when a target is made from it', () => {
    const schema = JSON.parse(
      readFileSync(join(packageRoot(), 'schemas/config/target-config.schema.json'), 'utf8'),
    ) as Schema;
    // $schema is for editors; the rest is the run's.
    const options = leaves(schema, '').filter((p) => p !== '$schema');
    const seen = new Set<string>();
    targetOfConfig(recording(structuredClone(full), seen), [], undefined, { baseDir: packageRoot() });
    expect(options.filter((o) => !seen.has(o) && ![...seen].some((s) => s.startsWith(`${o}.`)))).toEqual([]);
  });

  it('what the options say reaches the target', () => {
    const t = targetOfConfig(structuredClone(full), [], undefined, { baseDir: packageRoot() });
    expect(t.tls).toMatchObject({
      ca: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
      cert: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/),
      key: expect.stringMatching(/^-----BEGIN PRIVATE KEY-----/),
      insecure: true,
    });
    expect(t).toMatchObject({
      requiredParams: ['a'],
      scope: { full: 'openid profile', narrower: 'profile', notAllowed: 'admin', unknown: 'nope' },
      issuer: full.issuer,
      discoveryUrl: full.endpoints!.discovery,
      jwksUrl: full.endpoints!.jwks,
      resource: { url: 'https://api.example.com/me', method: 'POST', headers: { 'x-api': '1' }, body: '{}' },
      lifetimes: { access: 2, refresh: 4 },
      sessionLimit: 5,
      refreshRevokesAccess: true,
      refreshMode: 'rotate-revoke',
      profile: 'bcp9700',
      budget: { maxWaitSeconds: 10, maxRequests: 100, maxBodyBytes: 65536 },
      authorizationCode: {
        authorizationUrl: 'https://iam.example.com/realms/master/protocol/openid-connect/auth',
        client: { clientId: 'spa', public: true, auth: 'none' },
        otherClient: { clientId: 'spa-2' },
        redirectUri: 'https://spa.example.com/callback',
        pkce: 'S256',
        scope: 'profile',
        openid: true,
        codeLifetime: 60,
        login: {
          username: 'u',
          password: 'p',
          formSelector: '#kc-form-login',
          usernameField: 'username',
          passwordField: 'password',
          consent: false,
        },
      },
    });
    expect(t.clients.user).toMatchObject({
      clientId: 'app',
      auth: 'post',
      scope: 'openid',
      grants: ['password', 'refresh_token'],
    });
  });

  it('a public client may hold a secret and send it (the portal robot client), and stays public for the checks', () => {
    const t = targetOfConfig(
      {
        flavour: 'portal',
        baseUrl: 'https://portal.example.com',
        clients: [{ clientId: 'robot', clientSecret: 'x', public: true }],
        users: [{ username: 'robot', password: 'p' }],
      },
      [],
    );
    expect(t.clients.user).toMatchObject({ public: true, clientSecret: 'x', auth: 'basic' });
    expect(t.revocationUrl).toBe('https://portal.example.com/oauth2/revoke-token/');
    expect(t.resource?.url).toBe('https://portal.example.com/workshops/catalog/environments/');
    expect(t.refreshRevokesAccess).toBe(true);
  });

  it('one client with several grants serves client_credentials too', () => {
    const t = targetOfConfig(
      {
        flavour: 'infolink',
        baseUrl: 'https://il.example.com',
        clients: [{ clientId: 'c', clientSecret: 's' }],
        users: [{ username: 'u', password: 'p' }],
      },
      [],
    );
    expect(t.clients.service?.clientId).toBe('c');
    expect(t.clients.user?.clientId).toBe('c');
    expect(t.resource).toMatchObject({
      method: 'POST',
      url: 'https://il.example.com/api/v1/executeJob',
      headers: { 'content-type': 'application/json' },
    });
    expect(t.resource?.body).toMatch(/^\{'appId':'170'/);
  });
});

describe('a config error never shows a value that came from the environment', () => {
  it('an invalid URL built from ${env:...} is reported with the value redacted', async () => {
    const { loadTargetConfig } = await import('../src/runner/target.js');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'idpc-env-')), 't.json');
    process.env.IDPC_TEST_SECRET_URL = 'not a url s3cr3t-value-1234';
    writeFileSync(file, JSON.stringify({ flavour: 'rfc6749', baseUrl: '${env:IDPC_TEST_SECRET_URL}' }));
    const error = await loadTargetConfig(file).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/\/baseUrl/);
    expect((error as Error).message).not.toContain('s3cr3t-value-1234');
  });
});

describe('policies.refreshRotation', () => {
  it.each([
    ['rotate-revoke', 'rotate-revoke'],
    ['rotate', 'rotate-revoke'],
    ['rotate-keep', 'rotate'],
    ['reuse', 'reuse'],
    ['unknown', 'unknown'],
  ] as const)('%s is the refresh mode %s', (rotation, mode) => {
    expect(
      targetOfConfig({ ...structuredClone(full), policies: { refreshRotation: rotation } }, [], undefined, {
        baseDir: packageRoot(),
      }).refreshMode,
    ).toBe(mode);
  });
});
