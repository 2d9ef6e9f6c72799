/** password: the user's credentials in the form body, after the client's. */
import type { MockContext } from '../../core/flavour.js';
import { passwordMatches } from '../../core/passwords.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { INVALID, issued } from '../wire.js';

export const passwordGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async ({ client, params }) => {
    for (const name of ['username', 'password'])
      if (!params.first(name)) throw new TokenError(400, 'invalid_request', `Missing ${name}`);
    const user = ctx.users.get(params.first('username')!);
    if (!user?.enabled || !passwordMatches(user, params.first('password')))
      throw new TokenError(400, 'invalid_grant', INVALID);
    const t = await ctx.grants.issue({
      clientId: client!.clientId,
      username: user.username,
      scope: [],
      withRefresh: true,
    });
    return issued(ctx, t.access.value, t.refresh!.value);
  };
