/** Series G: refreshing an access token (RFC 6749 §6). */
import { defineCheck, everyProfile, describeAnswer, jsonObject, outcome, RFC6749, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

const setOf = (scope: string) => scope.split(' ').filter(Boolean).sort().join(' ');
const invalidGrant = { status: [400], error: ['invalid_grant'] } as const;

export const validRefresh = defineCheck({
  id: 'TE-G1',
  title: 'A valid refresh succeeds with a new access token',
  level: 'MUST',
  requirement: 'RFC 6749 §6',
  url: `${RFC6749}#section-6`,
  // required-param-alias: the provider's required parameter under its other documented spelling (Rator's brandKey on refresh).
  // documented-style: the client authenticated on refresh as the provider's own document shows.
  // authorization-code: the refresh token of a code exchange (the browser flow's tokens).
  variants: ['user', 'offline-token', 'required-param-alias', 'documented-style', 'authorization-code'],
  judge: (e: Exchange, previousAccess: string, newAccess: unknown) =>
    outcome(
      statusOf(e) === 200 && typeof newAccess === 'string' && newAccess !== previousAccess,
      statusOf(e) === 200 ? 'the refresh returned no new access token' : `the refresh got ${describeAnswer(e)}`,
    ),
});

export const missingRefreshToken = defineCheck({
  id: 'TE-G2',
  title: 'Missing refresh_token gets 400 invalid_request',
  level: 'MUST',
  requirement: 'RFC 6749 §6, §5.2',
  url: `${RFC6749}#section-6`,
  expects: { status: [400], error: ['invalid_request'] },
});

export const badRefreshToken = defineCheck({
  id: 'TE-G3',
  title: 'Unknown, garbage, truncated or superseded refresh token gets 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  variants: ['garbage', 'truncated', 'unknown', 'superseded'],
  expects: invalidGrant,
});

export const accessAsRefresh = defineCheck({
  id: 'TE-G4',
  title: 'An access token presented as refresh token gets invalid_grant',
  level: 'DERIVED',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  profiles: everyProfile('error'),
  expects: invalidGrant,
});

export const crossClientRefresh = defineCheck({
  id: 'TE-G5',
  title: "Another client's refresh token gets invalid_grant (unauthorized_client from a client that may not refresh)",
  level: 'MUST',
  requirement: 'RFC 6749 §6, §10.4, §5.2',
  url: `${RFC6749}#section-10.4`,
  // The second client may be one without the refresh grant (the service client): refusing it the grant is as good.
  expects: { status: [400], error: ['invalid_grant', 'unauthorized_client'] },
  /** After the refused cross-client attempt, the owner's refresh token still works. */
  judge: (still: Exchange) =>
    outcome(
      statusOf(still) === 200,
      `after the refused cross-client attempt, the owner's refresh got ${describeAnswer(still)}`,
    ),
});

export const refreshWithoutAuth = defineCheck({
  id: 'TE-G6',
  title: 'A confidential client refreshing without authentication gets invalid_client',
  level: 'MUST',
  requirement: 'RFC 6749 §6',
  url: `${RFC6749}#section-6`,
  expects: { status: [400, 401], error: ['invalid_client'] },
});

export const narrowerScope = defineCheck({
  id: 'TE-G7',
  title: 'Refresh with a narrower scope succeeds within the narrower scope',
  level: 'MUST',
  requirement: 'RFC 6749 §6',
  url: `${RFC6749}#section-6`,
  /** The answer's scope, or the requested one when it states none (RFC 6749 §5.1): a server that ignores the narrowing grants more than asked. */
  judge: (e: Exchange, requested: string, original: string) => {
    const granted = typeof jsonObject(e)?.scope === 'string' ? String(jsonObject(e)!.scope) : requested;
    const within = granted
      .split(' ')
      .filter(Boolean)
      .every((s) => requested.split(' ').includes(s));
    return outcome(
      statusOf(e) === 200 && within,
      `a refresh asking to narrow "${original}" to "${requested}": ${describeAnswer(e)}, granted "${granted}"${statusOf(e) === 200 && !within ? ' (the narrowing was ignored)' : ''}`,
    );
  },
});

export const widerScope = defineCheck({
  id: 'TE-G8',
  title: 'Refresh with a scope not originally granted gets invalid_scope, or no more than the original',
  level: 'MUST',
  requirement: 'RFC 6749 §6, §3.3, §5.2',
  url: `${RFC6749}#section-6`,
  expects: { status: [400], error: ['invalid_scope'] },
  /** A 200: the server ignored the widening in part (RFC 6749 §3.3 lets it); what it states, or else the request, must stay within the original. */
  judge: (e: Exchange, requested: string, original: string) => {
    const granted = typeof jsonObject(e)?.scope === 'string' ? String(jsonObject(e)!.scope) : requested;
    const beyond = granted.split(' ').filter((s) => s && !original.split(' ').includes(s));
    return outcome(
      !beyond.length,
      `a refresh of a "${original}" grant asking for "${requested}" got a token with scope "${granted}"${jsonObject(e)?.scope === undefined ? ' (stated by omission: the requested one)' : ''}: ${beyond.join(' ')} was never granted`,
    );
  },
});

export const scopeKept = defineCheck({
  id: 'TE-G9',
  title: 'Refresh without scope keeps the original scope',
  level: 'MUST',
  requirement: 'RFC 6749 §6',
  url: `${RFC6749}#section-6`,
  judge: (original: string, refreshed: string) =>
    outcome(
      setOf(original) === setOf(refreshed),
      `a refresh without scope returned "${refreshed}", the grant had "${original}"`,
    ),
});

export const originalScopeKept = defineCheck({
  id: 'TE-G10',
  title: 'After a narrowed refresh, a refresh without scope yields the original scope',
  level: 'MUST',
  requirement: 'RFC 6749 §6 (the new refresh token has the scope of the old one)',
  url: `${RFC6749}#section-6`,
  judge: (e: Exchange, original: string) => {
    const granted = jsonObject(e)?.scope;
    return outcome(
      statusOf(e) === 200 && (granted === undefined || setOf(String(granted)) === setOf(original)),
      `after narrowing, a refresh without scope: ${describeAnswer(e)}${typeof granted === 'string' ? `, scope "${granted}"` : ''}; the grant had "${original}"`,
    );
  },
});

export const expiredRefreshToken = defineCheck({
  id: 'TE-G12',
  title: 'An expired refresh token is refused',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  judge: (e: Exchange, seconds: number, lifetime: number) => {
    const s = statusOf(e) ?? 500;
    return outcome(
      s !== 200 && s < 500,
      `a refresh token ${seconds} s after issue (lifetime ${lifetime} s) got ${describeAnswer(e)}`,
    );
  },
});
