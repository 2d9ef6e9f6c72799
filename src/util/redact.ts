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

/** A secret also appears form-encoded, URL-encoded, or base64'd in Basic credentials: those spellings are redacted too. */
export function withEncodings(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    out.add(s);
    out.add(encodeURIComponent(s));
    out.add(new URLSearchParams({ x: s }).toString().slice(2));
  }
  return [...out];
}

/** Runs of this many characters of a secret are redacted wherever they appear (a truncated or re-wrapped token). */
export const REDACT_RUN = 8;

/**
 * One compiled matcher per run: every secret, in every encoding, is redacted whole and also as any run of
 * REDACT_RUN or more of its consecutive characters (the truncated, prefixed and suffixed tokens probes build).
 * Built from the secrets' REDACT_RUN-grams in one map; a text is scanned once, position by position (linear in the
 * text), matched spans are merged and each becomes one marker with the owning secret's fingerprint. Secrets are
 * added as the target issues tokens; each is hashed once. Shorter secrets (4..7 characters) are redacted whole.
 */
export class Redactor {
  private readonly grams = new Map<string, string>();
  private readonly short = new Set<string>();
  private readonly markers = new Map<string, string>();
  private readonly seen = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    this.addAll(secrets);
  }

  addAll(secrets: Iterable<string>): this {
    for (const s of secrets) this.add(s);
    return this;
  }

  add(secret: string): void {
    if (!secret || this.seen.has(secret)) return;
    this.seen.add(secret);
    for (const spelling of withEncodings([secret])) {
      if (spelling.length < 4) continue;
      if (spelling.length < REDACT_RUN) {
        this.short.add(spelling);
        continue;
      }
      const marker = this.markerOf(secret);
      for (let i = 0; i + REDACT_RUN <= spelling.length; i++) {
        const gram = spelling.slice(i, i + REDACT_RUN);
        if (!this.grams.has(gram)) this.grams.set(gram, marker);
      }
    }
  }

  private markerOf(secret: string): string {
    let m = this.markers.get(secret);
    if (!m) this.markers.set(secret, (m = redactValue(secret)));
    return m;
  }

  text(input: string): string {
    let out = input;
    if (this.grams.size && out.length >= REDACT_RUN) {
      const parts: string[] = [];
      let copied = 0;
      let spanStart = -1;
      let spanEnd = -1;
      let spanMarker = '';
      for (let i = 0; i + REDACT_RUN <= out.length; i++) {
        const marker = this.grams.get(out.slice(i, i + REDACT_RUN));
        if (marker === undefined) continue;
        if (spanStart >= 0 && i <= spanEnd) spanEnd = i + REDACT_RUN;
        else {
          if (spanStart >= 0) {
            parts.push(out.slice(copied, spanStart), spanMarker);
            copied = spanEnd;
          }
          spanStart = i;
          spanEnd = i + REDACT_RUN;
          spanMarker = marker;
        }
      }
      if (spanStart >= 0) {
        parts.push(out.slice(copied, spanStart), spanMarker);
        copied = spanEnd;
        parts.push(out.slice(copied));
        out = parts.join('');
      }
    }
    for (const s of this.short) if (out.includes(s)) out = out.split(s).join(this.markerOf(s));
    return out;
  }
}

/** Replaces the known secrets in free text (bodies, descriptions that echo a token, curl commands): see Redactor. */
export function redactText(text: string, secrets: Iterable<string> | Redactor): string {
  return (secrets instanceof Redactor ? secrets : new Redactor(secrets)).text(text);
}
