/**
 * The refresh_token grant (TokenManager.refreshAccessToken, verifyRefreshToken, validateTokenReuse).
 * Source: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/TokenManager.java.
 */
import type { MockResponse, Params } from '../../core/http.js';
import { verifyHmac } from '../jwt.js';
import { json, NO_CACHE, oauthError, userIdOf, type KcClient, type Realm } from '../model.js';
import type { minter } from '../mint.js';
import type { KcState } from '../state.js';

export function refreshTokenGrant(s: KcState, { mint }: ReturnType<typeof minter>) {
  const { kc, now, sessions } = s;
  /** Verifies a refresh token as TokenManager.verifyRefreshToken does; returns its payload or an error answer. */
  async function checkRefreshToken(
    iss: string,
    realm: Realm,
    client: KcClient,
    token: string,
    checkExpiry: boolean,
  ): Promise<Record<string, unknown> | MockResponse> {
    const keys = await realm.keys();
    const payload = verifyHmac(token, keys.hmacSecret);
    if (!payload || (payload.typ !== 'Refresh' && payload.typ !== 'Offline'))
      return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    if (payload.iss !== iss) {
      return oauthError(
        400,
        'invalid_grant',
        `Invalid token issuer. Expected '${iss}'${kc.issuerErrorDetail ? `, but was '${String(payload.iss)}'` : ''}`,
      );
    }
    if (checkExpiry && typeof payload.exp === 'number' && payload.exp > 0 && payload.exp <= now())
      return oauthError(400, 'invalid_grant', 'Token is not active');
    if (payload.azp !== client.clientId)
      return oauthError(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match");
    const iat = Number(payload.iat);
    if (checkExpiry) {
      const nbf = await sessions.notBefore(realm);
      if (iat < nbf.realm || iat < (nbf.clients[client.clientId] ?? 0) || iat < (nbf.users[String(payload.sub)] ?? 0))
        return oauthError(400, 'invalid_grant', 'Stale token');
    }
    return payload;
  }

  async function refreshGrant(iss: string, realm: Realm, client: KcClient, p: Params): Promise<MockResponse> {
    const token = p.first('refresh_token');
    if (!token) return oauthError(400, 'invalid_request', 'No refresh token');
    const checked = await checkRefreshToken(iss, realm, client, token, true);
    if ('status' in checked) return checked as MockResponse;
    const payload = checked;
    // The planted offline-typed-refresh defect mistypes the token, not the session it names.
    const offline =
      payload.typ === 'Offline' ||
      (s.ctx.config.plantedDeviations.jwtDefect === 'offline-typed-refresh' &&
        String(payload.scope ?? '')
          .split(' ')
          .includes('offline_access'));
    const sid = String(payload.sid ?? payload.session_state ?? '');
    // One refresh of a session at a time, on every replica: the reuse count and the client session stay exact.
    return sessions.exclusive(`kc:${realm.name}:session:${sid}`, () =>
      refreshInSession(iss, realm, client, p, payload, sid, offline),
    );
  }

  async function refreshInSession(
    iss: string,
    realm: Realm,
    client: KcClient,
    p: Params,
    payload: Record<string, unknown>,
    sid: string,
    offline: boolean,
  ): Promise<MockResponse> {
    const known = await sessions.known(realm, sid);
    const session = await sessions.active(realm, sid);
    if (!session || session.offline !== offline) {
      if (!offline) return oauthError(400, 'invalid_grant', 'Session not active');
      return oauthError(400, 'invalid_grant', known ? 'Offline session not active' : 'Offline user session not found');
    }
    const user = [...realm.users.values()].find((u) => userIdOf(realm.name, u) === session.userId);
    // A client_credentials session (the legacy behaviour) belongs to the client's service-account user, which Keycloak
    // keeps as a realm user (ClientManager.enableServiceAccount); the refresh works like any other.
    const serviceAccount = !user && session.username === `service-account-${client.clientId}`;
    if (!user && !serviceAccount) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    if (user && !user.enabled) return oauthError(400, 'invalid_grant', 'User disabled');
    const clientSession = Object.hasOwn(session.clients, client.clientId)
      ? session.clients[client.clientId]
      : undefined;
    if (!clientSession) return oauthError(400, 'invalid_grant', "Session doesn't have required client");
    if (session.consentRevoked?.includes(client.clientId))
      return oauthError(400, 'invalid_scope', 'Client no longer has requested consent from user');
    if (realm.config.revokeRefreshToken) {
      // TokenManager.validateTokenReuse: an older token after a newer one was used is stale; reuse is counted.
      const jti = String(payload.jti);
      if (
        clientSession.currentRefreshToken !== undefined &&
        clientSession.currentRefreshToken !== jti &&
        Number(payload.iat) < clientSession.timestamp
      ) {
        return oauthError(400, 'invalid_grant', 'Stale token');
      }
      if (clientSession.currentRefreshToken !== jti) {
        clientSession.currentRefreshToken = jti;
        clientSession.useCount = 0;
      }
      if (clientSession.useCount > realm.config.refreshTokenMaxReuse) {
        delete session.clients[client.clientId]; // the client session is detached: its siblings fail next
        await sessions.save(realm, session);
        return oauthError(400, 'invalid_grant', 'Maximum allowed refresh token reuse exceeded');
      }
      clientSession.useCount += 1;
      await sessions.save(realm, session); // counted even if the scope check below refuses
    }
    const original = String(payload.scope ?? '');
    const requested = p.first('scope');
    let scope = original;
    if (requested) {
      const list = requested.split(' ').filter(Boolean);
      if (!list.every((s) => original.split(' ').includes(s)))
        return oauthError(400, 'invalid_scope', `Invalid scopes: ${requested}`);
      scope = original
        .split(' ')
        .filter((s) => list.includes(s))
        .join(' ');
    }
    const t = now();
    session.lastRefresh = t;
    clientSession.timestamp = t;
    await sessions.save(realm, session);
    const subject = user ? { id: session.userId, user } : { id: session.userId, serviceAccount: true };
    const { body } = await mint(
      iss,
      realm,
      client,
      subject,
      scope,
      session,
      requested ?? (original.includes('openid') ? 'openid' : undefined),
      true,
    );
    return json(200, body, NO_CACHE);
  }

  return { checkRefreshToken, refreshGrant };
}
