/**
 * An authorization endpoint built like the token endpoint (mocks/core/token-endpoint.ts): an ordered list of named
 * steps in the order the provider checks a request, and two ways to refuse it, as RFC 6749 §4.1.2.1 sets them apart:
 * before the client and its redirect URI are known to be good, an error *page* (never a redirect: the AS is no open
 * redirector); after, an error *redirect* to that URI in the response mode asked for. The flavour renders both.
 */
import type { ResponseMode } from './browser.js';
import type { ClientRecord } from './flavour.js';
import type { Params } from './form.js';
import type { MockRequest, MockResponse } from './http.js';

/** Refused before the redirect URI is trusted: the provider's HTML error page. */
export class AuthorizeErrorPage extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    /** The OAuth error code, where the provider's page names one (django-oauth-toolkit's "Error: invalid_request"). */
    readonly error?: string,
  ) {
    super(`${status} ${text}`);
  }
}

/** Refused after it: `error` (and a description) at the client's redirect URI. */
export class AuthorizeErrorRedirect extends Error {
  constructor(
    readonly error: string,
    readonly description?: string,
    /** The response mode of this error when it differs from the request's (Keycloak: query for a bad response_mode). */
    readonly mode?: ResponseMode,
  ) {
    super(`${error}${description ? `: ${description}` : ''}`);
  }
}

export interface AuthorizeRequest<S> {
  req: MockRequest;
  params: Params;
  client?: ClientRecord;
  /** The redirect URI once a step accepted it: errors after that point are redirected there. */
  redirectUri?: string;
  responseMode: ResponseMode;
  state: S;
}

export interface AuthorizeStep<S> {
  name: string;
  /** Nothing to go on, an answer to end there (a login page, the code redirect); throws to refuse. */
  run(t: AuthorizeRequest<S>): void | MockResponse | Promise<void | MockResponse>;
}

export interface AuthorizationEndpointSpec<S> {
  parse(req: MockRequest, route: Record<string, string>): { params: Params; state: S } | MockResponse;
  steps: AuthorizeStep<S>[];
  page(e: AuthorizeErrorPage, t: AuthorizeRequest<S> | undefined): MockResponse;
  redirect(e: AuthorizeErrorRedirect, t: AuthorizeRequest<S> & { redirectUri: string }): MockResponse;
}

export function authorizationEndpoint<S>(
  spec: AuthorizationEndpointSpec<S>,
): (req: MockRequest, route?: Record<string, string>) => Promise<MockResponse> {
  return async (req, route = {}) => {
    let t: AuthorizeRequest<S> | undefined;
    try {
      const parsed = spec.parse(req, route);
      if ('status' in parsed) return parsed;
      t = { req, params: parsed.params, state: parsed.state, responseMode: 'query' };
      for (const step of spec.steps) {
        const answer = await step.run(t);
        if (answer) return answer;
      }
      throw new Error('authorization endpoint: no step answered');
    } catch (e) {
      if (e instanceof AuthorizeErrorPage) return spec.page(e, t);
      if (e instanceof AuthorizeErrorRedirect) {
        // A step that refuses by redirect before any redirect URI was accepted is the flavour's bug: a page then.
        if (!t?.redirectUri) return spec.page(new AuthorizeErrorPage(400, e.description ?? e.error), t);
        return spec.redirect(e, { ...t, redirectUri: t.redirectUri });
      }
      throw e;
    }
  };
}
