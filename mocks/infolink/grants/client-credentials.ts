/** client_credentials: InfoLink returns a refresh token for it too (the document's example). */
import type { MockContext } from '../../core/flavour.js';
import type { GrantHandler } from '../../core/token-endpoint.js';
import { issued } from '../wire.js';

export const clientCredentialsGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async ({ client }) => {
    const t = await ctx.grants.issue({ clientId: client!.clientId, scope: [], withRefresh: true });
    return issued(ctx, t.access.value, t.refresh!.value);
  };
