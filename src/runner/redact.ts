import { redactAuthorization, redactText } from '../util/redact.js';
import { withEncodings } from './curl.js';
import type { Exchange } from './types.js';

/** An exchange as it may appear in a report: credentials and tokens replaced by markers with a short hash. */
export function redactExchange(e: Exchange, secrets: string[]): Exchange {
  const all = withEncodings(secrets);
  const text = (s: string) => redactText(s, all);
  const headers = Object.fromEntries(Object.entries(e.request.headers).map(([k, v]) => [k, k.toLowerCase() === 'authorization' ? redactAuthorization(v) : text(v)]));
  return {
    request: { method: e.request.method, url: text(e.request.url), headers, ...(e.request.body !== undefined ? { body: text(e.request.body) } : {}) },
    ...(e.response
      ? {
          response: {
            status: e.response.status,
            headers: Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k, v.map((x) => (k === 'set-cookie' ? '[redacted]' : text(x)))])),
            body: text(e.response.body),
          },
        }
      : {}),
    ...(e.error ? { error: text(e.error) } : {}),
    durationMs: e.durationMs,
  };
}
