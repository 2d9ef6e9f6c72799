import { Redactor } from '../util/redact.js';
import type { Exchange } from '../vocabulary/types.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A word as a POSIX shell reads it back: bare when that is safe, single-quoted otherwise. */
export const shellWord = (w: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : quote(w));

/**
 * A curl command that repeats the request, with every known secret replaced by its redaction marker; with `reveal`
 * (a mock's own test credentials, or --show-secrets) exactly as sent, so that it runs as printed.
 */
export function curlOf(exchange: Exchange, secrets: Iterable<string> | Redactor, reveal = false): string {
  const { method, url, headers, body } = exchange.request;
  const parts = ['curl', '-i', '-X', method, quote(url)];
  if (reveal) {
    for (const [k, v] of Object.entries(headers)) parts.push('-H', quote(`${k}: ${v}`));
    if (body !== undefined) parts.push('--data-raw', quote(body));
    return parts.join(' ');
  }
  const redactor = Redactor.of(secrets);
  for (const [k, v] of Object.entries(headers))
    parts.push('-H', quote(`${k}: ${k.toLowerCase() === 'authorization' ? redactor.authorization(v) : v}`));
  if (body !== undefined) parts.push('--data-raw', quote(body));
  return redactor.text(parts.join(' '));
}
