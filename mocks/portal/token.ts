/**
 * The portal's token endpoint: Django's view dispatch (POST and OPTIONS), Django's body limit, oauthlib's
 * endpoint-level check (no query string on a POST), the grant type; then the grant, which authenticates the client
 * itself, in oauthlib's order for that grant (one file each under grants/).
 * Sources: oauthlib/oauthlib oauthlib/oauth2/rfc6749/endpoints/{base.py,token.py}; django/django django/views/generic/base.py.
 */
import type { MockContext } from '../core/flavour.js';
import { formOf, Params } from '../core/http.js';
import { tokenEndpoint, TokenError, type TokenStep } from '../core/token-endpoint.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { DJANGO_HEADERS, html, json, renderTokenError } from './wire.js';

type Step = TokenStep<unknown>;

export function portalTokenEndpoint(ctx: MockContext) {
  const grants = {
    password: passwordGrant(ctx),
    refresh_token: refreshTokenGrant(ctx),
    client_credentials: clientCredentialsGrant(ctx),
    authorization_code: authorizationCodeGrant(ctx),
  };

  /** Django's View dispatch: anything but POST/OPTIONS is 405 with an empty body. */
  const djangoDispatch: Step = {
    name: 'django dispatch',
    run(t) {
      if (t.req.method === 'OPTIONS') return html(200, '', { Allow: 'POST, OPTIONS' });
      if (t.req.method !== 'POST') return html(405, '', { Allow: 'POST, OPTIONS' });
      // Django refuses a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE with its 400 page (RequestDataTooBig).
      if (t.req.bodyTooLarge) return html(400, '<h1>Bad Request (400)</h1>');
      return undefined;
    },
  };

  /** oauthlib endpoint-level check, before any grant: no query string on a POST (endpoints/base.py); its answer is text/html. */
  const noQuery: Step = {
    name: 'no query',
    run(t) {
      if (t.req.rawQuery !== '')
        return {
          status: 400,
          headers: { 'Content-Type': 'text/html; charset=utf-8', ...DJANGO_HEADERS },
          body: json({ error: 'invalid_request', error_description: 'URL query parameters are not allowed' }),
        };
      return undefined;
    },
  };

  /**
   * From here on every answer names the grant type and the body's client_id. A missing or unknown grant_type (and a
   * JSON body, which Django does not parse) reaches the default authorization_code handler, whose first check fails.
   */
  const grantType: Step = {
    name: 'grant type',
    run(t) {
      t.grantType = t.params.last('grant_type');
      t.note = { grantType: t.grantType, clientId: t.params.last('client_id'), clientAuth: undefined };
      if (t.grantType === undefined || !Object.hasOwn(grants, t.grantType))
        throw new TokenError(400, 'unsupported_grant_type', '');
    },
  };

  return tokenEndpoint<unknown>({
    // Django parses only form bodies into request.POST (python's lenient decoding) and keeps the LAST of repeated names.
    parse: (req) => ({ params: new Params(formOf(req, 'keep-literal').pairs), state: undefined }),
    steps: [djangoDispatch, noQuery, grantType],
    grants,
    render: renderTokenError,
  });
}
