import { createHash } from 'node:crypto';

/**
 * Secrets (client secrets, passwords, tokens) never leave the process unredacted: they become a marker
 * with a short hash, so that two mentions of the same secret can still be matched in a report.
 */
export const fingerprint = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 8);

export const redactValue = (value: string): string => `[redacted:${fingerprint(value)}]`;

/** Parameter and member names whose values are secrets (Schemathesis' sensitive markers, narrowed to OAuth). */
const SECRET_NAME = /(secret|password|passwd|token|assertion|credential|^code$|code_verifier|api_?key)/i;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** An Authorization header with its credentials replaced: the scheme stays visible. */
export function redactAuthorization(value: string): string {
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} ${redactValue(value.slice(space + 1))}` : redactValue(value);
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = name.toLowerCase();
    out[lower] = lower === 'authorization' || lower === 'proxy-authorization' ? redactAuthorization(value) : SECRET_HEADERS.has(lower) ? redactValue(value) : value;
  }
  return out;
}

export function redactPairs(pairs: [string, string][]): [string, string][] {
  return pairs.map(([k, v]) => [k, isSecretName(k) && v !== '' ? redactValue(v) : v]);
}

/**
 * Replaces every occurrence of the known secrets in free text (bodies, descriptions that echo a token,
 * curl commands), longest first so that a secret containing another is replaced whole.
 */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  const sorted = [...new Set(secrets)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of sorted) out = out.split(s).join(redactValue(s));
  return out;
}
