import { setTimeout as sleep } from 'node:timers/promises';
import { errors, request } from 'undici';
import type { Exchange } from './types.js';

export class BudgetExceeded extends Error {}
export class TargetUnreachable extends Error {}

export interface TransportOptions {
  maxRequests: number;
  maxBadCredentialAttempts: number;
  ratePerSecond: number;
  timeoutMs: number;
  /** Longest Retry-After the runner will honour before giving up on a 429/503. */
  maxRetryAfterSeconds?: number;
}

/**
 * The runner's HTTP client: a guest on someone else's server. A global request budget, a separate small budget
 * for bad-credential attempts (lockouts), a rate limit, timeouts, and 429/503 Retry-After honoured once.
 */
export class Transport {
  requests = 0;
  badCredentialAttempts = 0;
  readonly log: Exchange[] = [];
  private nextSlot = 0;

  constructor(readonly options: TransportOptions) {}

  /** Reserves one bad-credential attempt; false when that budget is spent (the check is then skipped, not failed). */
  takeBadCredentialAttempt(): boolean {
    if (this.badCredentialAttempts >= this.options.maxBadCredentialAttempts) return false;
    this.badCredentialAttempts++;
    return true;
  }

  async send(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Exchange> {
    const exchange = await this.once(method, url, headers, body);
    const status = exchange.response?.status;
    const retryAfter = exchange.response?.headers['retry-after']?.[0];
    if ((status === 429 || status === 503) && retryAfter !== undefined) {
      const seconds = /^\d+$/.test(retryAfter) ? Number(retryAfter) : Math.max(0, (Date.parse(retryAfter) - Date.now()) / 1000);
      if (Number.isFinite(seconds) && seconds <= (this.options.maxRetryAfterSeconds ?? 30)) {
        await sleep(seconds * 1000);
        return this.once(method, url, headers, body);
      }
    }
    return exchange;
  }

  private async once(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Exchange> {
    if (this.requests >= this.options.maxRequests) throw new BudgetExceeded(`request budget of ${this.options.maxRequests} spent`);
    this.requests++;
    // Rate limit: requests are spaced 1/rate apart (concurrent callers queue for their slot).
    const interval = 1000 / this.options.ratePerSecond;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await sleep(slot - now);
    const started = performance.now();
    const exchange: Exchange = { request: { method, url, headers, ...(body !== undefined ? { body } : {}) }, durationMs: 0 };
    try {
      const r = await request(url, {
        method: method as 'POST',
        headers,
        ...(body !== undefined ? { body } : {}),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await r.body.text();
      const h: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v : [v];
      exchange.response = { status: r.statusCode, headers: h, body: text };
    } catch (e) {
      const err = e as Error & { code?: string };
      exchange.error = `${err.code ?? err.name}: ${err.message}`;
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err instanceof errors.ConnectTimeoutError) {
        throw new TargetUnreachable(`${new URL(url).origin} is unreachable (${err.code ?? err.name})`);
      }
      if (err.name === 'TimeoutError' || err.name === 'AbortError' || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError) {
        // A target that does not answer within the timeout cannot be judged: the run ends (exit 3).
        throw new TargetUnreachable(`${new URL(url).origin} did not answer within ${this.options.timeoutMs} ms`);
      }
    }
    exchange.durationMs = Math.round(performance.now() - started);
    this.log.push(exchange);
    return exchange;
  }
}
