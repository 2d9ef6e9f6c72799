/**
 * InfoLink's token endpoint: POST only, the form body only (documented choice: credentials never from the URI),
 * first value wins, broken %-encoding dropped; the grant type; the client (except on refresh, which the document
 * sends with the refresh token alone); the client's grants; then the grant (one file each under grants/).
 */
import type { MockContext } from '../core/flavour.js';
import { formOf, Params } from '../core/http.js';
import { tokenEndpoint, TokenError, type TokenStep } from '../core/token-endpoint.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { renderTokenError } from './wire.js';

type Step = TokenStep<unknown>;

export function infolinkTokenEndpoint(ctx: MockContext) {
  const grants = {
    refresh_token: refreshTokenGrant(ctx),
    client_credentials: clientCredentialsGrant(ctx),
    password: passwordGrant(ctx),
  };

  const postOnly: Step = {
    name: 'post only',
    run(t) {
      if (t.req.method !== 'POST') throw new TokenError(405, 'invalid_request', 'Method not allowed');
    },
  };

  /** From here on every answer names the grant type and the client_id the request gave. */
  const grantType: Step = {
    name: 'grant type',
    run(t) {
      t.grantType = t.params.first('grant_type');
      const clientId = t.params.first('client_id');
      t.note = {
        ...(t.grantType ? { grantType: t.grantType } : {}),
        ...(clientId ? { clientId } : {}),
        clientAuth: clientId ? 'post' : 'none',
      };
      if (!t.grantType) throw new TokenError(400, 'invalid_request', 'Missing grant_type');
      if (!Object.hasOwn(grants, t.grantType))
        throw new TokenError(400, 'unsupported_grant_type', 'Unsupported grant type');
    },
  };

  const clientSecret: Step = {
    name: 'client secret',
    run(t) {
      if (t.grantType === 'refresh_token') return;
      const client = ctx.clients.get(t.params.first('client_id') ?? '');
      if (
        !client?.enabled ||
        client.clientSecret === undefined ||
        client.clientSecret !== t.params.first('client_secret')
      ) {
        throw new TokenError(401, 'invalid_client', 'Client authentication failed');
      }
      if (!client.grants.includes(t.grantType!))
        throw new TokenError(400, 'unauthorized_client', 'Grant type not allowed for this client');
      t.client = client;
    },
  };

  return tokenEndpoint<unknown>({
    parse: (req) => ({ params: new Params(formOf(req, 'drop').pairs), state: undefined }),
    steps: [postOnly, grantType, clientSecret],
    grants,
    render: renderTokenError,
  });
}
