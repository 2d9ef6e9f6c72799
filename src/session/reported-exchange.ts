import type { ReportedExchange } from '../generated/schemas.js';
import { Redactor } from '../util/redact.js';
import { curlOf } from './curl.js';
import type { Exchange } from '../vocabulary/types.js';

/**
 * Characters of an answer body a report shows (the run judged it whole): a report holds the same exchange under each
 * result it is evidence of, and must stay small whatever the target sent (a 1 MiB body read to the cap, 30 times).
 */
export const REPORTED_BODY_CHARS = 16 * 1024;

/** An exchange as it may appear in a report: credentials and tokens replaced by markers with a short hash. */
export function redactExchange(e: Exchange, secrets: Iterable<string> | Redactor): Exchange {
  const redactor = Redactor.of(secrets);
  const text = (s: string) => redactor.text(s);
  const headers = Object.fromEntries(
    Object.entries(e.request.headers).map(([k, v]) => [
      k,
      k.toLowerCase() === 'authorization' ? redactor.authorization(v) : text(v),
    ]),
  );
  return {
    request: {
      method: e.request.method,
      url: text(e.request.url),
      headers,
      ...(e.request.body !== undefined ? { body: text(e.request.body) } : {}),
    },
    ...(e.response
      ? {
          response: {
            status: e.response.status,
            headers: Object.fromEntries(
              Object.entries(e.response.headers).map(([k, v]) => [
                k,
                v.map((x) => (k === 'set-cookie' ? '[redacted]' : text(x))),
              ]),
            ),
            body: text(e.response.body),
            ...(e.response.binary ? { binary: e.response.binary } : {}),
          },
        }
      : {}),
    ...(e.error ? { error: text(e.error) } : {}),
    ...(e.timedOut ? { timedOut: true } : {}),
    ...(e.bodyExceeded !== undefined ? { bodyExceeded: e.bodyExceeded } : {}),
    durationMs: e.durationMs,
  };
}

/**
 * An exchange as every report writes it (results' evidence, scenario errors, what ended a run): redacted unless the
 * secrets may show (`reveal`), its body cut to REPORTED_BODY_CHARS (after redaction: no cut leaves a secret's
 * piece unmatched), and the curl that repeats it.
 */
export function reportedExchange(e: Exchange, secrets: Redactor, reveal: boolean): ReportedExchange {
  const shown = reveal ? e : redactExchange(e, secrets);
  const body = shown.response?.body;
  const clipped =
    body !== undefined && body.length > REPORTED_BODY_CHARS
      ? {
          ...shown,
          response: { ...shown.response!, body: body.slice(0, REPORTED_BODY_CHARS), bodyTruncated: body.length },
        }
      : shown;
  return { ...clipped, curl: reveal ? curlOf(e, [], true) : curlOf(e, secrets) };
}
