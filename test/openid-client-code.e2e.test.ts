/**
 * A real client library runs the browser flow against the Keycloak mock: openid-client (panva) discovers the realm,
 * builds an authorization URL with PKCE (S256), state and nonce; the mock's headless login (login.headlessUser)
 * answers it at once with a redirect; openid-client validates the callback (state, iss per RFC 9207 where the
 * preset sends it) and exchanges the code, checks the ID token (nonce, signature via the JWKS), refreshes, and logs
 * out through the end-session endpoint. What an application's own end-to-end test does in CI, without a browser.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { http, postForm } from './support/http.js';

const REDIRECT = 'https://app.example.test/callback';

describe.each(['v12-23', 'current'] as const)(
  'openid-client: code + PKCE + refresh + logout, Keycloak %s',
  (preset) => {
    let idp: RunningMock;
    let realm: string;
    beforeAll(async () => {
      idp = await startMock({ flavour: 'keycloak', preset, login: { headlessUser: 'qa-bot' } });
      realm = idp.endpoints.discovery!.replace('/.well-known/openid-configuration', '');
    });
    afterAll(() => idp.close());

    it('logs in headlessly, exchanges, refreshes and logs out', async () => {
      const config = await oidc.discovery(new URL(realm), 'conformance-app', 'conformance-app-secret', undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      // The browser's part, done by the mock's headless login: the authorization request answers with the redirect.
      const answer = await http('GET', url.href);
      expect(answer.status).toBe(302);
      const callback = new URL(answer.headers.location!);
      expect(callback.origin + callback.pathname).toBe(REDIRECT);

      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      expect(tokens.claims()).toMatchObject({ nonce, aud: 'conformance-app', preferred_username: 'qa-bot' });
      expect(tokens.refresh_token).toBeTruthy();

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).not.toBe(tokens.access_token);

      // RP-initiated logout with the ID token as hint: back to the post-logout URI with the state, session ended.
      const logout = oidc.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: REDIRECT,
        state: 'bye',
      });
      const out = await http('GET', logout.href);
      expect([out.status, out.headers.location]).toEqual([302, `${REDIRECT}?state=bye`]);
      const after = await postForm(
        idp.tokenEndpoint,
        { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token! },
        { authorization: `Basic ${Buffer.from('conformance-app:conformance-app-secret').toString('base64')}` },
      );
      expect([after.status, after.json().error]).toEqual([400, 'invalid_grant']);
    });

    it('a tampered callback is refused by the client, a replayed code by the mock', async () => {
      const config = await oidc.discovery(new URL(realm), 'conformance-app', 'conformance-app-secret', undefined, {
        execute: [oidc.allowInsecureRequests],
      });
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'expected-state',
      });
      const callback = new URL((await http('GET', url.href)).headers.location!);
      // openid-client's own check: the error's cause names the unexpected state.
      const tampered = await oidc
        .authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'other-state' })
        .then(
          () => undefined,
          (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ''}`,
        );
      expect(tampered).toMatch(/state/);
      await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: 'expected-state',
      });
      await expect(
        oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'expected-state' }),
      ).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'Code not valid' });
    });
  },
);
