/**
 * Rator REST API's token endpoint and a protected resource, on legacy Spring Security OAuth2 (<= 2.4.0: UUID tokens).
 * Behaviour read from spring-projects/spring-security-oauth
 * spring-security-oauth2/src/main/java/org/springframework/security/oauth2/:
 *   provider/endpoint/TokenEndpoint.java, provider/token/{DefaultTokenServices,AbstractTokenGranter}.java,
 *   provider/error/{DefaultWebResponseExceptionTranslator,OAuth2AuthenticationEntryPoint}.java,
 *   provider/request/DefaultOAuth2RequestValidator.java, common/OAuth2AccessTokenJackson2Serializer.java;
 * and Enghouse's "Authentication Methods" / "brand access" pages (brand key, operator_password).
 * Where the public material is silent the choice is listed in src/flavours/rator.ts (choices).
 */
import { descriptor } from '../../src/flavours/rator.js';
import { uuidToken } from '../core/random.js';
import type { FlavourMock, MockConfigPatch, MockContext } from '../core/flavour.js';
import { pathRoute } from '../core/flavour.js';
import { header, Params, queryOf, type MockRequest, type MockResponse } from '../core/http.js';
import { ratorTokenEndpoint } from './token.js';
import { BRAND_PARAMS, JSON_TYPE, oauthError, ratorSettings, SECURITY_HEADERS } from './wire.js';

const presets: Record<string, MockConfigPatch> = {
  // rator-rest-api 3.x / rator-rest-api-auth 1.x: DefaultTokenServices defaults (12 h access, 30 d refresh,
  // reuseRefreshToken=true: refresh returns the same refresh token and removes the old access token).
  default: {
    rator: { context: 'appcontext', brandKeys: ['BRAND1'], missingBrandKey: 'invalid_request' },
    clients: [
      {
        clientId: 'myclientid',
        clientSecret: 'myclientsecret',
        grants: ['password', 'operator_password', 'client_credentials', 'refresh_token'],
        scopes: ['read', 'write'],
      },
    ],
    users: [
      { username: 'myusername', password: 'mypassword' },
      { username: 'myoperatorusername', password: 'myoperatorpassword', operator: true },
    ],
    tokens: { accessTokenLifetime: 43200, refreshTokenLifetime: 2592000 },
    refresh: { rotate: false, revokeOldRefreshToken: false, revokeOldAccessToken: true, graceSeconds: 0, maxReuse: 0 },
  },
};

/** The brand key's resource header, as the descriptor documents it. */
const BRAND_HEADER = Object.keys(descriptor.resource!.headers!)[0]!;

function create(ctx: MockContext) {
  const context = rator(ctx.config).context;
  const tokenPath = descriptor.tokenPath.replace('{context}', context);
  const resourcePath = descriptor.resource!.path.replace('{context}', context);

  /** OAuth2AuthenticationProcessingFilter + OAuth2AuthenticationEntryPoint (realm "oauth"), then Rator's brand check. */
  const balance = async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const resourceError = (description: string, error = 'invalid_token') =>
      oauthError(401, error, description, { challenge: 'Bearer realm="oauth", ' });
    const authz = header(req, 'authorization');
    // BearerTokenExtractor: the Authorization header, else an access_token request parameter.
    const value =
      authz && /^bearer /i.test(authz)
        ? authz.slice(7).split(',')[0]!.trim()
        : new Params(queryOf(req, 'drop').pairs).first('access_token');
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
      return {
        status: 404,
        headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE },
        body: JSON.stringify({ error: 'not_found', error_description: 'Requested resource does not exist' }),
      };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, headers: { ...SECURITY_HEADERS, Allow: 'GET' }, body: '' };
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE },
      body: JSON.stringify({ billingGroupId: params.billingGroup, balance: 125.5, currency: 'DKK' }),
    };
  };

  /** Spring Boot's BasicErrorController body for a path nobody serves. */
  const notFound = (req: MockRequest): MockResponse => ({
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE },
    body: JSON.stringify({
      timestamp: new Date(ctx.clock.nowMs()).toISOString().replace('Z', '+00:00'),
      status: 404,
      error: 'Not Found',
      message: 'No message available',
      path: req.path,
    }),
  });

  return {
    routes: [pathRoute('token', tokenPath, ratorTokenEndpoint(ctx)), pathRoute('resource', resourcePath, balance)],
    notFound,
    // Tomcat rejects the request before Spring; Spring Boot's error controller renders the 400 as JSON.
    headersTooLarge: () => ({
      status: 400,
      headers: { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE },
      body: JSON.stringify({
        timestamp: new Date(ctx.clock.nowMs()).toISOString().replace('Z', '+00:00'),
        status: 400,
        error: 'Bad Request',
        path: '',
      }),
    }),
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
    resource:
      base +
      descriptor
        .resource!.path.replace('{context}', rator(config).context)
        .replace('{billingGroup}', '201506171857210002'),
  }),
};

const rator = ratorSettings;
