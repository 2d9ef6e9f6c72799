/** The grants: password (with the session limiter), client_credentials, refresh_token (TokenManager.refreshAccessToken). */
import { header, type MockRequest, type MockResponse, type Params } from '../core/http.js';
import type { clientAuthentication } from './client-auth.js';
import { verifyHmac } from './jwt.js';
import type { minter } from './mint.js';
import { json, NO_CACHE, oauthError, SECURITY, userIdOf, type KcClient, type KcUser, type Realm } from './model.js';
import type { KcState } from './state.js';
import { passwordMatches } from '../core/passwords.js';

export function grantHandlers(s: KcState, { mint, grantedScope }: ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>) {
  const { kc, now, sessions } = s;
  // ---- grants --------------------------------------------------------------------------------------------
  async function passwordGrant(iss: string, realm: Realm, client: KcClient, p: Params, req: MockRequest): Promise<MockResponse> {
    if (!client.grants.includes('password')) return oauthError(400, 'unauthorized_client', 'Client not allowed for direct access grants');
    const requested = p.first('scope');
    const scope = grantedScope(client, requested);
    const username = p.first('username');
    if (!username) return oauthError(401, 'invalid_request', 'Missing parameter: username');
    const user = realm.users.get(username);
    if (!user) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (!user.enabled) return oauthError(400, 'invalid_grant', 'Account disabled');
    // Brute-force lock answers like bad credentials, with 400 (ValidatePassword / BruteForceProtector).
    if (user.locked) return oauthError(400, 'invalid_grant', 'Invalid user credentials');
    if (!p.first('password') || !passwordMatches(user, p.first('password'))) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.otp !== undefined && p.first('totp') !== user.otp) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.requiredActions?.length) return oauthError(400, 'invalid_grant', 'Account is not fully set up');
    if (client.consentRequired) return oauthError(400, 'invalid_client', 'Client requires user consent');
    const offline = scope.split(' ').includes('offline_access');
    if (offline && client.offlineAllowed === false) return oauthError(400, 'not_allowed', 'Offline tokens not allowed for the user or client');
    const userId = userIdOf(realm.name, user);
    // Count and create as one step, across replicas too: two logins at once cannot both take the last place.
    const created = await sessions.exclusive(`kc:${realm.name}:login:${userId}`, async () => {
      const denied = await enforceSessionLimit(realm, client, user, req);
      return denied ?? (await sessions.create(realm, { id: userId, username: user.username }, client.clientId, offline));
    });
    if ('status' in created) return created;
    const session = created;
    const { body } = await mint(iss, realm, client, { id: userId, user }, scope, session, requested, true);
    return json(200, body, NO_CACHE);
  }

  /** User Session Count Limiter (direct grant): deny (403 since Keycloak 23) or terminate the oldest sessions. */
  async function enforceSessionLimit(realm: Realm, client: KcClient, user: KcUser, req: MockRequest): Promise<MockResponse | undefined> {
    const limit = realm.config.sessionLimit;
    if (kc.sessionLimitDeny === 'no-limiter') return undefined; // Keycloak <= 16 had none (init says so)
    if (!limit || (!limit.realmLimit && !limit.clientLimit)) return undefined;
    if (limit.clients && !limit.clients.includes(client.clientId)) return undefined; // a flow override for other clients
    const userId = userIdOf(realm.name, user);
    // The user's own sessions only (UserSessionLimitsAuthenticator counts per user): O(sessions of the user), not of the realm.
    const live = async () => (await sessions.ofUser(realm, userId)).filter((x) => !x.offline);
    const exceeded = (online: Awaited<ReturnType<typeof live>>) =>
      (limit.realmLimit !== undefined && online.length >= limit.realmLimit) || (limit.clientLimit !== undefined && online.filter((x) => Object.hasOwn(x.clients, client.clientId)).length >= limit.clientLimit);
    let online = await live();
    if (!exceeded(online)) return undefined;
    if (limit.behavior === 'terminate-oldest') {
      while (exceeded(online)) {
        const oldest = online.sort((a, b) => a.lastRefresh - b.lastRefresh)[0];
        if (!oldest) break;
        await sessions.drop(realm, oldest.id);
        online = await live();
      }
      return undefined;
    }
    if (kc.sessionLimitDeny === 'unknown-error-500') return json(500, { error: 'unknown_error' }, NO_CACHE);
    const message = limit.errorMessage ?? 'There are too many sessions';
    // FreeMarkerLoginFormsProvider.createErrorPage: JSON for a JSON request, otherwise the HTML error page.
    if ((header(req, 'accept') ?? '').includes('application/json')) return json(403, { error: message }, NO_CACHE);
    return { status: 403, headers: { ...SECURITY, ...NO_CACHE, 'Content-Type': 'text/html;charset=utf-8' }, body: `<!DOCTYPE html><html><head><title>Sign in to ${realm.name}</title></head><body><div id="kc-error-message"><p class="instruction">${message}</p></div></body></html>` };
  }

  async function clientCredentialsGrant(iss: string, realm: Realm, client: KcClient, p: Params): Promise<MockResponse> {
    if (client.public) return oauthError(401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
    if (!client.grants.includes('client_credentials')) return oauthError(401, 'unauthorized_client', 'Client not enabled to retrieve service account');
    if (client.serviceAccountDisabled) return oauthError(401, 'invalid_request', `User 'service-account-${client.clientId}' disabled`);
    const scope = grantedScope(client, p.first('scope'));
    const serviceUser = { id: userIdOf(realm.name, { username: `service-account-${client.clientId}` } as KcUser), username: `service-account-${client.clientId}` };
    // Keycloak >= 12: no refresh token and no user session, unless the client asks for the old behaviour.
    const withSession = kc.clientCredentialsRefresh || client.refreshForClientCredentials === true;
    const session = withSession ? await sessions.create(realm, serviceUser, client.clientId, false) : undefined;
    const { body } = await mint(iss, realm, client, { id: serviceUser.id, serviceAccount: true }, scope, session, undefined, withSession);
    return json(200, body, NO_CACHE);
  }

  /** Verifies a refresh token as TokenManager.verifyRefreshToken does; returns its payload or an error answer. */
  async function checkRefreshToken(iss: string, realm: Realm, client: KcClient, token: string, checkExpiry: boolean): Promise<Record<string, unknown> | MockResponse> {
    const keys = await realm.keys();
    const payload = verifyHmac(token, keys.hmacSecret);
    if (!payload || (payload.typ !== 'Refresh' && payload.typ !== 'Offline')) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
    if (payload.iss !== iss) {
      return oauthError(400, 'invalid_grant', `Invalid token issuer. Expected '${iss}'${kc.issuerErrorDetail ? `, but was '${String(payload.iss)}'` : ''}`);
    }
    if (checkExpiry && typeof payload.exp === 'number' && payload.exp > 0 && payload.exp <= now()) return oauthError(400, 'invalid_grant', 'Token is not active');
    if (payload.azp !== client.clientId) return oauthError(400, 'invalid_grant', "Invalid refresh token. Token client and authorized client don't match");
    const iat = Number(payload.iat);
    if (checkExpiry) {
      const nbf = await sessions.notBefore(realm);
      if (iat < nbf.realm || iat < (nbf.clients[client.clientId] ?? 0) || iat < (nbf.users[String(payload.sub)] ?? 0)) return oauthError(400, 'invalid_grant', 'Stale token');
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
    const offline = payload.typ === 'Offline' || (s.ctx.config.plantedDeviations.jwtDefect === 'offline-typed-refresh' && String(payload.scope ?? '').split(' ').includes('offline_access'));
    const sid = String(payload.sid ?? payload.session_state ?? '');
    // One refresh of a session at a time, on every replica: the reuse count and the client session stay exact.
    return sessions.exclusive(`kc:${realm.name}:session:${sid}`, () => refreshInSession(iss, realm, client, p, payload, sid, offline));
  }

  async function refreshInSession(iss: string, realm: Realm, client: KcClient, p: Params, payload: Record<string, unknown>, sid: string, offline: boolean): Promise<MockResponse> {
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
    const clientSession = Object.hasOwn(session.clients, client.clientId) ? session.clients[client.clientId] : undefined;
    if (!clientSession) return oauthError(400, 'invalid_grant', "Session doesn't have required client");
    if (session.consentRevoked?.includes(client.clientId)) return oauthError(400, 'invalid_scope', 'Client no longer has requested consent from user');
    if (realm.config.revokeRefreshToken) {
      // TokenManager.validateTokenReuse: an older token after a newer one was used is stale; reuse is counted.
      const jti = String(payload.jti);
      if (clientSession.currentRefreshToken !== undefined && clientSession.currentRefreshToken !== jti && Number(payload.iat) < clientSession.timestamp) {
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
      if (!list.every((s) => original.split(' ').includes(s))) return oauthError(400, 'invalid_scope', `Invalid scopes: ${requested}`);
      scope = original.split(' ').filter((s) => list.includes(s)).join(' ');
    }
    const t = now();
    session.lastRefresh = t;
    clientSession.timestamp = t;
    await sessions.save(realm, session);
    const subject = user ? { id: session.userId, user } : { id: session.userId, serviceAccount: true };
    const { body } = await mint(iss, realm, client, subject, scope, session, requested ?? (original.includes('openid') ? 'openid' : undefined), true);
    return json(200, body, NO_CACHE);
  }

  // ---- endpoints -----------------------------------------------------------------------------------------
  return { passwordGrant, clientCredentialsGrant, checkRefreshToken, refreshGrant };
}
