/**
 * The client_credentials grant (ClientCredentialsGrantType): the client's service account.
 * Source: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/grants/ClientCredentialsGrantType.java.
 */
import type { MockResponse, Params } from '../../core/http.js';
import { json, NO_CACHE, oauthError, userIdOf, type KcClient, type KcUser, type Realm } from '../model.js';
import type { clientAuthentication } from '../client-auth.js';
import type { minter } from '../mint.js';
import type { KcState } from '../state.js';

type GrantDeps = ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>;

export function clientCredentialsGrant(s: KcState, { mint, grantedScope }: GrantDeps) {
  const { kc, sessions } = s;
  async function clientCredentialsGrant(iss: string, realm: Realm, client: KcClient, p: Params): Promise<MockResponse> {
    if (client.public)
      return oauthError(401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
    if (!client.grants.includes('client_credentials'))
      return oauthError(401, 'unauthorized_client', 'Client not enabled to retrieve service account');
    if (client.serviceAccountDisabled)
      return oauthError(401, 'invalid_request', `User 'service-account-${client.clientId}' disabled`);
    const scope = grantedScope(client, p.first('scope'));
    const serviceUser = {
      id: userIdOf(realm.name, { username: `service-account-${client.clientId}` } as KcUser),
      username: `service-account-${client.clientId}`,
    };
    // Keycloak >= 12: no refresh token and no user session, unless the client asks for the old behaviour.
    const withSession = kc.clientCredentialsRefresh || client.refreshForClientCredentials === true;
    const session = withSession ? await sessions.create(realm, serviceUser, client.clientId, false) : undefined;
    const { body } = await mint(
      iss,
      realm,
      client,
      { id: serviceUser.id, serviceAccount: true },
      scope,
      session,
      undefined,
      withSession,
    );
    return json(200, body, NO_CACHE);
  }

  return clientCredentialsGrant;
}
