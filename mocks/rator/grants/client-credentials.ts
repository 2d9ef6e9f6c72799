/**
 * client_credentials (Spring's ClientCredentialsTokenGranter): the client's own token, as the provider document's call
 * sends it (no user); with operator=<operator username>, Rator's token acting for that operator.
 */
import { descriptor } from '../../../src/flavours/rator.js';
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { issued, type RatorTokenState } from '../wire.js';

export const clientCredentialsGrant =
  (ctx: MockContext): GrantHandler<RatorTokenState> =>
  async ({ client: authenticated, params, state: { brand, scope } }) => {
    const client = authenticated!; // Rator's steps authenticated it
    const operator = params.first(descriptor.clientCredentialsOperatorParam!);
    if (operator !== undefined) {
      const op = ctx.users.get(operator);
      if (!op?.operator || !op.enabled) throw new TokenError(400, 'invalid_request', `Unknown operator: ${operator}`);
    }
    // ClientCredentialsTokenGranter.allowRefresh = false: never a refresh token.
    const reuseKey = `${client.clientId}|cc:${operator ?? ''}|${[...scope].sort().join(' ')}|${brand}`;
    const t = await ctx.grants.issue({
      clientId: client.clientId,
      ...(operator !== undefined ? { username: operator } : {}),
      scope,
      withRefresh: false,
      reuseKey,
      meta: { brand },
    });
    return issued(ctx, t.access.value, undefined, t.access.expiresAt, scope);
  };
