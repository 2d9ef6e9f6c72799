/**
 * The checks of reference/checklist.md, by stable id. Level is the spec's keyword; the severity a
 * failure gets is decided per profile (MUST -> error, SHOULD/RECOMMENDED -> warning, MAY/derived -> info).
 */
export type Level = 'MUST' | 'SHOULD' | 'RECOMMENDED' | 'MAY' | 'DERIVED' | 'PROJECT';
export type Severity = 'error' | 'warning' | 'info';
export type Profile = 'rfc6749' | 'bcp9700' | 'oauth21';
export const PROFILES: Profile[] = ['rfc6749', 'bcp9700', 'oauth21'];

export interface CheckSpec {
  id: string;
  title: string;
  level: Level;
  /** Requirement reference, e.g. "RFC 6749 §5.1". */
  requirement: string;
  url: string;
  /** Severity overrides where profiles disagree. */
  profiles?: Partial<Record<Profile, Severity>>;
  /** The requirement binds public clients only (RFC 9700 §4.14.2): for confidential clients a failure is information. */
  publicClientsOnly?: boolean;
}

/** What a severity depends on besides the profile. */
export interface SeverityContext {
  /** The client the check exercised is public (no secret). */
  publicClient?: boolean;
}

const RFC6749 = 'https://www.rfc-editor.org/rfc/rfc6749';

