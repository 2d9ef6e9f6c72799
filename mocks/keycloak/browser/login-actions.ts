/**
 * The login page's form action ({base}/realms/{realm}/login-actions/authenticate): the credentials checked as the
 * browser flow's username-password form does, the session limiter, then the redirect with a code. A GET shows the
 * page again. Sources (keycloak/keycloak services/src/main/java/org/keycloak/): services/resources/
 * LoginActionsService.java (authenticate; without the AUTH_SESSION_ID cookie: "Cookie not found…", an expired
 * login: "Your login attempt timed out…"), authentication/authenticators/browser/
 * AbstractUsernameFormAuthenticator.java (a wrong username or password re-renders the form, 200, "Invalid username
 * or password."; "Invalid password." when the user was pre-set), messages_en.properties.
 */
import { cookiesOf } from '../../core/browser.js';
import { formOf, queryOf, requestMediaType, type MockRequest, type MockResponse } from '../../core/http.js';
import { passwordMatches } from '../../core/passwords.js';
import { empty, errorPage, type KcClient, type KcUser, type Realm } from '../model.js';
import type { sessionLimiter } from '../session-limit.js';
import type { KcState } from '../state.js';
import type { AuthSession, BrowserState } from './codes.js';
import type { ConsentStep } from './consent.js';
import type { BrowserFlow } from './flow.js';
import { loginActionUrl, loginPage } from './login-page.js';

export function keycloakLoginActions(
  s: KcState,
  prefix: string,
  flow: BrowserFlow,
  codes: BrowserState,
  enforceSessionLimit: ReturnType<typeof sessionLimiter>,
  consent: ConsentStep,
) {
  /** The user a username names: Keycloak also logs users in by their email. */
  const findUser = (realm: Realm, name: string): KcUser | undefined =>
    (realm.users.get(name) as KcUser | undefined) ??
    ([...realm.users.values()] as KcUser[]).find((u) => u.email !== undefined && u.email === name);

  return async (req: MockRequest, route: Record<string, string>): Promise<MockResponse> => {
    const realm = s.realms.get(route.realm ?? '');
    if (!realm) return errorPage({ name: 'Keycloak' }, 404, 'Realm does not exist.');
    if (req.method !== 'GET' && req.method !== 'POST') return empty(405, { Allow: 'GET, POST' });
    const base = s.baseOf(req, prefix);
    const query = new URLSearchParams(queryOf(req, 'drop').pairs);
    const root = cookiesOf(req).get('AUTH_SESSION_ID');
    if (!root) return errorPage(realm, 400, 'Cookie not found. Please make sure cookies are enabled in your browser.');
    const auth = await codes.authSession(realm, root, query.get('tab_id') ?? '');
    if (!auth || auth.clientId !== query.get('client_id'))
      return errorPage(realm, 400, 'Your login attempt timed out. Login will start from the beginning.');
    const again = (error?: string) =>
      loginPage(realm, {
        action: loginActionUrl(base, realm, auth),
        ...(auth.reauthenticate
          ? { username: auth.reauthenticate, reauthenticate: true }
          : auth.loginHint
            ? { username: auth.loginHint }
            : {}),
        ...(error ? { error } : {}),
        button: s.kc.loginButton,
      });
    if (req.method === 'GET' || requestMediaType(req) !== 'application/x-www-form-urlencoded') return again();
    const form = new URLSearchParams(formOf(req, 'drop').pairs);
    const username = auth.reauthenticate ?? form.get('username') ?? '';
    const user = findUser(realm, username);
    const password = form.get('password') ?? '';
    const wrong = auth.reauthenticate ? 'Invalid password.' : 'Invalid username or password.';
    if (!user || user.locked || !password || !passwordMatches(user, password)) return again(wrong);
    if (!user.enabled) return again('Account is disabled, contact your administrator.');
    if (user.requiredActions?.length || user.otp !== undefined)
      // A required action or an OTP form would come next: the mock does not render those pages, and says so.
      return errorPage(realm, 400, 'Account is not fully set up');
    return finish(req, realm, base, auth, user);
  };

  async function finish(
    req: MockRequest,
    realm: Realm,
    base: string,
    auth: AuthSession,
    user: KcUser,
  ): Promise<MockResponse> {
    const client = realm.clients.get(auth.clientId) as KcClient | undefined;
    if (!client?.enabled) return errorPage(realm, 400, 'Client disabled.');
    await codes.endAuthSession(realm, auth);
    // Re-authentication (prompt=login) keeps the SSO session; a first login makes one, counted by the limiter.
    const sso = auth.reauthenticate ? await flow.ssoSession(req, realm) : undefined;
    if (sso && sso.user.username === user.username)
      return consent.consentOrCode(
        req,
        base,
        realm,
        auth,
        sso.session,
        await flow.loginCookies(prefix, realm, sso.session),
      );
    const denied = await enforceSessionLimit(realm, client, user, { flow: 'browser' });
    if (denied) return denied;
    const session = await flow.newSession(realm, client, user);
    return consent.consentOrCode(req, base, realm, auth, session, await flow.loginCookies(prefix, realm, session));
  }
}
