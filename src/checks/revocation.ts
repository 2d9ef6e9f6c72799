/** Series I: token revocation (RFC 7009). */
import { defineCheck, describeAnswer, jsonObject, outcome, RFC7009, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

export const revokeValid = defineCheck({
  id: 'TE-I1',
  title: 'Revoking a valid refresh token answers 200',
  level: 'MUST',
  requirement: 'RFC 7009 §2.1, §2.2',
  url: `${RFC7009}#section-2.2`,
  judge: (e: Exchange) => outcome(statusOf(e) === 200, `revoking a valid refresh token: ${describeAnswer(e)}`),
});

export const revokedRefused = defineCheck({
  id: 'TE-I2',
  title: 'A revoked refresh token is refused',
  level: 'MUST',
  requirement: 'RFC 7009 §2.1',
  url: `${RFC7009}#section-2.1`,
  judge: (after: Exchange) =>
    outcome(
      statusOf(after) === 400 && jsonObject(after)?.error === 'invalid_grant',
      `refresh with the revoked token: ${describeAnswer(after)}, expected 400 invalid_grant`,
    ),
});

export const revokeUnknown = defineCheck({
  id: 'TE-I3',
  title: 'Revoking an unknown token answers 200',
  level: 'MUST',
  requirement: 'RFC 7009 §2.2',
  url: `${RFC7009}#section-2.2`,
  judge: (e: Exchange) => outcome(statusOf(e) === 200, `revoking an unknown token: ${describeAnswer(e)}`),
});

export const wrongHint = defineCheck({
  id: 'TE-I4',
  title: 'A wrong or invalid token_type_hint is ignored: 200, and the token is revoked',
  level: 'MUST',
  requirement: 'RFC 7009 §2.1, §2.2',
  url: `${RFC7009}#section-2.1`,
  // wrong-type: the other type's hint ("if the server is unable to locate the token using the given hint, it MUST
  // extend its search"); unknown-value: a hint that is no token type at all (unsupported_token_type is for types
  // the server cannot revoke, RFC 7009 §2.2.1, not for a hint it does not know).
  variants: ['wrong-type', 'unknown-value'],
  judge: (revocation: Exchange, use: Exchange, hint: string) =>
    outcome(
      statusOf(revocation) === 200 && statusOf(use) !== 200,
      `token_type_hint=${hint}: revocation ${describeAnswer(revocation)}, then the token ${statusOf(use) === 200 ? 'still works' : 'is gone'}`,
    ),
});

export const revokeWithoutToken = defineCheck({
  id: 'TE-I5',
  title: 'Revocation without token gets 400 invalid_request',
  level: 'MUST',
  requirement: 'RFC 7009 §2.1; RFC 6749 §5.2',
  url: `${RFC7009}#section-2.1`,
  expects: { status: [400], error: ['invalid_request'] },
});

export const revokeWithoutAuth = defineCheck({
  id: 'TE-I6',
  title: 'A confidential client revoking without authentication gets invalid_client',
  level: 'MUST',
  requirement: 'RFC 7009 §2.1; RFC 6749 §5.2',
  url: `${RFC7009}#section-2.1`,
  expects: { status: [400, 401], error: ['invalid_client'] },
});

export const crossClientRevocation = defineCheck({
  id: 'TE-I7',
  title: "Another client cannot revoke a client's token",
  level: 'MUST',
  requirement: 'RFC 7009 §2.1',
  url: `${RFC7009}#section-2.1`,
  judge: (attempt: Exchange, owner: Exchange) =>
    outcome(
      statusOf(owner) === 200,
      `after another client's revocation attempt (${describeAnswer(attempt)}) the owner's refresh token ${statusOf(owner) === 200 ? 'works' : 'is gone'}`,
    ),
});

export const revocationEndsGrant = defineCheck({
  id: 'TE-I8',
  title: 'Revoking a refresh token also ends the access tokens of its grant',
  level: 'SHOULD',
  requirement: 'RFC 7009 §2.1',
  url: `${RFC7009}#section-2.1`,
  judge: (probe: Exchange) =>
    outcome(
      (statusOf(probe) ?? 0) >= 400,
      `the access token of the revoked grant still works (${describeAnswer(probe)})`,
    ),
});
