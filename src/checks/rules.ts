/**
 * The scenario checks as small pure functions over captured exchanges: each takes what the suite captured
 * and says whether the requirement holds, and why not. The suites decide which exchanges to capture; these
 * decide what they mean. (The per-response rules of RFC 6749 §5.1/§5.2 are in response.ts and the schemas.)
 */
import type { Exchange } from '../runner/types.js';

export interface Verdict {
  passed: boolean;
  message: string;
}

const status = (e: Exchange | undefined) => e?.response?.status;
const body = (e: Exchange | undefined): Record<string, unknown> | undefined => {
  try {
    const v = JSON.parse(e?.response?.body ?? '') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
const describe = (e: Exchange | undefined) => (e?.response ? `${e.response.status}${typeof body(e)?.error === 'string' ? ` ${String(body(e)!.error)}` : ''}` : (e?.error ?? 'no response'));
const verdict = (passed: boolean, message: string): Verdict => ({ passed, message });

/** TE-A11: no 5xx (and an answer at all). */
export const noServerError = (e: Exchange): Verdict => verdict(!!e.response && e.response.status < 500, `answered ${describe(e)}`);

/** TE-A3, TE-A6, TE-A9, TE-H3, TE-J6 (inverted): the request must not yield a token / succeed. */
export const noToken = (what: string) => (e: Exchange): Verdict => verdict(status(e) !== 200, `${what}: ${describe(e)}`);

/** TE-J6, TE-I8: the request is refused (any 4xx or 5xx), not served. */
export const refused = (what: string) => (e: Exchange): Verdict => verdict((status(e) ?? 0) >= 400, `${what} was accepted (${describe(e)})`);

/** TE-A10, TE-A12, TE-J3: a client error (4xx), neither success nor a server error. */
export const clientError = (what: string) => (e: Exchange): Verdict => {
  const s = status(e) ?? 0;
  return verdict(s >= 400 && s < 500, `${what}: ${describe(e)}`);
};

/** TE-A7, TE-A8, TE-B5-B7, TE-E2, TE-E3, TE-G2-G5, TE-G8, TE-I5: a given status and error code. */
export const oauthError = (what: string, statuses: number[], errors: string[]) => (e: Exchange): Verdict =>
  verdict(statuses.includes(status(e) ?? 0) && errors.includes(String(body(e)?.error)), `${what}: got ${describe(e)}, expected ${statuses.join('/')} ${errors.join('/')}`);

/** TE-B5: a 401 for Basic client credentials carries a Basic challenge. */
export const basicChallenge = (e: Exchange): Verdict => {
  const c = e.response?.headers['www-authenticate']?.[0] ?? '';
  return verdict(status(e) !== 401 || /^Basic\b/i.test(c), `401 with WWW-Authenticate "${c}" (the client used Basic)`);
};

/** TE-F3: no refresh token in a client_credentials answer. */
export const noRefreshToken = (e: Exchange): Verdict => verdict(body(e)?.refresh_token === undefined, 'client_credentials returned a refresh token');

/** TE-J2: no credentials at a bearer resource: 401 with a Bearer challenge. */
export const bearerChallenge = (e: Exchange): Verdict => {
  const c = e.response?.headers['www-authenticate']?.[0] ?? '';
  return verdict(status(e) === 401 && /^Bearer\b/i.test(c), `no credentials: ${status(e)}${c ? ` with "${c}"` : ' without a WWW-Authenticate challenge'}`);
};

/** TE-J5: realm, scope, error, error_description, error_uri appear at most once in a challenge. */
export const singleChallengeAttributes = (e: Exchange): Verdict => {
  const c = e.response?.headers['www-authenticate']?.[0] ?? '';
  const names = [...c.matchAll(/([a-z_]+)=/gi)].map((m) => m[1]!.toLowerCase());
  return verdict(names.length === new Set(names).size, `a challenge attribute repeats: ${c}`);
};

/** Shannon entropy estimate in bits of a token (the OIDF heuristic: length x bits per character). */
export function entropyBits(token: string): number {
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / token.length) * Math.log2(n / token.length);
  return perChar * token.length;
}

/** TE-C15: tokens distinct across grants and of at least 96 bits (OIDF's threshold; RFC 6749 §10.10 asks 128). */
export const distinctStrongTokens = (tokens: string[]): Verdict => {
  const repeated = tokens.find((t, i) => tokens.indexOf(t) !== i);
  if (repeated) return verdict(false, 'two grants returned the same token');
  const weakest = tokens.reduce((min, t) => Math.min(min, entropyBits(t)), Number.POSITIVE_INFINITY);
  return verdict(weakest >= 96, `a token carries about ${Math.round(weakest)} bits (< 96)`);
};

/** TE-G9: a refresh without scope keeps the original scope (as sets). */
export const sameScope = (original: string, refreshed: string): Verdict =>
  verdict(original.split(' ').sort().join(' ') === refreshed.split(' ').sort().join(' '), `a refresh without scope returned "${refreshed}", the grant had "${original}"`);

/** TE-G7: a narrower scope is granted within the original. */
export const scopeWithin = (granted: string, original: string): Verdict =>
  verdict(granted.split(' ').every((s) => original.split(' ').includes(s)), `granted "${granted}" is not within "${original}"`);

/** TE-H7: parallel refreshes with one token: no 5xx, and at most `allowed` successes. */
export const parallelRefreshes = (exchanges: Exchange[], allowed: number): Verdict => {
  const errors = exchanges.filter((e) => (status(e) ?? 500) >= 500).length;
  const successes = exchanges.filter((e) => status(e) === 200).length;
  return verdict(errors === 0 && successes <= allowed, errors ? `${errors} of ${exchanges.length} parallel refreshes got a 5xx` : `${successes} of ${exchanges.length} parallel refreshes with one refresh token succeeded (at most ${allowed} allowed)`);
};
