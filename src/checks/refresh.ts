/** Series G: refreshing an access token (RFC 6749 §6). */
import { defineCheck, everyProfile, describeAnswer, outcome, RFC6749, statusOf } from './define.js';
import type { Exchange } from '../runner/types.js';

const setOf = (scope: string) => scope.split(' ').filter(Boolean).sort().join(' ');
const invalidGrant = { status: [400], error: ['invalid_grant'] } as const;

export const validRefresh = defineCheck({
  id: 'TE-G1', title: 'A valid refresh succeeds with a new access token', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6`,
  // required-param-alias: the provider's required parameter under its other documented spelling (Rator's brandKey on refresh).
  // documented-style: the client authenticated on refresh as the provider's own document shows.
  variants: ['user', 'offline-token', 'required-param-alias', 'documented-style'],
  judge: (e: Exchange, previousAccess: string, newAccess: unknown) =>
    outcome(statusOf(e) === 200 && typeof newAccess === 'string' && newAccess !== previousAccess, statusOf(e) === 200 ? 'the refresh returned no new access token' : `the refresh got ${describeAnswer(e)}`),
});

export const missingRefreshToken = defineCheck({
  id: 'TE-G2', title: 'Missing refresh_token gets 400 invalid_request', level: 'MUST', requirement: 'RFC 6749 §6, §5.2', url: `${RFC6749}#section-6`,
  expects: { status: [400], error: ['invalid_request'] },
});

export const badRefreshToken = defineCheck({
  id: 'TE-G3', title: 'Unknown, garbage, truncated or superseded refresh token gets 400 invalid_grant', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2`,
  variants: ['garbage', 'truncated', 'unknown', 'superseded'],
  expects: invalidGrant,
});

export const accessAsRefresh = defineCheck({
  id: 'TE-G4', title: 'An access token presented as refresh token gets invalid_grant', level: 'DERIVED', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2`,
  profiles: everyProfile('error'),
  expects: invalidGrant,
});

export const crossClientRefresh = defineCheck({
  id: 'TE-G5', title: "Another client's refresh token gets invalid_grant", level: 'MUST', requirement: 'RFC 6749 §6, §10.4', url: `${RFC6749}#section-10.4`,
  expects: invalidGrant,
  /** After the refused cross-client attempt, the owner's refresh token still works. */
  judge: (still: Exchange) => outcome(statusOf(still) === 200, `after the refused cross-client attempt, the owner's refresh got ${describeAnswer(still)}`),
});

export const refreshWithoutAuth = defineCheck({
  id: 'TE-G6', title: 'A confidential client refreshing without authentication gets invalid_client', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6`,
  expects: { status: [400, 401], error: ['invalid_client'] },
});

export const narrowerScope = defineCheck({
  id: 'TE-G7', title: 'Refresh with a narrower scope succeeds within the original', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6`,
  judge: (e: Exchange, granted: string, original: string) =>
    outcome(statusOf(e) === 200 && granted.split(' ').every((s) => original.split(' ').includes(s)), `narrowing within "${original}": ${describeAnswer(e)}, granted "${granted}"`),
});

export const widerScope = defineCheck({
  id: 'TE-G8', title: 'Refresh with a scope not originally granted gets invalid_scope', level: 'MUST', requirement: 'RFC 6749 §6, §5.2', url: `${RFC6749}#section-6`,
  expects: { status: [400], error: ['invalid_scope'] },
});

export const scopeKept = defineCheck({
  id: 'TE-G9', title: 'Refresh without scope keeps the original scope', level: 'MUST', requirement: 'RFC 6749 §6', url: `${RFC6749}#section-6`,
  judge: (original: string, refreshed: string) => outcome(setOf(original) === setOf(refreshed), `a refresh without scope returned "${refreshed}", the grant had "${original}"`),
});

export const expiredRefreshToken = defineCheck({
  id: 'TE-G12', title: 'An expired refresh token is refused', level: 'MUST', requirement: 'RFC 6749 §5.2', url: `${RFC6749}#section-5.2`,
  judge: (e: Exchange, seconds: number, lifetime: number) => {
    const s = statusOf(e) ?? 500;
    return outcome(s !== 200 && s < 500, `a refresh token ${seconds} s after issue (lifetime ${lifetime} s) got ${describeAnswer(e)}`);
  },
});