const specs: CheckSpec[] = [
  { id: 'TE-A2', title: 'A valid grant returns 200 (precondition)', level: 'MUST', requirement: 'RFC 6749 §3.2, §4.3.2, §4.4.2, §6', url: `${RFC6749}#section-3.2` },
  { id: 'TE-A3', title: 'The same request by GET does not yield a token', level: 'DERIVED', requirement: 'RFC 6749 §3.2 (client MUST POST)', url: `${RFC6749}#section-3.2`, profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' } },
  { id: 'TE-A4', title: 'An unknown parameter does not change the outcome', level: 'MUST', requirement: 'RFC 6749 §3.2', url: `${RFC6749}#section-3.2` },
  { id: 'TE-A6', title: 'A repeated parameter never yields a token', level: 'MUST', requirement: 'RFC 6749 §3.2, §5.2', url: `${RFC6749}#section-3.2` },
  { id: 'TE-A7', title: 'Missing grant_type gets 400 invalid_request', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-A8', title: 'Unknown grant_type gets 400 unsupported_grant_type', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-A9', title: 'client_secret in the URI query is not accepted', level: 'MUST', requirement: 'RFC 6749 §2.3.1', url: `${RFC6749}#section-2.3.1` },
  { id: 'TE-A10', title: 'A JSON request body gets a 4xx, not a token', level: 'DERIVED', requirement: 'RFC 6749 §4.3.2, §4.4.2, §6 (form encoding)', url: `${RFC6749}#section-4.3.2`, profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' } },
  { id: 'TE-A11', title: 'No 5xx for any generated request', level: 'DERIVED', requirement: 'robustness (Schemathesis not_a_server_error)', url: `${RFC6749}#section-5.2`, profiles: { rfc6749: 'error', bcp9700: 'error', oauth21: 'error' } },
  { id: 'TE-A12', title: 'A provider-required parameter missing gets a 4xx, not a token', level: 'MUST', requirement: 'RFC 6749 §3.2, §5.2, §8.2', url: `${RFC6749}#section-8.2` },
  { id: 'TE-B1', title: 'client_secret_basic accepted', level: 'MUST', requirement: 'RFC 6749 §2.3.1 (OAuth 2.1: MAY)', url: `${RFC6749}#section-2.3.1`, profiles: { oauth21: 'info' } },
  { id: 'TE-B2', title: 'client_secret_post accepted', level: 'MAY', requirement: 'RFC 6749 §2.3.1 (OAuth 2.1 §2.4.1: MUST)', url: `${RFC6749}#section-2.3.1`, profiles: { oauth21: 'error' } },
  { id: 'TE-B4', title: 'Confidential client without authentication gets invalid_client', level: 'MUST', requirement: 'RFC 6749 §3.2.1, §5.2', url: `${RFC6749}#section-3.2.1` },
  { id: 'TE-B6', title: 'Wrong secret in the body gets invalid_client (400 or 401)', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-B7', title: 'Unknown client_id gets invalid_client', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-C15', title: 'Tokens are distinct across grants and long enough (entropy heuristic)', level: 'MUST', requirement: 'RFC 6749 §10.10', url: `${RFC6749}#section-10.10` },
  { id: 'TE-E2', title: 'Missing username or password gets 400 invalid_request', level: 'MUST', requirement: 'RFC 6749 §4.3.2, §5.2', url: `${RFC6749}#section-4.3.2` },
  { id: 'TE-E3', title: 'Wrong password gets 400 invalid_grant', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-E4', title: 'Unknown user answers like a wrong password (no enumeration)', level: 'DERIVED', requirement: 'derived', url: `${RFC6749}#section-10.2`, profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' } },
  { id: 'TE-E8', title: 'The password grant is enabled (deprecated grant)', level: 'DERIVED', requirement: 'RFC 9700 §2.4 MUST NOT; OAuth 2.1 §10', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.4', profiles: { rfc6749: 'info', bcp9700: 'error', oauth21: 'error' } },
  { id: 'TE-F1', title: 'client_credentials with client authentication succeeds', level: 'MUST', requirement: 'RFC 6749 §4.4.3', url: `${RFC6749}#section-4.4.3` },
  { id: 'TE-F2', title: 'client_credentials without client authentication gets invalid_client', level: 'MUST', requirement: 'RFC 6749 §4.4.2', url: `${RFC6749}#section-4.4.2` },
  { id: 'TE-F3', title: 'client_credentials issues no refresh token', level: 'SHOULD', requirement: 'RFC 6749 §4.4.3 (SHOULD NOT)', url: `${RFC6749}#section-4.4.3` },
  { id: 'TE-G1', title: 'A valid refresh succeeds with a new access token', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6` },
  { id: 'TE-G2', title: 'Missing refresh_token gets 400 invalid_request', level: 'MUST', requirement: 'RFC 6749 §6, §5.2', url: `${RFC6749}#section-6` },
  { id: 'TE-G3', title: 'Unknown, garbage or truncated refresh token gets 400 invalid_grant', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-G4', title: 'An access token presented as refresh token gets invalid_grant', level: 'DERIVED', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2`, profiles: { rfc6749: 'error', bcp9700: 'error', oauth21: 'error' } },
  { id: 'TE-G5', title: "Another client's refresh token gets invalid_grant", level: 'MUST', requirement: 'RFC 6749 §6, §10.4', url: `${RFC6749}#section-10.4` },
  { id: 'TE-G7', title: 'Refresh with a narrower scope succeeds within the original', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6` },
  { id: 'TE-G8', title: 'Refresh with a scope not originally granted gets invalid_scope', level: 'MUST', requirement: 'RFC 6749 §6, §5.2', url: `${RFC6749}#section-6` },
  { id: 'TE-G12', title: 'An expired refresh token is refused', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-H1', title: 'Refresh token mode (rotating, non-rotating) matches the declared policy', level: 'MUST', requirement: 'RFC 9700 §4.14.2', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2' },
  { id: 'TE-H2', title: "A public client's refresh tokens are rotated", level: 'MUST', requirement: 'RFC 9700 §2.2.2, §4.14.2; OAuth 2.1 §4.3.1', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2', profiles: { rfc6749: 'info' } },
  { id: 'TE-H3', title: 'A superseded refresh token is refused (declared rotation)', level: 'MUST', requirement: 'RFC 9700 §4.14.2', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2' },
  { id: 'TE-H7', title: 'Parallel refreshes with one refresh token: no 5xx, at most the allowed successes', level: 'MUST', requirement: 'RFC 9700 §4.14.2 (derived)', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2' },
  { id: 'TE-J1', title: 'A fresh access token works at the resource', level: 'MUST', requirement: 'RFC 6750 §2.1', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-2.1' },
  { id: 'TE-J3', title: 'A revoked, garbage or expired access token is refused at the resource', level: 'MUST', requirement: 'RFC 6750 §3, §3.1', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1' },
  { id: 'TE-S1', title: 'Stateful model: the target agrees with the model on which tokens work', level: 'PROJECT', requirement: 'RFC 6749 §6, RFC 9700 §4.14.2, the declared policies', url: `${RFC6749}#section-6` },
  { id: 'TE-FL', title: "Each failure cause gets the flavour's documented error", level: 'PROJECT', requirement: 'the flavour reference (reference/flavours.md)', url: 'https://idp-conformance.dev/flavours' },
  { id: 'TE-B3', title: 'Basic credentials with reserved and non-ASCII characters work when form-urlencoded', level: 'MUST', requirement: 'RFC 6749 §2.3.1, Appendix B', url: `${RFC6749}#section-2.3.1` },
  { id: 'TE-G9', title: 'Refresh without scope keeps the original scope', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6` },
  { id: 'TE-H4', title: 'Replaying a superseded refresh token revokes the active one of the family', level: 'MUST', requirement: 'RFC 9700 §4.14.2; OAuth 2.1 §4.3.1', url: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2', profiles: { rfc6749: 'info' }, publicClientsOnly: true },
  { id: 'TE-J2', title: 'No credentials at the resource: 401 with a Bearer challenge', level: 'MUST', requirement: 'RFC 6750 §3', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3' },
  { id: 'TE-J5', title: 'Bearer challenge attributes appear at most once', level: 'MUST', requirement: 'RFC 6750 §3', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3' },
  { id: 'TE-J6', title: 'An access token in the URI query is not accepted', level: 'SHOULD', requirement: 'RFC 6750 §2.3 (SHOULD NOT); OAuth 2.1 omits it', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-2.3', profiles: { oauth21: 'error' } },
  { id: 'TE-I1', title: 'Revoking a valid refresh token answers 200', level: 'MUST', requirement: 'RFC 7009 §2.1, §2.2', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.2' },
  { id: 'TE-I2', title: 'A revoked refresh token is refused', level: 'MUST', requirement: 'RFC 7009 §2.1', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-I3', title: 'Revoking an unknown token answers 200', level: 'MUST', requirement: 'RFC 7009 §2.2', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.2' },
  { id: 'TE-I4', title: 'An invalid token_type_hint is ignored', level: 'MUST', requirement: 'RFC 7009 §2.1, §2.2', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-I5', title: 'Revocation without token gets 400 invalid_request', level: 'MUST', requirement: 'RFC 7009 §2.1; RFC 6749 §5.2', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-I7', title: "Another client cannot revoke a client's token", level: 'MUST', requirement: 'RFC 7009 §2.1', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-I8', title: 'Revoking a refresh token also ends the access tokens of its grant', level: 'SHOULD', requirement: 'RFC 7009 §2.1', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-K1', title: 'Advertised grant types match what the endpoint does', level: 'SHOULD', requirement: 'RFC 8414 §2', url: 'https://www.rfc-editor.org/rfc/rfc8414#section-2' },
  { id: 'TE-K2', title: 'Advertised client authentication methods match what the endpoint accepts', level: 'SHOULD', requirement: 'RFC 8414 §2', url: 'https://www.rfc-editor.org/rfc/rfc8414#section-2' },
  { id: 'TE-B8', title: 'Basic and body client credentials in one request are refused', level: 'DERIVED', requirement: 'RFC 6749 §2.3 (one method per request)', url: `${RFC6749}#section-2.3`, profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' } },
  { id: 'TE-B9', title: 'A body client_id other than the Basic identity is refused', level: 'DERIVED', requirement: 'RFC 6749 §2.3, §3.2.1', url: `${RFC6749}#section-3.2.1`, profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' } },
  { id: 'TE-F5', title: 'A public client cannot use client_credentials', level: 'DERIVED', requirement: 'RFC 6749 §4.4', url: `${RFC6749}#section-4.4`, profiles: { rfc6749: 'error', bcp9700: 'error', oauth21: 'error' } },
  { id: 'TE-G6', title: 'A confidential client refreshing without authentication gets invalid_client', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6` },
  { id: 'TE-E7', title: 'A non-ASCII (UTF-8) password round-trips', level: 'MUST', requirement: 'RFC 6749 §4.3.2, Appendix B', url: `${RFC6749}#appendix-B` },
  { id: 'TE-F4', title: 'A scope beyond the client allowance gets invalid_scope, or a reduced scope that says so', level: 'MUST', requirement: 'RFC 6749 §3.3, §5.2', url: `${RFC6749}#section-3.3` },
  { id: 'TE-I6', title: 'A confidential client revoking without authentication gets invalid_client', level: 'MUST', requirement: 'RFC 7009 §2.1; RFC 6749 §5.2', url: 'https://www.rfc-editor.org/rfc/rfc7009#section-2.1' },
  { id: 'TE-C1', title: 'Successful token response has status 200', level: 'MUST', requirement: 'RFC 6749 §5.1', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C2', title: 'Token response Content-Type is application/json', level: 'MUST', requirement: 'RFC 6749 §5.1', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C3', title: 'Body is a JSON object without duplicate members', level: 'MUST', requirement: 'RFC 6749 §5.1, §3.2', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C4', title: 'access_token present, a non-empty VSCHAR string', level: 'MUST', requirement: 'RFC 6749 §5.1, A.12', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C5', title: 'token_type present and known', level: 'MUST', requirement: 'RFC 6749 §5.1, §7.1', url: `${RFC6749}#section-7.1` },
  { id: 'TE-C6', title: 'expires_in present', level: 'RECOMMENDED', requirement: 'RFC 6749 §5.1', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C7', title: 'expires_in is a JSON integer >= 1', level: 'MUST', requirement: 'RFC 6749 §5.1, A.14', url: `${RFC6749}#appendix-A.14` },
  { id: 'TE-C8', title: 'scope is space-delimited scope-tokens', level: 'MUST', requirement: 'RFC 6749 §3.3, A.4', url: `${RFC6749}#section-3.3` },
  { id: 'TE-C12', title: 'refresh_token, when present, is a non-empty VSCHAR string', level: 'MUST', requirement: 'RFC 6749 §5.1, A.17', url: `${RFC6749}#appendix-A.17` },
  { id: 'TE-C13', title: 'Cache-Control includes no-store', level: 'MUST', requirement: 'RFC 6749 §5.1; OAuth 2.1 §3.2.3', url: `${RFC6749}#section-5.1` },
  {
    id: 'TE-C14', title: 'Pragma: no-cache present', level: 'MUST', requirement: 'RFC 6749 §5.1 (dropped by OAuth 2.1)', url: `${RFC6749}#section-5.1`,
    profiles: { oauth21: 'info' },
  },
  { id: 'TE-C16', title: 'Unknown members are listed', level: 'MAY', requirement: 'RFC 6749 §5.1 (clients ignore them)', url: `${RFC6749}#section-5.1` },
  { id: 'TE-C17', title: "Body validates against the flavour's JSON Schema", level: 'PROJECT', requirement: 'idp-conformance flavour schema', url: 'https://idp-conformance.dev/schemas/' },
  { id: 'TE-D1', title: 'Error status is 400 (401 allowed for invalid_client)', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D2', title: 'Error Content-Type is application/json with a JSON object body', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D3', title: 'error is one of the registered codes', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D4', title: 'error uses %x20-21 / %x23-5B / %x5D-7E', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D5', title: 'error_description uses %x20-21 / %x23-5B / %x5D-7E', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D6', title: 'error_uri is a URI-reference of %x21 / %x23-5B / %x5D-7E', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'TE-D7', title: 'Error body carries no token', level: 'DERIVED', requirement: 'derived', url: `${RFC6749}#section-5.2`, profiles: { rfc6749: 'error', bcp9700: 'error', oauth21: 'error' } },
  { id: 'TE-D8', title: 'Cache-Control: no-store on errors', level: 'MAY', requirement: 'RFC 6749 §5.2 example; OAuth 2.1 §3.2.4', url: `${RFC6749}#section-5.2` },
  { id: 'TE-B5', title: 'Wrong secret via Basic gets 401 invalid_client with a Basic challenge', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2` },
  { id: 'SCHEMA', title: "Body validates against the flavour's JSON Schema", level: 'PROJECT', requirement: 'idp-conformance flavour schema', url: 'https://idp-conformance.dev/schemas/' },
];

export const CHECKS: ReadonlyMap<string, CheckSpec> = new Map(specs.map((s) => [s.id, s]));

export function checkSpec(id: string): CheckSpec {
  const spec = CHECKS.get(id);
  if (!spec) throw new Error(`unknown check id ${id}`);
  return spec;
}

export function severityOf(id: string, profile: Profile = 'rfc6749', context: SeverityContext = {}): Severity {
  const spec = checkSpec(id);
  if (spec.publicClientsOnly && context.publicClient === false) return 'info';
  const override = spec.profiles?.[profile];
  if (override) return override;
  switch (spec.level) {
    case 'MUST':
    case 'PROJECT':
      return 'error';
    case 'SHOULD':
    case 'RECOMMENDED':
      return 'warning';
    default:
      return 'info';
  }
}
