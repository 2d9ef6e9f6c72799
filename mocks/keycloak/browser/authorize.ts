/**
 * Keycloak's authorization endpoint (GET and form POST …/protocol/openid-connect/auth) as named steps, in the order
 * AuthorizationEndpoint.process checks a request: the realm, the client and the redirect URI first (an error page,
 * never a redirect), then response type and mode, scope and PKCE (errors redirected to the client), then the browser
 * flow: the SSO cookie, prompt, and the login page.
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/): protocol/oidc/endpoints/AuthorizationEndpoint.java
 * (process, checkClient), AuthorizationEndpointChecker.java (checkRedirectUri, checkResponseType, checkValidScope,
 * checkPKCEParams), protocol/oidc/utils/RedirectUtils.java (verifyRedirectUri: exact, or a trailing * as a prefix;
 * the single registered URI when none is sent without openid), protocol/AuthorizationEndpointBase.java (prompt=none:
 * login_required), authentication/authenticators/browser/CookieAuthenticator.java (SSO), UsernamePasswordForm.java
 * (login_hint pre-fills the username).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AuthorizeErrorPage,
  AuthorizeErrorRedirect,
  authorizationEndpoint,
  type AuthorizeRequest,
  type AuthorizeStep,
} from '../../core/authorization-endpoint.js';
import { cookiesOf, setCookie, type ResponseMode } from '../../core/browser.js';
import { formOf, Params, queryOf, requestMediaType } from '../../core/http.js';
import { empty, errorPage, REALM_SCOPES, type KcClient, type Realm } from '../model.js';
import type { sessionLimiter } from '../session-limit.js';
import type { KcState } from '../state.js';
import type { AuthSession, BrowserState } from './codes.js';
import type { ConsentStep } from './consent.js';
import type { BrowserFlow } from './flow.js';
import { loginActionUrl, loginPage } from './login-page.js';

interface KcAuthorizeState {
  realmName: string;
  realm?: Realm;
  base: string;
  /** The redirect_uri parameter as sent (null when absent): the code is bound to it. */
  redirectUriParam: string | null;
  scope: string;
}
type Step = AuthorizeStep<KcAuthorizeState>;
type Request = AuthorizeRequest<KcAuthorizeState>;

const MODES: Record<string, ResponseMode> = { query: 'query', fragment: 'fragment', form_post: 'form_post' };
/** Response types Keycloak knows (OIDCResponseType); all but code belong to the implicit or hybrid flow. */
const KNOWN_RESPONSE_TYPES = new Set([
  'code',
  'token',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
  'none',
]);
/** RFC 7636 §4.1: 43-128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
export const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RedirectUtils.verifyRedirectUri: exact match, or a registered entry ending in * as a prefix. */
export function redirectMatches(registered: readonly string[], uri: string, prefixDefect: boolean): boolean {
  return registered.some((r) =>
    r.endsWith('*') ? uri.startsWith(r.slice(0, -1)) : uri === r || (prefixDefect && uri.startsWith(r)),
  );
}

