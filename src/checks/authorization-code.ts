/**
 * Series P: the authorization code grant with PKCE, where the target has an authorization endpoint (RFC 6749 §4.1,
 * RFC 7636, RFC 9700 §2.1, RFC 9207, OAuth 2.1 §4.1). The login driver (src/session/login-driver.ts) brings each
 * authorization request to its end; these rules judge where it ended and what the token endpoint then answered.
 * Numbering as in the checklist's series P; TE-P15 and TE-P19 apply only where the target declares PKCE required or
 * speaks OpenID Connect. What OpenID Foundation and OAuch test for each is in docs/checks.md.
 */
import type { Exchange } from '../vocabulary/types.js';
import {
  describeAnswer,
  defineCheck,
  everyProfile,
  jsonObject,
  outcome,
  RFC6749,
  RFC9700,
  statusOf,
} from './define.js';

const RFC7636 = 'https://www.rfc-editor.org/rfc/rfc7636';
const RFC9207 = 'https://www.rfc-editor.org/rfc/rfc9207';
const OIDC = 'https://openid.net/specs/openid-connect-core-1_0.html';

/** Where an authorization request ended, as the login driver saw it. */
export interface AuthorizationAnswer {
  kind: 'redirect' | 'form_post' | 'page' | 'elsewhere' | 'none';
  location?: string;
  params: [string, string][];
  /** The final answer's status. */
  status?: number;
}

const param = (a: AuthorizationAnswer, name: string) => a.params.filter(([k]) => k === name).map(([, v]) => v);
const delivered = (a: AuthorizationAnswer) => a.kind === 'redirect' || a.kind === 'form_post';
const where = (a: AuthorizationAnswer) =>
  delivered(a)
    ? `delivered to the redirect URI with ${a.params.map(([k]) => k).join(', ') || 'no parameters'}`
    : a.kind === 'elsewhere'
      ? `redirected to ${a.location}`
      : `answered ${a.status ?? 'nothing'} without a redirect`;

/** An unregistered redirect URI, an unknown client: the user is told; nothing reaches the URI (no open redirector). */
const neverDelivered = (a: AuthorizationAnswer, what: string) =>
  outcome(!delivered(a), `${what}: ${where(a)}; the authorization server must show an error page, not redirect`);

export const unregisteredRedirect = defineCheck({
  id: 'TE-P1',
  title:
    'An unregistered redirect_uri (one path character changed, another host) gets an error page, never a redirect to it',
  level: 'MUST',
  requirement: 'RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.11',
  url: `${RFC6749}#section-4.1.2.1`,
  variants: ['path', 'host'],
  judge: (a: AuthorizationAnswer) => neverDelivered(a, 'an unregistered redirect_uri'),
});

export const unknownClientPage = defineCheck({
  id: 'TE-P2',
  title: 'An unknown client_id gets an error page, never a redirect to the supplied redirect_uri',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.2.1',
  url: `${RFC6749}#section-4.1.2.1`,
  judge: (a: AuthorizationAnswer) => neverDelivered(a, 'an unknown client_id'),
});

export const exactRedirectMatch = defineCheck({
  id: 'TE-P3',
  title:
    'The registered redirect URI with an extra query parameter, or with a trailing slash, is not accepted (exact match)',
  level: 'MUST',
  requirement: 'RFC 6749 §3.1.2.3; RFC 9700 §2.1, §4.1.3; OAuth 2.1 §4.1.1',
  url: `${RFC9700}#section-4.1.3`,
  variants: ['extra-query', 'trailing-slash'],
  judge: (a: AuthorizationAnswer) => neverDelivered(a, 'a redirect_uri that is not the registered one'),
});

export const successRedirect = defineCheck({
  id: 'TE-P4',
  title: 'A granted request redirects to the redirect_uri with exactly one code and the state byte for byte',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.2',
  url: `${RFC6749}#section-4.1.2`,
  judge: (a: AuthorizationAnswer, sentState: string) => {
    if (!delivered(a)) return outcome(false, `the authorization request ${where(a)}`);
    const codes = param(a, 'code');
    const states = param(a, 'state');
    if (codes.length !== 1 || !codes[0]) return outcome(false, `${codes.length} code parameter(s) in the response`);
    return outcome(
      states.length === 1 && states[0] === sentState,
      `state ${states.length ? JSON.stringify(states[0]) : 'missing'}, sent ${JSON.stringify(sentState)}`,
    );
  },
});

export const issuerIdentified = defineCheck({
  id: 'TE-P5',
  title: 'An iss in an authorization response is the issuer; a server advertising RFC 9207 sends it in every response',
  level: 'MUST',
  requirement: 'RFC 9207 §2, §3',
  url: `${RFC9207}#section-2`,
  variants: ['success', 'error'],
  judge: (a: AuthorizationAnswer, issuer: string | undefined, advertised: boolean) => {
    const iss = param(a, 'iss');
    if (iss.length > 1) return outcome(false, 'iss appears more than once');
    if (iss.length === 0)
      return outcome(!advertised, 'no iss, though discovery says authorization_response_iss_parameter_supported');
    return outcome(issuer === undefined || iss[0] === issuer, `iss ${JSON.stringify(iss[0])}, the issuer is ${issuer}`);
  },
});

