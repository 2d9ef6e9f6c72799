/**
 * The password grant (ResourceOwnerPasswordCredentialsGrantType: direct access grants) with the User Session Count
 * Limiter. Source: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/grants/
 * ResourceOwnerPasswordCredentialsGrantType.java; authentication/authenticators/sessionlimits/UserSessionLimitsAuthenticator.java.
 */
import { header, type MockRequest, type MockResponse, type Params } from '../../core/http.js';
import { passwordMatches } from '../../core/passwords.js';
import { json, NO_CACHE, oauthError, SECURITY, userIdOf, type KcClient, type KcUser, type Realm } from '../model.js';
import type { clientAuthentication } from '../client-auth.js';
import type { minter } from '../mint.js';
import type { KcState } from '../state.js';

type GrantDeps = ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>;

export function passwordGrant(s: KcState, { mint, grantedScope }: GrantDeps) {
  const { kc, sessions } = s;
  async function passwordGrant(
    iss: string,
    realm: Realm,
    client: KcClient,
    p: Params,
    req: MockRequest,
  ): Promise<MockResponse> {
    if (!client.grants.includes('password'))
      return oauthError(400, 'unauthorized_client', 'Client not allowed for direct access grants');
    const requested = p.first('scope');
    const scope = grantedScope(client, requested);
    const username = p.first('username');
    if (!username) return oauthError(401, 'invalid_request', 'Missing parameter: username');
    const user = realm.users.get(username);
    if (!user) return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (!user.enabled) return oauthError(400, 'invalid_grant', 'Account disabled');
    // Brute-force lock answers like bad credentials, with 400 (ValidatePassword / BruteForceProtector).
    if (user.locked) return oauthError(400, 'invalid_grant', 'Invalid user credentials');
    if (!p.first('password') || !passwordMatches(user, p.first('password')))
      return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.otp !== undefined && p.first('totp') !== user.otp)
      return oauthError(401, 'invalid_grant', 'Invalid user credentials');
    if (user.requiredActions?.length) return oauthError(400, 'invalid_grant', 'Account is not fully set up');
    if (client.consentRequired) return oauthError(400, 'invalid_client', 'Client requires user consent');
    const offline = scope.split(' ').includes('offline_access');
    if (offline && client.offlineAllowed === false)
      return oauthError(400, 'not_allowed', 'Offline tokens not allowed for the user or client');
    const userId = userIdOf(realm.name, user);
    // Count and create as one step, across replicas too: two logins at once cannot both take the last place.
    const created = await sessions.exclusive(`kc:${realm.name}:login:${userId}`, async () => {
      const denied = await enforceSessionLimit(realm, client, user, req);
      return (
        denied ?? (await sessions.create(realm, { id: userId, username: user.username }, client.clientId, offline))
      );
    });
    if ('status' in created) return created;
    const session = created;
    const { body } = await mint(iss, realm, client, { id: userId, user }, scope, session, requested, true);
    return json(200, body, NO_CACHE);
  }

  /** User Session Count Limiter (direct grant): deny (403 since Keycloak 23) or terminate the oldest sessions. */
  async function enforceSessionLimit(
    realm: Realm,
    client: KcClient,
    user: KcUser,
    req: MockRequest,
  ): Promise<MockResponse | undefined> {
    const limit = realm.config.sessionLimit;
    if (kc.sessionLimitDeny === 'no-limiter') return undefined; // Keycloak <= 16 had none (init says so)
    if (!limit || (!limit.realmLimit && !limit.clientLimit)) return undefined;
    if (limit.clients && !limit.clients.includes(client.clientId)) return undefined; // a flow override for other clients
    const userId = userIdOf(realm.name, user);
    // The user's own sessions only (UserSessionLimitsAuthenticator counts per user): O(sessions of the user), not of the realm.
    const live = async () => (await sessions.ofUser(realm, userId)).filter((x) => !x.offline);
    const exceeded = (online: Awaited<ReturnType<typeof live>>) =>
      (limit.realmLimit !== undefined && online.length >= limit.realmLimit) ||
      (limit.clientLimit !== undefined &&
        online.filter((x) => Object.hasOwn(x.clients, client.clientId)).length >= limit.clientLimit);
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
    return {
      status: 403,
      headers: { ...SECURITY, ...NO_CACHE, 'Content-Type': 'text/html;charset=utf-8' },
      body: `<!DOCTYPE html><html><head><title>Sign in to ${realm.name}</title></head><body><div id="kc-error-message"><p class="instruction">${message}</p></div></body></html>`,
    };
  }

  return passwordGrant;
}
