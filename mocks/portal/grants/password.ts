/** oauthlib grant_types/resource_owner_password_credentials.py: client, parameters, user, client's grants, scope. */
import type { MockContext } from '../../core/flavour.js';
import { passwordMatches } from '../../core/passwords.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { authenticateFor, issuedAnswer, scopesOf, tokenBody } from '../wire.js';

export const passwordGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async (t) => {
    const client = authenticateFor(ctx, t, false);
    for (const p of ['username', 'password'])
      if (!t.params.last(p)) throw new TokenError(400, 'invalid_request', `Request is missing ${p} parameter.`);
    const user = ctx.users.get(t.params.last('username')!);
    if (!user?.enabled || !passwordMatches(user, t.params.last('password')))
      throw new TokenError(400, 'invalid_grant', 'Invalid credentials given.');
    if (!client.grants.includes('password')) throw new TokenError(400, 'unauthorized_client', '');
    const scope = scopesOf(t.params.last('scope'));
    if (scope === 'invalid') throw new TokenError(400, 'invalid_scope', '');
    const issued = await ctx.grants.issue({
      clientId: client.clientId,
      username: user.username,
      scope,
      withRefresh: true,
    });
    return issuedAnswer(
      tokenBody(issued.access.value, ctx.config.tokens.accessTokenLifetime, scope, issued.refresh?.value),
    );
  };
