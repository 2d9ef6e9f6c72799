/**
 * Rator's wire shapes on legacy Spring Security OAuth2: its headers, its error body and its token answer.
 * Sources (spring-projects/spring-security-oauth, spring-security-oauth2/src/main/java/org/springframework/security/oauth2/):
 * provider/error/DefaultWebResponseExceptionTranslator.java, common/exceptions/OAuth2ExceptionJackson2Serializer.java,
 * common/OAuth2AccessTokenJackson2Serializer.java, provider/endpoint/TokenEndpoint.java (getResponse).
 */
import { descriptor } from '../../src/flavours/rator.js';
import type { RatorMockSettings } from '../../src/generated/schemas.js';
import type { MockContext, ResolvedMockConfig } from '../core/flavour.js';
import type { MockResponse } from '../core/http.js';
import { TokenError } from '../core/token-endpoint.js';

/** The brand key's parameter spellings, as the descriptor documents them. */
export const BRAND_PARAMS = descriptor.requiredParams![0]!.names;

export const JSON_TYPE = 'application/json;charset=UTF-8';
/** Spring Security's default header writers on every response. */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-XSS-Protection': '1; mode=block',
  'X-Frame-Options': 'DENY',
};
/** DefaultWebResponseExceptionTranslator and TokenEndpoint.getResponse. */
const NO_CACHE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** OAuth2ExceptionJackson2Serializer: error, error_description, then additional information; 401s get a challenge. */
export function oauthError(
  status: number,
  error: string,
  description: string,
  opts: { extra?: Record<string, string>; challenge?: string } = {},
): MockResponse {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...NO_CACHE, 'Content-Type': JSON_TYPE };
  if (opts.challenge)
    headers['WWW-Authenticate'] = `${opts.challenge}error="${error}", error_description="${description}"`;
  else if (status === 401) headers['WWW-Authenticate'] = `Bearer error="${error}", error_description="${description}"`;
  return { status, headers, body: JSON.stringify({ error, error_description: description, ...opts.extra }) };
}

/** The token endpoint's one error path: a TokenError in Spring's body ({ extra, challenge } in its details). */
export const renderTokenError = (e: TokenError): MockResponse =>
  oauthError(e.status, e.error, e.description, e.details as { extra?: Record<string, string>; challenge?: string });

/** The client authentication entry point (OAuth2AuthenticationEntryPoint, realm "oauth2/client"). */
export const unauthorized = (description: string) =>
  new TokenError(401, 'unauthorized', description, { challenge: 'Basic realm="oauth2/client", ' });

/** What Rator's steps hand to its grants: the brand the request named and the scope it asked for. */
export interface RatorTokenState {
  brand?: string;
  requested: string[];
  /** The scope granted: the requested one, else the client's. */
  scope: string[];
}

/** This flavour's own configuration section (schemas/rator/mock-config.schema.json), its defaults filled. */
export type RatorSettings = Required<Omit<RatorMockSettings, 'resourceId'>> & Pick<RatorMockSettings, 'resourceId'>;
export const ratorSettings = (config: ResolvedMockConfig): RatorSettings => config.extra.rator as RatorSettings;

/** A token answer as Spring serialises it; expires_in counts down in whole seconds (43199 for a fresh 12 h token). */
export function issued(
  ctx: MockContext,
  access: string,
  refresh: string | undefined,
  expiresAt: number,
  scope: string[],
): MockResponse {
  const expiresIn = Math.max(0, Math.floor((expiresAt * 1000 - ctx.clock.nowMs() - 1) / 1000));
  return {
    status: 200,
    headers: { ...SECURITY_HEADERS, ...NO_CACHE, 'Content-Type': JSON_TYPE },
    body: JSON.stringify({
      access_token: access,
      token_type: 'bearer',
      ...(refresh ? { refresh_token: refresh } : {}),
      expires_in: expiresIn,
      scope: scope.join(' '),
    }),
  };
}
