/**
 * What Keycloak's authorization endpoint and its login action share: the cookies of the browser flow, the SSO
 * cookie's session, and the end of a login, a code in the redirect.
 * Sources (keycloak/keycloak): services/.../managers/AuthenticationManager.java (createLoginCookie: KEYCLOAK_IDENTITY,
 * an HMAC-signed token of type Serialized-ID; KEYCLOAK_SESSION = realm/user/session), cookie/CookieType.java and
 * CookiePathResolver.java (every cookie at {base path}/realms/{realm}/), protocol/oidc/OIDCLoginProtocol.java
 * (authenticated: state, session_state, iss, code, in this order).
 */
import { randomUUID } from 'node:crypto';
import { cookiesOf, deliver, setCookie, type CookieAttributes } from '../../core/browser.js';
import type { MockRequest, MockResponse } from '../../core/http.js';
import { signHmac, verifyHmac } from '../jwt.js';
import { SECURITY, userIdOf, type KcClient, type KcUser, type Realm, type UserSession } from '../model.js';
import type { KcState } from '../state.js';
import type { AuthSession, BrowserState } from './codes.js';

/** AuthorizationEndpoint: the answers of the browser flow are never cached. */
export const BROWSER_HEADERS = { ...SECURITY, 'Cache-Control': 'no-store, must-revalidate, max-age=0' };

export function browserFlow(s: KcState, codes: BrowserState) {
  const defect = () => s.ctx.config.plantedDeviations.authorizationCodeDefect;
  // The mock speaks plain HTTP: no Secure attribute, SameSite=Lax, as Keycloak 26 sets them outside a secure context.
  const attrs = (prefix: string, realm: Realm, extra: Partial<CookieAttributes> = {}): CookieAttributes => ({
    path: `${prefix}/realms/${realm.name}/`,
    sameSite: 'Lax',
    httpOnly: true,
    ...extra,
  });

  /** The user session of the SSO cookie, if it is live and its user still may log in. */
  async function ssoSession(
    req: MockRequest,
    realm: Realm,
  ): Promise<{ session: UserSession; user: KcUser } | undefined> {
    const cookie = cookiesOf(req).get('KEYCLOAK_IDENTITY');
    if (!cookie) return undefined;
    const keys = await realm.keys();
    const claims = verifyHmac(cookie, keys.hmacSecret);
    if (claims?.typ !== 'Serialized-ID' || typeof claims.sid !== 'string') return undefined;
    const session = await s.sessions.active(realm, claims.sid);
    const user = session ? realm.users.get(session.username) : undefined;
    if (!session || !user?.enabled || session.offline) return undefined;
    return { session, user };
  }

  /** The cookies a login sets: the SSO identity and session, and KC_RESTART expired. */
  async function loginCookies(prefix: string, realm: Realm, session: UserSession): Promise<string[]> {
    const keys = await realm.keys();
    const t = s.now();
    const identity = signHmac(
      {
        exp: Math.min(t + realm.config.ssoSessionMaxLifespan, session.started + realm.config.ssoSessionMaxLifespan),
        iat: t,
        jti: randomUUID(),
        iss: `${realm.name}`,
        sub: session.userId,
        typ: 'Serialized-ID',
        session_state: session.id,
        sid: session.id,
        state_checker: randomUUID(),
      },
      s.kc.refreshAlg,
      keys.hmacKid,
      keys.hmacSecret,
    );
    return [
      setCookie('KEYCLOAK_IDENTITY', identity, attrs(prefix, realm)),
      // Not HttpOnly: Keycloak's session-status iframe reads it.
      setCookie(
        'KEYCLOAK_SESSION',
        `${realm.name}/${session.userId}/${session.id}`,
        attrs(prefix, realm, { httpOnly: false, maxAge: realm.config.ssoSessionMaxLifespan }),
      ),
      setCookie('KC_RESTART', '', attrs(prefix, realm, { maxAge: 0, sameSite: undefined })),
    ];
  }

  /** A new user session for a browser login (counted by the session limiter like a password grant's). */
  async function newSession(realm: Realm, client: KcClient, user: KcUser): Promise<UserSession> {
    return s.sessions.create(
      realm,
      { id: userIdOf(realm.name, user), username: user.username },
      client.clientId,
      false,
    );
  }

  /** The login is done: the client joins the session, a code is issued, the browser goes to the redirect URI. */
  async function redirectWithCode(
    base: string,
    realm: Realm,
    request: Omit<AuthSession, 'rootId' | 'tabId' | 'expiresAt'>,
    session: UserSession,
    cookies: string[],
  ): Promise<MockResponse> {
    if (!session.clients[request.clientId]) {
      session.clients[request.clientId] = { timestamp: s.now(), useCount: 0 };
      await s.sessions.save(realm, session);
    }
    const code = await codes.issueCode(
      realm,
      {
        sessionId: session.id,
        userId: session.userId,
        clientId: request.clientId,
        redirectUriParam: request.redirectUriParam,
        scope: request.scope,
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
        ...(request.codeChallenge !== undefined ? { codeChallenge: request.codeChallenge } : {}),
        ...(request.codeChallengeMethod !== undefined ? { codeChallengeMethod: request.codeChallengeMethod } : {}),
      },
      defect() === 'code-never-expires' ? 10 * 365 * 86400 : realm.config.accessCodeLifespan,
    );
    const params: [string, string][] = [];
    if (request.state !== undefined && defect() !== 'state-dropped') params.push(['state', request.state]);
    params.push(['session_state', session.id]);
    if (s.kc.authorizationResponseIss) params.push(['iss', s.issuerAt(realm, base)]);
    params.push(['code', code]);
    return deliver(request.redirectUri, request.responseMode, params, BROWSER_HEADERS, cookies);
  }

  /** An error at the client's redirect URI: error, error_description, state, iss (AuthorizationEndpoint.redirectErrorToClient). */
  function redirectError(
    base: string,
    realm: Realm,
    to: { redirectUri: string; responseMode: AuthSession['responseMode']; state?: string | undefined },
    error: string,
    description?: string,
  ): MockResponse {
    const params: [string, string][] = [['error', error]];
    if (description) params.push(['error_description', description]);
    if (to.state !== undefined) params.push(['state', to.state]);
    if (s.kc.authorizationResponseIss) params.push(['iss', s.issuerAt(realm, base)]);
    return deliver(to.redirectUri, to.responseMode, params, BROWSER_HEADERS);
  }

  return { attrs, ssoSession, loginCookies, newSession, redirectWithCode, redirectError, defect };
}

export type BrowserFlow = ReturnType<typeof browserFlow>;
