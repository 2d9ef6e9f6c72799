/**
 * The portal mock's browser half over HTTP: Django's login redirect and form (CSRF), django-oauth-toolkit's
 * authorize view (its error page, its form-encoded error redirects, the consent form and its Cancel), the code
 * grant's answers with their documented deviations, and a fuzz of the authorize view with a logged-in session
 * (never a 5xx; a redirect only to the login page or a registered URI).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { http, postForm, type Reply } from '../support/http.js';

const APP = 'educates-lab-w01-s001';
const REDIRECT = `https://${APP}.workshops.example.test/oauth_callback`;
const ROBOT = { username: 'robot@learningcenter', password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5' };

const cookiesOf = (r: Reply) =>
  (r.headers['set-cookie'] ?? '')
    .split(/, (?=[A-Za-z_]+=)/)
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='));

describe('portal mock: Django login and the authorize view', () => {
  let idp: RunningMock;
  let session: string;
  const authorize = (params: Record<string, string> | string, cookie = session) =>
    http('GET', `${idp.url}/oauth2/authorize/?${typeof params === 'string' ? params : new URLSearchParams(params)}`, {
      headers: cookie ? { cookie } : {},
    });
  async function login(next: string, password = ROBOT.password) {
    const page = await http('GET', `${idp.url}/accounts/login/?next=${encodeURIComponent(next)}`);
    const csrf = cookiesOf(page).find((c) => c.startsWith('csrftoken='))!;
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(page.text)![1]!;
    const done = await postForm(
      `${idp.url}/accounts/login/`,
      { csrfmiddlewaretoken: token, username: ROBOT.username, password, next },
      { cookie: csrf, origin: idp.url },
    );
    return { page, done, csrf, token };
  }

  beforeAll(async () => {
    idp = await startMock({ flavour: 'portal' });
    const { done } = await login('/');
    session = cookiesOf(done).join('; ');
  });
  afterAll(() => idp.close());

  it("an anonymous request goes to Django's login with the full path as next; the form has a masked CSRF token", async () => {
    const r = await authorize({ response_type: 'code', client_id: APP }, '');
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(
      `/accounts/login/?next=/oauth2/authorize/%3Fresponse_type%3Dcode%26client_id%3D${APP}`,
    );
    const { page, done } = await login('/oauth2/authorize/?x=1', 'wrong');
    expect(/name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})"/.test(page.text)).toBe(true);
    expect(done.status).toBe(200);
    expect(done.text).toContain('Please enter a correct username and password.');
    const ok = await login('/oauth2/authorize/?x=1');
    expect([ok.done.status, ok.done.headers.location]).toEqual([302, '/oauth2/authorize/?x=1']);
    // Another origin, or no token: Django's 403 CSRF page.
    const forged = await postForm(
      `${idp.url}/accounts/login/`,
      { csrfmiddlewaretoken: ok.token, ...ROBOT, next: '/' },
      { cookie: ok.csrf, origin: 'https://evil.example' },
    );
    expect([forged.status, forged.text]).toEqual([
      403,
      '<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>',
    ]);
  });

  it("fatal errors are DOT's error page; the others are redirected, form-encoded, with the state", async () => {
    const page = async (params: string, text: string) => {
      const r = await authorize(params);
      expect([r.status, /<h2>Error: ([^<]+)<\/h2><p>([^<]*)<\/p>/.exec(r.text)?.slice(1)]).toEqual([
        400,
        ['invalid_request', text],
      ]);
    };
    await page('response_type=code', 'Missing client_id parameter.');
    await page(`response_type=code&client_id=nobody`, 'Invalid client_id parameter value.');
    await page(`client_id=${APP}&redirect_uri=https://evil.example/cb`, 'Mismatching redirect URI.');
    await page(`client_id=${APP}&state=a&state=b`, 'Duplicate state parameter.');
    const r = await authorize({ client_id: APP, redirect_uri: REDIRECT, state: 'a b' });
    expect(r.headers.location).toBe(
      `${REDIRECT}?error=invalid_request&error_description=Missing+response_type+parameter.&state=a+b`,
    );
    // django-oauth-toolkit's documented leniency: extra query parameters on the registered URI are accepted.
    const extra = await authorize({ client_id: APP, response_type: 'code', redirect_uri: `${REDIRECT}?x=1` });
    expect(extra.headers.location).toMatch(
      new RegExp(`^${REDIRECT.replace(/\./g, '\\.')}\\?x=1&code=[A-Za-z0-9]{30}$`),
    );
  });

  it('a client that asks for consent shows the form; Cancel is access_denied, Authorize is a code', async () => {
    await idp.addClient({
      clientId: 'consenting-app',
      public: true,
      grants: ['authorization_code'],
      redirectUris: ['https://consenting.example.test/cb'],
    });
    const form = await authorize({ client_id: 'consenting-app', response_type: 'code', state: 's' });
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form id="authorizationForm" method="post">');
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.text)![1]!;
    const csrf = session.split('; ').find((c) => c.startsWith('csrftoken='))!;
    const fields = {
      csrfmiddlewaretoken: token,
      client_id: 'consenting-app',
      redirect_uri: 'https://consenting.example.test/cb',
      response_type: 'code',
      scope: 'user:info',
      state: 's',
    };
    const post = (extra: Record<string, string>) =>
      postForm(
        `${idp.url}/oauth2/authorize/?client_id=consenting-app`,
        { ...fields, ...extra },
        { cookie: `${session}; ${csrf}` },
      );
    expect((await post({})).headers.location).toBe('https://consenting.example.test/cb?error=access_denied&state=s');
    expect((await post({ allow: 'Authorize' })).headers.location).toMatch(
      /^https:\/\/consenting\.example\.test\/cb\?code=\w{30}&state=s$/,
    );
  });

  it('the code grant: Code verifier required (invalid_request), the registered URI by default, no description on invalid_grant', async () => {
    const code = async (extra: Record<string, string> = {}) =>
      new URL(
        (await authorize({ client_id: APP, response_type: 'code', ...extra })).headers.location!,
      ).searchParams.get('code')!;
    const exchange = (c: string, extra: Record<string, string> = {}) =>
      postForm(`${idp.url}/oauth2/token/`, { grant_type: 'authorization_code', code: c, client_id: APP, ...extra });
    const c1 = await code({
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    expect((await exchange(c1)).text).toBe(
      '{"error": "invalid_request", "error_description": "Code verifier required."}',
    );
    const c2 = await code();
    const first = await exchange(c2);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json())).toEqual(['access_token', 'expires_in', 'token_type', 'scope', 'refresh_token']);
    expect((await exchange(c2)).text).toBe('{"error": "invalid_grant"}');
  });

  it('never a 5xx, and a redirect only to the login page or a registered URI, whatever the request (logged in)', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom(
        APP,
        REDIRECT,
        `${REDIRECT}?a=1`,
        'code',
        'token',
        'S256',
        'plain',
        'S512',
        'user:info',
        'login',
        '%zz',
        'fragment',
      ),
    );
    const name = fc.constantFrom(
      'client_id',
      'redirect_uri',
      'response_type',
      'response_mode',
      'scope',
      'state',
      'prompt',
      'code_challenge',
      'code_challenge_method',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), async (pairs) => {
        const r = await authorize(new URLSearchParams(pairs).toString());
        expect(r.status).toBeLessThan(500);
        const to = r.headers.location;
        if (to) expect(to.startsWith('/accounts/login/') || to.startsWith(REDIRECT)).toBe(true);
        if (r.status === 400) expect(r.text).toMatch(/<h2>Error: [a-z_]+<\/h2>/);
      }),
      { numRuns: 150, seed: 24 },
    );
  });
});
