import { errorCode, type FlavourDescriptor } from './types.js';

/**
 * Rator REST API on legacy Spring Security OAuth2.
 * Sources: spring-projects/spring-security-oauth spring-security-oauth2/src/main/java/org/springframework/security/oauth2/
 * provider/error/DefaultWebResponseExceptionTranslator.java, provider/token/DefaultTokenServices.java, provider/endpoint/TokenEndpoint.java.
 */
export const rator: FlavourDescriptor = {
  name: 'rator',
  title: 'Rator (legacy Spring Security OAuth2)',
  tokenPath: '/{context}/oauth/token',
  clientAuth: ['basic'],
  tokenTypes: ['bearer'],
  jsonStyle: 'compact',
  deviations: [
    {
      check: 'TE-D1',
      applies: ({ response, body }) => response.status === 401 && ['invalid_token', 'unauthorized'].includes(errorCode(body) ?? ''),
      reason: 'Spring answers an expired refresh token (InvalidTokenException) and a failed client authentication with 401',
      source: 'spring-security-oauth .../provider/token/DefaultTokenServices.java; provider/error/OAuth2AuthenticationEntryPoint.java',
    },
    {
      check: 'TE-D1',
      applies: ({ response, body }) => response.status === 405 && errorCode(body) === 'method_not_allowed',
      reason: 'Spring answers GET /oauth/token with 405 method_not_allowed',
      source: 'spring-security-oauth .../provider/endpoint/TokenEndpoint.java (handleHttpRequestMethodNotSupportedException)',
    },
    {
      check: 'TE-D3',
      applies: ({ body }) => ['unauthorized', 'invalid_token', 'method_not_allowed', 'access_denied', 'insufficient_scope'].includes(errorCode(body) ?? ''),
      reason: 'Spring Security OAuth2 error codes outside RFC 6749 §5.2',
      source: 'spring-security-oauth .../common/exceptions/OAuth2Exception.java',
    },
  ],
};
