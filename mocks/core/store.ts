/**
 * Tokens in memory, bounded by design: a map by token value plus an expiry heap (mocks/core/expiry-heap.ts).
 * Expired tokens are kept for `expiredRetention` seconds, because some flavours answer "expired" differently from
 * "unknown" (Spring's "Access token expired" on first use). At most `maxTokens` tokens and `maxBytes` (an estimate of
 * their heap footprint) live at once: beyond either, the soonest to expire go first. Every add sweeps what expired,
 * at O(log n) per token removed; the heap is rebuilt when lazy deletions make it twice the live size.
 */
import { ExpiryHeap } from './expiry-heap.js';

export interface StoredToken {
  value: string;
  /** Epoch seconds; Infinity for tokens that never expire. */
  expiresAt: number;
}

export interface TokenStoreOptions {
  maxTokens: number;
  expiredRetention: number;
  /** Upper bound of the estimated bytes held (default: no bound beyond maxTokens). */
  maxBytes?: number;
}

/**
 * Heap bytes one stored record costs beyond its strings: the object, its map entry, its heap slot, its scope array
 * and meta object, calibrated on Node 20 against RSS, not heap (bench/memory.mjs: ~2.2 KB of RSS per access + refresh pair).
 */
const RECORD_OVERHEAD = 800;

/** An estimate of a record's heap bytes: the fixed overhead plus its strings (two bytes a character, to be safe). */
export function estimateBytes(record: object): number {
  let chars = 0;
  for (const v of Object.values(record)) {
    if (typeof v === 'string') chars += v.length;
    else if (Array.isArray(v)) for (const x of v) chars += typeof x === 'string' ? x.length + 16 : 16;
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) chars += k.length + (typeof x === 'string' ? x.length : 16);
  }
  return RECORD_OVERHEAD + 2 * chars;
}

export class TokenStore<T extends StoredToken> {
  private readonly byValue = new Map<string, { token: T; bytes: number }>();
  private readonly heap = new ExpiryHeap();
  private bytes = 0;

  constructor(private readonly options: TokenStoreOptions) {}

  get size(): number {
    return this.byValue.size;
  }

  /** Heap entries, live and lazily deleted (bounded by twice the live tokens plus 1,024). */
  get heapEntries(): number {
    return this.heap.size;
  }

  /** The estimated bytes held now. */
  get estimatedBytes(): number {
    return this.bytes;
  }

  add(token: T, now: number): void {
    this.sweep(now);
    const bytes = estimateBytes(token);
    const maxBytes = this.options.maxBytes ?? Number.POSITIVE_INFINITY;
    while (this.byValue.size > 0 && (this.byValue.size >= this.options.maxTokens || this.bytes + bytes > maxBytes))
      this.popSoonest();
    this.delete(token.value);
    this.byValue.set(token.value, { token, bytes });
    this.bytes += bytes;
    this.heap.push(token.expiresAt, token.value);
    // Lazy deletion leaves heap entries of deleted tokens behind: rebuild before they outnumber the live ones.
    if (this.heap.size > 2 * this.byValue.size + 1024)
      this.heap.rebuild([...this.byValue.values()].map(({ token: t }) => [t.expiresAt, t.value]));
  }

  get(value: string): T | undefined {
    return this.byValue.get(value)?.token;
  }

  delete(value: string): boolean {
    const entry = this.byValue.get(value);
    if (!entry) return false;
    this.byValue.delete(value); // its heap entry goes when it surfaces
    this.bytes -= entry.bytes;
    return true;
  }

  *values(): IterableIterator<T> {
    for (const { token } of this.byValue.values()) yield token;
  }

  clear(): void {
    this.byValue.clear();
    this.heap.clear();
    this.bytes = 0;
  }

  /** Drops tokens that expired more than expiredRetention seconds ago. */
  sweep(now: number): void {
    const limit = now - this.options.expiredRetention;
    while (this.heap.peekAt() <= limit) this.popSoonest();
  }

  private popSoonest(): void {
    const top = this.heap.pop();
    if (!top) return;
    // Only if the map still holds this very entry (it may have been deleted, or deleted and re-added).
    const current = this.byValue.get(top.key);
    if (current && current.token.expiresAt === top.at) this.delete(top.key);
  }
}
