import { errorCode, type FlavourDescriptor } from './types.js';

/**
 * Rator REST API on legacy Spring Security OAuth2.
 * Sources: spring-projects/spring-security-oauth spring-security-oauth2/src/main/java/org/springframework/security/oauth2/
 * provider/error/DefaultWebResponseExceptionTranslator.java, provider/token/DefaultTokenServices.java, provider/endpoint/TokenEndpoint.java.
 */
export const descriptor: FlavourDescriptor = {
  name: 'rator',
  title: 'Rator (legacy Spring Security OAuth2)',
  tokenPath: '/{context}/oauth/token',
  configPaths: { token: '/oauth/token' },
  resource: {
    method: 'GET',
    path: '/{context}/api/billing-groups/{billingGroup}/balance',
    headers: { 'X-RATOR-brand-key': '{brandKey}' },
  },
  requiredParams: [
    {
      names: ['brand_key', 'brandKey'],
      description: 'the brand key, mandatory on every token request (query or body)',
    },
  ],
  grants: ['password', 'operator_password', 'client_credentials', 'refresh_token'],
  choices: [
    'A token request without a brand key: 400 {"error":"invalid_request","error_description":"Missing brand key"} (or 401 "unauthorized" with rator.missingBrandKey)',
    'An unknown brand key: 400 invalid_request "Invalid brand key"',
    'client_credentials without operator (as the provider document\'s call): the client\'s own token; with operator=<operator username>: a token acting for that operator (an unknown one: 400 invalid_request "Unknown operator: …")',
    'A wrong or lower-case X-RATOR-brand-key at a resource: 404 {"error":"not_found","error_description":"Requested resource does not exist"}',
    'Client authentication failures use the OAuth2AuthenticationEntryPoint body ("unauthorized"), not the Spring Boot error page',
  ],
  clientAuth: ['basic'],
  tokenTypes: ['bearer'],
  jsonStyle: 'compact',
  // Spring Security OAuth2 (DefaultWebResponseExceptionTranslator, TokenEndpoint); the client entry point variant is the mock's documented choice.
  expectedErrors: {
    'missing-grant-type': { status: 400, error: 'invalid_request', description: 'Missing grant type' },
    'unknown-grant-type': { status: 400, error: 'unsupported_grant_type', description: 'Unsupported grant type' },
    'bad-password': { status: 400, error: 'invalid_grant', description: 'Bad credentials' },
    'unknown-user': { status: 400, error: 'invalid_grant', description: 'Bad credentials' },
    'bad-client-secret': { status: 401, error: 'unauthorized', description: 'Bad credentials' },
    'unknown-client': { status: 401, error: 'unauthorized', description: 'Bad credentials' },
    'missing-refresh-token': {
      status: 400,
      error: 'invalid_request',
      description: 'refresh_token parameter not provided',
    },
    'bad-refresh-token': { status: 400, error: 'invalid_grant', description: 'Invalid refresh token: ...' },
  },
  refreshMode: 'reuse',
  // client_credentials acts for an operator (Rator's provider document, docs/flavours.md): operator=<operator username>.
  clientCredentialsOperatorParam: 'operator',
  initExample: { baseUrl: 'https://rator.example.com/appcontext' },
  documentedLifetimes: {
    access: 43200,
    source: 'spring-security-oauth DefaultTokenServices accessTokenValiditySeconds = 60 * 60 * 12',
  },
  deviations: [
    {
      checks: ['TE-B4', 'TE-F2', 'TE-G6', 'TE-B5', 'TE-B7', 'TE-B11'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'unauthorized',
      reason: 'Spring Security\'s client authentication entry point answers 401 "unauthorized" (not invalid_client)',
      source: 'spring-security-oauth .../provider/error/OAuth2AuthenticationEntryPoint.java',
    },
    {
      checks: ['TE-B3'],
      applies: ({ response, body }) => response.status === 401 && errorCode(body) === 'unauthorized',
      reason: 'legacy Spring Security decodes Basic credentials without form-url-decoding them (RFC 6749 Appendix B)',
      source:
        'spring-security BasicAuthenticationFilter (via spring-security-oauth AuthorizationServerSecurityConfigurer)',
    },
    {
      checks: ['TE-D5'],
      applies: ({ body }) =>
        /^(Invalid refresh token|Wrong client for this refresh token|Invalid refresh token \(expired\)|Invalid access token|Access token expired): /.test(
          String((body as { error_description?: unknown } | undefined)?.error_description ?? ''),
        ),
      reason: 'Spring echoes the presented token into error_description, whatever characters it holds',
      source:
        'spring-security-oauth .../provider/token/DefaultTokenServices.java (refreshAccessToken, loadAuthentication)',
    },
    {
      checks: ['TE-A6'],
      applies: ({ response }) => response.status === 200,
      reason: 'Spring binds parameters with @RequestParam Map: the first value of a repeated parameter wins, no error',
      source: 'spring-security-oauth .../provider/endpoint/TokenEndpoint.java (postAccessToken)',
    },
    {
      checks: ['TE-E2'],
      applies: ({ response, body }) => response.status === 400 && errorCode(body) === 'invalid_grant',
      reason: 'Spring authenticates a missing username as an unknown user: 400 invalid_grant "Bad credentials"',
      source: 'spring-security-oauth .../provider/password/ResourceOwnerPasswordTokenGranter.java',
    },
    {
      checks: ['TE-C15'],
      applies: ({ response }) => response.status === 200,
      reason:
        'DefaultTokenServices hands out the existing, unexpired token again for a repeated grant of the same client, user and scope',
      source: 'spring-security-oauth .../provider/token/DefaultTokenServices.java (createAccessToken)',
    },
    {
      checks: ['TE-D1'],
      applies: ({ response, body }) =>
        response.status === 401 && ['invalid_token', 'unauthorized'].includes(errorCode(body) ?? ''),
      reason:
        'Spring answers an expired refresh token (InvalidTokenException) and a failed client authentication with 401',
      source:
        'spring-security-oauth .../provider/token/DefaultTokenServices.java; provider/error/OAuth2AuthenticationEntryPoint.java',
    },
    {
      checks: ['TE-D1'],
      applies: ({ response, body }) => response.status === 405 && errorCode(body) === 'method_not_allowed',
      reason: 'Spring answers GET /oauth/token with 405 method_not_allowed',
      source:
        'spring-security-oauth .../provider/endpoint/TokenEndpoint.java (handleHttpRequestMethodNotSupportedException)',
    },
    {
      checks: ['TE-D3'],
      applies: ({ body }) =>
        ['unauthorized', 'invalid_token', 'method_not_allowed', 'access_denied', 'insufficient_scope'].includes(
          errorCode(body) ?? '',
        ),
      reason: 'Spring Security OAuth2 error codes outside RFC 6749 §5.2',
      source: 'spring-security-oauth .../common/exceptions/OAuth2Exception.java',
    },
  ],
};
