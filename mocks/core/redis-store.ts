/**
 * The grant store in Redis (>= 7, standalone), shared by every replica of one mock (`--store redis://…`).
 * Keys, under the mock's prefix (`--store-prefix`):
 *   {prefix}:access:{token} / {prefix}:refresh:{token}  the record as JSON, expiring (PX) when the memory store
 *                                                       would drop it (expiry plus expiredRetention)
 *   {prefix}:grant:{id}                                 a revoked grant, until its last token expires
 *   {prefix}:reuse:{key}                                Spring's reuse index (DefaultTokenServices)
 *   {prefix}:clock                                      the admin clock (offset or frozen instant)
 * A rotation is one Lua script: it compares the refresh record with the version the request read and, only if
 * unchanged, writes the next version and the new tokens together; the loser re-reads and decides again
 * (GrantService.refreshGrant). Lua keeps Redis itself the arbiter, so replicas need no protocol of their own.
 * Every failure to reach Redis is a StoreUnavailable: the mock answers 503 and never hands out a token it did not store.
 */
import type { RedisClientType } from '@redis/client';
import { importCjs } from '../../src/util/import-cjs.js';
import { safeStoreUrl, StoreUnavailable, type GrantStore, type RecordOf, type TokenRecord } from './grant-store.js';

/** The record unless its grant is revoked, in one round trip (the grant id is inside the record). */
const LIVE = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local g = cjson.decode(v).grantId
if g and redis.call('EXISTS', ARGV[1] .. g) == 1 then return false end
return v`;

/** Compare-and-swap of a refresh record, with the tokens its use creates and the access tokens it ends. */
const SWAP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
local created = tonumber(ARGV[3])
for i = 1, created do
  local ttl = tonumber(ARGV[3 + 2 * i])
  if ttl > 0 then redis.call('SET', KEYS[1 + i], ARGV[2 + 2 * i], 'PX', ttl) else redis.call('SET', KEYS[1 + i], ARGV[2 + 2 * i]) end
end
for i = 2 + created, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`;

/** New records in one step: KEYS the records' keys, ARGV (json, ttl ms or 0) per record. */
const PUT = `
for i = 1, #KEYS do
  local ttl = tonumber(ARGV[2 * i])
  if ttl > 0 then redis.call('SET', KEYS[i], ARGV[2 * i - 1], 'PX', ttl) else redis.call('SET', KEYS[i], ARGV[2 * i - 1]) end
end
return #KEYS`;

/** A numbered, capped list (the shared journal): KEYS list and counter, ARGV item and cap. */
const PUSH_NUMBERED = `
local n = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[1], n .. '\t' .. ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return n`;

/** Releases a lock only if this request still holds it (its token): an expired lock taken over is left alone. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A critical section longer than this lets the lock go (a replica that died holding it blocks no one for long). */
const LOCK_MS = 5_000;

/** How often a hung store is tried again with a fresh connection. */
const PROBE_MS = 200;

export interface RedisStoreOptions {
  url: string;
  prefix: string;
  /** Longest wait for one command (and for the connection). */
  timeoutMs: number;
  /** Seconds an expired token is kept (the memory store's expiredRetention): its key's TTL includes them. */
  expiredRetention: number;
  /** One line per change of reachability (lost, back). */
  log: (line: string) => void;
}

const encode = (r: TokenRecord) =>
  JSON.stringify(r, (k, v: unknown) => (k === 'expiresAt' && v === Number.POSITIVE_INFINITY ? null : v));
const decode = (raw: string): TokenRecord => {
  const r = JSON.parse(raw) as TokenRecord & { expiresAt: number | null };
  if (r.expiresAt === null) r.expiresAt = Number.POSITIVE_INFINITY;
  return r as TokenRecord;
};

/** A command that found no answer within the store's timeout (a paused or partitioned Redis never says no). */
class NoAnswer extends Error {}

export interface StoreHealth {
  reachable: boolean;
  /** Since when it has been unreachable (ISO), and why. */
  since?: string;
  reason?: string;
}

/**
 * A client connected within the deadline, or an error: @redis/client's connectTimeout covers the TCP connect
 * only, and a paused Redis accepts the connection (its kernel does) but never answers the handshake.
 */
