import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenStore } from './store.js';

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
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (expiries, max) => {
        const store = new TokenStore<{ value: string; expiresAt: number }>({ maxTokens: max, expiredRetention: 0 });
        const model: number[] = [];
        expiries.forEach((e, i) => {
          store.add({ value: `t${i}`, expiresAt: e }, 0);
          while (model.length >= max) model.splice(model.indexOf(Math.min(...model)), 1);
          model.push(e);
        });
        expect(store.size).toBeLessThanOrEqual(max);
        expect([...store.values()].map((t) => t.expiresAt).sort((a, b) => a - b)).toEqual([...model].sort((a, b) => a - b));
      }),
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
});
