/**
 * Tokens in memory, evicted in expiry order so that memory stays bounded however many are issued:
 * a min-heap on expiry (lazy deletion) plus a map by token value. Expired tokens are kept for
 * `expiredRetention` seconds, because some flavours answer "expired" differently from "unknown"
 * (Spring's "Access token expired" on first use), and at most `maxTokens` live at once (the soonest to expire go first).
 */
export interface StoredToken {
  value: string;
  /** Epoch seconds; Infinity for tokens that never expire. */
  expiresAt: number;
}

export class TokenStore<T extends StoredToken> {
  private readonly byValue = new Map<string, T>();
  // Parallel arrays: the heap of (expiresAt, value) without an object per entry.
  private heapAt: number[] = [];
  private heapValue: string[] = [];

  constructor(
    private readonly options: { maxTokens: number; expiredRetention: number },
  ) {}

  get size(): number {
    return this.byValue.size;
  }

  add(token: T, now: number): void {
    this.sweep(now);
    while (this.byValue.size >= this.options.maxTokens && this.heapAt.length > 0) this.popSoonest();
    this.byValue.set(token.value, token);
    this.push(token.expiresAt, token.value);
  }

  get(value: string): T | undefined {
    return this.byValue.get(value);
  }

  delete(value: string): boolean {
    return this.byValue.delete(value); // the heap entry goes when it reaches the top
  }

  values(): IterableIterator<T> {
    return this.byValue.values();
  }

  clear(): void {
    this.byValue.clear();
    this.heapAt = [];
    this.heapValue = [];
  }

  /** Drops tokens that expired more than expiredRetention seconds ago. */
  sweep(now: number): void {
    const limit = now - this.options.expiredRetention;
    while (this.heapAt.length > 0 && this.heapAt[0]! <= limit) this.popSoonest();
  }

  private popSoonest(): void {
    const at = this.heapAt[0]!;
    const value = this.heapValue[0]!;
    const lastAt = this.heapAt.pop()!;
    const lastValue = this.heapValue.pop()!;
    if (this.heapAt.length > 0) {
      this.heapAt[0] = lastAt;
      this.heapValue[0] = lastValue;
      this.down(0);
    }
    // Only delete if the map still holds this very entry (it may have been deleted and re-added).
    const current = this.byValue.get(value);
    if (current && current.expiresAt === at) this.byValue.delete(value);
  }

  private push(at: number, value: string): void {
    this.heapAt.push(at);
    this.heapValue.push(value);
    let i = this.heapAt.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.heapAt[parent]! <= this.heapAt[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heapAt.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.heapAt[l]! < this.heapAt[m]!) m = l;
      if (r < n && this.heapAt[r]! < this.heapAt[m]!) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    [this.heapAt[a], this.heapAt[b]] = [this.heapAt[b]!, this.heapAt[a]!];
    [this.heapValue[a], this.heapValue[b]] = [this.heapValue[b]!, this.heapValue[a]!];
  }
}
