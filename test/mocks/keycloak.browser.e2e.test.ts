/**
 * The Keycloak mock's browser half over HTTP, preset by preset: the authorization endpoint's error pages and error
 * redirects in Keycloak's order, the login page and its form action, the code redirect, the code exchange with its
 * single use, PKCE, client and redirect_uri binding, expiry by the mock clock, SSO, prompt, headless login, the
 * session limiter's page; and a fuzz of the authorization endpoint (never a 5xx, never a redirect elsewhere).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../../mocks/index.js';
import { basic, http, postForm, type Reply } from '../support/http.js';

const PRESETS = ['legacy', 'v12-23', 'current'] as const;
const APP = { id: 'conformance-app', secret: 'conformance-app-secret', redirect: 'https://app.example.test/callback' };
const USER = { username: 'qa-bot', password: 'qa-bot-password' };
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const cookieHeader = (r: Reply, jar: Map<string, string> = new Map()) => {
  for (const line of (r.headers['set-cookie'] ?? '').split(/, (?=[A-Za-z_]+=)/)) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq < 1) continue;
    const value = pair!.slice(eq + 1);
    if (value === '') jar.delete(pair!.slice(0, eq));
    else jar.set(pair!.slice(0, eq), value);
  }
  return jar;
};
const asCookie = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const instruction = (r: Reply) => /class="instruction">([^<]*)/.exec(r.text)?.[1];
const locationParams = (r: Reply) => {
  const u = new URL(r.headers.location!);
  return [...new URLSearchParams(u.search)];
};

describe.each(PRESETS)('keycloak mock browser flow, preset %s', (preset) => {
  let idp: RunningMock;
  let realm: string;
  const authorize = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    http('GET', `${realm}/protocol/openid-connect/auth?${new URLSearchParams(params)}`, { headers });
  const codeRequest = (extra: Record<string, string> = {}) => ({
    client_id: APP.id,
    response_type: 'code',
    redirect_uri: APP.redirect,
    state: 'st+/=% x',
    ...extra,
  });
  /** Logs in on the real page; answers the final redirect and the cookie jar. */
  async function login(params: Record<string, string>, password = USER.password) {
    const page = await authorize(params);
    expect(page.status).toBe(200);
    const jar = cookieHeader(page);
    const action = /<form id="kc-form-login"[^>]*action="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const done = await postForm(
      action,
      { username: USER.username, password, credentialId: '' },
      { cookie: asCookie(jar) },
    );
    return { done, jar: cookieHeader(done, jar), page };
  }
  const exchange = (code: string, extra: Record<string, string> = {}, client = APP) =>
    postForm(
      idp.tokenEndpoint,
      { grant_type: 'authorization_code', code, redirect_uri: APP.redirect, ...extra },
      { authorization: basic(client.id, client.secret) },
    );
  const codeOf = (r: Reply) => new URL(r.headers.location!).searchParams.get('code')!;

  beforeAll(async () => {
    idp = await startMock({ flavour: 'keycloak', preset });
    realm = idp.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
  });
  afterAll(() => idp.close());
  beforeEach(() => idp.reset());

  it("the login page is Keycloak's form; a wrong password re-renders it with its message; the redirect carries state, session_state, iss (per version), code", async () => {
    const { page, done } = await login(codeRequest(), 'wrong');
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store, must-revalidate, max-age=0');
    expect(page.text).toMatch(/<title>Sign in to master<\/title>/);
    expect(page.text).toContain(`value="${preset === 'legacy' ? 'Log In' : 'Sign In'}"`);
    expect(page.headers['set-cookie']).toMatch(
      /^AUTH_SESSION_ID=[^;]+; Path=\/(auth\/)?realms\/master\/; SameSite=Lax; HttpOnly$/,
    );
    expect(/action="([^"]+)"/.exec(page.text)![1]).toMatch(
      /\/realms\/master\/login-actions\/authenticate\?session_code=[\w-]+&amp;execution=[\w-]+&amp;client_id=conformance-app&amp;tab_id=[\w-]+$/,
    );
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/<span id="input-error"[^>]*>Invalid username or password\.<\/span>/);
    const ok = await login(codeRequest());
    expect(ok.done.status).toBe(302);
    const params = locationParams(ok.done);
    expect(params.map(([k]) => k)).toEqual(
      preset === 'current' ? ['state', 'session_state', 'iss', 'code'] : ['state', 'session_state', 'code'],
    );
    expect(params[0]![1]).toBe('st+/=% x');
    if (preset === 'current') expect(params[2]![1]).toBe(realm);
    expect(codeOf(ok.done)).toMatch(/^[0-9a-f-]{36}\.[0-9a-f-]{36}\.[0-9a-f-]{36}$/);
    expect(ok.done.headers['set-cookie']).toMatch(/KEYCLOAK_IDENTITY=/);
    const discovery = (await http('GET', idp.endpoints.discovery!)).json();
    expect(discovery.authorization_response_iss_parameter_supported).toBe(preset === 'current' ? true : undefined);
  });

  it('client and redirect_uri are checked before login, with error pages; later errors are redirected', async () => {
    const page = async (params: Record<string, string>, status: number, text: string) => {
      const r = await authorize(params);
      expect([r.status, instruction(r)], JSON.stringify(params)).toEqual([status, text]);
      expect(r.headers.location).toBeUndefined();
    };
    await page({ response_type: 'code' }, 400, 'Missing parameters: client_id');
    await page(codeRequest({ client_id: 'nobody' }), 400, 'Client not found.');
    await page(
      codeRequest({ redirect_uri: 'https://app.example.test/callbacks' }),
      400,
      'Invalid parameter: redirect_uri',
    );
    await page(codeRequest({ redirect_uri: `${APP.redirect}?x=1` }), 400, 'Invalid parameter: redirect_uri');
    await page({ client_id: APP.id, response_type: 'code', scope: 'openid' }, 400, 'Invalid parameter: redirect_uri');
    const redirected = async (params: Record<string, string>, expected: [string, string][]) => {
      const r = await authorize(params);
      expect(r.status).toBe(302);
      expect(r.headers.location!.startsWith(`${APP.redirect}?`)).toBe(true);
      expect(locationParams(r).filter(([k]) => k !== 'iss')).toEqual(expected);
    };
    const state: [string, string] = ['state', 'st+/=% x'];
    await redirected(codeRequest({ response_type: 'foo' }), [['error', 'unsupported_response_type'], state]);
    await redirected({ ...codeRequest(), response_type: '' }, [
      ['error', 'invalid_request'],
      ['error_description', 'Missing parameter: response_type'],
      state,
    ]);
    await redirected(codeRequest({ scope: 'nonsense' }), [
      ['error', preset === 'legacy' ? 'invalid_request' : 'invalid_scope'],
      ['error_description', 'Invalid scopes: nonsense'],
      state,
    ]);
    await redirected(codeRequest({ code_challenge_method: 'S512', code_challenge: CHALLENGE }), [
      ['error', 'invalid_request'],
      ['error_description', 'Invalid parameter: code_challenge_method'],
      state,
    ]);
    await redirected(codeRequest({ code_challenge: 'short' }), [
      ['error', 'invalid_request'],
      ['error_description', 'Invalid parameter: code_challenge'],
      state,
    ]);
  });

  it('a code is single use: the replay is "Code not valid" and the first exchange\'s refresh token dies; the ID token carries the nonce', async () => {
    const { done } = await login(codeRequest({ scope: 'openid', nonce: 'n-42' }));
    const first = await exchange(codeOf(done));
    expect(first.status).toBe(200);
    const body = first.json();
    const id = JSON.parse(Buffer.from(String(body.id_token).split('.')[1]!, 'base64url').toString());
    expect([id.nonce, id.aud]).toEqual(['n-42', APP.id]);
    expect((await exchange(codeOf(done))).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Code not valid',
    });
    const refresh = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'refresh_token', refresh_token: String(body.refresh_token) },
      { authorization: basic(APP.id, APP.secret) },
    );
    expect([refresh.status, refresh.json().error]).toEqual([400, 'invalid_grant']);
  });

  it('the code is bound to its client and its redirect_uri, and any failed exchange burns it', async () => {
    await idp.addClient({
      clientId: 'other-app',
      clientSecret: 'other-secret',
      grants: ['authorization_code'],
      redirectUris: [APP.redirect],
    });
    const a = await login(codeRequest());
    expect((await exchange(codeOf(a.done), {}, { ...APP, id: 'other-app', secret: 'other-secret' })).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Auth error',
    });
    expect((await exchange(codeOf(a.done))).json().error_description).toBe('Code not valid');
    const b = await login(codeRequest());
    expect((await exchange(codeOf(b.done), { redirect_uri: `${APP.redirect}/x` })).json().error_description).toBe(
      'Incorrect redirect_uri',
    );
  });

  it('PKCE: a missing or wrong verifier is refused; a verifier without a challenge per version', async () => {
    const withChallenge = codeRequest({ code_challenge: CHALLENGE, code_challenge_method: 'S256' });
    const one = await login(withChallenge);
    expect((await exchange(codeOf(one.done))).json().error_description).toBe('PKCE code verifier not specified');
    const two = await login(withChallenge);
    expect((await exchange(codeOf(two.done), { code_verifier: 'x'.repeat(43) })).json().error_description).toBe(
      'PKCE verification failed',
    );
    const three = await login(withChallenge);
    expect((await exchange(codeOf(three.done), { code_verifier: VERIFIER })).status).toBe(200);
    const downgrade = await login(codeRequest());
    const answer = await exchange(codeOf(downgrade.done), { code_verifier: VERIFIER });
    if (preset === 'current')
      expect(answer.json().error_description).toBe(
        'PKCE code verifier specified but challenge not present in authorization',
      );
    else expect(answer.status).toBe(200);
  });

  it("a code lives the realm's accessCodeLifespan (60 s) on the mock clock", async () => {
    const { done } = await login(codeRequest());
    await idp.clock.advance(61);
    expect((await exchange(codeOf(done))).json().error).toBe('invalid_grant');
  });

  it('SSO: a second authorization with the cookies skips the form; prompt=none without them is login_required; prompt=login asks again', async () => {
    const { jar } = await login(codeRequest());
    const again = await authorize(codeRequest(), { cookie: asCookie(jar) });
    expect(again.status).toBe(302);
    expect((await exchange(codeOf(again))).status).toBe(200);
    const none = await authorize(codeRequest({ prompt: 'none' }));
    expect(locationParams(none).filter(([k]) => k !== 'iss')).toEqual([
      ['error', 'login_required'],
      ['state', 'st+/=% x'],
    ]);
    const relogin = await authorize(codeRequest({ prompt: 'login' }), { cookie: asCookie(jar) });
    expect(relogin.status).toBe(200);
    expect(relogin.text).toContain('Please re-authenticate to continue');
    const hinted = await authorize(codeRequest({ login_hint: 'qa-bot' }));
    expect(hinted.text).toMatch(/name="username" value="qa-bot"/);
  });

  it('a client that requires consent: the grant page after the login; No is access_denied, Yes a code, and it is remembered', async () => {
    await idp.addClient({
      clientId: 'consenting-app',
      clientSecret: 'consenting-secret',
      grants: ['authorization_code'],
      redirectUris: [APP.redirect],
      consentRequired: true,
    });
    const ask = { ...codeRequest(), client_id: 'consenting-app' };
    const first = await login(ask);
    expect(first.done.status).toBe(200);
    expect(first.done.text).toContain('Grant Access to consenting-app');
    const action = /<form class="form-actions" action="([^"]+)"/.exec(first.done.text)![1]!.replace(/&amp;/g, '&');
    const no = await postForm(action, { cancel: 'No' }, { cookie: asCookie(first.jar) });
    expect(locationParams(no).filter(([k]) => k !== 'iss')).toEqual([
      ['error', 'access_denied'],
      ['state', 'st+/=% x'],
    ]);
    // The SSO session is there; without consent, prompt=none cannot proceed.
    const silent = await authorize({ ...ask, prompt: 'none' }, { cookie: asCookie(first.jar) });
    expect(locationParams(silent).find(([k]) => k === 'error')).toEqual(['error', 'interaction_required']);
    const again = await authorize(ask, { cookie: asCookie(first.jar) });
    const jar = cookieHeader(again, first.jar);
    const yesAction = /<form class="form-actions" action="([^"]+)"/.exec(again.text)![1]!.replace(/&amp;/g, '&');
    const yes = await postForm(yesAction, { accept: 'Yes' }, { cookie: asCookie(jar) });
    expect(codeOf(yes)).toBeTruthy();
    const remembered = await authorize(ask, { cookie: asCookie(jar) });
    expect(codeOf(remembered)).toBeTruthy();
  });

  it('response_mode fragment and form_post deliver the code their way', async () => {
    const frag = await login(codeRequest({ response_mode: 'fragment' }));
    expect(frag.done.headers.location).toMatch(/^https:\/\/app\.example\.test\/callback#state=/);
    const post = await login(codeRequest({ response_mode: 'form_post' }));
    expect(post.done.status).toBe(200);
    expect(post.done.text).toMatch(
      /<TITLE>OIDC Form_Post Response<\/TITLE>.*ACTION="https:\/\/app\.example\.test\/callback".*name="code"/s,
    );
  });

  it('never a 5xx and never a redirect to an unregistered URI, whatever the authorization request', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom(
        APP.id,
        APP.redirect,
        'code',
        'none',
        'login',
        'S256',
        'plain',
        CHALLENGE,
        `${APP.redirect}#x`,
        '%zz',
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
      'login_hint',
      'nonce',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 8 }), fc.boolean(), async (pairs, post) => {
        const query = new URLSearchParams(pairs).toString();
        const r = post
          ? await http('POST', `${realm}/protocol/openid-connect/auth`, {
              body: query,
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            })
          : await http('GET', `${realm}/protocol/openid-connect/auth?${query}`);
        expect(r.status).toBeLessThan(500);
        if (r.headers.location) expect(r.headers.location.startsWith(APP.redirect)).toBe(true);
      }),
      { numRuns: 150, seed: 24 },
    );
  });
});

