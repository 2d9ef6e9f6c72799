/**
 * oauthlib grant_types/authorization_code.py validate_token_request, with django-oauth-toolkit 2.3's validator: the
 * code parameter, the client (a public application by its client_id), the application's grant type, the code (unknown,
 * used, expired or another application's: invalid_grant, no description), PKCE (a stored challenge needs a verifier:
 * "Code verifier required." is invalid_request; a verifier without a challenge is ignored, PKCE_REQUIRED being False in
 * Educates), the redirect URI (the registered one when the request leaves it out; a mismatch is invalid_request).
 * The grant row is deleted after the tokens are saved, and a replay revokes nothing (oauth2_validators.py
 * invalidate_authorization_code). DOT itself can let two racing exchanges of one code both succeed (or fail with a
 * 500 up to 2.4); the mock serialises them per code, so that its answers do not depend on timing.
 */
import { pkceMatches } from '../../core/browser.js';
import type { MockContext } from '../../core/flavour.js';
import { TokenError, type GrantHandler } from '../../core/token-endpoint.js';
import type { PortalCode } from '../browser.js';
import { authenticateFor, issuedAnswer, tokenBody } from '../wire.js';

export const authorizationCodeGrant =
  (ctx: MockContext): GrantHandler<unknown> =>
  async (t) => {
    const defect = ctx.config.plantedDeviations.authorizationCodeDefect;
    const store = ctx.grants.store;
    const now = ctx.clock.epochSeconds();
    const code = t.params.last('code');
    if (!code) throw new TokenError(400, 'invalid_request', 'Missing code parameter.');
    const client = authenticateFor(ctx, t, false);
    if (!client.grants.includes('authorization_code')) throw new TokenError(400, 'unauthorized_client', '');
    const key = `portal:code:${code}`;
    return store.exclusive(key, async () => {
      const row = await store.getDoc<PortalCode>(key);
      if (
        !row ||
        (row.expiresAt <= now && defect !== 'code-never-expires') ||
        (row.clientId !== client.clientId && defect !== 'code-not-bound-to-client')
      )
        throw new TokenError(400, 'invalid_grant', '');
      const verifier = t.params.last('code_verifier');
      if (row.codeChallenge !== undefined && defect !== 'pkce-not-enforced') {
        if (!verifier) throw new TokenError(400, 'invalid_request', 'Code verifier required.');
        if (!pkceMatches(verifier, row.codeChallenge, row.codeChallengeMethod ?? 'plain'))
          throw new TokenError(400, 'invalid_grant', '');
      }
      const registered = ctx.clients.get(row.clientId)?.redirectUris ?? [];
      const redirectUri = t.params.last('redirect_uri') ?? (registered.length === 1 ? registered[0] : undefined);
      if (redirectUri === undefined) throw new TokenError(400, 'invalid_request', 'Missing redirect URI.');
      if (redirectUri !== row.redirectUri) throw new TokenError(400, 'invalid_request', 'Mismatching redirect URI.');
      const issued = await ctx.grants.issue({
        clientId: client.clientId,
        username: row.username,
        scope: row.scope,
        withRefresh: true,
      });
      // Tokens first, then the grant row goes.
      if (defect !== 'code-reusable') await store.deleteDoc(key);
      return issuedAnswer(
        tokenBody(issued.access.value, ctx.config.tokens.accessTokenLifetime, row.scope, issued.refresh?.value),
      );
    });
  };