export const errorRedirect = defineCheck({
  id: 'TE-P6',
  title: 'An unsupported response_type and an unknown scope are redirected to the client as errors, with the state',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.2.1',
  url: `${RFC6749}#section-4.1.2.1`,
  variants: ['unsupported-response-type', 'invalid-scope'],
  judge: (a: AuthorizationAnswer, expected: readonly string[], sentState: string) => {
    if (!delivered(a)) return outcome(false, `${where(a)}; expected an error redirect (${expected.join(' or ')})`);
    const error = param(a, 'error')[0];
    const description = param(a, 'error_description')[0] ?? '';
    return outcome(
      error !== undefined &&
        expected.includes(error) &&
        param(a, 'state')[0] === sentState &&
        param(a, 'code').length === 0 &&
        /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/.test(description),
      `got error=${error ?? '-'} state=${JSON.stringify(param(a, 'state')[0] ?? null)}${param(a, 'code').length ? ' and a code' : ''}; expected ${expected.join(' or ')} with the state`,
    );
  },
});

const invalidGrant = { status: [400], error: ['invalid_grant'] } as const;

export const codeSingleUse = defineCheck({
  id: 'TE-P7',
  title: 'A code exchanged twice: the second exchange gets 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3',
  url: `${RFC6749}#section-4.1.2`,
  expects: invalidGrant,
});

export const replayRevokes = defineCheck({
  id: 'TE-P8',
  title: "After a code's replay, the refresh token of its first exchange is refused",
  level: 'SHOULD',
  requirement: 'RFC 6749 §4.1.2, §10.5; OAuth 2.1 §4.1.3',
  url: `${RFC6749}#section-10.5`,
  judge: (e: Exchange) =>
    outcome(
      (statusOf(e) ?? 0) >= 400,
      `the first exchange's refresh token still works after the replay: ${describeAnswer(e)}`,
    ),
});

export const codeBoundToClient = defineCheck({
  id: 'TE-P9',
  title: 'A code exchanged by another (authenticated) client gets 400 invalid_grant and no tokens',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.3, §10.5',
  url: `${RFC6749}#section-4.1.3`,
  expects: invalidGrant,
});

export const redirectUriBound = defineCheck({
  id: 'TE-P10',
  title: "A token request whose redirect_uri differs from (or leaves out) the authorization request's is refused",
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.3, §10.6, §5.2',
  url: `${RFC6749}#section-4.1.3`,
  variants: ['different', 'absent'],
  judge: (e: Exchange, variant: 'different' | 'absent') => {
    const error = jsonObject(e)?.error;
    const s = statusOf(e) ?? 0;
    return outcome(
      variant === 'different' ? s === 400 && error === 'invalid_grant' : s >= 400 && s < 500,
      `got ${describeAnswer(e)}, expected ${variant === 'different' ? '400 invalid_grant' : 'a 4xx'}`,
    );
  },
});

export const verifierRequired = defineCheck({
  id: 'TE-P11',
  title: 'A code requested with an S256 challenge, exchanged without code_verifier: 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 7636 §4.6; RFC 9700 §2.1.1; OAuth 2.1 §4.1.3',
  url: `${RFC9700}#section-2.1.1`,
  expects: invalidGrant,
});

export const verifierVerified = defineCheck({
  id: 'TE-P12',
  title: 'A wrong code_verifier, or the challenge itself as verifier (a plain downgrade), gets 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 7636 §4.6',
  url: `${RFC7636}#section-4.6`,
  variants: ['wrong', 'challenge-as-verifier'],
  expects: invalidGrant,
});

export const pkceDowngrade = defineCheck({
  id: 'TE-P13',
  title: 'A code requested without a challenge, exchanged with a code_verifier, is refused (PKCE downgrade)',
  level: 'MUST',
  requirement: 'RFC 9700 §2.1.1, §4.8.2; OAuth 2.1 §4.1.3',
  url: `${RFC9700}#section-4.8.2`,
  // RFC 6749 predates PKCE: under it a downgrade is a warning; RFC 9700 and OAuth 2.1 make it an error.
  profiles: { rfc6749: 'warning', bcp9700: 'error', oauth21: 'error' },
  judge: (e: Exchange) =>
    outcome((statusOf(e) ?? 0) === 400, `a verifier without a challenge: got ${describeAnswer(e)}, expected 400`),
});

export const unsupportedChallengeMethod = defineCheck({
  id: 'TE-P14',
  title: 'code_challenge_method=S512 is redirected as invalid_request, without a code',
  level: 'MUST',
  requirement: 'RFC 7636 §4.4.1; OAuth 2.1 §4.1.2.1',
  url: `${RFC7636}#section-4.4.1`,
  judge: (a: AuthorizationAnswer) =>
    outcome(
      (delivered(a) && param(a, 'error')[0] === 'invalid_request' && param(a, 'code').length === 0) ||
        (!delivered(a) && (a.status ?? 0) >= 400),
      `an unsupported code_challenge_method: ${where(a)}${param(a, 'error')[0] ? ` error=${param(a, 'error')[0]}` : ''}`,
    ),
});

