/**
 * application/x-www-form-urlencoded as the flavours' servers decode it. They differ on broken
 * percent-encoding: Python (Django) keeps the literal text, Tomcat (Spring) drops the parameter,
 * and a strict decoder rejects the request.
 */
export type BadEncoding = 'keep-literal' | 'drop' | 'reject';

export interface ParsedForm {
  pairs: [string, string][];
  /** Names whose encoding was broken (kept literally or dropped, per the decoder). */
  malformed: string[];
}

const PERCENT = /%(?![0-9A-Fa-f]{2})/;

/** The decoded text, or undefined when the encoding is broken and the mode does not keep it; `bad` says which. */
function decode(raw: string, mode: BadEncoding): { text: string | undefined; bad: boolean } {
  const plus = raw.replace(/\+/g, ' ');
  try {
    if (PERCENT.test(plus)) throw new URIError('bad escape');
    return { text: decodeURIComponent(plus), bad: false };
  } catch {
    if (mode !== 'keep-literal') return { text: undefined, bad: true };
    // Python's unquote: valid escapes decoded, invalid ones left as text, bad UTF-8 replaced by U+FFFD.
    const bytes: number[] = [];
    for (let i = 0; i < plus.length; i++) {
      const hex = plus.slice(i + 1, i + 3);
      if (plus[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else bytes.push(...Buffer.from(plus[i]!, 'utf8'));
    }
    return { text: Buffer.from(bytes).toString('utf8'), bad: true };
  }
}

export function parseForm(text: string, mode: BadEncoding = 'reject'): ParsedForm {
  const pairs: [string, string][] = [];
  const malformed: string[] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = decode(rawName, mode);
    const value = decode(rawValue, mode);
    if (name.bad || value.bad) malformed.push(name.text ?? rawName);
    if (name.text === undefined || value.text === undefined) continue;
    pairs.push([name.text, value.text]);
  }
  return { pairs, malformed };
}

/** Read access to decoded parameters with the flavour's rule for repeated names. */
export class Params {
  constructor(readonly pairs: [string, string][]) {}

  static merge(...sources: Params[]): Params {
    return new Params(sources.flatMap((s) => s.pairs));
  }

  has(name: string): boolean {
    return this.pairs.some(([k]) => k === name);
  }

  first(name: string): string | undefined {
    return this.pairs.find(([k]) => k === name)?.[1];
  }

  last(name: string): string | undefined {
    for (let i = this.pairs.length - 1; i >= 0; i--) if (this.pairs[i]![0] === name) return this.pairs[i]![1];
    return undefined;
  }

  all(name: string): string[] {
    return this.pairs.filter(([k]) => k === name).map(([, v]) => v);
  }

  duplicated(): string[] {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const [k] of this.pairs) (seen.has(k) ? dup : seen).add(k);
    return [...dup];
  }

  names(): string[] {
    return [...new Set(this.pairs.map(([k]) => k))];
  }
}
