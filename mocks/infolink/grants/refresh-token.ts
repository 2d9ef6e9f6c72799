/** refresh_token: the document's refresh sends the refresh token alone; a client_secret sent with it is checked. */
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { INVALID, issued } from '../wire.js';

export const refreshTokenGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async ({ params }) => {
    const presented = params.first('refresh_token');
    if (!presented) throw new TokenError(400, 'invalid_request', 'Missing refresh_token');
    const found = await ctx.grants.lookupRefresh(presented);
    if (found.state !== 'active') {
      if (found.record && found.state === 'superseded') await ctx.grants.onReplay(found.record);
      throw new TokenError(400, 'invalid_grant', INVALID);
    }
    const clientId = params.first('client_id');
    if (clientId !== undefined && clientId !== found.record!.clientId)
      throw new TokenError(400, 'invalid_grant', INVALID);
    // Documented choice: client credentials are optional on refresh (the document sends none), but when a secret is
    // sent it is checked like on the grant: a wrong one is a client authentication failure.
    const secret = params.first('client_secret');
    if (secret !== undefined && ctx.clients.get(found.record!.clientId)?.clientSecret !== secret)
      throw new TokenError(401, 'invalid_client', 'Client authentication failed');
    const used = await ctx.grants.refreshGrant(found.record!);
    // Another request (on any replica) used it first and it is spent now: as if this one had come second.
    if ('lost' in used) {
      if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
      throw new TokenError(400, 'invalid_grant', INVALID);
    }
    return issued(ctx, used.access.value, used.refresh.value);
  };
