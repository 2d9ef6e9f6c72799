/** Series C: the successful token response (RFC 6749 §5.1), judged on every 200 a token request gets. */
import { cacheDirectives, header, mediaType } from '../http/capture.js';
import { defineCheck, describeAnswer, jsonObject, outcome, RFC6749, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

const every = { judgesEvery: ['token-response'] } as const;

export const successStatus = defineCheck({
  id: 'TE-C1',
  title: 'Successful token response has status 200',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1',
  url: `${RFC6749}#section-5.1`,
  ...every,
  inspect: (r) =>
    outcome(r.status === 200, r.status === 200 ? 'status 200' : `status ${r.status}, expected 200`, 'status'),
});

/** Shared by TE-C2 and TE-D2: the body is declared as application/json. */
export const jsonContentTypeRule = (r: Parameters<typeof header>[0]) => {
  const value = header(r, 'content-type');
  const ok = mediaType(value) === 'application/json';
  return outcome(
    ok,
    ok
      ? `Content-Type ${value}`
      : value
        ? `Content-Type is ${value}, expected application/json`
        : 'no Content-Type header, expected application/json',
    'Content-Type',
  );
};

/** Shared by TE-C13 and TE-D8: Cache-Control carries no-store. */
export const noStoreRule = (r: Parameters<typeof header>[0]) => {
  const value = header(r, 'cache-control');
  const ok = cacheDirectives(value).includes('no-store');
  return outcome(
    ok,
    ok
      ? `Cache-Control ${value}`
      : value
        ? `Cache-Control "${value}" lacks no-store`
        : 'no Cache-Control header (no-store required)',
    'Cache-Control',
  );
};

export const jsonContentType = defineCheck({
  id: 'TE-C2',
  title: 'Token response Content-Type is application/json',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1',
  url: `${RFC6749}#section-5.1`,
  ...every,
  inspect: jsonContentTypeRule,
});

export const jsonObjectBody = defineCheck({
  id: 'TE-C3',
  title: 'Body is a JSON object without duplicate members',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1, §3.2',
  url: `${RFC6749}#section-5.1`,
  ...every,
  byValidator: true,
});

export const accessTokenMember = defineCheck({
  id: 'TE-C4',
  title: 'access_token present, a non-empty VSCHAR string',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1, A.12',
  url: `${RFC6749}#section-5.1`,
  ...every,
  byValidator: true,
});

export const tokenTypeMember = defineCheck({
  id: 'TE-C5',
  title: 'token_type present and known',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1, §7.1',
  url: `${RFC6749}#section-7.1`,
  ...every,
  byValidator: true,
});

export const expiresInPresent = defineCheck({
  id: 'TE-C6',
  title: 'expires_in present',
  level: 'RECOMMENDED',
  requirement: 'RFC 6749 §5.1',
  url: `${RFC6749}#section-5.1`,
  ...every,
  byValidator: true,
});

export const expiresInInteger = defineCheck({
  id: 'TE-C7',
  title: 'expires_in is a JSON integer >= 1',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1, A.14',
  url: `${RFC6749}#appendix-A.14`,
  ...every,
  byValidator: true,
});

export const scopeSyntax = defineCheck({
  id: 'TE-C8',
  title: 'scope is space-delimited scope-tokens',
  level: 'MUST',
  requirement: 'RFC 6749 §3.3, A.4',
  url: `${RFC6749}#section-3.3`,
  ...every,
  byValidator: true,
});

export const refreshTokenMember = defineCheck({
  id: 'TE-C12',
  title: 'refresh_token, when present, is a non-empty VSCHAR string',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1, A.17',
  url: `${RFC6749}#appendix-A.17`,
  ...every,
  byValidator: true,
});

export const noStore = defineCheck({
  id: 'TE-C13',
  title: 'Cache-Control includes no-store',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1; OAuth 2.1 §3.2.3',
  url: `${RFC6749}#section-5.1`,
  ...every,
  inspect: noStoreRule,
});

export const pragmaNoCache = defineCheck({
  id: 'TE-C14',
  title: 'Pragma: no-cache present',
  level: 'MUST',
  requirement: 'RFC 6749 §5.1 (dropped by OAuth 2.1)',
  url: `${RFC6749}#section-5.1`,
  ...every,
  profiles: { oauth21: 'info' },
  inspect: (r) => {
    const value = header(r, 'pragma');
    const ok = (value ?? '').split(',').some((d) => d.trim().toLowerCase() === 'no-cache');
    return outcome(
      ok,
      ok ? 'Pragma no-cache' : value ? `Pragma "${value}" lacks no-cache` : 'no Pragma: no-cache header',
      'Pragma',
    );
  },
});

/** Shannon entropy estimate in bits of a token (the OIDF heuristic: length x bits per character). */
export function entropyBits(token: string): number {
  const counts = new Map<string, number>();
  for (const c of token) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / token.length) * Math.log2(n / token.length);
  return perChar * token.length;
}

