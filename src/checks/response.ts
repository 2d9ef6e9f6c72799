import { cacheDirectives, header, mediaType, type CapturedResponse } from '../http/capture.js';

/** The outcome of one check over one captured exchange. */
export interface CheckOutcome {
  check: string;
  passed: boolean;
  message: string;
  /** JSON pointer or header name the outcome is about. */
  path?: string;
}

const outcome = (check: string, passed: boolean, message: string, path?: string): CheckOutcome => ({
  check,
  passed,
  message,
  ...(path ? { path } : {}),
});

/** TE-C1: a successful token response is 200. */
export const successStatus = (r: CapturedResponse): CheckOutcome =>
  outcome('TE-C1', r.status === 200, r.status === 200 ? 'status 200' : `status ${r.status}, expected 200`, 'status');

/** TE-C2 / TE-D2: the body is declared as application/json. */
export const jsonContentType = (check: 'TE-C2' | 'TE-D2') => (r: CapturedResponse): CheckOutcome => {
  const value = header(r, 'content-type');
  const type = mediaType(value);
  return outcome(
    check,
    type === 'application/json',
    type === 'application/json' ? `Content-Type ${value}` : value ? `Content-Type is ${value}, expected application/json` : 'no Content-Type header, expected application/json',
    'Content-Type',
  );
};

/** TE-C13 / TE-D8: Cache-Control carries no-store. */
export const noStore = (check: 'TE-C13' | 'TE-D8') => (r: CapturedResponse): CheckOutcome => {
  const value = header(r, 'cache-control');
  const ok = cacheDirectives(value).includes('no-store');
  return outcome(check, ok, ok ? `Cache-Control ${value}` : value ? `Cache-Control "${value}" lacks no-store` : 'no Cache-Control header (no-store required)', 'Cache-Control');
};

/** TE-C14: Pragma: no-cache. */
export const pragmaNoCache = (r: CapturedResponse): CheckOutcome => {
  const value = header(r, 'pragma');
  const ok = (value ?? '').split(',').some((d) => d.trim().toLowerCase() === 'no-cache');
  return outcome('TE-C14', ok, ok ? 'Pragma no-cache' : value ? `Pragma "${value}" lacks no-cache` : 'no Pragma: no-cache header', 'Pragma');
};

/** TE-D1: errors are 400, except invalid_client, which may be 401. */
export const errorStatus = (r: CapturedResponse, error: string | undefined): CheckOutcome => {
  const ok = r.status === 400 || (r.status === 401 && error === 'invalid_client');
  const expected = error === 'invalid_client' ? '400 or 401' : '400';
  return outcome('TE-D1', ok, ok ? `status ${r.status}` : `status ${r.status} for ${error ?? 'an error'}, expected ${expected}`, 'status');
};
