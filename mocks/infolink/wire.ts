/** InfoLink's wire shapes: its token error (error_description before error, as the document prints it) and token answer. */
import type { MockContext } from '../core/flavour.js';
import type { MockResponse } from '../core/http.js';
import type { TokenError } from '../core/token-endpoint.js';

/** The provider document's body for every invalid credential or token. */
export const INVALID = 'Credentials or token is invalid or expired';
export const HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const tokenError = (status: number, error: string, description: string): MockResponse => ({
  status,
  headers: { ...HEADERS },
  body: JSON.stringify({ error_description: description, error }),
});

export const renderTokenError = (e: TokenError): MockResponse => tokenError(e.status, e.error, e.description);

/** InfoLink returns a refresh token with every grant (the document's examples). */
export const issued = (ctx: MockContext, access: string, refresh: string): MockResponse => ({
  status: 200,
  headers: { ...HEADERS },
  body: JSON.stringify({
    access_token: access,
    refresh_token: refresh,
    token_type: 'Bearer',
    expires_in: ctx.config.tokens.accessTokenLifetime,
  }),
});
