import fc from 'fast-check';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import type { FlavourName } from '../../src/flavours/index.js';
import { validateCapture } from '../../src/validate/capture.js';

const FLAVOURS = ['portal', 'rator', 'infolink', 'keycloak'] as const;
const NAMES = [
  'grant_type',
  'username',
  'password',
  'client_id',
  'client_secret',
  'refresh_token',
  'scope',
  'brand_key',
  'brandKey',
  'operator',
  'x_probe',
];
// Keycloak's seeded clients and users appear among the values so that some requests get past client authentication.
const VALUES = [
  'password',
  'refresh_token',
  'client_credentials',
  'operator_password',
  'implicit',
  '',
  'BRAND1',
  'myclientid',
  'robot@learningcenter',
  'user:info',
  'read write',
  'é',
  '%zz',
  '%E0%A4%A',
  'ocp',
  'ocp-user',
  'ocp-password',
  'conformance-service',
  'conformance-service-secret',
  'openid',
  'offline_access',
];

const pairArb = fc.tuple(
  fc.constantFrom(...NAMES),
  fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 })),
);
const formArb = fc
  .array(pairArb, { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
const bodyArb = fc.oneof(
  formArb,
  // Broken percent-encoding, raw bytes, JSON, a huge value.
  fc.string({ maxLength: 80 }).map((s) => `grant_type=password&username=%${s}`),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.constant(`grant_type=client_credentials&scope=${'a'.repeat(70_000)}`),
  fc.constant(''),
);
const printable = fc.string({ unit: fc.constantFrom(...'abcXYZ019 :+/=%._-'.split('')), maxLength: 40 });
const authArb = fc.option(
  fc.oneof(
    printable.map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
    fc.constant(`Basic ${Buffer.from('myclientid:myclientsecret').toString('base64')}`),
    fc.constant(
      `Basic ${Buffer.from('ACZpcaLIT3qr725YWmXu8et9REl4HBg1:t5IfXbGZQThAKR43apoc9usOFVDv2BLE').toString('base64')}`,
    ),
    printable.map((s) => `Bearer ${s}`),
    printable,
  ),
  { nil: undefined },
);
const requestArb = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  contentType: fc.option(
    fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=ISO-8859-1',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
    ),
    { nil: undefined },
  ),
  body: bodyArb,
  query: fc.option(
    fc.oneof(
      formArb,
      fc.constant('brand_key=BRAND1'),
      printable.map((s) => encodeURI(s)),
    ),
    { nil: undefined },
  ),
  authorization: authArb,
  extraHeader: fc.option(printable, { nil: undefined }),
});

const mocks = new Map<string, RunningMock>();
beforeAll(async () => {
  for (const f of FLAVOURS) mocks.set(f, await startMock({ flavour: f }));
});
afterAll(async () => {
  for (const m of mocks.values()) await m.close();
});

/** Is this answer in the flavour's own format? (a 200 is a schema-valid token response, an error its error body) */
function inFlavourFormat(
  flavour: FlavourName,
  method: string,
  status: number,
  headers: Record<string, string[]>,
  body: string,
): string[] {
  const contentType = headers['content-type']?.[0] ?? '';
  if (method === 'HEAD') return [];
  if (flavour === 'portal' && contentType.startsWith('text/html')) {
    // Django's own answers: 405/301/200 (OPTIONS) empty, its 400 page, or oauthlib's query-string error.
    const known =
      (body === '' && [200, 301, 405].includes(status)) ||
      body === '<h1>Bad Request (400)</h1>' ||
      body === '{"error": "invalid_request", "error_description": "URL query parameters are not allowed"}';
    return known ? [] : [`unexpected text/html answer ${status}: ${body.slice(0, 80)}`];
  }
  if (flavour === 'keycloak' && body === '' && [200, 401, 405, 415].includes(status)) return []; // JAX-RS 405/415, the Basic challenge, CORS preflight
  if (
    flavour === 'keycloak' &&
    status === 403 &&
    contentType.startsWith('text/html') &&
    body.includes('kc-error-message')
  )
    return []; // session limit, HTML request
  if (!contentType.includes('application/json'))
    return [`status ${status} with Content-Type ${contentType || '(none)'}`];
  if (flavour === 'keycloak' && status === 403 && /^\{"error":"[^"]+"\}$/.test(body)) return []; // session limit, JSON request
  const kind = status === 200 ? 'token-response' : 'token-error';
  const report = validateCapture({ flavour, kind, response: { status, headers, body } });
  return report.findings
    .filter(
      (f) => f.rule === 'TE-C17' || f.rule === 'SCHEMA' || f.rule === 'TE-C3' || (f.rule === 'TE-D2' && f.path === ''),
    )
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);
}

describe.each(FLAVOURS)('%s token endpoint under arbitrary requests', (flavour) => {
  it("never answers 5xx, and always in the flavour's format", async () => {
    const mock = () => mocks.get(flavour)!;
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const url = mock().tokenEndpoint + (r.query !== undefined ? `?${r.query}` : '');
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.authorization) headers.authorization = r.authorization;
        if (r.extraHeader !== undefined) headers['x-extra'] = r.extraHeader;
        const response = await request(url, {
          method: r.method as 'POST',
          headers,
          ...(['GET', 'HEAD'].includes(r.method) ? {} : { body: r.body }),
        });
        const body = await response.body.text();
        const h: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(response.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v : [v];
        expect(response.statusCode, body).toBeLessThan(500);
        expect(inFlavourFormat(flavour, r.method, response.statusCode, h, body)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
