/** refresh_token (RefreshTokenGranter + DefaultTokenServices.refreshAccessToken). */
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { issued, type RatorTokenState } from '../wire.js';

export const refreshTokenGrant =
  (ctx: MockContext): GrantHandler<RatorTokenState> =>
  async ({ client: authenticated, params, state: { requested } }) => {
    const client = authenticated!; // Rator's steps authenticated it
    const presented = params.first('refresh_token');
    if (!presented) throw new TokenError(400, 'invalid_request', 'refresh_token parameter not provided');
    const invalid = () => new TokenError(400, 'invalid_grant', `Invalid refresh token: ${presented}`);
    const expired = () => new TokenError(401, 'invalid_token', `Invalid refresh token (expired): ${presented}`);
    const found = await ctx.grants.lookupRefresh(presented);
    if (!found.record) throw invalid();
    if (found.record.clientId !== client.clientId)
      throw new TokenError(400, 'invalid_grant', `Wrong client for this refresh token: ${presented}`);
    // reuseRefreshToken=false (refresh.rotate with revokeOldRefreshToken): DefaultTokenServices removes the used refresh
    // token from the store, so a second use is an unknown token.
    if (found.state === 'superseded') {
      await ctx.grants.onReplay(found.record);
      throw invalid();
    }
    if (found.state === 'expired') {
      await ctx.grants.revokeRefresh(presented); // removed on first expired use: afterwards it is "Invalid refresh token"
      throw expired();
    }
    const original = found.record.scope;
    if (requested.length && !requested.every((s) => original.includes(s))) {
      throw new TokenError(
        400,
        'invalid_scope',
        `Unable to narrow the scope of the client authentication to [${requested.join(', ')}].`,
        { extra: { scope: original.join(' ') } },
      );
    }
    const used = await ctx.grants.refreshGrant(found.record, requested.length ? requested : original);
    // Another request (on any replica) used it first and it is spent now: as if this one had come second.
    if ('lost' in used) {
      if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
      throw used.lost === 'expired' ? expired() : invalid();
    }
    return issued(ctx, used.access.value, used.refresh.value, used.access.expiresAt, used.access.scope);
  };
