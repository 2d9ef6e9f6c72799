/**
 * A min-heap of (expiresAt, key) in two parallel arrays (no object per entry). Entries are deleted lazily: the owner
 * checks, when one surfaces, whether its key still expires then. The token store and Keycloak's sessions expire and
 * evict through it, so that a sweep costs O(log n) per item it removes, never a scan.
 */
export class ExpiryHeap {
  private at: number[] = [];
  private keys: string[] = [];

  get size(): number {
    return this.at.length;
  }

  /** The soonest expiry, or Infinity when empty. */
  peekAt(): number {
    return this.at.length ? this.at[0]! : Number.POSITIVE_INFINITY;
  }

  push(at: number, key: string): void {
    this.at.push(at);
    this.keys.push(key);
    let i = this.at.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at[parent]! <= this.at[i]!) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the soonest entry. */
  pop(): { at: number; key: string } | undefined {
    if (!this.at.length) return undefined;
    const top = { at: this.at[0]!, key: this.keys[0]! };
    const lastAt = this.at.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.at.length) {
      this.at[0] = lastAt;
      this.keys[0] = lastKey;
      this.down(0);
    }
    return top;
  }

  /** Rebuilds the heap from the live entries only (drops what lazy deletion left behind): O(n), called rarely. */
  rebuild(live: Iterable<[at: number, key: string]>): void {
    this.at = [];
    this.keys = [];
    for (const [at, key] of live) {
      this.at.push(at);
      this.keys.push(key);
    }
    for (let i = (this.at.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  clear(): void {
    this.at = [];
    this.keys = [];
  }

  private down(i: number): void {
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.at[l]! < this.at[m]!) m = l;
      if (r < n && this.at[r]! < this.at[m]!) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    [this.at[a], this.at[b]] = [this.at[b]!, this.at[a]!];
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
  }
}
