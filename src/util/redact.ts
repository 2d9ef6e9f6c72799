import { createHash, createHmac } from 'node:crypto';

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
export function redactAuthorization(value: string, mark: (credentials: string) => string = redactValue): string {
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} ${mark(value.slice(space + 1))}` : mark(value);
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    const lower = name.toLowerCase();
    out[lower] =
      lower === 'authorization' || lower === 'proxy-authorization'
        ? redactAuthorization(value)
        : SECRET_HEADERS.has(lower)
          ? redactValue(value)
          : value;
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
 * Words that requests and answers carry by themselves (RFC 6749's grant types, parameter and member names, error
 * codes; the form content type). A configured password or secret that contains one ("mypassword", the Rator seed's)
 * must not blank out the protocol where the word stands alone: in "grant_type=password" it is the grant, not the
 * secret. Issued tokens never get this exemption, nor does a secret that is itself such a word.
 */
const PROTOCOL_WORDS = [
  'password',
  'client_credentials',
  'refresh_token',
  'authorization_code',
  'access_token',
  'id_token',
  'grant_type',
  'client_id',
  'client_secret',
  'username',
  'token_type',
  'expires_in',
  'refresh_expires_in',
  'offline_access',
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'error_description',
  'authorization',
  'application',
  'urlencoded',
];

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

export interface RedactorOptions {
  /** Configured secrets (passwords, client secrets): redacted as tokens are, except a protocol word standing alone. */
  configured?: Iterable<string>;
  /** The target's own protocol words besides OAuth's (its grant types, e.g. Rator's operator_password). */
  protocolWords?: Iterable<string>;
  /**
   * Public names the run prints (client ids, usernames, check variants such as "missing-password"): where one stands
   * alone, a run of a secret that merely shares characters with it ("conformance-" of "conformance-service-secret" in
   * the client id "conformance-app") does not blank it out. A name that holds a whole secret gets no exemption.
   */
  publicNames?: Iterable<string>;
  /**
   * Markers are keyed hashes (HMAC-SHA256 under this key, e.g. random per run): the same secret gets the same marker
   * within one report, but a marker is of no use for checking a guessed password (a plain sha256 prefix of
   * "mypassword" confirms the guess to anyone holding a CI artifact).
   */
  key?: Uint8Array;
}

/**
 * One compiled matcher per run: every secret, in every encoding, is redacted whole and also as any run of
 * REDACT_RUN or more of its consecutive characters (the truncated, prefixed and suffixed tokens probes build).
 * Built from the secrets' REDACT_RUN-grams in one map; a text is scanned once, position by position (linear in the
 * text), matched spans are merged and each becomes one marker with the owning secret's fingerprint. Secrets are
 * added as the target issues tokens; each is hashed once. Shorter secrets are redacted whole (redactShort).
 */
export class Redactor {
  /** Each gram: the marker of the secret it came from, and whether it may stand as a protocol word (see PROTOCOL_WORDS). */
  private readonly grams = new Map<string, { marker: string; word: boolean; named: boolean }>();
  /** Secrets shorter than REDACT_RUN, each spelling with its marker: matched whole (see shortSpans). */
  private readonly short = new Map<string, { marker: string; word: boolean }>();
  private readonly markers = new Map<string, string>();
  private readonly seen = new Set<string>();
  private readonly words: Set<string>;
  private readonly wordGrams = new Set<string>();
  private readonly key: Uint8Array | undefined;
  /** Public names long enough to hold a run of a secret, longest first (see RedactorOptions.publicNames). */
  private readonly names: string[];

  constructor(secrets: Iterable<string> = [], options: RedactorOptions = {}) {
    this.key = options.key;
    this.words = new Set([...PROTOCOL_WORDS, ...(options.protocolWords ?? [])].map((w) => w.toLowerCase()));
    for (const w of this.words)
      for (let i = 0; i + REDACT_RUN <= w.length; i++) this.wordGrams.add(w.slice(i, i + REDACT_RUN));
    this.addAll(secrets);
    const configured = [...(options.configured ?? [])].filter(Boolean);
    for (const s of configured) this.add(s, true);
    this.names = [...new Set(options.publicNames ?? [])]
      .filter((n) => n.length >= REDACT_RUN && !configured.some((s) => s.length >= 4 && n.includes(s)))
      .sort((a, b) => b.length - a.length);
  }

  /** Where a public name stands alone in the text: not continued by a character a name could go on with. */
  private nameSpans(text: string): { start: number; end: number }[] {
    const spans: { start: number; end: number }[] = [];
    const continues = (c: number) => isWordChar(c) || c === 45 || c === 46 || c === 64; // - . @
    for (const name of this.names) {
      for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
        const end = at + name.length;
        if (
          (at === 0 || !continues(text.charCodeAt(at - 1))) &&
          (end >= text.length || !continues(text.charCodeAt(end)))
        )
          spans.push({ start: at, end });
      }
    }
    return spans;
  }

  /** The redactor given, or one for the secrets given (whole and as runs, no protocol-word exemption, plain markers). */
  static of(secrets: Iterable<string> | Redactor): Redactor {
    return secrets instanceof Redactor ? secrets : new Redactor(secrets);
  }

  addAll(secrets: Iterable<string>): this {
    for (const s of secrets) this.add(s);
    return this;
  }

  /** A secret, redacted wherever a run of it appears; `configured`: it may contain a protocol word (see PROTOCOL_WORDS). */
  add(secret: string, configured = false): void {
    if (!secret || this.seen.has(secret)) return;
    this.seen.add(secret);
    const mayHoldWords = configured && !this.words.has(secret.toLowerCase());
    for (const spelling of withEncodings([secret])) {
      const marker = this.markerOf(secret);
      if (spelling.length < REDACT_RUN) {
        const known = this.short.get(spelling);
        this.short.set(spelling, { marker: known?.marker ?? marker, word: (known?.word ?? true) && mayHoldWords });
        continue;
      }
      for (let i = 0; i + REDACT_RUN <= spelling.length; i++) {
        const gram = spelling.slice(i, i + REDACT_RUN);
        const word = mayHoldWords && this.wordGrams.has(gram.toLowerCase());
        const known = this.grams.get(gram);
        // A gram an issued token (or a secret that is a protocol word) also holds is never exempt.
        if (!known) this.grams.set(gram, { marker, word, named: configured });
        else {
          if (known.word && !word) known.word = false;
          if (known.named && !configured) known.named = false;
        }
      }
    }
  }

  private markerOf(secret: string): string {
    let m = this.markers.get(secret);
    if (!m)
      this.markers.set(
        secret,
        (m = this.key
          ? `[redacted:${createHmac('sha256', this.key).update(secret).digest('hex').slice(0, 8)}]`
          : redactValue(secret)),
      );
    return m;
  }

  /** An Authorization header's value with its credentials replaced by their marker: the scheme stays visible. */
  authorization(value: string): string {
    return redactAuthorization(value, (credentials) => this.markerOf(credentials));
  }

  /** The protocol word standing alone (delimited by non-word characters) that the REDACT_RUN characters at `at` lie in. */
  private protocolWordAt(text: string, at: number): { start: number; end: number } | undefined {
    for (let i = at; i < at + REDACT_RUN; i++) if (!isWordChar(text.charCodeAt(i))) return undefined;
    let start = at;
    while (start > 0 && isWordChar(text.charCodeAt(start - 1))) start--;
    let end = at + REDACT_RUN;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    return this.words.has(text.slice(start, end).toLowerCase()) ? { start, end } : undefined;
  }

  text(input: string): string {
    let out = input;
    if (this.grams.size && out.length >= REDACT_RUN) {
      // Every position where a run of a secret starts, in one pass.
      const hits: number[] = [];
      const markers: string[] = [];
      let words: { hit: number; start: number; end: number }[] | undefined;
      let nameSpans: { start: number; end: number }[] | undefined = this.names.length ? undefined : [];
      for (let i = 0; i + REDACT_RUN <= out.length; i++) {
        const gram = this.grams.get(out.slice(i, i + REDACT_RUN));
        if (gram === undefined) continue;
        // A protocol word (configured secrets only) or a public name (any secret but an issued token's) around the run.
        const spans = (nameSpans ??= this.nameSpans(out));
        const word =
          (gram.word ? this.protocolWordAt(out, i) : undefined) ??
          (gram.named ? spans.find((n) => n.start <= i && i + REDACT_RUN <= n.end) : undefined);
        if (word) (words ??= []).push({ hit: hits.length, ...word });
        hits.push(i);
        markers.push(gram.marker);
      }
      // A protocol word standing alone stays, unless another run of a secret reaches into it: the word is then a
      // piece of that secret's own occurrence ("!client_credentials"), not the protocol's.
      const kept = new Set<number>();
      if (words) {
        const wordHits = new Set(words.map((w) => w.hit));
        for (const w of words) {
          // The hits that overlap the word: they start after w.start - REDACT_RUN (hits ascend: a binary search).
          let lo = 0;
          let hi = hits.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (hits[mid]! + REDACT_RUN <= w.start) lo = mid + 1;
            else hi = mid;
          }
          let reached = false;
          for (let k = lo; k < hits.length && hits[k]! < w.end; k++) if (!wordHits.has(k)) reached = true;
          if (!reached) kept.add(w.hit);
        }
      }
      const parts: string[] = [];
      let copied = 0;
      let spanStart = -1;
      let spanEnd = -1;
      let spanMarker = '';
      for (let k = 0; k < hits.length; k++) {
        if (kept.has(k)) continue;
        const i = hits[k]!;
        if (spanStart >= 0 && i <= spanEnd) spanEnd = i + REDACT_RUN;
        else {
          if (spanStart >= 0) {
            parts.push(out.slice(copied, spanStart), spanMarker);
            copied = spanEnd;
          }
          spanStart = i;
          spanEnd = i + REDACT_RUN;
          spanMarker = markers[k]!;
        }
      }
      if (spanStart >= 0) {
        parts.push(out.slice(copied, spanStart), spanMarker);
        copied = spanEnd;
        parts.push(out.slice(copied));
        out = parts.join('');
      }
    }
    if (this.short.size) out = this.redactShort(out);
    return out;
  }

  /**
   * Secrets shorter than REDACT_RUN, whole. One of 1..3 characters only where it stands as a value of its own (not
   * next to a letter or digit): "a" or "pw" anywhere else is any text's. Never inside a marker already written, and a
   * configured one never inside a protocol word standing alone ("pass" in "grant_type=password"): the marker covers
   * the secret and nothing else.
   */
  private redactShort(text: string): string {
    const taken: { start: number; end: number; marker: string }[] = [];
    const markers = [...text.matchAll(/\[redacted:[0-9a-f]{8}\]/g)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
    }));
    const alnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    // Longest first: a secret that holds another is one marker, not two.
    for (const [s, { marker, word }] of [...this.short].sort((a, b) => b[0].length - a[0].length)) {
      for (let at = text.indexOf(s); at >= 0; at = text.indexOf(s, at + 1)) {
        const end = at + s.length;
        if (
          s.length < 4 &&
          ((at > 0 && alnum(text.charCodeAt(at - 1))) || (end < text.length && alnum(text.charCodeAt(end))))
        )
          continue;
        const overlaps = (x: { start: number; end: number }) => x.start < end && at < x.end;
        if (markers.some(overlaps) || taken.some(overlaps)) continue;
        if (word && this.insideProtocolWord(text, at, end)) continue;
        taken.push({ start: at, end, marker });
      }
    }
    if (!taken.length) return text;
    taken.sort((a, b) => a.start - b.start);
    const parts: string[] = [];
    let copied = 0;
    for (const t of taken) {
      parts.push(text.slice(copied, t.start), t.marker);
      copied = t.end;
    }
    parts.push(text.slice(copied));
    return parts.join('');
  }

  /** Whether [start, end) lies in a protocol word standing alone. */
  private insideProtocolWord(text: string, start: number, end: number): boolean {
    let from = start;
    while (from > 0 && isWordChar(text.charCodeAt(from - 1))) from--;
    let to = end;
    while (to < text.length && isWordChar(text.charCodeAt(to))) to++;
    return to - from > end - start && this.words.has(text.slice(from, to).toLowerCase());
  }

  /** Configured secrets too short to be redacted as pieces (shorter than REDACT_RUN): a report says they are weak. */
  static weak(secrets: Iterable<string>): string[] {
    return [...secrets].filter((s) => s && s.length < REDACT_RUN);
  }
}

/** Replaces the known secrets in free text (bodies, descriptions that echo a token, curl commands): see Redactor. */
export function redactText(text: string, secrets: Iterable<string> | Redactor): string {
  return Redactor.of(secrets).text(text);
}