describe("keycloak mock: headless login and the browser flow's session limit", () => {
  it('login.headlessUser completes every login at once; honourLoginHint only for a hint naming a user', async () => {
    const idp = await startMock({ flavour: 'keycloak', preset: 'current', login: { headlessUser: 'qa-bot' } });
    try {
      const realm = idp.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
      const r = await http(
        'GET',
        `${realm}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: APP.id, response_type: 'code', redirect_uri: APP.redirect })}`,
      );
      expect(r.status).toBe(302);
      expect(new URL(r.headers.location!).searchParams.get('code')).toBeTruthy();
    } finally {
      await idp.close();
    }
    const hinted = await startMock({ flavour: 'keycloak', preset: 'current', login: { honourLoginHint: true } });
    try {
      const realm = hinted.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
      const at = (hint: string) =>
        http(
          'GET',
          `${realm}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: APP.id, response_type: 'code', redirect_uri: APP.redirect, login_hint: hint })}`,
        );
      expect((await at('qa-bot')).status).toBe(302);
      expect((await at('nobody')).status).toBe(200);
    } finally {
      await hinted.close();
    }
  });

  it('ocp-iam: the sixth browser login of the ocp client gets the 403 page', async () => {
    const idp = await startMock({ flavour: 'keycloak', preset: 'ocp-iam', login: { headlessUser: 'ocp-user' } });
    try {
      const realm = idp.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
      const url = `${realm}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'ocp', response_type: 'code', redirect_uri: 'https://console-openshift-console.apps.ocp.example.test/auth/callback', code_challenge: CHALLENGE, code_challenge_method: 'S256' })}`;
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await http('GET', url)).status);
      expect(statuses).toEqual([302, 302, 302, 302, 302, 403]);
      expect(instruction(await http('GET', url))).toBe('There are too many sessions');
    } finally {
      await idp.close();
    }
  });
});
