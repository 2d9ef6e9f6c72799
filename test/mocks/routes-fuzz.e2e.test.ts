/**
 * Every route of every mock, the browser flow's included (authorization, login, consent, logout, Django's login),
 * under malformed requests: any method, content type, body, query and cookies (broken session cookies, a forged SSO
 * cookie, a CSRF token that does not match). No answer is a 5xx.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_FLAVOURS, startMock, type RunningMock } from '../../mocks/index.js';
import type { FlavourName } from '../../src/flavours/index.js';

/** The browser routes the endpoints list does not name, by the path of the realm or site they hang off. */
const EXTRA_PATHS: Record<string, (m: RunningMock) => string[]> = {
  keycloak: (m) => {
    const realm = m.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
    return [
      `${realm}/login-actions/authenticate`,
      `${realm}/login-actions/consent`,
      `${m.url}/realms/nowhere/protocol/openid-connect/auth`,
      // The admin REST API (with the admin's token below): collections, members, sub-resources, unknown ids.
      ...[
        'users',
        'clients',
        'groups',
        'roles',
        'users/nope/groups',
        'users/nope/role-mappings/realm',
        'groups/nope/children',
        'clients/nope/client-secret',
        'clients/nope/roles',
      ].map((p) => `${realm.replace('/realms/master', '/admin/realms/master')}/${p}`),
    ];
  },
  portal: (m) => [
    `${m.url}/accounts/login/`,
    `${m.url}/accounts/logout/`,
    `${m.url}/workshops/environment/educates-lab-w01/request/`,
    `${m.url}/workshops/environment/educates-lab-w01/status/`,
    `${m.url}/workshops/environment/nowhere/request/`,
    `${m.url}/workshops/session/educates-lab-w01-s001/activate/`,
    `${m.url}/workshops/session/educates-lab-w01-s001/schedule/`,
    `${m.url}/workshops/session/educates-lab-w01-s001/terminate/`,
  ],
};

/** A bearer token a route's fuzz may send, so that what lies behind the token check is fuzzed too (the portal's robot). */
const passwordGrant = async (m: RunningMock, body: string) => {
  const r = await request(m.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return String(((await r.body.json()) as { access_token: string }).access_token);
};
const BEARER: Record<string, (m: RunningMock) => Promise<string>> = {
  // Keycloak's admin (the admin REST API), the portal's robot (its workshop routes).
  keycloak: (m) =>
    passwordGrant(m, 'grant_type=password&client_id=admin-cli&username=admin&password=keycloak-admin-password'),
  portal: (m) =>
    passwordGrant(
      m,
      'grant_type=password&username=robot%40learningcenter&password=QrnY67ME9yGasNhq2OTbgWA4RzipUvo5&client_id=ACZpcaLIT3qr725YWmXu8et9REl4HBg1',
    ),
};

const NAMES = [
  'username',
  'password',
  'client_id',
  'redirect_uri',
  'response_type',
  'code',
  'state',
  'tab_id',
  'session_code',
  'csrfmiddlewaretoken',
  'next',
  'accept',
  'cancel',
  'allow',
  'id_token_hint',
  'post_logout_redirect_uri',
  'prompt',
  'code_challenge',
  'grant_type',
  'index_url',
  'redirect_url',
  'user',
  'email',
  'timeout',
  'sessions',
  'token',
];
const VALUES = [
  '',
  'qa-bot',
  'qa-bot-password',
  'robot@learningcenter',
  'conformance-app',
  'code',
  'https://app.example.test/callback',
  '%zz',
  'é',
  '/',
  '//evil.example',
  'none',
  'login',
  'x'.repeat(300),
];
const pairs = fc.array(
  fc.tuple(fc.constantFrom(...NAMES), fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 30 }))),
  { maxLength: 6 },
);
const encode = (p: [string, string][]) =>
  p.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
const cookie = fc.option(
  fc.oneof(
    fc.constantFrom(
      'AUTH_SESSION_ID=nope',
      'KEYCLOAK_IDENTITY=eyJhbGciOiJIUzI1NiJ9.e30.x',
      'KEYCLOAK_IDENTITY=garbage; AUTH_SESSION_ID=',
      'sessionid=abc; csrftoken=short',
      'csrftoken=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      '=; ;;',
    ),
    fc.string({ maxLength: 40 }),
  ),
  { nil: undefined },
);

describe.each(MOCK_FLAVOURS)('every route of the %s mock, malformed', (flavour) => {
  let idp: RunningMock;
  let paths: string[];
  let bearer: string | undefined;
  beforeAll(async () => {
    idp = await startMock({ flavour: flavour as FlavourName, journal: { enabled: false } });
    paths = [...new Set([...Object.values(idp.endpoints), ...(EXTRA_PATHS[flavour]?.(idp) ?? [])])];
    bearer = await BEARER[flavour]?.(idp);
    // A token the flavour refused would only fuzz the refusal.
    if (bearer !== undefined) expect(bearer).toMatch(/^[\w.-]{20,}$/);
  });
  afterAll(() => idp.close());

  it('never answers with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: fc.nat(),
          method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD'),
          contentType: fc.option(
            fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain'),
            { nil: undefined },
          ),
          body: pairs,
          query: pairs,
          cookie,
          origin: fc.option(fc.constantFrom('https://evil.example', 'null'), { nil: undefined }),
          withBearer: fc.boolean(),
          jsonBody: fc.option(fc.json({ maxDepth: 3 }), { nil: undefined }),
        }),
        async (r) => {
          const base = paths[r.path % paths.length]!;
          const url = r.query.length ? `${base}${base.includes('?') ? '&' : '?'}${encode(r.query)}` : base;
          const hasBody = r.method !== 'GET' && r.method !== 'HEAD';
          const answer = await request(url, {
            method: r.method as 'POST',
            headers: {
              ...(r.contentType ? { 'content-type': r.contentType } : {}),
              ...(r.cookie !== undefined ? { cookie: r.cookie } : {}),
              ...(r.origin ? { origin: r.origin } : {}),
              ...(r.withBearer && bearer ? { authorization: `Bearer ${bearer}` } : {}),
            },
            ...(hasBody ? { body: r.jsonBody ?? encode(r.body) } : {}),
          });
          await answer.body.dump();
          expect(answer.statusCode, `${r.method} ${url}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 25 },
    );
  }, 60_000);
});
