import { Redactor } from '../util/redact.js';
import type { Exchange } from './types.js';

/** An exchange as it may appear in a report: credentials and tokens replaced by markers with a short hash. */
export function redactExchange(e: Exchange, secrets: Iterable<string> | Redactor): Exchange {
  const redactor = Redactor.of(secrets);
  const text = (s: string) => redactor.text(s);
  const headers = Object.fromEntries(Object.entries(e.request.headers).map(([k, v]) => [k, k.toLowerCase() === 'authorization' ? redactor.authorization(v) : text(v)]));
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
    ...(e.timedOut ? { timedOut: true } : {}),
    ...(e.bodyExceeded !== undefined ? { bodyExceeded: e.bodyExceeded } : {}),
    durationMs: e.durationMs,
  };
}
