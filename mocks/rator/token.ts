/**
 * Rator's token endpoint as the order Spring Security OAuth2 and Rator check a request in: the security filter chain
 * authenticates the client (BasicAuthenticationFilter, then ClientCredentialsTokenEndpointFilter when form
 * authentication is allowed), TokenEndpoint.postAccessToken takes POST only, Rator requires its brand key, then
 * TokenEndpoint compares a client_id parameter with the authenticated client, DefaultOAuth2RequestValidator the
 * scope, AbstractTokenGranter the grant type; then the grant (one file each under grants/).
 * Sources: spring-projects/spring-security-oauth spring-security-oauth2/src/main/java/org/springframework/security/oauth2/
 * provider/endpoint/TokenEndpoint.java, provider/request/DefaultOAuth2RequestValidator.java,
 * provider/token/AbstractTokenGranter.java, provider/client/ClientCredentialsTokenEndpointFilter.java.
 */
import { descriptor } from '../../src/flavours/rator.js';
import type { ClientRecord, MockContext } from '../core/flavour.js';
import { formOf, header, Params, queryOf } from '../core/http.js';
import { tokenEndpoint, TokenError, type TokenStep } from '../core/token-endpoint.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { BRAND_PARAMS, ratorSettings, renderTokenError, unauthorized, type RatorTokenState } from './wire.js';

type Step = TokenStep<RatorTokenState>;
const parseScope = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean);

export function ratorTokenEndpoint(ctx: MockContext) {
  const settings = ratorSettings(ctx.config);

  /** BasicAuthenticationFilter: Basic only, credentials NOT form-url-decoded (legacy Spring). */
  const basicAuth: Step = {
    name: 'basic auth',
    run(t) {
      const authz = header(t.req, 'authorization');
      if (!authz || !/^basic /i.test(authz)) return;
      t.note.clientAuth = 'basic';
      const encoded = authz.slice(6).trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) throw unauthorized('Failed to decode basic authentication token');
      const raw = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = raw.indexOf(':');
      if (colon < 0) throw unauthorized('Invalid basic authentication token');
      const client = ctx.clients.get(raw.slice(0, colon));
      if (!client?.enabled || client.clientSecret !== raw.slice(colon + 1)) throw unauthorized('Bad credentials');
      t.client = client;
    },
  };

  /** ClientCredentialsTokenEndpointFilter (allowFormAuthenticationForClients): client_id + client_secret parameters. */
  const formAuth: Step = {
    name: 'form auth',
    run(t) {
      if (t.client) return;
      const id = t.params.first('client_id');
      if (!settings.formClientAuth || id === undefined)
        throw unauthorized('Full authentication is required to access this resource');
      t.note.clientAuth = 'post';
      const client: ClientRecord | undefined = ctx.clients.get(id);
      if (!client?.enabled || client.clientSecret !== (t.params.first('client_secret') ?? '')) {
        throw new TokenError(401, 'invalid_client', 'Bad client credentials', {
          challenge: 'Form realm="oauth2/client", ',
        });
      }
      t.client = client;
    },
  };

  /** From here on the answer names the client and the grant type it asked for; TokenEndpoint maps POST only. */
  const postOnly: Step = {
    name: 'post only',
    run(t) {
      t.grantType = t.params.first('grant_type');
      t.note = {
        clientId: t.client!.clientId,
        clientAuth: t.note.clientAuth,
        ...(t.grantType ? { grantType: t.grantType } : {}),
      };
      if (t.req.method !== 'POST')
        throw new TokenError(405, 'method_not_allowed', `Request method '${t.req.method}' not supported`);
    },
  };

  /** The brand key: mandatory, spelled brand_key or brandKey, value compared case-insensitively (choices in the descriptor). */
  const brandKey: Step = {
    name: 'brand key',
    run(t) {
      const named =
        BRAND_PARAMS.map((n) => t.params.first(n)).find((v) => v !== undefined) ??
        (ctx.config.plantedDeviations.ignoreBrandKey ? settings.brandKeys[0] : undefined);
      if (!named)
        throw settings.missingBrandKey === 'unauthorized'
          ? unauthorized('Full authentication is required to access this resource')
          : new TokenError(400, 'invalid_request', 'Missing brand key');
      const brand = settings.brandKeys.find((b) => b.toLowerCase() === named.toLowerCase());
      if (!brand) throw new TokenError(400, 'invalid_request', 'Invalid brand key');
      t.state.brand = brand;
    },
  };

  const clientIdMatch: Step = {
    name: 'client id match',
    run(t) {
      const named = t.params.first('client_id');
      if (named !== undefined && named !== t.client!.clientId)
        throw new TokenError(401, 'invalid_client', 'Given client ID does not match authenticated client');
    },
  };

  const scope: Step = {
    name: 'scope',
    run(t) {
      const client = t.client!;
      t.state.requested = parseScope(t.params.first('scope'));
      if (t.state.requested.some((s) => !client.scopes.includes(s))) {
        throw new TokenError(400, 'invalid_scope', `Invalid scope: ${t.state.requested.join(' ')}`, {
          extra: { scope: client.scopes.join(' ') },
        });
      }
      t.state.scope = t.state.requested.length ? t.state.requested : client.scopes;
    },
  };

  const grantType: Step = {
    name: 'grant type',
    run(t) {
      const type = t.grantType;
      if (!type) throw new TokenError(400, 'invalid_request', 'Missing grant type');
      if (type === 'implicit')
        throw new TokenError(400, 'invalid_grant', 'Implicit grant type not supported from token endpoint');
      if (!descriptor.grants.includes(type))
        throw new TokenError(400, 'unsupported_grant_type', 'Unsupported grant type');
      if (!t.client!.grants.includes(type))
        throw new TokenError(401, 'invalid_client', `Unauthorized grant type: ${type}`);
      if (t.state.scope.length === 0)
        throw new TokenError(
          400,
          'invalid_scope',
          'Empty scope (either the client or the user is not allowed the requested scopes)',
        );
    },
  };

  const password = passwordGrant(ctx);
  return tokenEndpoint<RatorTokenState>({
    // Tomcat's parameters: query first, then a form body; a parameter with broken %-encoding is dropped.
    parse: (req) => ({
      params: Params.merge(new Params(queryOf(req, 'drop').pairs), new Params(formOf(req, 'drop').pairs)),
      state: { requested: [], scope: [] },
    }),
    steps: [basicAuth, formAuth, postOnly, brandKey, clientIdMatch, scope, grantType],
    grants: {
      password,
      operator_password: password,
      client_credentials: clientCredentialsGrant(ctx),
      refresh_token: refreshTokenGrant(ctx),
    },
    render: renderTokenError,
  });
}
