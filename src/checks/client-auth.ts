/** Series B: client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1, §5.2). */
import { defineCheck, everyProfile, outcome, RFC6749, statusOf } from './define.js';
import { noToken } from './requests.js';
import type { Exchange } from '../vocabulary/types.js';

const invalidClient = { status: [400, 401], error: ['invalid_client'] } as const;

export const basicAccepted = defineCheck({
  id: 'TE-B1',
  title: 'client_secret_basic accepted',
  level: 'MUST',
  requirement: 'RFC 6749 §2.3.1 (OAuth 2.1: MAY)',
  url: `${RFC6749}#section-2.3.1`,
  profiles: { oauth21: 'info' },
  judge: (e: Exchange) => outcome(statusOf(e) === 200, `HTTP Basic client authentication: ${statusOf(e) ?? e.error}`),
});

export const postAccepted = defineCheck({
  id: 'TE-B2',
  title: 'client_secret_post accepted',
  level: 'MAY',
  requirement: 'RFC 6749 §2.3.1 (OAuth 2.1 §2.4.1: MUST)',
  url: `${RFC6749}#section-2.3.1`,
  profiles: { oauth21: 'error' },
  judge: (e: Exchange) =>
    outcome(statusOf(e) === 200, `client_secret_post client authentication: ${statusOf(e) ?? e.error}`),
});

export const basicEncoding = defineCheck({
  id: 'TE-B3',
  title: 'Basic credentials with reserved and non-ASCII characters work when form-urlencoded',
  level: 'MUST',
  requirement: 'RFC 6749 §2.3.1, Appendix B',
  url: `${RFC6749}#section-2.3.1`,
  judge: (e: Exchange) =>
    outcome(
      statusOf(e) === 200,
      `Basic credentials form-urlencoded as oauth4webapi does (reserved, non-ASCII and "-_.~" percent-encoded) were refused: ${statusOf(e) ?? e.error}`,
    ),
});

export const missingClientAuth = defineCheck({
  id: 'TE-B4',
  title: 'Confidential client without authentication gets invalid_client',
  level: 'MUST',
  requirement: 'RFC 6749 §3.2.1, §5.2',
  url: `${RFC6749}#section-3.2.1`,
  expects: invalidClient,
});

export const wrongSecretBasic = defineCheck({
  id: 'TE-B5',
  title: 'Wrong secret via Basic gets 401 invalid_client',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  expects: { status: [401], error: ['invalid_client'] },
});

export const basicChallenge = defineCheck({
  id: 'TE-B13',
  title: 'A 401 to Basic client credentials carries a Basic challenge',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2 (WWW-Authenticate matching the scheme the client used)',
  url: `${RFC6749}#section-5.2`,
  /** Judged apart from TE-B5's status, so that a flavour's documented status does not hide a missing challenge. */
  judge: (e: Exchange) => {
    const c = e.response?.headers['www-authenticate']?.[0] ?? '';
    return outcome(
      statusOf(e) !== 401 || /^Basic\b/i.test(c),
      `401 to Basic credentials with ${c ? `WWW-Authenticate "${c}"` : 'no WWW-Authenticate challenge'}, expected a Basic challenge`,
    );
  },
});

export const noClientIdentified = defineCheck({
  id: 'TE-B11',
  title: 'A token request that identifies no client never yields a token',
  level: 'MUST',
  requirement:
    'RFC 6749 §3.2.1, §4.3.2, §4.4.2 (a confidential client MUST authenticate; a public one MUST send client_id)',
  url: `${RFC6749}#section-3.2.1`,
  expects: { status: [400, 401], error: ['invalid_client', 'invalid_request'] },
});

export const nearMissCredentials = defineCheck({
  id: 'TE-B12',
  title:
    'Near-miss credentials never authenticate (case flipped, a prefix, an extension, one character off, trailing whitespace)',
  level: 'MUST',
  requirement: 'RFC 6749 §2.3.1, §10.1 (derived: exact comparison)',
  url: `${RFC6749}#section-2.3.1`,
  variants: ['secret', 'password'],
  judge: (e: Exchange, what: string) => noToken(what, e),
});

export const wrongSecretBody = defineCheck({
  id: 'TE-B6',
  title: 'Wrong secret in the body gets invalid_client (400 or 401)',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  expects: invalidClient,
});

export const unknownClient = defineCheck({
  id: 'TE-B7',
  title: 'Unknown client_id gets invalid_client',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  expects: invalidClient,
});

export const twoMethods = defineCheck({
  id: 'TE-B8',
  title: 'Basic and body client credentials in one request are refused',
  level: 'DERIVED',
  requirement: 'RFC 6749 §2.3 (one method per request)',
  url: `${RFC6749}#section-2.3`,
  profiles: everyProfile('warning'),
  judge: (e: Exchange) => noToken('Basic and body credentials together', e),
});

export const mismatchedClientId = defineCheck({
  id: 'TE-B9',
  title: 'A body client_id other than the Basic identity is refused',
  level: 'DERIVED',
  requirement: 'RFC 6749 §2.3, §3.2.1',
  url: `${RFC6749}#section-3.2.1`,
  profiles: everyProfile('warning'),
  judge: (e: Exchange) => noToken('a body client_id other than the Basic identity', e),
});