export function keycloakAuthorizationEndpoint(
  s: KcState,
  prefix: string,
  flow: BrowserFlow,
  codes: BrowserState,
  enforceSessionLimit: ReturnType<typeof sessionLimiter>,
  consent: ConsentStep,
) {
  const realmStep: Step = {
    name: 'realm',
    run(t) {
      const realm = s.realms.get(t.state.realmName);
      if (!realm) throw new AuthorizeErrorPage(404, 'Realm does not exist.');
      t.state.realm = realm;
      t.state.base = s.baseOf(t.req, prefix);
      if (realm.config.sslRequired === 'all') throw new AuthorizeErrorPage(403, 'HTTPS required');
      if (!realm.config.enabled) throw new AuthorizeErrorPage(403, 'Realm not enabled');
    },
  };

  const clientStep: Step = {
    name: 'client',
    run(t) {
      const clientId = t.params.first('client_id');
      if (!clientId) throw new AuthorizeErrorPage(400, 'Missing parameters: client_id');
      const client = t.state.realm!.clients.get(clientId) as KcClient | undefined;
      if (!client) throw new AuthorizeErrorPage(400, 'Client not found.');
      if (!client.enabled) throw new AuthorizeErrorPage(400, 'Client disabled.');
      if (client.bearerOnly)
        throw new AuthorizeErrorPage(403, 'Bearer-only applications are not allowed to initiate browser login');
      t.client = client;
    },
  };

  const redirectUriStep: Step = {
    name: 'redirect uri',
    run(t) {
      const client = t.client as KcClient;
      const registered = client.redirectUris ?? [];
      const sent = t.params.first('redirect_uri');
      t.state.redirectUriParam = sent ?? null;
      t.state.scope = t.params.first('scope') ?? '';
      if (sent === undefined) {
        // Plain OAuth 2.0 may leave it out when exactly one non-wildcard URI is registered; OpenID Connect may not.
        const only = registered.length === 1 && !registered[0]!.endsWith('*') ? registered[0] : undefined;
        if (!only || t.state.scope.split(' ').includes('openid'))
          throw new AuthorizeErrorPage(400, 'Invalid parameter: redirect_uri');
        t.redirectUri = only;
        return;
      }
      if (!redirectMatches(registered, sent, flow.defect() === 'redirect-prefix-match')) {
        if (flow.defect() !== 'error-to-unregistered-uri')
          throw new AuthorizeErrorPage(400, 'Invalid parameter: redirect_uri');
        t.redirectUri = sent; // the planted open redirector
        throw new AuthorizeErrorRedirect('invalid_request', 'Invalid parameter: redirect_uri');
      }
      t.redirectUri = sent;
    },
  };

  const responseTypeStep: Step = {
    name: 'response type and mode',
    run(t) {
      const mode = t.params.first('response_mode');
      const validMode = mode === undefined || Object.hasOwn(MODES, mode);
      // For a missing or unknown response type the mode comes from a syntactically valid response_mode (OIDCResponseMode.parse).
      if (validMode && mode) t.responseMode = MODES[mode]!;
      const type = t.params.first('response_type');
      if (!type) throw new AuthorizeErrorRedirect('invalid_request', 'Missing parameter: response_type');
      if (!KNOWN_RESPONSE_TYPES.has(type.split(' ').sort(byCodeFirst).join(' ')))
        throw new AuthorizeErrorRedirect('unsupported_response_type');
      if (!validMode) throw new AuthorizeErrorRedirect('invalid_request', 'Invalid parameter: response_mode', 'query');
      const client = t.client as KcClient;
      if (type === 'code') {
        if (!client.grants.includes('authorization_code'))
          throw new AuthorizeErrorRedirect(
            'unauthorized_client',
            'Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client.',
          );
        return;
      }
      // Implicit and hybrid flows are off for every mock client (Keycloak's default): said as Keycloak says it.
      throw new AuthorizeErrorRedirect(
        'unauthorized_client',
        'Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client.',
      );
    },
  };

  const scopeStep: Step = {
    name: 'scope',
    run(t) {
      const client = t.client as KcClient;
      const asked = t.state.scope.split(' ').filter(Boolean);
      if (asked.some((x) => !REALM_SCOPES.has(x) && !client.scopes.includes(x)))
        throw new AuthorizeErrorRedirect(s.kc.authorizeScopeError, `Invalid scopes: ${t.state.scope}`);
    },
  };

  const pkceStep: Step = {
    name: 'pkce',
    run(t) {
      const client = t.client as KcClient;
      const challenge = t.params.first('code_challenge');
      const method = t.params.first('code_challenge_method');
      if (client.pkceMethod) {
        // The client attribute pkce.code.challenge.method: every request carries a challenge of that method.
        if (!method) throw new AuthorizeErrorRedirect('invalid_request', 'Missing parameter: code_challenge_method');
        if (method !== client.pkceMethod)
          throw new AuthorizeErrorRedirect(
            'invalid_request',
            'Invalid parameter: code challenge method is not configured one',
          );
        if (!challenge) throw new AuthorizeErrorRedirect('invalid_request', 'Missing parameter: code_challenge');
      }
      if (method !== undefined && challenge === undefined)
        throw new AuthorizeErrorRedirect('invalid_request', 'Missing parameter: code_challenge');
      if (method !== undefined && method !== 'S256' && method !== 'plain')
        throw new AuthorizeErrorRedirect('invalid_request', 'Invalid parameter: code_challenge_method');
      if (challenge !== undefined && !PKCE_VALUE.test(challenge))
        throw new AuthorizeErrorRedirect('invalid_request', 'Invalid parameter: code_challenge');
    },
  };

  /** The browser flow: an SSO session, a headless login where configured, prompt, else the login page. */
  const loginStep: Step = {
    name: 'login',
    async run(t) {
      const realm = t.state.realm!;
      const client = t.client as KcClient;
      const request = requestOf(t);
      const prompt = (t.params.first('prompt') ?? '').split(' ');
      const sso = await flow.ssoSession(t.req, realm);
      if (sso && !prompt.includes('login')) {
        // A consent still to be given needs the user: prompt=none cannot have it (interaction_required).
        const owed =
          (client.consentRequired ?? false) && !(await codes.consented(realm, sso.session.userId, client.clientId));
        if (owed && prompt.includes('none'))
          return flow.redirectError(t.state.base, realm, request, 'interaction_required');
        return consent.consentOrCode(t.req, t.state.base, realm, request, sso.session, []);
      }
      if (prompt.includes('none')) return flow.redirectError(t.state.base, realm, request, 'login_required');
      const headless = headlessUser(t);
      if (headless) {
        const denied = await enforceSessionLimit(realm, client, headless, { flow: 'browser' });
        if (denied) return denied;
        const session = await flow.newSession(realm, client, headless);
        const cookies = await flow.loginCookies(prefix, realm, session);
        return consent.consentOrCode(t.req, t.state.base, realm, request, session, cookies);
      }
      // A login page: its authentication session (the AUTH_SESSION_ID cookie's root, a tab per page).
      const rootId = cookiesOf(t.req).get('AUTH_SESSION_ID') ?? randomUUID();
      const auth: AuthSession = {
        ...request,
        rootId,
        tabId: randomBytes(8).toString('base64url'),
        expiresAt: s.now() + realm.config.accessCodeLifespanLogin,
        ...(t.params.first('login_hint') !== undefined ? { loginHint: t.params.first('login_hint')! } : {}),
        ...(sso ? { reauthenticate: sso.user.username } : {}),
      };
      await codes.saveAuthSession(realm, auth);
      return loginPage(
        realm,
        {
          action: loginActionUrl(t.state.base, realm, auth),
          ...(auth.reauthenticate ? { username: auth.reauthenticate, reauthenticate: true } : {}),
          ...(!auth.reauthenticate && auth.loginHint ? { username: auth.loginHint } : {}),
          button: s.kc.loginButton,
        },
        [setCookie('AUTH_SESSION_ID', rootId, flow.attrs(prefix, realm))],
      );
    },
  };

  /** The configured headless user, or the login_hint's when hints are honoured; only an enabled, existing user. */
  function headlessUser(t: Request) {
    const login = s.ctx.config.login;
    const name = login.headlessUser ?? (login.honourLoginHint ? t.params.first('login_hint') : undefined);
    const user = name !== undefined ? t.state.realm!.users.get(name) : undefined;
    return user?.enabled && !user.locked && !user.requiredActions?.length ? user : undefined;
  }

  const requestOf = (t: Request): Omit<AuthSession, 'rootId' | 'tabId' | 'expiresAt'> => {
    const p = (name: string) => t.params.first(name);
    return {
      clientId: t.client!.clientId,
      redirectUri: t.redirectUri!,
      redirectUriParam: t.state.redirectUriParam,
      responseMode: t.responseMode,
      scope: t.state.scope,
      ...(p('state') !== undefined ? { state: p('state')! } : {}),
      ...(p('nonce') !== undefined ? { nonce: p('nonce')! } : {}),
      ...(p('code_challenge') !== undefined ? { codeChallenge: p('code_challenge')! } : {}),
      ...(p('code_challenge') !== undefined ? { codeChallengeMethod: p('code_challenge_method') ?? 'plain' } : {}),
    };
  };

  return authorizationEndpoint<KcAuthorizeState>({
    parse(req, route) {
      const state: KcAuthorizeState = { realmName: route.realm ?? '', base: '', redirectUriParam: null, scope: '' };
      if (req.method === 'GET' || req.method === 'HEAD')
        return { params: new Params(queryOf(req, 'drop').pairs), state };
      if (req.method !== 'POST') return empty(405, { Allow: 'GET, HEAD, POST, OPTIONS' });
      if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
      return { params: new Params(formOf(req, 'drop').pairs), state };
    },
    steps: [realmStep, clientStep, redirectUriStep, responseTypeStep, scopeStep, pkceStep, loginStep],
    page: (e, t) => errorPage(t?.state.realm ?? { name: t?.state.realmName || 'Keycloak' }, e.status, e.text),
    redirect: (e, t) =>
      flow.redirectError(
        t.state.base,
        t.state.realm!,
        { redirectUri: t.redirectUri, responseMode: e.mode ?? t.responseMode, state: t.params.first('state') },
        e.error,
        e.description,
      ),
  });
}

const byCodeFirst = (a: string, b: string) => (a === 'code' ? -1 : b === 'code' ? 1 : a.localeCompare(b));
