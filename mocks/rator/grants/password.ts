/** password and operator_password (ResourceOwnerPasswordTokenGranter; Rator's operator_password for operator users). */
import type { MockContext, UserRecord } from '../../core/flavour.js';
import { passwordMatches } from '../../core/passwords.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { issued, type RatorTokenState } from '../wire.js';

export const passwordGrant =
  (ctx: MockContext): GrantHandler<RatorTokenState> =>
  async ({ client: authenticated, grantType, params, state: { brand, scope } }) => {
    const client = authenticated!; // Rator's steps authenticated it
    const user: UserRecord | undefined = ctx.users.get(params.first('username') ?? '');
    const rightKind = user && user.operator === (grantType === 'operator_password');
    if (!user || !rightKind || !passwordMatches(user, params.first('password')))
      throw new TokenError(400, 'invalid_grant', 'Bad credentials');
    if (!user.enabled) throw new TokenError(400, 'invalid_grant', 'User is disabled');
    // DefaultTokenServices.createAccessToken hands out the existing token again for the same client, user, scope (and brand).
    const reuseKey = `${client.clientId}|${user.username}|${[...scope].sort().join(' ')}|${brand}`;
    const t = await ctx.grants.issue({
      clientId: client.clientId,
      username: user.username,
      scope,
      withRefresh: client.grants.includes('refresh_token'),
      reuseKey,
      meta: { brand },
    });
    return issued(ctx, t.access.value, t.refresh?.value, t.access.expiresAt, scope);
  };
