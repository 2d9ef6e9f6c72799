/**
 * The password grant (ResourceOwnerPasswordCredentialsGrantType: direct access grants) with the User Session Count
 * Limiter. Source: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/grants/
 * ResourceOwnerPasswordCredentialsGrantType.java; authentication/authenticators/sessionlimits/UserSessionLimitsAuthenticator.java.
 */
import type { MockRequest, MockResponse, Params } from '../../core/http.js';
import { passwordMatches } from '../../core/passwords.js';
import { json, NO_CACHE, oauthError, userIdOf, type KcClient, type Realm } from '../model.js';
import { sessionLimiter } from '../session-limit.js';
import type { clientAuthentication } from '../client-auth.js';
import type { minter } from '../mint.js';
import type { KcState } from '../state.js';

type GrantDeps = ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>;

export function passwordGrant(s: KcState, { mint, grantedScope }: GrantDeps) {
  const { sessions } = s;
  const enforceSessionLimit = sessionLimiter(s);
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
      const denied = await enforceSessionLimit(realm, client, user, { flow: 'direct', req });
      return (
        denied ?? (await sessions.create(realm, { id: userId, username: user.username }, client.clientId, offline))
      );
    });
    if ('status' in created) return created;
    const session = created;
    const { body } = await mint(iss, realm, client, { id: userId, user }, scope, session, requested, true);
    return json(200, body, NO_CACHE);
  }

  return passwordGrant;
}
