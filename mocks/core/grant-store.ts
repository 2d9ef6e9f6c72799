/**
 * Where a mock's grants live: its access and refresh tokens, its revoked grants, Spring's reuse index and the
 * admin clock. Two implementations: this process's memory (the default; bounded, mocks/core/store.ts) and Redis
 * (mocks/core/redis-store.ts), which replicas of one mock share. The interface is asynchronous for Redis' sake;
 * every decision (is this refresh token still usable?) stays in GrantService, the stores only keep records and
 * answer one compare-and-swap, which is what makes a rotation atomic across replicas.
 */
import type { AccessRecord, RecordOf, RefreshRecord, TokenRecord } from './token-records.js';
export type { RecordOf, TokenRecord } from './token-records.js';
import { TokenStore, type StoredToken } from './store.js';

/** The store cannot be reached (Redis down): the mock answers 503 temporarily_unavailable, never a token it could not keep. */
export class StoreUnavailable extends Error {}

/** A store URL without its password, for messages and `idpc mock`'s banner. */
export function safeStoreUrl(url: string): string {
  if (url === 'memory') return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable store URL)';
  }
}

export interface GrantStore {
  /** What `idpc mock` prints: `memory` or the Redis URL without its password. */
  readonly description: string;
  /** Replicas can share it: the clock is read from it before each request. */
  readonly shared: boolean;
  /** Whether it answers (a shared store can be lost and found again); a store in memory always does. */
  health(): { reachable: boolean; since?: string; reason?: string };
  /** The record of a token, unless it is unknown or its grant was revoked. */
  live<K extends TokenRecord['kind']>(kind: K, value: string): Promise<RecordOf<K> | undefined>;
  /** Stores new records (fresh values: no other request can hold them yet). */
  put(records: TokenRecord[], now: number): Promise<void>;
  /**
   * Replaces `current` by `next` (the same refresh token, one use more), stores `created` and deletes the access
   * tokens `removedAccess`, all at once and only if no request changed `current` since it was read; false if one did.
   */
  swap(
    current: RefreshRecord,
    next: RefreshRecord,
    created: TokenRecord[],
    removedAccess: string[],
    now: number,
  ): Promise<boolean>;
  delete(kind: TokenRecord['kind'], value: string): Promise<void>;
  /** Kills every token of the grant until `until` (epoch seconds; Infinity: as long as the store keeps anything). */
  revokeGrant(grantId: string, until: number, now: number): Promise<void>;
  /** Spring's DefaultTokenServices: the access token last issued for a client, user, scope (and brand). */
  reused(key: string): Promise<string | undefined>;
  setReused(key: string, accessValue: string, until: number, now: number): Promise<void>;
  /** Every stored record of a kind (the admin listing; Redis scans). */
  records(kind: TokenRecord['kind']): AsyncIterable<TokenRecord>;
  /** A flavour's own state (Keycloak's sessions, keys, technical users): JSON documents by key, until `until`. */
  getDoc<T>(key: string): Promise<T | undefined>;
  /** Several documents in one round trip (the clock and the control stamp read before each request). */
  getDocs(keys: string[]): Promise<unknown[]>;
  putDoc(key: string, doc: unknown, until: number, now: number): Promise<void>;
  /** Stores `doc` unless the key holds one already; answers what the key holds then (the first writer wins). */
  putDocOnce<T>(key: string, doc: T, until: number, now: number): Promise<T>;
  deleteDoc(key: string): Promise<void>;
  /** Sets of ids (a user's sessions), kept until the latest add's `until`. */
  addMember(key: string, member: string, until: number, now: number): Promise<void>;
  members(key: string): Promise<string[]>;
  removeMember(key: string, member: string): Promise<void>;
  /** A counter: adds `delta` and answers the new value (0 before the first add). */
  add(key: string, delta: number): Promise<number>;
  /**
   * A numbered list keeping its `max` newest items (the shared request journal): each item is stored as
   * `<n>\t<item>`, n counting from 1 across every writer; `items` gives them oldest first.
   */
  pushNumbered(key: string, item: string, max: number): Promise<void>;
  items(key: string): Promise<string[]>;
  deleteList(key: string): Promise<void>;
  /** Runs `critical` while no other request, on any replica sharing the store, runs one under the same key. */
  exclusive<T>(key: string, critical: () => Promise<T>): Promise<T>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface MemoryLimits {
  maxTokens: number;
  /** Estimated heap bytes of all stored tokens: half for access, half for refresh tokens. */
  maxBytes: number;
  expiredRetention: number;
}

/** This process's memory, bounded (TokenStore): the default, and what a single mock has always used. */
export class MemoryGrantStore implements GrantStore {
  readonly description = 'memory';
  readonly shared = false;
  health() {
    return { reachable: true };
  }
  private readonly access: TokenStore<AccessRecord>;
  private readonly refresh: TokenStore<RefreshRecord>;
  /**
   * Revoked grants: their tokens are dead wherever they are (no per-grant index). Each is remembered until the last
   * token the grant can have issued expires, in a bounded store of its own: memory stays flat under replay storms.
   */
  private readonly revokedGrants: TokenStore<StoredToken>;
  private readonly reuseIndex: TokenStore<StoredToken & { accessValue: string }>;
  /** Flavour documents and sets, bounded like the tokens (the soonest to expire go first at the cap). */
  private readonly docs: TokenStore<StoredToken & { doc: unknown }>;
  private readonly sets: TokenStore<StoredToken & { members: Set<string> }>;
  /** The tail of each key's queue of critical sections (removed when the queue empties). */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly counters = new Map<string, number>();
  private readonly lists = new Map<string, { items: string[]; max: number; n: number }>();

