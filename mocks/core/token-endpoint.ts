/**
 * A token endpoint built from an ordered list of named steps and a map of grant handlers, so that a flavour's
 * endpoint reads as the order its provider checks things in (Rator: Basic auth, form auth, brand key, client id
 * match, scope, then the grant). One error path: a step or a grant throws a TokenError (or returns an answer), the
 * flavour renders it in its own format. The journal note (grant type, client, how it authenticated) is what the
 * steps recorded in `t.note` while parsing, put on every answer.
 */
import type { ClientRecord } from './flavour.js';
import type { MockRequest, MockResponse } from './http.js';
import type { Params } from './form.js';

export type TokenNote = NonNullable<MockResponse['note']>;

/** A token request as the steps learn it; `state` holds what a flavour's steps hand to its grants (Rator's brand). */
export interface TokenRequest<S> {
  req: MockRequest;
  params: Params;
  note: TokenNote;
  client?: ClientRecord;
  grantType?: string;
  state: S;
}

/** The flavour's refusal of a request, rendered by its `render` into its own error body. */
export class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** Flavour-specific details its renderer understands (Spring's extra members, a challenge). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${status} ${error}: ${description}`);
  }
}

export interface TokenStep<S> {
  name: string;
  /** Returns nothing to go on, an answer to end the request there; throws a TokenError to refuse it. */
  run(t: TokenRequest<S>): void | MockResponse | Promise<void | MockResponse>;
}

/** A grant; `client` is the authenticated client, absent only where the flavour's steps let a grant run without one (InfoLink's refresh). */
export type GrantHandler<S> = (t: TokenRequest<S> & { grantType: string }) => Promise<MockResponse> | MockResponse;

export interface TokenEndpointSpec<S> {
  /** Reads the request's parameters and the flavour's initial state (`route`: the route's path parameters, e.g. a realm). */
  parse(req: MockRequest, route: Record<string, string>): { params: Params; state: S };
  steps: TokenStep<S>[];
  /** The grants by grant_type; a step before them has refused every other grant type. */
  grants: Record<string, GrantHandler<S>>;
  render(e: TokenError): MockResponse;
}

export function tokenEndpoint<S>(
  spec: TokenEndpointSpec<S>,
): (req: MockRequest, route?: Record<string, string>) => Promise<MockResponse> {
  return async (req, route = {}) => {
    const { params, state } = spec.parse(req, route);
    const t: TokenRequest<S> = { req, params, note: {}, state };
    const noted = (r: MockResponse): MockResponse => (Object.keys(t.note).length ? { ...r, note: { ...t.note } } : r);
    try {
      for (const step of spec.steps) {
        const answer = await step.run(t);
        if (answer) return noted(answer);
      }
      const grant = t.grantType !== undefined ? spec.grants[t.grantType] : undefined;
      // A flavour's steps refuse unknown grant types; reaching here with one is its bug.
      if (!grant) throw new Error(`token endpoint: no step refused grant ${t.grantType ?? '(none)'}`);
      return noted(await grant({ ...t, grantType: t.grantType! }));
    } catch (e) {
      if (e instanceof TokenError) return noted(spec.render(e));
      throw e;
    }
  };
}
