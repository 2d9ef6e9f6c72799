/**
 * Rator REST API's token endpoint and a protected resource, on legacy Spring Security OAuth2 (<= 2.4.0: UUID tokens).
 * Behaviour from reference/flavours.md §3, read from spring-projects/spring-security-oauth
 * spring-security-oauth2/src/main/java/org/springframework/security/oauth2/:
 *   provider/endpoint/TokenEndpoint.java, provider/token/{DefaultTokenServices,AbstractTokenGranter}.java,
 *   provider/error/{DefaultWebResponseExceptionTranslator,OAuth2AuthenticationEntryPoint}.java,
 *   provider/request/DefaultOAuth2RequestValidator.java, common/OAuth2AccessTokenJackson2Serializer.java;
 * and Enghouse's "Authentication Methods" / "brand access" pages (brand key, operator_password).
 * Where the public material is silent the choice is listed in src/flavours/rator.ts (choices).
 */
import { descriptor } from '../../src/flavours/rator.js';
import { uuidToken } from '../core/random.js';
import type { ClientRecord, FlavourMock, MockConfigPatch, MockContext, UserRecord, ResolvedMockConfig } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { formOf, header, Params, queryOf, type MockRequest, type MockResponse } from '../core/http.js';
import { passwordMatches } from '../core/passwords.js';

const JSON_TYPE = 'application/json;charset=UTF-8';
/** Spring Security's default header writers on every response. */
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'X-XSS-Protection': '1; mode=block', 'X-Frame-Options': 'DENY' };
/** DefaultWebResponseExceptionTranslator and TokenEndpoint.getResponse. */
const NO_CACHE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** OAuth2ExceptionJackson2Serializer: error, error_description, then additional information; 401s get a challenge. */
function oauthError(status: number, error: string, description: string, opts: { extra?: Record<string, string>; challenge?: string } = {}): MockResponse {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...NO_CACHE, 'Content-Type': JSON_TYPE };
  if (opts.challenge) headers['WWW-Authenticate'] = `${opts.challenge}error="${error}", error_description="${description}"`;
  else if (status === 401) headers['WWW-Authenticate'] = `Bearer error="${error}", error_description="${description}"`;
  return { status, headers, body: JSON.stringify({ error, error_description: description, ...opts.extra }) };
}

const presets: Record<string, MockConfigPatch> = {
  // rator-rest-api 3.x / rator-rest-api-auth 1.x: DefaultTokenServices defaults (12 h access, 30 d refresh,
  // reuseRefreshToken=true: refresh returns the same refresh token and removes the old access token).
  default: {
    rator: { context: 'appcontext', brandKeys: ['BRAND1'], missingBrandKey: 'invalid_request' },
    clients: [{ clientId: 'myclientid', clientSecret: 'myclientsecret', grants: ['password', 'operator_password', 'client_credentials', 'refresh_token'], scopes: ['read', 'write'] }],
    users: [
      { username: 'myusername', password: 'mypassword' },
      { username: 'myoperatorusername', password: 'myoperatorpassword', operator: true },
    ],
    tokens: { accessTokenLifetime: 43200, refreshTokenLifetime: 2592000 },
    refresh: { rotate: false, revokeOldRefreshToken: false, revokeOldAccessToken: true, graceSeconds: 0, maxReuse: 0 },
  },
};

/** The brand key's parameter spellings and resource header, as the descriptor documents them. */
const BRAND_PARAMS = descriptor.requiredParams![0]!.names;
const BRAND_HEADER = Object.keys(descriptor.resource!.headers!)[0]!;

