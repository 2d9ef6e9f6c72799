/**
 * Keycloak's browser logout (RP-initiated: GET, or a form POST without refresh_token), per version:
 * up to 17 a redirect_uri is honoured at once with or without id_token_hint; from 18 post_logout_redirect_uri needs an
 * id_token_hint (from 19 a client_id will do), redirect_uri is refused, and a logout without a hint asks the user.
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/): protocol/oidc/endpoints/LogoutEndpoint.java
 * (logout, 17.0 and 25.0), protocol/oidc/utils/LogoutUtil.java (the redirect with state), messages_en.properties.
 */
import { cookiesOf, seeOther, setCookie } from '../../core/browser.js';
import type { MockRequest, MockResponse } from '../../core/http.js';
import { verifyRs256 } from '../jwt.js';
import { errorPage, SECURITY, type KcClient, type Realm } from '../model.js';
import type { KcState } from '../state.js';
import { redirectMatches } from './authorize.js';
import type { BrowserFlow } from './flow.js';

export function keycloakBrowserLogout(s: KcState, prefix: string, flow: BrowserFlow) {
  const page = (realm: Realm, text: string): MockResponse => ({
    status: 200,
    headers: { ...SECURITY, 'Content-Type': 'text/html;charset=utf-8' },
    body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to ${realm.name}</title></head><body><div id="kc-content"><p class="instruction">${text}</p></div></body></html>`,
  });
  const expired = (realm: Realm) =>
    ['KEYCLOAK_IDENTITY', 'KEYCLOAK_SESSION', 'KEYCLOAK_REMEMBER_ME'].map((name) =>
      setCookie(name, '', { ...flow.attrs(prefix, realm), maxAge: 0 }),
    );
  /** A post-logout URI is one of the client's redirect URIs (Keycloak's "+": the valid redirect URIs). */
  const allowedAfterLogout = (client: KcClient | undefined, uri: string, realm: Realm) =>
    (client ? [client] : ([...realm.clients.values()] as KcClient[])).some((c) =>
      redirectMatches(c.redirectUris ?? [], uri, false),
    );

  return async (req: MockRequest, realm: Realm, params: URLSearchParams): Promise<MockResponse> => {
    const hint = params.get('id_token_hint');
    const postLogout = params.get('post_logout_redirect_uri') ?? undefined;
    const legacyRedirect = params.get('redirect_uri') ?? undefined;
    const clientId = params.get('client_id') ?? undefined;
    const state = params.get('state') ?? undefined;
    const mode = s.kc.browserLogout;
    let claims: Record<string, unknown> | undefined;
    if (hint) {
      claims = verifyRs256(hint, (await (await realm.keys()).rsa()).verifyKey);
      if (claims?.typ !== 'ID' || (clientId !== undefined && claims.azp !== clientId))
        return errorPage(
          realm,
          400,
          mode === 'redirect-uri' ? 'Session not active.' : 'Invalid parameter: id_token_hint',
        );
    }
    const client = realm.clients.get(String(claims?.azp ?? clientId ?? '')) as KcClient | undefined;
    let target: string | undefined;
    if (mode === 'redirect-uri') target = postLogout ?? legacyRedirect;
    else {
      if (legacyRedirect !== undefined) return errorPage(realm, 400, 'Invalid parameter: redirect_uri');
      if (postLogout !== undefined && !claims && !(mode === 'client-id' && client))
        return errorPage(realm, 400, 'Missing parameters: id_token_hint');
      target = postLogout;
    }
    if (target !== undefined && !allowedAfterLogout(client, target, realm))
      return errorPage(realm, 400, 'Invalid redirect uri');
    const sso = await flow.ssoSession(req, realm);
    // From 18 a logout that cannot tell whose session it ends asks the user first.
    if (mode !== 'redirect-uri' && !claims && sso && cookiesOf(req).has('KEYCLOAK_IDENTITY'))
      return page(realm, 'Do you want to log out?');
    const sid = typeof claims?.sid === 'string' ? claims.sid : sso?.session.id;
    if (sid) await s.sessions.drop(realm, sid);
    if (target === undefined) return { ...page(realm, 'You are logged out'), cookies: expired(realm) };
    const to =
      state !== undefined ? `${target}${target.includes('?') ? '&' : '?'}state=${encodeURIComponent(state)}` : target;
    return seeOther(to, SECURITY, expired(realm));
  };
}
