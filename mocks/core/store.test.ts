import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateBytes, TokenStore } from './store.js';

describe('TokenStore', () => {
  it('evicts tokens that expired more than the retention ago, in expiry order', () => {
    const store = new TokenStore<{ value: string; expiresAt: number }>({ maxTokens: 1000, expiredRetention: 10 });
    store.add({ value: 'a', expiresAt: 100 }, 0);
    store.add({ value: 'b', expiresAt: 50 }, 0);
    store.add({ value: 'c', expiresAt: Infinity }, 0);
    store.sweep(55);
    expect(store.get('b')).toBeDefined(); // expired 5 s ago: still remembered
    store.sweep(61);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    store.sweep(1e9);
    expect([store.get('a'), store.get('c')?.value]).toEqual([undefined, 'c']);
  });

  it('never holds more than maxTokens, dropping the soonest to expire (against a model)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (expiries, max) => {
          const store = new TokenStore<{ value: string; expiresAt: number }>({ maxTokens: max, expiredRetention: 0 });
          const model: number[] = [];
          expiries.forEach((e, i) => {
            store.add({ value: `t${i}`, expiresAt: e }, 0);
            while (model.length >= max) model.splice(model.indexOf(Math.min(...model)), 1);
            model.push(e);
          });
          expect(store.size).toBeLessThanOrEqual(max);
          expect([...store.values()].map((t) => t.expiresAt).sort((a, b) => a - b)).toEqual(
            [...model].sort((a, b) => a - b),
          );
        },
      ),
    );
  });

  it('forgets deleted tokens and does not resurrect them through the heap', () => {
    const store = new TokenStore<{ value: string; expiresAt: number }>({ maxTokens: 10, expiredRetention: 0 });
    store.add({ value: 'x', expiresAt: 5 }, 0);
    expect(store.delete('x')).toBe(true);
    store.add({ value: 'x', expiresAt: 50 }, 0);
    store.sweep(10);
    expect(store.get('x')?.expiresAt).toBe(50);
  });

  it('never holds more than maxBytes (estimated), dropping the soonest to expire first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.string({ maxLength: 200 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 2000, max: 20_000 }),
        (items, maxBytes) => {
          const store = new TokenStore<{ value: string; expiresAt: number; note: string }>({
            maxTokens: 1e9,
            maxBytes,
            expiredRetention: 0,
          });
          items.forEach(([e, note], i) => {
            const before = new Map([...store.values()].map((t) => [t.value, t.expiresAt]));
            store.add({ value: `t${i}`, expiresAt: e, note }, 0);
            expect(store.estimatedBytes).toBeLessThanOrEqual(
              Math.max(maxBytes, estimateBytes({ value: `t${i}`, expiresAt: e, note })),
            );
            expect(store.get(`t${i}`)).toBeDefined(); // the newest is always kept
            // What this add evicted expired no later than anything older it kept.
            const evicted = [...before].filter(([v]) => !store.get(v)).map(([, at]) => at);
            const keptOlder = [...before].filter(([v]) => store.get(v)).map(([, at]) => at);
            if (evicted.length && keptOlder.length)
              expect(Math.max(...evicted)).toBeLessThanOrEqual(Math.min(...keptOlder));
          });
        },
      ),
    );
  });

  it('a storm of deletions leaves the heap bounded by the live tokens', () => {
    const store = new TokenStore<{ value: string; expiresAt: number }>({ maxTokens: 1e9, expiredRetention: 0 });
    for (let i = 0; i < 50_000; i++) {
      store.add({ value: `t${i}`, expiresAt: 1e9 }, 0);
      store.delete(`t${i}`);
    }
    expect(store.size).toBe(0);
    expect(store.estimatedBytes).toBe(0);
    expect(store.heapEntries).toBeLessThanOrEqual(1024 + 2);
  });
});
