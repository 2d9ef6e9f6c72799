/** Series E and F: the password grant (RFC 6749 §4.3) and the client_credentials grant (§4.4). */
import {
  defineCheck,
  tokensIssued,
  everyProfile,
  describeAnswer,
  jsonObject,
  outcome,
  RFC6749,
  RFC9700,
  statusOf,
} from './define.js';
import { noToken } from './requests.js';
import type { Exchange } from '../vocabulary/types.js';

export const missingCredentials = defineCheck({
  id: 'TE-E2',
  title: 'Missing username or password gets 400 invalid_request',
  level: 'MUST',
  requirement: 'RFC 6749 §4.3.2, §5.2',
  url: `${RFC6749}#section-4.3.2`,
  variants: ['missing-username', 'missing-password'],
  expects: { status: [400], error: ['invalid_request'] },
});

export const wrongPassword = defineCheck({
  id: 'TE-E3',
  title: 'Wrong password or unknown user gets 400 invalid_grant',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  variants: ['wrong-password', 'unknown-user'],
  expects: { status: [400], error: ['invalid_grant'] },
});

export const noEnumeration = defineCheck({
  id: 'TE-E4',
  title: 'Unknown user answers like a wrong password (no enumeration)',
  level: 'DERIVED',
  requirement: 'derived (RFC 6749 §10.2)',
  url: `${RFC6749}#section-10.2`,
  profiles: everyProfile('warning'),
  judge: (wrongPassword: Exchange, unknownUser: Exchange) => {
    const same =
      statusOf(wrongPassword) === statusOf(unknownUser) &&
      jsonObject(wrongPassword)?.error === jsonObject(unknownUser)?.error;
    return outcome(
      same,
      `a wrong password got ${describeAnswer(wrongPassword)}, an unknown user ${describeAnswer(unknownUser)}: the answers tell users apart`,
    );
  },
});

export const unauthorizedGrant = defineCheck({
  id: 'TE-E6',
  title: 'A grant the client may not use gets 400 unauthorized_client',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  variants: ['password', 'client_credentials'],
  expects: { status: [400], error: ['unauthorized_client'] },
});

export const utf8Password = defineCheck({
  id: 'TE-E7',
  title: 'A non-ASCII (UTF-8) password round-trips',
  level: 'MUST',
  requirement: 'RFC 6749 §4.3.2, Appendix B',
  url: `${RFC6749}#appendix-B`,
  judge: (e: Exchange) => outcome(statusOf(e) === 200, `a UTF-8 password (form-encoded): ${describeAnswer(e)}`),
});

export const passwordGrantEnabled = defineCheck({
  id: 'TE-E8',
  title: 'The password grant is enabled (deprecated grant)',
  level: 'DERIVED',
  requirement: 'RFC 9700 §2.4 MUST NOT; OAuth 2.1 §10',
  url: `${RFC9700}#section-2.4`,
  profiles: { rfc6749: 'info', bcp9700: 'error', oauth21: 'error' },
  judge: (e: Exchange) => outcome(statusOf(e) !== 200, 'the password grant (ROPC) is enabled'),
});

export const clientCredentials = defineCheck({
  id: 'TE-F1',
  title: 'client_credentials with client authentication succeeds',
  level: 'MUST',
  requirement: 'RFC 6749 §4.4.3',
  url: `${RFC6749}#section-4.4.3`,
  judge: tokensIssued,
});

export const clientCredentialsWithoutAuth = defineCheck({
  id: 'TE-F2',
  title: 'client_credentials without client authentication gets invalid_client',
  level: 'MUST',
  requirement: 'RFC 6749 §4.4.2',
  url: `${RFC6749}#section-4.4.2`,
  expects: { status: [400, 401], error: ['invalid_client'] },
});

export const noRefreshForClientCredentials = defineCheck({
  id: 'TE-F3',
  title: 'client_credentials issues no refresh token',
  level: 'SHOULD',
  requirement: 'RFC 6749 §4.4.3 (SHOULD NOT)',
  url: `${RFC6749}#section-4.4.3`,
  judge: (e: Exchange) =>
    outcome(jsonObject(e)?.refresh_token === undefined, 'client_credentials returned a refresh token'),
});

export const scopeBeyondAllowance = defineCheck({
  id: 'TE-F4',
  title: 'A scope beyond the client allowance gets invalid_scope, or a reduced scope that says so',
  level: 'MUST',
  requirement: 'RFC 6749 §3.3, §5.2',
  url: `${RFC6749}#section-3.3`,
  judge: (e: Exchange, scope: string) => {
    const b = jsonObject(e);
    const refused = statusOf(e) === 400 && b?.error === 'invalid_scope';
    const reduced = statusOf(e) === 200 && typeof b?.scope === 'string' && !b.scope.split(' ').includes(scope);
    return outcome(
      refused || reduced,
      `client_credentials with scope "${scope}": ${describeAnswer(e)}${typeof b?.scope === 'string' ? ` scope "${b.scope}"` : ''}`,
    );
  },
});

export const publicClientCredentials = defineCheck({
  id: 'TE-F5',
  title: 'A public client cannot use client_credentials',
  level: 'DERIVED',
  requirement: 'RFC 6749 §4.4',
  url: `${RFC6749}#section-4.4`,
  profiles: everyProfile('error'),
  judge: (e: Exchange) => noToken('client_credentials by a public client', e),
});
