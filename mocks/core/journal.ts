import type { IncomingHttpHeaders } from 'node:http';
import { redactHeaders, redactPairs } from '../../src/util/redact.js';
import { parseForm } from './form.js';

/** One request as the mock saw it, secrets redacted (WireMock-style request journal). */
export interface JournalEntry {
  id: number;
  /** Mock-clock time, ISO 8601. */
  at: string;
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  form: [string, string][];
  route?: string;
  status?: number;
  durationMs: number;
  grantType?: string;
  clientId?: string;
  clientAuth?: string;
  fault?: string;
}

export interface JournalFilter {
  path?: string;
  method?: string;
  grantType?: string;
  route?: string;
  limit?: number;
}

/** What the hot path stores: references only; parsing and redaction happen when someone reads the journal. */
export interface RawJournalEntry {
  atMs: number;
  method: string;
  path: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** The form body, when the request declared one (bounded by the body limit). */
  formBody: Buffer | undefined;
  route: string | undefined;
  status: number | undefined;
  durationMs: number;
  grantType: string | undefined;
  clientId: string | undefined;
  clientAuth: string | undefined;
  fault: string | undefined;
}

/** Whether a journalled request matches a filter (raw or materialised: the filtered members are the same). */
export function matchesFilter(
  e: { path: string; method: string; grantType?: string | undefined; route?: string | undefined },
  filter: JournalFilter,
): boolean {
  return (
    (!filter.path || e.path === filter.path) &&
    (!filter.method || e.method === filter.method.toUpperCase()) &&
    (!filter.grantType || e.grantType === filter.grantType) &&
    (!filter.route || e.route === filter.route)
  );
}

export function materialise(raw: RawJournalEntry, id: number): JournalEntry {
  const { atMs, rawQuery, formBody, headers, durationMs, ...rest } = raw;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as typeof rest;
  return {
    id,
    at: new Date(atMs).toISOString(),
    ...defined,
    query: redactPairs(parseForm(rawQuery, 'keep-literal').pairs),
    headers: redactHeaders(headers),
    form: formBody ? redactPairs(parseForm(formBody.toString('utf8'), 'keep-literal').pairs) : [],
    durationMs: Math.round(durationMs * 100) / 100,
  };
}

export class JournalVerificationError extends Error {}

/** Capped, can be switched off; newest entries win when the cap is reached. */
export class Journal {
  private entries: { id: number; raw: RawJournalEntry }[] = [];
  private nextId = 1;

  constructor(
    public enabled: boolean,
    private readonly maxEntries: number,
  ) {}

  record(raw: RawJournalEntry): void {
    if (!this.enabled) return;
    this.entries.push({ id: this.nextId++, raw });
    if (this.entries.length > this.maxEntries * 2) this.entries = this.entries.slice(-this.maxEntries);
  }

  private matching(filter: JournalFilter): { id: number; raw: RawJournalEntry }[] {
    return this.entries.slice(-this.maxEntries).filter(({ raw }) => matchesFilter(raw, filter));
  }

  find(filter: JournalFilter = {}): JournalEntry[] {
    const out = this.matching(filter).map(({ id, raw }) => materialise(raw, id));
    return filter.limit ? out.slice(-filter.limit) : out;
  }

  /** How many journalled requests match (WireMock's count): nothing is parsed or redacted to count. */
  count(filter: Omit<JournalFilter, 'limit'> = {}): number {
    return this.matching(filter).length;
  }

  /**
   * Throws when the number of matching requests is not what a test expects (WireMock's verify): an exact count, or
   * a range. The message says what was expected and what arrived.
   */
  verify(filter: Omit<JournalFilter, 'limit'>, expected: number | { atLeast?: number; atMost?: number }): void {
    const n = this.count(filter);
    const { atLeast = 0, atMost = Number.POSITIVE_INFINITY } =
      typeof expected === 'number' ? { atLeast: expected, atMost: expected } : expected;
    if (!this.enabled)
      throw new JournalVerificationError('the journal is off (journal.enabled: false): nothing to verify');
    if (n < atLeast || n > atMost) {
      const want =
        typeof expected === 'number'
          ? `exactly ${expected}`
          : [
              expected.atLeast !== undefined ? `at least ${expected.atLeast}` : '',
              expected.atMost !== undefined ? `at most ${expected.atMost}` : '',
            ]
              .filter(Boolean)
              .join(' and ');
      throw new JournalVerificationError(
        `expected ${want} request(s) matching ${JSON.stringify(filter)}, received ${n}`,
      );
    }
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return Math.min(this.entries.length, this.maxEntries);
  }
}
