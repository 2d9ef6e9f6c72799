/** Series D: the error response (RFC 6749 §5.2), judged on every answer to a request that must be refused. */
import { defineCheck, everyProfile, outcome, RFC6749 } from './define.js';
import { jsonContentTypeRule, noStoreRule } from './token-response.js';
import { errorCode } from './define.js';

const every = { judgesEvery: ['token-error'] } as const;
const S52 = `${RFC6749}#section-5.2`;

export const errorStatus = defineCheck({
  id: 'TE-D1',
  title: 'Error status is 400 (401 allowed for invalid_client)',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  inspect: (r, body) => {
    const error = errorCode(body);
    const ok = r.status === 400 || (r.status === 401 && error === 'invalid_client');
    return outcome(
      ok,
      ok
        ? `status ${r.status}`
        : `status ${r.status} for ${error ?? 'an error'}, expected ${error === 'invalid_client' ? '400 or 401' : '400'}`,
      'status',
    );
  },
});

export const errorJson = defineCheck({
  id: 'TE-D2',
  title: 'Error Content-Type is application/json with a JSON object body',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  byValidator: true,
  inspect: jsonContentTypeRule,
});

export const registeredErrorCode = defineCheck({
  id: 'TE-D3',
  title: 'error is one of the registered codes',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  byValidator: true,
});
export const errorCharset = defineCheck({
  id: 'TE-D4',
  title: 'error uses %x20-21 / %x23-5B / %x5D-7E',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  // A registered code (TE-D3) always holds; an extension code must keep to the NQSCHAR set of Appendix A.7.
  inspect: (_r, body) => {
    const error = errorCode(body);
    const ok = error === undefined || /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(error);
    return outcome(
      ok,
      ok
        ? 'error code characters'
        : `error ${JSON.stringify(error)} has characters outside %x20-21 / %x23-5B / %x5D-7E`,
      '/error',
    );
  },
});
export const descriptionCharset = defineCheck({
  id: 'TE-D5',
  title: 'error_description uses %x20-21 / %x23-5B / %x5D-7E',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  byValidator: true,
});
export const errorUriSyntax = defineCheck({
  id: 'TE-D6',
  title: 'error_uri is a URI-reference of %x21 / %x23-5B / %x5D-7E',
  level: 'MUST',
  requirement: 'RFC 6749 §5.2',
  url: S52,
  ...every,
  byValidator: true,
});
export const noTokenInError = defineCheck({
  id: 'TE-D7',
  title: 'Error body carries no token',
  level: 'DERIVED',
  requirement: 'derived',
  url: S52,
  ...every,
  byValidator: true,
  profiles: everyProfile('error'),
});
export const errorNoStore = defineCheck({
  id: 'TE-D8',
  title: 'Cache-Control: no-store on errors',
  level: 'MAY',
  requirement: 'RFC 6749 §5.2 example; OAuth 2.1 §3.2.4',
  url: S52,
  ...every,
  inspect: noStoreRule,
});

/** `idpc validate` of kinds other than token bodies (resource errors, JWT claims): the flavour schema. */
export const otherSchema = defineCheck({
  id: 'SCHEMA',
  title: "Body validates against the flavour's JSON Schema",
  level: 'PROJECT',
  requirement: 'idp-conformance flavour schema',
  url: 'https://idp-conformance.dev/schemas/',
  byValidator: true,
  validateOnly: true,
});
