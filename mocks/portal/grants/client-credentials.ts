/** oauthlib grant_types/client_credentials.py always authenticates the client; the robot is a password-type application. */
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { authenticateFor, issuedAnswer, scopesOf, tokenBody } from '../wire.js';

export const clientCredentialsGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async (t) => {
    const client = authenticateFor(ctx, t, true);
    if (!client.grants.includes('client_credentials')) throw new TokenError(400, 'unauthorized_client', '');
    const scope = scopesOf(t.params.last('scope'));
    if (scope === 'invalid') throw new TokenError(400, 'invalid_scope', '');
    const issued = await ctx.grants.issue({ clientId: client.clientId, scope, withRefresh: false });
    return issuedAnswer(tokenBody(issued.access.value, ctx.config.tokens.accessTokenLifetime, scope));
  };
