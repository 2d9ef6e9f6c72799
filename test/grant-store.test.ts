/**
 * The two grant stores answer alike (the in-memory default, and Redis as replicas share it): the same cases run
 * against both, Redis being a real redis-server (test/support/redis.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryGrantStore, type GrantStore } from '../mocks/core/grant-store.js';
import type { RefreshRecord } from '../mocks/core/grants.js';
import { RedisGrantStore } from '../mocks/core/redis-store.js';
import { RedisServer, redisMissing } from './support/redis.js';

let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!redisMissing) redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});

const refreshRecord = (value: string, now: number): RefreshRecord => ({
  kind: 'refresh',
  value,
  expiresAt: now + 60,
  clientId: 'c',
  scope: ['a'],
  issuedAt: now,
  grantId: randomUUID(),
  uses: 0,
  meta: {},
});

const kinds: [string, () => Promise<GrantStore>, string | undefined][] = [
  ['memory', async () => new MemoryGrantStore({ maxTokens: 1000, maxBytes: 2 ** 20, expiredRetention: 0 }), undefined],
  [
    'redis',
    async () =>
      RedisGrantStore.connect({
        url: redis!.url,
        prefix: `store-${randomUUID().slice(0, 8)}`,
        timeoutMs: 2000,
        expiredRetention: 0,
        log: () => undefined,
      }),
    redisMissing,
  ],
];

for (const [name, open, missing] of kinds) {
  describe.skipIf(!!missing)(`${name} grant store${missing ? ` (skipped: ${missing})` : ''}`, () => {
    let store: GrantStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.clear();
      await store.close();
    });
    const now = Date.now() / 1000;

    it("a swap wins once: the second with the same version read loses, and the record is the winner's", async () => {
      const r = refreshRecord(`r-${randomUUID()}`, now);
      await store.put([r], now);
      const read = (await store.live('refresh', r.value))!;
      const first = { ...read, uses: 1 };
      const second = { ...read, uses: 2 };
      const [a, b] = await Promise.all([store.swap(read, first, [], [], now), store.swap(read, second, [], [], now)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect((await store.live('refresh', r.value))!.uses).toBe(a ? 1 : 2);
    });

    it('a revoked grant hides its tokens; eternal refresh tokens survive the round trip', async () => {
      const r = { ...refreshRecord(`r-${randomUUID()}`, now), expiresAt: Number.POSITIVE_INFINITY };
      await store.put([r], now);
      expect((await store.live('refresh', r.value))!.expiresAt).toBe(Number.POSITIVE_INFINITY);
      await store.revokeGrant(r.grantId, now + 60, now);
      expect(await store.live('refresh', r.value)).toBeUndefined();
    });

    it("documents: putDocOnce keeps the first writer's, sets collect members, exclusive runs one at a time", async () => {
      const key = `d-${randomUUID()}`;
      expect(await store.putDocOnce(key, { n: 1 }, now + 60, now)).toEqual({ n: 1 });
      expect(await store.putDocOnce(key, { n: 2 }, now + 60, now)).toEqual({ n: 1 });
      await store.addMember(`s-${key}`, 'x', now + 60, now);
      await store.addMember(`s-${key}`, 'y', now + 60, now);
      await store.removeMember(`s-${key}`, 'x');
      expect(await store.members(`s-${key}`)).toEqual(['y']);
      let inside = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.exclusive(`l-${key}`, async () => {
            most = Math.max(most, ++inside);
            await new Promise((r) => setTimeout(r, 2));
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
    });

    it('several documents in one read; a numbered list keeps its newest items, numbered on', async () => {
      const key = `m-${randomUUID()}`;
      await store.putDoc(`${key}:a`, { offsetMs: 5000 }, Number.POSITIVE_INFINITY, 0);
      expect(await store.getDocs([`${key}:a`, `${key}:missing`])).toEqual([{ offsetMs: 5000 }, undefined]);
      for (const item of ['one', 'two', 'three']) await store.pushNumbered(`${key}:list`, item, 2);
      expect(await store.items(`${key}:list`)).toEqual(['2\ttwo', '3\tthree']);
      await store.deleteList(`${key}:list`);
      expect(await store.items(`${key}:list`)).toEqual([]);
    });
  });
}
