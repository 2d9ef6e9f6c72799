/**
 * The authorization_code grant (AuthorizationCodeGrantType), in Keycloak's order: the code is parsed and taken from
 * its single-use entry first, so that every later refusal (redirect_uri, client, PKCE) has burnt it; a code that is
 * unknown or already used also detaches its client session, so the tokens of the first exchange stop refreshing.
 * Sources (keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/): grants/AuthorizationCodeGrantType.java
 * (process), utils/OAuth2CodeParser.java (parseCode: "Code not valid", "Code is expired"), utils/PkceUtils.java
 * (the verifier checks; the downgrade refusal arrived in 24.0).
 */
import { pkceMatches } from '../../core/browser.js';
import type { MockResponse, Params } from '../../core/http.js';
import { PKCE_VALUE } from '../browser/authorize.js';
import { clientInternalId, type BrowserState } from '../browser/codes.js';
import type { clientAuthentication } from '../client-auth.js';
import type { minter } from '../mint.js';
import { json, NO_CACHE, oauthError, type KcClient, type KcUser, type Realm } from '../model.js';
import type { KcState } from '../state.js';

type GrantDeps = ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>;

export function authorizationCodeGrant(s: KcState, codes: BrowserState, { mint, grantedScope }: GrantDeps) {
  const defect = () => s.ctx.config.plantedDeviations.authorizationCodeDefect;
  const invalid = (description: string) => oauthError(400, 'invalid_grant', description);

  /** A replayed or unknown code: the client session it names is detached (its refresh tokens die with it). */
  async function detach(realm: Realm, code: string, client: KcClient): Promise<void> {
    const { sessionId, clientPart } = codes.partsOf(code);
    if (!sessionId || clientPart !== clientInternalId(realm, client.clientId)) return;
    const session = await s.sessions.active(realm, sessionId);
    if (!session?.clients[client.clientId]) return;
    delete session.clients[client.clientId];
    await s.sessions.save(realm, session);
  }

  return async function authorizationCodeGrant(
    iss: string,
    realm: Realm,
    client: KcClient,
    p: Params,
  ): Promise<MockResponse> {
    const code = p.first('code');
    if (!code) return oauthError(400, 'invalid_request', 'Missing parameter: code');
    const data = await codes.takeCode(realm, code, defect() === 'code-reusable');
    if (!data) {
      await detach(realm, code, client);
      return invalid('Code not valid');
    }
    if (data.expiresAt <= s.now() && defect() !== 'code-never-expires') return invalid('Code is expired');
    const session = await s.sessions.active(realm, data.sessionId);
    if (!session) return invalid('User session not found');
    const user = realm.users.get(session.username) as KcUser | undefined;
    if (!user) return invalid('User not found');
    if (!user.enabled) return invalid('User disabled');
    // The redirect_uri of the authorization request, compared as a string when it sent one.
    if (data.redirectUriParam !== null && p.first('redirect_uri') !== data.redirectUriParam)
      return invalid('Incorrect redirect_uri');
    if (data.clientId !== client.clientId && defect() !== 'code-not-bound-to-client') return invalid('Auth error');
    if (!client.grants.includes('authorization_code')) return invalid('Client not allowed to exchange code');
    const refused = pkce(data.codeChallenge, data.codeChallengeMethod, p.first('code_verifier'));
    if (refused) return refused;
    if (!session.clients[client.clientId]) {
      session.clients[client.clientId] = { timestamp: s.now(), useCount: 0 };
      await s.sessions.save(realm, session);
    }
    const scope = grantedScope(client, data.scope || undefined);
    const { body } = await mint(
      iss,
      realm,
      client,
      { id: session.userId, user },
      scope,
      session,
      data.scope,
      true,
      false,
      data.nonce !== undefined ? { nonce: data.nonce } : {},
    );
    return json(200, body, NO_CACHE);
  };

  /** PkceUtils: the verifier against the challenge the code carries. */
  function pkce(challenge: string | undefined, method: string | undefined, verifier: string | undefined) {
    if (defect() === 'pkce-not-enforced') return undefined;
    if (challenge === undefined) {
      if (verifier !== undefined && s.kc.pkceDowngrade === 'reject')
        return invalid('PKCE code verifier specified but challenge not present in authorization');
      return undefined;
    }
    if (verifier === undefined) return invalid('PKCE code verifier not specified');
    if (!PKCE_VALUE.test(verifier)) return invalid('PKCE invalid code verifier');
    if (!pkceMatches(verifier, challenge, method ?? 'plain')) return invalid('PKCE verification failed');
    return undefined;
  }
}
