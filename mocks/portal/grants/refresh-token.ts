/**
 * oauthlib grant_types/refresh_token.py: presence first (None only: an empty value goes on and fails as
 * invalid_grant), then the client, its grants, DOT's validate_refresh_token, the scope.
 */
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { authenticateFor, issuedAnswer, tokenBody } from '../wire.js';

export const refreshTokenGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async (t) => {
    const presented = t.params.last('refresh_token');
    if (presented === undefined) throw new TokenError(400, 'invalid_request', 'Missing refresh token parameter.');
    const client = authenticateFor(ctx, t, false);
    if (!client.grants.includes('refresh_token')) throw new TokenError(400, 'unauthorized_client', '');
    const found = await ctx.grants.lookupRefresh(presented);
    // validate_refresh_token: exists, not revoked beyond the grace period, same application. DOT 2.3 checks no expiry
    // at refresh time; the refresh-token lifetime here is when Educates' hourly clear_expired deletes it.
    if (!found.record || found.record.clientId !== client.clientId || found.state !== 'active') {
      if (found.record && found.state === 'superseded') await ctx.grants.onReplay(found.record);
      throw new TokenError(400, 'invalid_grant', '');
    }
    const record = found.record;
    let scope = record.scope;
    const requested = t.params.last('scope');
    if (requested) {
      const list = requested.split(' ').filter(Boolean);
      if (!list.every((s) => record.scope.includes(s))) throw new TokenError(400, 'invalid_scope', '');
      scope = list;
    }
    const used = await ctx.grants.refreshGrant(record, scope);
    // Another request (on any replica) used it first and it is spent now: as if this one had come second.
    if ('lost' in used) {
      if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
      throw new TokenError(400, 'invalid_grant', '');
    }
    return issuedAnswer(tokenBody(used.access.value, ctx.config.tokens.accessTokenLifetime, scope, used.refresh.value));
  };