function create(ctx: MockContext) {
  const context = rator(ctx.config).context;
  const brands = rator(ctx.config).brandKeys;
  const tokenPath = descriptor.tokenPath.replace('{context}', context);
  const resourcePath = descriptor.resource!.path.replace('{context}', context);

  /** expires_in as Spring serialises it: whole seconds left, truncated, counting down (43199 for a fresh 12 h token). */
  const expiresIn = (expiresAt: number) => Math.max(0, Math.floor((expiresAt * 1000 - ctx.clock.nowMs() - 1) / 1000));

  /** Tomcat's parameters: query first, then a form body; a parameter with broken %-encoding is dropped. */
  const paramsOf = (req: MockRequest) => Params.merge(new Params(queryOf(req, 'drop').pairs), new Params(formOf(req, 'drop').pairs));

  /** BasicAuthenticationFilter: Basic only, credentials NOT form-url-decoded (legacy Spring). */
  const authenticate = (req: MockRequest): ClientRecord | { error: string } | undefined => {
    const authz = header(req, 'authorization');
    if (!authz || !/^basic /i.test(authz)) return undefined;
    const encoded = authz.slice(6).trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return { error: 'Failed to decode basic authentication token' };
    const raw = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = raw.indexOf(':');
    if (colon < 0) return { error: 'Invalid basic authentication token' };
    const client = ctx.clients.get(raw.slice(0, colon));
    if (!client || !client.enabled || client.clientSecret !== raw.slice(colon + 1)) return { error: 'Bad credentials' };
    return client;
  };

  const unauthorized = (description: string) => oauthError(401, 'unauthorized', description, { challenge: 'Basic realm="oauth2/client", ' });

  const tokenBody = (access: string, refresh: string | undefined, expiresAt: number, scope: string[]) =>
    JSON.stringify({ access_token: access, token_type: 'bearer', ...(refresh ? { refresh_token: refresh } : {}), expires_in: expiresIn(expiresAt), scope: scope.join(' ') });

  const ok = (body: string): MockResponse => ({ status: 200, headers: { ...SECURITY_HEADERS, ...NO_CACHE, 'Content-Type': JSON_TYPE }, body });

  const parseScope = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean);

  /** ClientCredentialsTokenEndpointFilter (allowFormAuthenticationForClients): client_id + client_secret parameters. */
  const formAuthenticate = (p: Params): ClientRecord | { formError: string } | undefined => {
    const id = p.first('client_id');
    if (!rator(ctx.config).formClientAuth || id === undefined) return undefined;
    const client = ctx.clients.get(id);
    if (!client || !client.enabled || client.clientSecret !== (p.first('client_secret') ?? '')) return { formError: 'Bad client credentials' };
    return client;
  };

  const token = async (req: MockRequest): Promise<MockResponse> => {
    const p = paramsOf(req);
    // The security filter chain runs first: no client, no answer beyond "unauthorized".
    let auth: ClientRecord | { error: string } | undefined = authenticate(req);
    let clientAuth: 'basic' | 'post' = 'basic';
    if (auth === undefined) {
      const form = formAuthenticate(p);
      if (form && 'formError' in form) {
        return { ...oauthError(401, 'invalid_client', form.formError, { challenge: 'Form realm="oauth2/client", ' }), note: { clientAuth: 'post' } };
      }
      auth = form;
      clientAuth = 'post';
    }
    if (auth === undefined) return unauthorized('Full authentication is required to access this resource');
    if ('error' in auth) return { ...unauthorized(auth.error), note: { clientAuth: 'basic' } };
    const client = auth;
    const grantType = p.first('grant_type');
    const note = { clientId: client.clientId, clientAuth, ...(grantType ? { grantType } : {}) };
    const answer = (r: MockResponse): MockResponse => {
      r.note = note;
      return r;
    };
    if (req.method !== 'POST') return answer(oauthError(405, 'method_not_allowed', `Request method '${req.method}' not supported`));

    // The brand key: mandatory, spelled brand_key or brandKey, value compared case-insensitively (choices in the descriptor).
    const brandParam = BRAND_PARAMS.map((n) => p.first(n)).find((v) => v !== undefined) ?? (ctx.config.plantedDeviations.ignoreBrandKey ? brands[0] : undefined);
    if (!brandParam) {
      return answer(
        rator(ctx.config).missingBrandKey === 'unauthorized'
          ? unauthorized('Full authentication is required to access this resource')
          : oauthError(400, 'invalid_request', 'Missing brand key'),
      );
    }
    const brand = brands.find((b) => b.toLowerCase() === brandParam.toLowerCase());
    if (!brand) return answer(oauthError(400, 'invalid_request', 'Invalid brand key'));

    const bodyClientId = p.first('client_id');
    if (bodyClientId !== undefined && bodyClientId !== client.clientId) return answer(oauthError(401, 'invalid_client', 'Given client ID does not match authenticated client'));
    const requested = parseScope(p.first('scope'));
    if (requested.some((s) => !client.scopes.includes(s))) {
      return answer(oauthError(400, 'invalid_scope', `Invalid scope: ${requested.join(' ')}`, { extra: { scope: client.scopes.join(' ') } }));
    }
    if (!grantType) return answer(oauthError(400, 'invalid_request', 'Missing grant type'));
    if (grantType === 'implicit') return answer(oauthError(400, 'invalid_grant', 'Implicit grant type not supported from token endpoint'));
    if (!['password', 'operator_password', 'client_credentials', 'refresh_token'].includes(grantType)) return answer(oauthError(400, 'unsupported_grant_type', 'Unsupported grant type'));
    if (!client.grants.includes(grantType)) return answer(oauthError(401, 'invalid_client', `Unauthorized grant type: ${grantType}`));
    const scope = requested.length ? requested : client.scopes;
    if (scope.length === 0) return answer(oauthError(400, 'invalid_scope', 'Empty scope (either the client or the user is not allowed the requested scopes)'));
    const withRefresh = client.grants.includes('refresh_token');

    if (grantType === 'password' || grantType === 'operator_password') {
      const user: UserRecord | undefined = ctx.users.get(p.first('username') ?? '');
      const rightKind = user && user.operator === (grantType === 'operator_password');
      if (!user || !rightKind || !passwordMatches(user, p.first('password'))) return answer(oauthError(400, 'invalid_grant', 'Bad credentials'));
      if (!user.enabled) return answer(oauthError(400, 'invalid_grant', 'User is disabled'));
      const issued = await ctx.grants.issue({ clientId: client.clientId, username: user.username, scope, withRefresh, reuseKey: `${client.clientId}|${user.username}|${[...scope].sort().join(' ')}|${brand}`, meta: { brand } });
      return answer(ok(tokenBody(issued.access.value, issued.refresh?.value, issued.access.expiresAt, scope)));
    }

    if (grantType === 'client_credentials') {
      const operator = p.first(descriptor.clientCredentialsOperatorParam!);
      if (!operator) return answer(oauthError(400, 'invalid_request', 'Missing operator'));
      const op = ctx.users.get(operator);
      if (!op || !op.operator || !op.enabled) return answer(oauthError(400, 'invalid_request', `Unknown operator: ${operator}`));
      // ClientCredentialsTokenGranter.allowRefresh = false: never a refresh token.
      const issued = await ctx.grants.issue({ clientId: client.clientId, username: operator, scope, withRefresh: false, reuseKey: `${client.clientId}|cc:${operator}|${[...scope].sort().join(' ')}|${brand}`, meta: { brand } });
      return answer(ok(tokenBody(issued.access.value, undefined, issued.access.expiresAt, scope)));
    }

    // refresh_token (RefreshTokenGranter + DefaultTokenServices.refreshAccessToken)
    const presented = p.first('refresh_token');
    if (!presented) return answer(oauthError(400, 'invalid_request', 'refresh_token parameter not provided'));
    const found = await ctx.grants.lookupRefresh(presented);
    if (!found.record) return answer(oauthError(400, 'invalid_grant', `Invalid refresh token: ${presented}`));
    if (found.record.clientId !== client.clientId) return answer(oauthError(400, 'invalid_grant', `Wrong client for this refresh token: ${presented}`));
    // reuseRefreshToken=false (refresh.rotate with revokeOldRefreshToken): DefaultTokenServices removes the used refresh
    // token from the store, so a second use is an unknown token.
    if (found.state === 'superseded') {
      await ctx.grants.onReplay(found.record);
      return answer(oauthError(400, 'invalid_grant', `Invalid refresh token: ${presented}`));
    }
    if (found.state === 'expired') {
      await ctx.grants.revokeRefresh(presented); // removed on first expired use: afterwards it is "Invalid refresh token"
      return answer(oauthError(401, 'invalid_token', `Invalid refresh token (expired): ${presented}`));
    }
    const original = found.record.scope;
    if (requested.length && !requested.every((s) => original.includes(s))) {
      return answer(oauthError(400, 'invalid_scope', `Unable to narrow the scope of the client authentication to [${requested.join(', ')}].`, { extra: { scope: original.join(' ') } }));
    }
    const used = await ctx.grants.refreshGrant(found.record, requested.length ? requested : original);
    // Another request (on any replica) used it first and it is spent now: as if this one had come second.
    if ('lost' in used) {
      if (used.record && used.lost === 'superseded') await ctx.grants.onReplay(used.record);
      return answer(used.lost === 'expired' ? oauthError(401, 'invalid_token', `Invalid refresh token (expired): ${presented}`) : oauthError(400, 'invalid_grant', `Invalid refresh token: ${presented}`));
    }
    const { access, refresh } = used;
    return answer(ok(tokenBody(access.value, refresh.value, access.expiresAt, access.scope)));
  };

  /** OAuth2AuthenticationProcessingFilter + OAuth2AuthenticationEntryPoint (realm "oauth"), then Rator's brand check. */
  const balance = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const resourceError = (description: string, error = 'invalid_token') =>
      oauthError(401, error, description, { challenge: 'Bearer realm="oauth", ' });
    const authz = header(req, 'authorization');
    // BearerTokenExtractor: the Authorization header, else an access_token request parameter.
    const value = authz && /^bearer /i.test(authz) ? authz.slice(7).split(',')[0]!.trim() : new Params(queryOf(req, 'drop').pairs).first('access_token');
    if (!value) return resourceError('Full authentication is required to access this resource', 'unauthorized');
    const found = await ctx.grants.lookupAccess(value);
    if (found.state === 'unknown') return resourceError(`Invalid access token: ${value}`);
    if (found.state === 'expired') {
      await ctx.grants.revokeAccess(value); // DefaultTokenServices.loadAuthentication removes it: next time it is "Invalid"
      return resourceError(`Access token expired: ${value}`);
    }
    // OAuth2AuthenticationManager: a token whose client lacks this resource id is refused with 403.
    const resourceId = rator(ctx.config).resourceId;
    const owner = ctx.clients.get(found.record!.clientId);
    if (resourceId && !(owner?.resourceIds ?? []).includes(resourceId)) {
      return oauthError(403, 'access_denied', `Invalid token does not contain resource id (${resourceId})`);
    }
    // X-RATOR-brand-key: case-sensitive, the token's brand (third-party observation: lower case answers 404).
    if (header(req, BRAND_HEADER) !== found.record!.meta.brand) {
      return { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE }, body: JSON.stringify({ error: 'not_found', error_description: 'Requested resource does not exist' }) };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: { ...SECURITY_HEADERS, Allow: 'GET' }, body: '' };
    return { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE }, body: JSON.stringify({ billingGroupId: params.billingGroup, balance: 125.5, currency: 'DKK' }) };
  };

  /** Spring Boot's BasicErrorController body for a path nobody serves. */
  const notFound = (req: MockRequest): MockResponse => ({
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE },
    body: JSON.stringify({ timestamp: new Date(ctx.clock.nowMs()).toISOString().replace('Z', '+00:00'), status: 404, error: 'Not Found', message: 'No message available', path: req.path }),
  });

  return {
    routes: [pathRoute('token', tokenPath, token), pathRoute('resource', resourcePath, balance)],
    notFound,
    // Tomcat rejects the request before Spring; Spring Boot's error controller renders the 400 as JSON.
    headersTooLarge: () => ({ status: 400, headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE }, body: JSON.stringify({ timestamp: new Date(ctx.clock.nowMs()).toISOString().replace('Z', '+00:00'), status: 400, error: 'Bad Request', path: '' }) }),
    errorResponse: (status: number, code: string, description: string) => oauthError(status, code, description),
  };
}

