/**
 * Keycloak's token endpoint in the order Keycloak checks a request: JAX-RS first (OPTIONS, @POST,
 * @Consumes(application/x-www-form-urlencoded)), then the realm, the form (size, encoding), checkSsl, checkRealm,
 * the grant type, client authentication (ClientIdAndSecretAuthenticator), duplicated parameters; then the grant
 * (one file each under grants/).
 * Source: keycloak/keycloak services/src/main/java/org/keycloak/protocol/oidc/endpoints/TokenEndpoint.java
 * (processGrantRequest, processGrantRequestInternal, checkSsl, checkRealm, checkClient, checkParameterDuplicated).
 */
import { formOf, Params, requestMediaType } from '../core/http.js';
import { tokenEndpoint, TokenError, type TokenStep } from '../core/token-endpoint.js';
import type { clientAuthentication } from './client-auth.js';
import type { grantHandlers } from './grants.js';
import { empty, json, renderTokenError, type KcClient, type Realm } from './model.js';
import type { KcState } from './state.js';

interface KcTokenState {
  realmName: string;
  realm?: Realm;
  iss: string;
  malformed: boolean;
}
type Step = TokenStep<KcTokenState>;
const GRANTS = ['password', 'client_credentials', 'refresh_token', 'authorization_code'];

export function keycloakTokenEndpoint(
  s: KcState,
  prefix: string,
  {
    authenticateClient,
    passwordGrant,
    clientCredentialsGrant,
    refreshGrant,
    authorizationCodeGrant,
  }: Pick<ReturnType<typeof clientAuthentication>, 'authenticateClient'> & ReturnType<typeof grantHandlers>,
) {
  /** JAX-RS decides OPTIONS, the method and the media type before the endpoint runs; then the realm. */
  const jaxRs: Step = {
    name: 'jax-rs',
    run(t) {
      if (t.req.method === 'OPTIONS') return empty(200, { Allow: 'OPTIONS, POST' });
      if (t.req.method !== 'POST') return empty(405, { Allow: 'OPTIONS, POST' });
      if (requestMediaType(t.req) !== 'application/x-www-form-urlencoded') return empty(415);
      const realm = s.realms.get(t.state.realmName);
      if (!realm) return json(404, { error: 'Realm does not exist' });
      t.state.realm = realm;
      t.state.iss = s.issuerAt(realm, s.baseOf(t.req, prefix));
      return undefined;
    },
  };

  const form: Step = {
    name: 'form',
    run(t) {
      if (t.req.bodyTooLarge) throw new TokenError(400, 'invalid_request', 'Request body too large');
      if (t.state.malformed) throw new TokenError(400, 'invalid_request', 'Invalid form parameter encoding');
    },
  };

  /** From here on every answer names the grant type and the client the request gave. */
  const realmChecks: Step = {
    name: 'ssl and realm',
    run(t) {
      t.grantType = t.params.first('grant_type');
      t.note = { grantType: t.grantType, clientId: t.params.first('client_id'), clientAuth: undefined };
      // checkSsl before checkRealm (TokenEndpoint.processGrantRequestInternal); the mock only speaks HTTP.
      if (t.state.realm!.config.sslRequired === 'all') throw new TokenError(403, 'invalid_request', 'HTTPS required');
      if (!t.state.realm!.config.enabled) throw new TokenError(403, 'access_denied', 'Realm not enabled');
    },
  };

  const grantType: Step = {
    name: 'grant type',
    run(t) {
      if (!t.grantType) throw new TokenError(400, 'invalid_request', 'Missing form parameter: grant_type');
      if (!GRANTS.includes(t.grantType)) throw new TokenError(400, 'unsupported_grant_type', 'Unsupported grant_type');
    },
  };

  const clientAuth: Step = {
    name: 'client authentication',
    async run(t) {
      const { client, auth } = await authenticateClient(t.state.realm!, t.req, t.params);
      t.client = client;
      t.note = { ...t.note, clientId: client.clientId, clientAuth: auth };
    },
  };

  const noDuplicates: Step = {
    name: 'no duplicated parameter',
    run(t) {
      if (t.params.duplicated().length) throw new TokenError(400, 'invalid_request', 'duplicated parameter');
    },
  };

  const client = (c: unknown) => c as KcClient; // authenticated by the steps
  return tokenEndpoint<KcTokenState>({
    parse: (req, route) => {
      const parsed = formOf(req, 'reject');
      return {
        params: new Params(parsed.pairs),
        state: { realmName: route.realm ?? '', iss: '', malformed: parsed.malformed.length > 0 },
      };
    },
    steps: [jaxRs, form, realmChecks, grantType, clientAuth, noDuplicates],
    grants: {
      password: (t) => passwordGrant(t.state.iss, t.state.realm!, client(t.client), t.params, t.req),
      client_credentials: (t) => clientCredentialsGrant(t.state.iss, t.state.realm!, client(t.client), t.params),
      refresh_token: (t) => refreshGrant(t.state.iss, t.state.realm!, client(t.client), t.params),
      authorization_code: (t) => authorizationCodeGrant(t.state.iss, t.state.realm!, client(t.client), t.params),
    },
    render: renderTokenError,
  });
}