  constructor(limits: MemoryLimits) {
    const opts = {
      maxTokens: limits.maxTokens,
      maxBytes: limits.maxBytes / 2,
      expiredRetention: limits.expiredRetention,
    };
    this.access = new TokenStore<AccessRecord>(opts);
    this.refresh = new TokenStore<RefreshRecord>(opts);
    this.revokedGrants = new TokenStore<StoredToken>({
      maxTokens: limits.maxTokens,
      maxBytes: limits.maxBytes / 8,
      expiredRetention: limits.expiredRetention,
    });
    this.reuseIndex = new TokenStore({
      maxTokens: limits.maxTokens,
      maxBytes: limits.maxBytes / 8,
      expiredRetention: 0,
    });
    this.docs = new TokenStore({ maxTokens: limits.maxTokens, maxBytes: limits.maxBytes / 4, expiredRetention: 0 });
    this.sets = new TokenStore({ maxTokens: limits.maxTokens, maxBytes: limits.maxBytes / 8, expiredRetention: 0 });
  }

  async getDoc<T>(key: string): Promise<T | undefined> {
    return this.docs.get(key)?.doc as T | undefined;
  }

  async getDocs(keys: string[]): Promise<unknown[]> {
    return keys.map((k) => this.docs.get(k)?.doc);
  }

  async putDoc(key: string, doc: unknown, until: number, now: number): Promise<void> {
    this.docs.add({ value: key, expiresAt: until, doc }, now);
  }

  async putDocOnce<T>(key: string, doc: T, until: number, now: number): Promise<T> {
    const held = this.docs.get(key);
    if (held) return held.doc as T;
    this.docs.add({ value: key, expiresAt: until, doc }, now);
    return doc;
  }

  async deleteDoc(key: string): Promise<void> {
    this.docs.delete(key);
  }

  async addMember(key: string, member: string, until: number, now: number): Promise<void> {
    const held = this.sets.get(key);
    const members = held?.members ?? new Set<string>();
    members.add(member);
    this.sets.add({ value: key, expiresAt: Math.max(until, held?.expiresAt ?? until), members }, now);
  }

  async members(key: string): Promise<string[]> {
    return [...(this.sets.get(key)?.members ?? [])];
  }

  async removeMember(key: string, member: string): Promise<void> {
    const held = this.sets.get(key);
    held?.members.delete(member);
    if (held?.members.size === 0) this.sets.delete(key);
  }

  async add(key: string, delta: number): Promise<number> {
    const n = (this.counters.get(key) ?? 0) + delta;
    this.counters.set(key, n);
    return n;
  }

  async pushNumbered(key: string, item: string, max: number): Promise<void> {
    const list = this.lists.get(key) ?? this.lists.set(key, { items: [], max, n: 0 }).get(key)!;
    list.max = max;
    list.items.push(`${++list.n}\t${item}`);
    // Trimmed in batches (amortised O(1) a push); reads take the newest `max`.
    if (list.items.length > 2 * max) list.items.splice(0, list.items.length - max);
  }

  async items(key: string): Promise<string[]> {
    const list = this.lists.get(key);
    return list ? list.items.slice(-list.max) : [];
  }

  async deleteList(key: string): Promise<void> {
    this.lists.delete(key);
  }

  async exclusive<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(critical, critical);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  private of(kind: TokenRecord['kind']): TokenStore<TokenRecord> {
    return (kind === 'access' ? this.access : this.refresh) as TokenStore<TokenRecord>;
  }

  async live<K extends TokenRecord['kind']>(kind: K, value: string): Promise<RecordOf<K> | undefined> {
    const record = this.of(kind).get(value);
    return record && !this.revokedGrants.get(record.grantId) ? (record as RecordOf<K>) : undefined;
  }

  async put(records: TokenRecord[], now: number): Promise<void> {
    for (const r of records) this.of(r.kind).add(r, now);
  }

  async swap(
    current: RefreshRecord,
    next: RefreshRecord,
    created: TokenRecord[],
    removedAccess: string[],
    now: number,
  ): Promise<boolean> {
    // One thread: between this check and the writes nothing else runs.
    if (this.refresh.get(current.value) !== current) return false;
    for (const v of removedAccess) this.access.delete(v);
    this.refresh.add(next, now);
    for (const r of created) this.of(r.kind).add(r, now);
    return true;
  }

  async delete(kind: TokenRecord['kind'], value: string): Promise<void> {
    this.of(kind).delete(value);
  }

  async revokeGrant(grantId: string, until: number, now: number): Promise<void> {
    this.revokedGrants.add({ value: grantId, expiresAt: until }, now);
  }

  async reused(key: string): Promise<string | undefined> {
    return this.reuseIndex.get(key)?.accessValue;
  }

  async setReused(key: string, accessValue: string, until: number, now: number): Promise<void> {
    this.reuseIndex.add({ value: key, expiresAt: until, accessValue }, now);
  }

  async *records(kind: TokenRecord['kind']): AsyncIterable<TokenRecord> {
    yield* this.of(kind).values();
  }

  async clear(): Promise<void> {
    this.counters.clear();
    this.lists.clear();
    this.docs.clear();
    this.sets.clear();
    this.access.clear();
    this.refresh.clear();
    this.revokedGrants.clear();
    this.reuseIndex.clear();
  }

  async close(): Promise<void> {}

  /** Tokens held and their estimated heap bytes (bench/memory.mjs). */
  stats(): { tokens: number; estimatedBytes: number } {
    return {
      tokens: this.access.size + this.refresh.size,
      estimatedBytes: this.access.estimatedBytes + this.refresh.estimatedBytes,
    };
  }
}