export const mock: FlavourMock = {
  descriptor,
  sectionDefaults: { context: 'appcontext', brandKeys: [], missingBrandKey: 'invalid_request', formClientAuth: false },
  presets,
  defaultPreset: 'default',
  sharesStore: true,
  tokens: { access: uuidToken, refresh: uuidToken },
  create,
  // The brand key on every token request (its documented parameter name) and every resource request (its header).
  describe: (config) => {
    const brand = rator(config).brandKeys[0]!;
    return {
      extraParams: { [BRAND_PARAMS[0]!]: brand },
      resourceHeaders: { [BRAND_HEADER]: brand },
      scope: { full: 'read write', narrower: 'read' },
      printed: { brandKeys: rator(config).brandKeys },
    };
  },
  endpoints: (config, base) => ({
    token: base + descriptor.tokenPath.replace('{context}', rator(config).context),
    resource: base + descriptor.resource!.path.replace('{context}', rator(config).context).replace('{billingGroup}', '201506171857210002'),
  }),
};

/** This flavour's own configuration section (schemas/config/mock-config.schema.json "rator"), with its defaults. */
type RatorSettings = { context: string; brandKeys: string[]; missingBrandKey: 'invalid_request' | 'unauthorized'; formClientAuth: boolean; resourceId?: string };
function rator(config: ResolvedMockConfig): RatorSettings {
  return config.extra.rator as RatorSettings;
}
