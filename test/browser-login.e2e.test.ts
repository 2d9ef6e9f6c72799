/**
 * Headless Chromium logs in on the mocks' real login pages, as a user would: Keycloak's #kc-form-login, and the
 * portal's Django login (its CSRF token and cookie, then django-oauth-toolkit's authorize view). The browser lands
 * on the client's redirect URI (held by the test: nothing listens there) with a code, which then exchanges.
 * Chromium is Debian's (scripts/setup-browser.sh, which .ci/run calls); without it the tests say they were skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { Browser, chromiumBinary } from './support/cdp.js';
import { basic, postForm } from './support/http.js';

const binary = chromiumBinary();
const SKIPPED = binary ? '' : ': SKIPPED, no chromium on this machine (scripts/setup-browser.sh installs it)';

describe.skipIf(!binary)(`headless Chromium on the mocks' login pages${SKIPPED}`, () => {
  let browser: Browser;
  const mocks: RunningMock[] = [];
  beforeAll(async () => {
    browser = await Browser.launch(binary!);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(mocks.map((m) => m.close()));
  });

  it('Keycloak (current): the login form, a wrong password shown, then the redirect with a code that exchanges', async () => {
    const idp = await startMock({ flavour: 'keycloak', preset: 'current' });
    mocks.push(idp);
    const realm = idp.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
    const page = await browser.page('https://app.example.test/*');
    await page.goto(
      `${realm}/protocol/openid-connect/auth?${new URLSearchParams({ client_id: 'conformance-app', response_type: 'code', redirect_uri: 'https://app.example.test/callback', state: 'chromium' })}`,
    );
    expect(await page.evaluate<string>('document.title')).toBe('Sign in to master');
    const submit = (password: string) =>
      page.evaluate(`(() => {
        document.querySelector('#username').value = 'qa-bot';
        document.querySelector('#password').value = ${JSON.stringify(password)};
        document.querySelector('#kc-login').click();
        return true;
      })()`);
    const loads = page.loads;
    await submit('not-the-password');
    await page.until(() => page.loads > loads, 'the form to come back');
    expect(await page.evaluate<string>("document.querySelector('#input-error')?.textContent.trim()")).toBe(
      'Invalid username or password.',
    );
    await submit('qa-bot-password');
    await page.until(() => page.stopped.length > 0, 'the redirect to the client');
    const callback = new URL(page.stopped[0]!);
    expect(callback.searchParams.get('state')).toBe('chromium');
    const exchange = await postForm(
      idp.tokenEndpoint,
      {
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: 'https://app.example.test/callback',
      },
      { authorization: basic('conformance-app', 'conformance-app-secret') },
    );
    expect(exchange.status).toBe(200);
  }, 60_000);

  it("the portal: Django's login page (CSRF) first, then the authorize view redirects with a code that exchanges", async () => {
    const idp = await startMock({ flavour: 'portal' });
    mocks.push(idp);
    const redirect = 'https://educates-lab-w01-s001.workshops.example.test/oauth_callback';
    const page = await browser.page('https://*.workshops.example.test/*');
    await page.goto(
      `${idp.url}/oauth2/authorize/?${new URLSearchParams({ client_id: 'educates-lab-w01-s001', response_type: 'code', redirect_uri: redirect, scope: 'user:info', state: 'gateway-state' })}`,
    );
    expect(await page.evaluate<string>('location.pathname')).toBe('/accounts/login/');
    expect(await page.evaluate<boolean>("!!document.querySelector('input[name=csrfmiddlewaretoken]').value")).toBe(
      true,
    );
    await page.evaluate(`(() => {
      document.querySelector('#id_username').value = 'robot@learningcenter';
      document.querySelector('#id_password').value = 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5';
      document.querySelector('form').submit();
      return true;
    })()`);
    await page.until(() => page.stopped.length > 0, 'the redirect to the workshop session');
    const callback = new URL(page.stopped[0]!);
    expect(callback.searchParams.get('state')).toBe('gateway-state');
    // The gateway's exchange: client_id in the body (a public application), the redirect URI.
    const exchange = await postForm(`${idp.url}/oauth2/token/`, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: redirect,
      client_id: 'educates-lab-w01-s001',
    });
    expect([exchange.status, exchange.json().scope]).toEqual([200, 'user:info']);
  }, 60_000);
});