async function connectClient(
  options: RedisStoreOptions,
  onEvent: (client: RedisClientType, event: 'error' | 'ready', e?: Error) => void,
): Promise<RedisClientType> {
  const { createClient } = await importCjs(import('@redis/client'));
  let connected = false;
  const client = createClient({
    url: options.url,
    // Commands fail at once while Redis is away (the request gets a 503), instead of queueing without bound.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.timeoutMs,
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(50 * 2 ** Math.min(retries, 5), 1_000) : cause,
    },
  }) as unknown as RedisClientType;
  client.on('error', (e: Error) => onEvent(client, 'error', e));
  client.on('ready', () => onEvent(client, 'ready'));
  try {
    await withDeadline(client.connect(), options.timeoutMs);
    connected = true;
    return client;
  } catch (e) {
    try {
      client.destroy();
    } catch {
      // closed already by the failed connect
    }
    throw e instanceof NoAnswer ? new Error(`no answer within ${options.timeoutMs} ms`) : e;
  }
}

/** The promise, or NoAnswer after `ms`: @redis/client 5's own command timeout only runs while a command waits to be written. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswer()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export class RedisGrantStore implements GrantStore {
  readonly shared = true;
  readonly description: string;
  /** The JSON each record was read or written as: what a swap compares with. */
  private readonly raw = new WeakMap<object, string>();
  private readonly shas = new Map<string, string>();
  private outage: { since: Date; reason: string } | undefined;
  /**
   * Set when a command found no answer in time: the connection is dropped and commands fail at once (no queue
   * grows behind a hung server) while a fresh connection is tried every PROBE_MS until one answers.
   */
  private hung = false;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private client: RedisClientType,
    private readonly options: RedisStoreOptions,
  ) {
    this.description = safeStoreUrl(options.url);
  }

  static async connect(options: RedisStoreOptions): Promise<RedisGrantStore> {
    let store: RedisGrantStore | undefined;
    // Before the first connection, a failure ends the start (one line, exit 3); afterwards the client reconnects.
    const client = await connectClient(options, (c, event, e) => store?.clientEvent(c, event, e)).catch(
      (e: unknown) => {
        throw new StoreUnavailable(`cannot reach the store ${safeStoreUrl(options.url)}: ${(e as Error).message}`);
      },
    );
    store = new RedisGrantStore(client, options);
    return store;
  }

  /** Reachability for /__admin/health. */
  health(): StoreHealth {
    return this.outage
      ? { reachable: false, since: this.outage.since.toISOString(), reason: this.outage.reason }
      : { reachable: true };
  }

  /** One log line when an outage starts and one when it ends, whichever way it was noticed. */
  private reachability(reachable: boolean, reason = ''): void {
    if (reachable === !this.outage) return;
    if (reachable) {
      const seconds = ((Date.now() - this.outage!.since.getTime()) / 1000).toFixed(1);
      this.outage = undefined;
      this.options.log(`idpc mock: store ${this.description} reachable again after ${seconds} s`);
    } else {
      this.outage = { since: new Date(), reason };
      this.options.log(
        `idpc mock: store ${this.description} unreachable (${reason}): answering 503 temporarily_unavailable until it is back`,
      );
    }
  }

  private clientEvent(client: RedisClientType, event: 'error' | 'ready', e?: Error): void {
    if (client !== this.client || this.hung) return; // a dropped connection's last words
    if (event === 'error') this.reachability(false, e?.message || e?.name || 'connection error');
    else this.reachability(true);
  }

  /** Every round trip: at once StoreUnavailable while the store hangs, else the answer within the timeout. */
  private async roundTrip<T>(send: (client: RedisClientType) => Promise<T>): Promise<T> {
    if (this.hung || this.closed)
      throw new StoreUnavailable(`store ${this.description}: ${this.outage?.reason ?? 'closed'}`);
    const client = this.client;
    try {
      return await withDeadline(send(client), this.options.timeoutMs);
    } catch (e) {
      if (e instanceof NoAnswer) this.declareHung(client);
      throw e;
    }
  }

  private declareHung(client: RedisClientType): void {
    if (client !== this.client || this.hung) return;
    this.hung = true;
    this.reachability(false, `no answer within ${this.options.timeoutMs} ms`);
    // Its pending commands were answered 503 already; what Redis may still send them goes nowhere.
    try {
      client.destroy();
    } catch {
      // already closed
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.probe = setTimeout(() => void this.reconnect(), PROBE_MS);
    this.probe.unref();
  }

  private async reconnect(): Promise<void> {
    let client: RedisClientType | undefined;
    try {
      client = await connectClient(this.options, (c, event, e) => this.clientEvent(c, event, e));
      await withDeadline(client.sendCommand(['PING']), this.options.timeoutMs);
      if (this.closed) return void client.destroy();
      this.client = client;
      this.hung = false;
      this.reachability(true);
    } catch {
      try {
        client?.destroy();
      } catch {
        // closed already
      }
      this.scheduleProbe();
    }
  }

  private key(kind: string, id: string): string {
    return `${this.options.prefix}:${kind}:${id}`;
  }

  /** Milliseconds until Redis may forget a record: its expiry plus the retention, never for an eternal token. */
  private ttlMs(expiresAt: number, now: number): number {
    if (!Number.isFinite(expiresAt)) return 0;
    return Math.max(1, Math.ceil((expiresAt + this.options.expiredRetention - now) * 1000));
  }

  private async command<T>(args: string[]): Promise<T> {
    try {
      return (await this.roundTrip((client) => client.sendCommand(args))) as T;
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  /** EVALSHA, loading the script the first time and again after Redis restarted (NOSCRIPT). */
  private async script<T>(source: string, keys: string[], args: string[]): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let sha = this.shas.get(source);
      if (!sha) this.shas.set(source, (sha = await this.command<string>(['SCRIPT', 'LOAD', source])));
      try {
        return (await this.roundTrip((client) =>
          client.sendCommand(['EVALSHA', sha, String(keys.length), ...keys, ...args]),
        )) as T;
      } catch (e) {
        if (!/NOSCRIPT/.test((e as Error).message)) throw this.unavailable(e);
        this.shas.delete(source);
      }
    }
    throw new StoreUnavailable('the store keeps forgetting its scripts');
  }

  private unavailable(e: unknown): StoreUnavailable {
    if (e instanceof NoAnswer)
      return new StoreUnavailable(`store ${this.description}: no answer within ${this.options.timeoutMs} ms`);
    return e instanceof StoreUnavailable
      ? e
      : new StoreUnavailable(`store ${this.description}: ${(e as Error).message || (e as Error).name}`);
  }

  private remember(record: TokenRecord, raw: string): TokenRecord {
    this.raw.set(record, raw);
    return record;
  }

  async live<K extends TokenRecord['kind']>(kind: K, value: string): Promise<RecordOf<K> | undefined> {
    const raw = await this.script<string | null>(LIVE, [this.key(kind, value)], [`${this.options.prefix}:grant:`]);
    return raw ? (this.remember(decode(raw), raw) as RecordOf<K>) : undefined;
  }

  async put(records: TokenRecord[], now: number): Promise<void> {
    const args: string[] = [];
    for (const r of records) {
      const raw = encode(r);
      this.raw.set(r, raw);
      args.push(raw, String(this.ttlMs(r.expiresAt, now)));
    }
    await this.script(
      PUT,
      records.map((r) => this.key(r.kind, r.value)),
      args,
    );
  }

  async swap(
    current: TokenRecord & { kind: 'refresh' },
    next: TokenRecord & { kind: 'refresh' },
    created: TokenRecord[],
    removedAccess: string[],
    now: number,
  ): Promise<boolean> {
    const expected = this.raw.get(current) ?? encode(current);
    const nextRaw = encode(next);
    const args = [expected, nextRaw, String(created.length)];
    for (const r of created) {
      const raw = encode(r);
      this.raw.set(r, raw);
      args.push(raw, String(this.ttlMs(r.expiresAt, now)));
    }
    const keys = [
      this.key('refresh', current.value),
      ...created.map((r) => this.key(r.kind, r.value)),
      ...removedAccess.map((v) => this.key('access', v)),
    ];
    const won = (await this.script<number>(SWAP, keys, args)) === 1;
    if (won) this.raw.set(next, nextRaw);
    return won;
  }

  async delete(kind: TokenRecord['kind'], value: string): Promise<void> {
    await this.command(['DEL', this.key(kind, value)]);
  }

  async revokeGrant(grantId: string, until: number, now: number): Promise<void> {
    const ttl = this.ttlMs(until, now);
    await this.command(
      ttl > 0 ? ['SET', this.key('grant', grantId), '1', 'PX', String(ttl)] : ['SET', this.key('grant', grantId), '1'],
    );
  }

  async reused(key: string): Promise<string | undefined> {
    return (await this.command<string | null>(['GET', this.key('reuse', key)])) ?? undefined;
  }

  async setReused(key: string, accessValue: string, until: number, now: number): Promise<void> {
    const ttl = this.ttlMs(until, now);
    await this.command(
      ttl > 0
        ? ['SET', this.key('reuse', key), accessValue, 'PX', String(ttl)]
        : ['SET', this.key('reuse', key), accessValue],
    );
  }

  async *records(kind: TokenRecord['kind']): AsyncIterable<TokenRecord> {
    for await (const keys of this.scan(`${this.options.prefix}:${kind}:*`)) {
      if (keys.length === 0) continue;
      const raws = await this.command<(string | null)[]>(['MGET', ...keys]);
      for (const raw of raws) if (raw) yield this.remember(decode(raw), raw);
    }
  }

  private async *scan(match: string): AsyncIterable<string[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.command<[string, string[]]>(['SCAN', cursor, 'MATCH', match, 'COUNT', '1000']);
      cursor = next;
      yield keys;
    } while (cursor !== '0');
  }

  async getDoc<T>(key: string): Promise<T | undefined> {
    const raw = await this.command<string | null>(['GET', this.key('doc', key)]);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async getDocs(keys: string[]): Promise<unknown[]> {
    // MGET with no key is a Redis error ("wrong number of arguments"), not an empty answer.
    if (keys.length === 0) return [];
    const raws = await this.command<(string | null)[]>(['MGET', ...keys.map((k) => this.key('doc', k))]);
    return raws.map((raw) => (raw === null ? undefined : JSON.parse(raw)));
  }

  async putDoc(key: string, doc: unknown, until: number, now: number): Promise<void> {
    const ttl = this.ttlMs(until, now);
    await this.command(['SET', this.key('doc', key), JSON.stringify(doc), ...(ttl > 0 ? ['PX', String(ttl)] : [])]);
  }

  async putDocOnce<T>(key: string, doc: T, until: number, now: number): Promise<T> {
    const ttl = this.ttlMs(until, now);
    // SET NX GET (Redis >= 7): the previous value if there was one, else nil and ours is stored.
    const held = await this.command<string | null>([
      'SET',
      this.key('doc', key),
      JSON.stringify(doc),
      'NX',
      'GET',
      ...(ttl > 0 ? ['PX', String(ttl)] : []),
    ]);
    return held === null ? doc : (JSON.parse(held) as T);
  }

  async deleteDoc(key: string): Promise<void> {
    await this.command(['DEL', this.key('doc', key)]);
  }

  async addMember(key: string, member: string, until: number, now: number): Promise<void> {
    const k = this.key('set', key);
    const ttl = this.ttlMs(until, now);
    try {
      await this.roundTrip((client) => {
        const multi = client.multi();
        multi.addCommand(['SADD', k, member]);
        // The set lives as long as its longest-lived member may (GT: an expiry is only ever moved later).
        multi.addCommand(ttl > 0 ? ['PEXPIRE', k, String(ttl), 'GT'] : ['PERSIST', k]);
        multi.addCommand(ttl > 0 ? ['PEXPIRE', k, String(ttl), 'NX'] : ['PERSIST', k]);
        return multi.exec();
      });
    } catch (e) {
      throw this.unavailable(e);
    }
  }

  async members(key: string): Promise<string[]> {
    return this.command<string[]>(['SMEMBERS', this.key('set', key)]);
  }

  async removeMember(key: string, member: string): Promise<void> {
    await this.command(['SREM', this.key('set', key), member]);
  }

  async add(key: string, delta: number): Promise<number> {
    return this.command<number>(['INCRBY', this.key('count', key), String(delta)]);
  }

  async pushNumbered(key: string, item: string, max: number): Promise<void> {
    await this.script(PUSH_NUMBERED, [this.key('list', key), this.key('count', `${key}:n`)], [item, String(max)]);
  }

  async items(key: string): Promise<string[]> {
    return this.command<string[]>(['LRANGE', this.key('list', key), '0', '-1']);
  }

  async deleteList(key: string): Promise<void> {
    await this.command(['DEL', this.key('list', key)]);
  }

  async exclusive<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const lock = this.key('lock', key);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const deadline = performance.now() + this.options.timeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      if ((await this.command<string | null>(['SET', lock, token, 'NX', 'PX', String(LOCK_MS)])) === 'OK') break;
      if (performance.now() > deadline)
        throw new StoreUnavailable(`store ${this.description}: ${key} stayed locked for ${this.options.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, wait * (0.5 + Math.random())));
    }
    try {
      return await critical();
    } finally {
      await this.script(UNLOCK, [lock], [token]).catch(() => undefined); // gone with Redis: it expires by itself
    }
  }

  /** Everything under the prefix (a reset: "as started", for every replica). */
  async clear(): Promise<void> {
    for await (const keys of this.scan(`${this.options.prefix}:*`))
      if (keys.length) await this.command(['UNLINK', ...keys]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probe);
    if (this.hung) return;
    try {
      await this.client.close();
    } catch {
      await this.client.destroy();
    }
  }
}