export const pkceRequired = defineCheck({
  id: 'TE-P15',
  title:
    'Where PKCE is declared required: a request without a challenge (or with plain where S256 is required) gets no code',
  level: 'MUST',
  requirement: 'RFC 7636 §4.4.1; OAuth 2.1 §4.1.2.1',
  url: `${RFC7636}#section-4.4.1`,
  variants: ['no-challenge', 'plain'],
  judge: (a: AuthorizationAnswer) =>
    outcome(param(a, 'code').length === 0, `a request PKCE should have stopped: ${where(a)}`),
});

export const codeExpires = defineCheck({
  id: 'TE-P16',
  title: 'A code presented after its lifetime (+2 s) gets 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 6749 §4.1.2, §10.5',
  url: `${RFC6749}#section-4.1.2`,
  expects: invalidGrant,
});

export const parallelExchanges = defineCheck({
  id: 'TE-P17',
  title: 'Five parallel exchanges of one code: at most one gets tokens, the others 400',
  level: 'MUST',
  requirement: 'OAuth 2.1 §4.1.3; RFC 6749 §4.1.2',
  url: `${RFC6749}#section-4.1.2`,
  judge: (answers: Exchange[]) => {
    const ok = answers.filter((e) => statusOf(e) === 200).length;
    const refused = answers.filter((e) => statusOf(e) === 400).length;
    return outcome(
      ok <= 1 && ok + refused === answers.length,
      `${ok} exchange(s) got tokens, ${refused} got 400, of ${answers.length} (${answers.map(describeAnswer).join(', ')})`,
    );
  },
});

export const codeEntropy = defineCheck({
  id: 'TE-P18',
  title: 'Codes are printable, distinct, and carry at least 128 bits (entropy heuristic, public parts left out)',
  level: 'DERIVED',
  requirement: 'RFC 6749 §10.10, Appendix A.11',
  url: `${RFC6749}#section-10.10`,
  profiles: everyProfile('warning'),
  /**
   * `publicParts`: parts of a code the same response shows elsewhere (Keycloak's session_state), left out. The
   * estimate: a position that holds the same character in every code carries nothing (a UUID's version digit);
   * every other position carries log2 of the alphabet the codes use.
   */
  judge: (codes: string[], publicParts: string[]) => {
    if (codes.some((c) => !/^[\x20-\x7E]+$/.test(c))) return outcome(false, 'a code has characters outside %x20-7E');
    if (new Set(codes).size !== codes.length) return outcome(false, 'a code was issued twice');
    const secret = codes.map((c) => publicParts.reduce((x, p) => x.split(p).join(''), c).replace(/[.-]/g, ''));
    const bits = secretBits(secret);
    return outcome(
      bits >= 128,
      `codes carry about ${Math.round(bits)} secret bits (< 128), estimated over ${codes.length} codes`,
    );
  },
});

/** The estimate of TE-P18 over the codes' secret parts (aligned from their start, as long as the shortest). */
export function secretBits(secrets: string[]): number {
  const length = Math.min(...secrets.map((x) => x.length));
  const alphabet = new Set(secrets.join('')).size;
  let varying = 0;
  for (let i = 0; i < length; i++) if (new Set(secrets.map((x) => x[i])).size > 1) varying++;
  return varying * Math.log2(Math.max(alphabet, 1));
}

export const promptNone = defineCheck({
  id: 'TE-P19',
  title: 'prompt=none without a session is redirected as login_required (or another interaction error), with the state',
  level: 'MUST',
  requirement: 'OpenID Connect Core §3.1.2.6',
  url: `${OIDC}#AuthError`,
  judge: (a: AuthorizationAnswer, sentState: string) => {
    const error = param(a, 'error')[0];
    return outcome(
      delivered(a) &&
        ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'].includes(
          error ?? '',
        ) &&
        param(a, 'state')[0] === sentState,
      `prompt=none without a session: ${where(a)}${error ? ` error=${error}` : ''}`,
    );
  },
});

export const codeExchangeTokens = defineCheck({
  id: 'TE-P20',
  title: "The code's tokens: an ID token for scope openid, with the request's nonce and the client in aud",
  level: 'MUST',
  requirement: 'OpenID Connect Core §3.1.3.3, §3.1.3.7',
  url: `${OIDC}#TokenResponse`,
  judge: (idClaims: Record<string, unknown> | undefined, nonce: string, clientId: string) => {
    if (!idClaims) return outcome(false, 'no id_token for scope openid');
    const aud = Array.isArray(idClaims.aud) ? idClaims.aud : [idClaims.aud];
    return outcome(
      idClaims.nonce === nonce && aud.includes(clientId),
      `nonce ${JSON.stringify(idClaims.nonce ?? null)} (sent ${JSON.stringify(nonce)}), aud ${JSON.stringify(idClaims.aud)}`,
    );
  },
});
