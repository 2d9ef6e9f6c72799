/** oauthlib grant_types/authorization_code.py: the client, then the code (the portal mock issues no codes yet). */
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import { authenticateFor } from '../wire.js';

export const authorizationCodeGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async (t) => {
    authenticateFor(ctx, t, false);
    if (!t.params.last('code')) throw new TokenError(400, 'invalid_request', 'Missing code parameter.');
    throw new TokenError(400, 'invalid_grant', '');
  };
