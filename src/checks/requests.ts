/** Series A: the token request as the endpoint must treat it (RFC 6749 §3.2, §5.2), and robustness. */
import {
  defineCheck,
  everyProfile,
  describeAnswer,
  outcome,
  RFC6749,
  statusOf,
  tokensIssued,
  type Outcome,
} from './define.js';
import type { Exchange } from '../vocabulary/types.js';

/** The request must not yield a token. */
export const noToken = (what: string, e: Exchange): Outcome =>
  outcome(statusOf(e) !== 200, `${what}: ${describeAnswer(e)}`);
/** A client error (4xx), neither success nor a server error. */
export const clientError = (what: string, e: Exchange): Outcome => {
  const s = statusOf(e) ?? 0;
  return outcome(s >= 400 && s < 500, `${what}: ${describeAnswer(e)}`);
};

export const validGrant = defineCheck({
  id: 'TE-A2',
  title: 'A valid grant returns 200 (precondition)',
  level: 'MUST',
  requirement: 'RFC 6749 §3.2, §4.3.2, §4.4.2, §6',
  url: `${RFC6749}#section-3.2`,
  // required-param-in-query: the provider's required parameter in the URI query instead of the body (Rator's brand_key "is of type QUERY").
  variants: ['password', 'operator_password', 'required-param-in-query'],
  judge: tokensIssued,
});

export const getRequest = defineCheck({
  id: 'TE-A3',
  title: 'The same request by GET does not yield a token',
  level: 'DERIVED',
  requirement: 'RFC 6749 §3.2 (client MUST POST)',
  url: `${RFC6749}#section-3.2`,
  profiles: everyProfile('warning'),
  judge: (e: Exchange) => noToken('the grant by GET', e),
});

export const unknownParameter = defineCheck({
  id: 'TE-A4',
  title: 'An unknown parameter does not change the outcome',
  level: 'MUST',
  requirement: 'RFC 6749 §3.2',
  url: `${RFC6749}#section-3.2`,
  judge: (e: Exchange) =>
    outcome(statusOf(e) === 200, `with x_conformance_probe=1 the valid grant got ${describeAnswer(e)}`),
});

export const repeatedParameter = defineCheck({
  id: 'TE-A6',
  title: 'A repeated parameter never yields a token',
  level: 'MUST',
  requirement: 'RFC 6749 §3.2, §5.2',
  url: `${RFC6749}#section-3.2`,
  variants: ['grant_type-twice', 'username-twice'],
  judge: (e: Exchange, name: string) => noToken(`${name} twice`, e),
});

export const missingGrantType = defineCheck({
  id: 'TE-A7',
  title: 'Missing grant_type gets 400 invalid_request',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  expects: { status: [400], error: ['invalid_request'] },
});

export const unknownGrantType = defineCheck({
  id: 'TE-A8',
  title: 'Unknown grant_type gets 400 unsupported_grant_type',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: `${RFC6749}#section-5.2`,
  expects: { status: [400], error: ['unsupported_grant_type'] },
});

export const secretInQuery = defineCheck({
  id: 'TE-A9',
  title: "client_secret in the request URI is not accepted (a POST's query, or a GET)",
  level: 'MUST',
  requirement: 'RFC 6749 §2.3.1',
  url: `${RFC6749}#section-2.3.1`,
  judge: (e: Exchange, what = 'client_secret in the URI query') => noToken(what, e),
});

export const jsonBody = defineCheck({
  id: 'TE-A10',
  title: 'A JSON request body gets a 4xx, not a token',
  level: 'DERIVED',
  requirement: 'RFC 6749 §4.3.2, §4.4.2, §6 (form encoding)',
  url: `${RFC6749}#section-4.3.2`,
  profiles: everyProfile('warning'),
  judge: (e: Exchange) => clientError('a JSON body', e),
});

export const noServerError = defineCheck({
  id: 'TE-A11',
  title: 'No 5xx for any generated request',
  level: 'DERIVED',
  requirement: 'robustness (Schemathesis not_a_server_error)',
  url: `${RFC6749}#section-5.2`,
  profiles: everyProfile('error'),
  judge: (e: Exchange) => outcome(!!e.response && e.response.status < 500, `answered ${describeAnswer(e)}`),
});

export const requiredParameter = defineCheck({
  id: 'TE-A12',
  title: 'A provider-required parameter or header missing is refused, never served',
  level: 'MUST',
  requirement: 'RFC 6749 §3.2, §5.2, §8.2; RFC 6750 §3.1',
  url: `${RFC6749}#section-8.2`,
  // grant and refresh: the token request without the flavour's required parameters; resource: without, and with a wrong, required header.
  variants: ['grant', 'refresh', 'resource'],
  judge: (e: Exchange, names: string) => clientError(`without ${names}`, e),
});
