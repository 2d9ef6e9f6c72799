import { redactHeaders, redactPairs } from '../../src/util/redact.js';

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

/** Capped, can be switched off; newest entries win when the cap is reached. */
export class Journal {
  private entries: JournalEntry[] = [];
  private nextId = 1;

  constructor(
    public enabled: boolean,
    private readonly maxEntries: number,
  ) {}

  record(entry: Omit<JournalEntry, 'id' | 'headers' | 'query' | 'form'> & { headers: Record<string, string | string[] | undefined>; query: [string, string][]; form: [string, string][] }): void {
    if (!this.enabled) return;
    this.entries.push({ ...entry, id: this.nextId++, headers: redactHeaders(entry.headers), query: redactPairs(entry.query), form: redactPairs(entry.form) });
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
  }

  find(filter: JournalFilter = {}): JournalEntry[] {
    const out = this.entries.filter(
      (e) =>
        (!filter.path || e.path === filter.path) &&
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.grantType || e.grantType === filter.grantType) &&
        (!filter.route || e.route === filter.route),
    );
    return filter.limit ? out.slice(-filter.limit) : out;
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }
}