export const distinctStrongTokens = defineCheck({
  id: 'TE-C15',
  title: 'Tokens are distinct across grants and long enough (entropy heuristic)',
  level: 'MUST',
  requirement: 'RFC 6749 §10.10',
  url: `${RFC6749}#section-10.10`,
  /** Distinct, and at least 96 bits each (OIDF's threshold; RFC 6749 §10.10 asks 128). */
  judge: (tokens: string[]) => {
    if (tokens.some((t, i) => tokens.indexOf(t) !== i)) return outcome(false, 'two grants returned the same token');
    const weakest = tokens.reduce((min, t) => Math.min(min, entropyBits(t)), Number.POSITIVE_INFINITY);
    return outcome(weakest >= 96, `a token carries about ${Math.round(weakest)} bits (< 96)`);
  },
});

export const unknownMembers = defineCheck({
  id: 'TE-C16',
  title: 'Unknown members are listed',
  level: 'MAY',
  requirement: 'RFC 6749 §5.1 (clients ignore them)',
  url: `${RFC6749}#section-5.1`,
  ...every,
  byValidator: true,
});

export const flavourSchema = defineCheck({
  id: 'TE-C17',
  title: "Body validates against the flavour's JSON Schema",
  level: 'PROJECT',
  requirement: 'idp-conformance flavour schema',
  url: 'https://idp-conformance.dev/schemas/',
  ...every,
  byValidator: true,
});

// ---- scope (RFC 6749 §3.3): judged by the grant suite's scope scenario, not on every answer -----------------------

const scopeWords = (s: string | undefined) => (s ?? '').split(' ').filter(Boolean);

export const scopeStatedWhenChanged = defineCheck({
  id: 'TE-C9',
  title: 'A granted scope other than the requested one is stated in `scope`',
  level: 'MUST',
  requirement: 'RFC 6749 §3.3, §5.1',
  url: `${RFC6749}#section-3.3`,
  /** A 200 to a request naming an unknown scope: the server cannot have granted it, so the answer must say what it did grant. */
  judge: (e: Exchange, requested: string, unknown: string) => {
    const scope = jsonObject(e)?.scope;
    if (typeof scope !== 'string')
      return outcome(
        false,
        `asked for "${requested}" (with the unknown scope "${unknown}") and got a token whose answer states no scope: an omitted scope means the requested one was granted (RFC 6749 §5.1), so the unknown scope was dropped silently`,
        'scope',
      );
    return outcome(
      !scopeWords(scope).includes(unknown),
      `asked for "${requested}", the answer states scope "${scope}"`,
      'scope',
    );
  },
});

export const scopeOmittedHandled = defineCheck({
  id: 'TE-C10',
  title: 'A request without scope gets the default scope or invalid_scope',
  level: 'MUST',
  requirement: 'RFC 6749 §3.3',
  url: `${RFC6749}#section-3.3`,
  judge: (e: Exchange) =>
    outcome(
      statusOf(e) === 200 || (statusOf(e) === 400 && jsonObject(e)?.error === 'invalid_scope'),
      `a grant without scope got ${describeAnswer(e)}: RFC 6749 §3.3 allows a default scope (200) or invalid_scope`,
    ),
});

export const scopeWithinRequest = defineCheck({
  id: 'TE-C11',
  title: 'The returned scope is within the requested one',
  level: 'DERIVED',
  requirement: 'RFC 6749 §3.3 (the server may grant less, and must say so)',
  url: `${RFC6749}#section-3.3`,
  profiles: { rfc6749: 'warning', bcp9700: 'warning', oauth21: 'warning' },
  judge: (requested: string, returned: string | undefined) => {
    const asked = scopeWords(requested);
    const extra = scopeWords(returned).filter((s) => !asked.includes(s));
    return outcome(
      !extra.length,
      `asked for "${requested}", granted "${returned}": ${extra.map((s) => `"${s}"`).join(', ')} not asked for`,
      'scope',
    );
  },
});

export const lifetimeAsDeclared = defineCheck({
  id: 'TE-C18',
  title: 'expires_in (and refresh_expires_in) equal the declared lifetimes, else the documented ones',
  level: 'MUST',
  requirement: "the target config (policies.*Lifetime), else the flavour's document (a mismatch then warns)",
  url: `${RFC6749}#section-5.1`,
  judge: (member: string, observed: number, expected: number, whose: string) =>
    // A second of rounding either way: servers compute expires_in as exp minus now.
    outcome(Math.abs(observed - expected) <= 2, `${member} is ${observed} s; ${whose} ${expected} s`, member),
});
