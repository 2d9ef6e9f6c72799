/**
 * Keycloak's consent, for a client with "Consent required": after the login (or with an SSO session), the user grants
 * the client access once on the consent page; the code comes after "Yes", access_denied after "No". With prompt=none
 * a consent still to be given is interaction_required. Sources (keycloak/keycloak services/src/main/java/org/keycloak/):
 * authentication/requiredactions/ConsentRequiredAction… (the grant page), services/resources/LoginActionsService.java
 * (processConsent: accept / cancel), protocol/AuthorizationEndpointBase.java (prompt=none: interaction_required).
 */
import { randomBytes } from 'node:crypto';
import { cookiesOf } from '../../core/browser.js';
import { formOf, requestMediaType, queryOf, type MockRequest, type MockResponse } from '../../core/http.js';
import { empty, errorPage, type KcClient, type Realm, type UserSession } from '../model.js';
import type { KcState } from '../state.js';
import type { AuthSession, BrowserState } from './codes.js';
import type { BrowserFlow } from './flow.js';
import { consentPage, loginActionUrl } from './login-page.js';

type Request = Omit<AuthSession, 'rootId' | 'tabId' | 'expiresAt'>;

export function consentStep(s: KcState, prefix: string, flow: BrowserFlow, codes: BrowserState) {
  /** The code now, or the consent page first when the client requires consent and the user has not given it. */
  async function consentOrCode(
    req: MockRequest,
    base: string,
    realm: Realm,
    request: Request,
    session: UserSession,
    cookies: string[],
  ): Promise<MockResponse> {
    const client = realm.clients.get(request.clientId) as KcClient | undefined;
    if (!client?.consentRequired || (await codes.consented(realm, session.userId, client.clientId)))
      return flow.redirectWithCode(base, realm, request, session, cookies);
    const auth: AuthSession = {
      ...request,
      rootId: cookiesOf(req).get('AUTH_SESSION_ID') ?? randomBytes(16).toString('hex'),
      tabId: randomBytes(8).toString('base64url'),
      expiresAt: s.now() + realm.config.accessCodeLifespanLogin,
      awaitingConsent: session.id,
    };
    await codes.saveAuthSession(realm, auth);
    const withRoot = cookiesOf(req).has('AUTH_SESSION_ID')
      ? cookies
      : [...cookies, `AUTH_SESSION_ID=${auth.rootId}; Path=${prefix}/realms/${realm.name}/; SameSite=Lax; HttpOnly`];
    return consentPage(
      realm,
      client.clientId,
      loginActionUrl(base, realm, auth, 'consent'),
      request.scope.split(' ').filter(Boolean),
      withRoot,
    );
  }

  /** POST …/login-actions/consent: accept or cancel. */
  async function consentAction(req: MockRequest, route: Record<string, string>): Promise<MockResponse> {
    const realm = s.realms.get(route.realm ?? '');
    if (!realm) return errorPage({ name: 'Keycloak' }, 404, 'Realm does not exist.');
    if (req.method !== 'POST') return empty(405, { Allow: 'POST' });
    const base = s.baseOf(req, prefix);
    const query = new URLSearchParams(queryOf(req, 'drop').pairs);
    const root = cookiesOf(req).get('AUTH_SESSION_ID');
    if (!root) return errorPage(realm, 400, 'Cookie not found. Please make sure cookies are enabled in your browser.');
    const auth = await codes.authSession(realm, root, query.get('tab_id') ?? '');
    if (!auth?.awaitingConsent)
      return errorPage(realm, 400, 'Your login attempt timed out. Login will start from the beginning.');
    await codes.endAuthSession(realm, auth);
    const form = new URLSearchParams(
      requestMediaType(req) === 'application/x-www-form-urlencoded' ? formOf(req, 'drop').pairs : [],
    );
    if (!form.has('accept')) return flow.redirectError(base, realm, auth, 'access_denied');
    const session = await s.sessions.active(realm, auth.awaitingConsent);
    if (!session) return errorPage(realm, 400, 'Your login attempt timed out. Login will start from the beginning.');
    await codes.grantConsent(realm, session.userId, auth.clientId);
    return flow.redirectWithCode(base, realm, auth, session, []);
  }

  return { consentOrCode, consentAction };
}

export type ConsentStep = ReturnType<typeof consentStep>;
