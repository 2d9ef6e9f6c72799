/** The grants, one file each under grants/: password (with the session limiter), client_credentials, refresh_token, authorization_code. */
import type { BrowserState } from './browser/codes.js';
import type { clientAuthentication } from './client-auth.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import type { minter } from './mint.js';
import type { KcState } from './state.js';

export function grantHandlers(
  s: KcState,
  codes: BrowserState,
  deps: ReturnType<typeof minter> & Pick<ReturnType<typeof clientAuthentication>, 'grantedScope'>,
) {
  return {
    authorizationCodeGrant: authorizationCodeGrant(s, codes, deps),
    passwordGrant: passwordGrant(s, deps),
    clientCredentialsGrant: clientCredentialsGrant(s, deps),
    ...refreshTokenGrant(s, deps),
  };
}
