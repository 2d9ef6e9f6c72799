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
}

const RFC6749 = 'https://www.rfc-editor.org/rfc/rfc6749';

const specs: CheckSpec[] = [
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

export function severityOf(id: string, profile: Profile = 'rfc6749'): Severity {
  const spec = checkSpec(id);
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
