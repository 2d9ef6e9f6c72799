import { setTimeout as sleep } from 'node:timers/promises';
import type { Exchange } from '../vocabulary/types.js';
import { importCjs } from '../util/import-cjs.js';
import { TARGET_BUDGET_DEFAULTS } from '../generated/defaults.js';

type Undici = Pick<typeof import('undici'), 'Agent' | 'errors'>;
type Agent = InstanceType<Undici['Agent']>;
let undici: Promise<Undici> | undefined;
/**
 * undici loads with the first request: `--plan`, `checks` and `validate` never pay for it. Only its Agent and its
 * errors (nodejs/undici lib/dispatcher/agent.js, lib/core/errors.js; the version is pinned): its index.js would
 * also load fetch, WebSocket, cookies and caches, a third of a short run's start-up CPU that no run uses.
 */
const loadUndici = () =>
  (undici ??= Promise.all([
    importCjs(import('undici/lib/dispatcher/agent.js') as Promise<object>),
    importCjs(import('undici/lib/core/errors.js') as Promise<object>),
  ]).then(([Agent, errors]) => ({ Agent: Agent as Undici['Agent'], errors: errors as Undici['errors'] })));

interface BoundedAnswer {
  status: number;
  headers: Record<string, string[]>;
  bytes: Buffer;
  exceeded: boolean;
}

/** Bytes of a binary answer kept as evidence (base64): enough to recognise a gzip header or a PNG, no more. */
const BINARY_EXCERPT_BYTES = 96;
const TEXT_TYPE =
  /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml)\b|application\/(?:x-www-form-urlencoded|javascript|problem\+json|jwt)\b)/i;

/**
 * An answer body as text, or, when it is not text (a Content-Encoding the runner does not undo, such as a gzip bomb,
 * a non-text type, bytes that are not UTF-8 or hold NULs), a one-line description with a short base64 excerpt: a
 * binary megabyte decoded as UTF-8 and escaped into JSON and HTML reports grew to several times its size.
 */
export function bodyOf(
  bytes: Buffer,
  headers: Record<string, string[]>,
): { body: string; binary?: { bytes: number; excerpt: string } } {
  const encoding = headers['content-encoding']?.[0]?.trim().toLowerCase();
  const type = headers['content-type']?.[0]?.trim() ?? '';
  let why: string | undefined =
    encoding && encoding !== 'identity'
      ? `Content-Encoding ${encoding}`
      : type && !TEXT_TYPE.test(type)
        ? `Content-Type ${type}`
        : undefined;
  let text = '';
  if (!why) {
    try {
      // stream: a body cut at the cap may end inside a character; that is no reason to call it binary.
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
      if (text.includes('\u0000')) why = 'NUL bytes';
    } catch {
      why = 'bytes that are not UTF-8';
    }
  }
  if (!why) return { body: text };
  const body = `[binary body: ${bytes.length} bytes read (${why}${type ? `, ${type}` : ''}); not shown as text]`;
  return { body, binary: { bytes: bytes.length, excerpt: bytes.subarray(0, BINARY_EXCERPT_BYTES).toString('base64') } };
}

/**
 * One request through undici's dispatcher, its answer read by a handler that keeps at most `cap` bytes and aborts
 * beyond them or after `deadline` (a body trickled in under the per-gap timeout still ends then). No stream per
 * answer (undici's request() wraps every body in a Readable: a fifth of the runner's CPU per request).
 */
function dispatchBounded(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  cap: number,
  deadline: number,
): Promise<BoundedAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let status = 0;
    let answerHeaders: Record<string, string[]> = {};
    let settled = false;
    const done = (exceeded: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ status, headers: answerHeaders, bytes: Buffer.concat(chunks, size), exceeded });
    };
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as 'POST',
        headers,
        ...(body !== undefined ? { body } : {}),
      },
      {
        // undici tells a handler of its current interface by this method (lib/handler/wrap-handler.js): required.
        onRequestStart() {},
        onResponseStart(_controller, statusCode, h) {
          status = statusCode;
          answerHeaders = {};
          for (const [k, v] of Object.entries(h)) if (v !== undefined) answerHeaders[k] = Array.isArray(v) ? v : [v];
        },
        onResponseData(controller, chunk) {
          if (settled) return;
          if (performance.now() > deadline) {
            settled = true;
            controller.abort(
              Object.assign(new Error(`the answer's body did not end within the timeout`), { name: 'TimeoutError' }),
            );
            reject(
              Object.assign(new Error(`the answer's body did not end within the timeout`), { name: 'TimeoutError' }),
            );
            return;
          }
          if (size + chunk.length > cap) {
            chunks.push(chunk.subarray(0, cap - size));
            size = cap;
            done(true);
            controller.abort(new Error('body cap reached'));
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        },
        onResponseEnd() {
          done(false);
        },
        onResponseError(_controller, error) {
          if (settled) return;
          settled = true;
          reject(error);
        },
      },
    );
  });
}

/** The run cannot go on (budget, target gone, asked to wait too long): the runner turns it into a verdict. */
export class RunInterrupted extends Error {}
export class BudgetExceeded extends RunInterrupted {}
/** Nothing can be judged: the target never answered (exit 3). */
export class TargetUnreachable extends RunInterrupted {}
/** The target answered before, then stopped answering (the run is INCOMPLETE). */
export class TargetStopped extends RunInterrupted {}
/** The target throttles beyond what the run can wait for (TE-N2): stop politely, INCOMPLETE, with the answers as evidence. */
export class TargetThrottled extends RunInterrupted {
  constructor(
    message: string,
    readonly evidence: Exchange[],
  ) {
    super(message);
  }
}
/** A 429/503 Retry-After longer than the run can afford (TE-N2). */
export class RetryAfterTooLong extends TargetThrottled {}
/** 429/503 answer after answer, each waited for, until waiting longer is beyond the run's means (TE-N2). */
export class ThrottledPersistently extends TargetThrottled {}

/**
 * Retry-After in seconds (RFC 9110 §10.2.3: delay-seconds = 1*DIGIT, or an HTTP-date), or undefined when the value
 * is neither: "1.5" or "soon" are no instruction (Date.parse("1.5") is a day in 2001, which would mean: now).
 */
export function retryAfterSeconds(value: string, now = Date.now()): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept (RFC 9110 §5.6.7).
  const HTTP_DATE =
    /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;
  if (!HTTP_DATE.test(v)) return undefined;
  const at = Date.parse(/GMT$/.test(v) ? v : `${v} GMT`);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

/** Back-off for a 429/503 without a usable Retry-After: 1 s, 2 s, 4 s, ... (deterministic: the verdict is seed-stable). */
const BACKOFF_FIRST_MS = 1_000;
/** Throttled answers in a row (each waited for) after which the target counts as throttling persistently. */
const THROTTLED_IN_A_ROW = 5;

/** Consecutive timeouts after which a target that answered before counts as stopped. */
const STOPPED_AFTER_TIMEOUTS = 3;

export interface TransportOptions {
  maxRequests: number;
  maxBadCredentialAttempts: number;
  ratePerSecond: number;
  timeoutMs: number;
  /** Longest Retry-After the runner waits for (--max-wait, budget.maxWaitSeconds; default 60 s); a longer one ends the run INCOMPLETE. */
  maxWaitSeconds?: number;
  /** Largest answer body read (default 1 MiB): the read stops there, whatever the target sends (TE-N3). */
  maxBodyBytes?: number;
  /** Exchanges the log keeps (default 500, the latest): with LOGGED_BODY_CHARS, the log's memory is bounded however long the run. */
  logLimit?: number;
  /** TLS towards the target: extra CAs (added to Node's), a client certificate and key (mTLS), or no verification. */
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
}

/** The target's certificate (or ours) was refused in the TLS handshake: a setting to fix, not a finding (exit 2). */
export class TlsProblem extends RunInterrupted {}

/** OpenSSL's verification codes as Node reports them, in words that name the setting to fix. */
const TLS_PROBLEMS: [RegExp, string][] = [
  [
    /^DEPTH_ZERO_SELF_SIGNED_CERT$|^SELF_SIGNED_CERT_IN_CHAIN$/,
    'its certificate is self-signed (or signed by a CA Node does not know): give that certificate or its CA with tls.ca / --tls-ca',
  ],
  [
    /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$|^UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?$/,
    'its certificate is signed by an unknown CA: give the CA with tls.ca / --tls-ca',
  ],
  [
    /^ERR_TLS_CERT_ALTNAME_INVALID$|^HOSTNAME_MISMATCH$/,
    "its certificate is for another name than the URL's host: use the name the certificate names in the URL",
  ],
  [/^CERT_HAS_EXPIRED$/, 'its certificate has expired'],
  [/^CERT_NOT_YET_VALID$/, "its certificate is not valid yet (or this machine's clock is wrong)"],
  [
    /CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_HANDSHAKE_FAILURE/,
    'it asks for a client certificate (mTLS) and got none it accepts: give tls.cert and tls.key / --tls-cert and --tls-key',
  ],
  [/^CERT_|_CERT_|^ERR_SSL_|^ERR_TLS_/, 'the TLS handshake failed'],
];

/** A TLS handshake failure in one line, or undefined when the error is something else. */
export function tlsProblem(err: Error & { code?: string }, url: string): string | undefined {
  const code = err.code ?? '';
  const found = TLS_PROBLEMS.find(([re]) => re.test(code));
  return found ? `TLS: ${new URL(url).host}: ${found[1]} (${code})` : undefined;
}

/** The target config schema's defaults (src/generated/defaults.ts): the largest body read, the longest wait. */
export const DEFAULT_MAX_BODY_BYTES = TARGET_BUDGET_DEFAULTS.maxBodyBytes;
/** The longest a run waits, for a Retry-After or for a token to expire, unless --max-wait says otherwise. */
export const DEFAULT_MAX_WAIT_SECONDS = TARGET_BUDGET_DEFAULTS.maxWaitSeconds;
/** What the transport's own log keeps of a body (its evidence keeps up to maxBodyBytes): memory stays flat. */
const LOGGED_BODY_CHARS = 64 * 1024;
const DEFAULT_LOG_LIMIT = 500;

/**
 * The runner's HTTP client: a guest on someone else's server. A global request budget, a separate small budget
 * for bad-credential attempts (lockouts), a rate limit, timeouts, and 429/503 waited for: as long as Retry-After
 * says, or with exponential back-off when it says nothing usable, never beyond --max-wait in all.
 */
export class Transport {
  requests = 0;
  badCredentialAttempts = 0;
  /** The latest exchanges (at most twice logLimit; trimmed in bulk): evidence of property failures and scenario errors. */
  readonly log: Exchange[] = [];
  /** Exchanges dropped from the front of the log. */
  private logOffset = 0;
  private nextSlot = 0;
  private answered = 0;
  private consecutiveTimeouts = 0;
  private consecutiveFailures = 0;
  /** The 429/503 answers in a row (over any requests) and the time waited for them: TE-N2's evidence and measure. */
  private throttled: Exchange[] = [];
  private throttledWaitMs = 0;

  /** This run's own connection pool: its timeouts are the run's, and close() ends its keep-alive connections. */
  private agent: Agent | undefined;
  private client: Undici | undefined;

  constructor(readonly options: TransportOptions) {}

  /** Closes the run's connections (idle keep-alive sockets would otherwise hold the target's resources). */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close().catch(() => undefined);
  }

  private async dispatcher(): Promise<{ u: Undici; agent: Agent }> {
    const u = (this.client ??= await loadUndici());
    // One deadline per phase, no AbortSignal per request (measured: ~10% of the runner's CPU): connecting, the
    // answer's headers and each gap in its body are bounded by the timeout, and dispatchBounded bounds the whole body.
    this.agent ??= await this.newAgent(u);
    return { u, agent: this.agent };
  }

  /** The run's pool, with the target's TLS settings, through the proxy that HTTPS_PROXY / HTTP_PROXY name (NO_PROXY honoured). */
  private async newAgent(u: Undici): Promise<Agent> {
    const tls = this.options.tls;
    // A CA of the target's is added to Node's own roots, not put in their place.
    const { rootCertificates } = await import('node:tls');
    const tlsOptions = {
      ...(tls?.ca ? { ca: [...rootCertificates, tls.ca] } : {}),
      ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}),
      ...(tls?.insecure ? { rejectUnauthorized: false } : {}),
    };
    const options = {
      connect: { timeout: this.options.timeoutMs, ...tlsOptions },
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
    };
    const env = process.env;
    if (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy) {
      // undici's EnvHttpProxyAgent reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (nodejs/undici lib/dispatcher/env-http-proxy-agent.js).
      const EnvHttpProxyAgent = (await importCjs(
        import('undici/lib/dispatcher/env-http-proxy-agent.js') as Promise<object>,
      )) as typeof import('undici').EnvHttpProxyAgent;
      return new EnvHttpProxyAgent({
        ...options,
        requestTls: { ...tlsOptions, timeout: this.options.timeoutMs },
      }) as unknown as Agent;
    }
    return new u.Agent(options);
  }

  /** A position in the log (every exchange ever logged counts): logSince(position) gives what came after it. */
  logPosition(): number {
    return this.logOffset + this.log.length;
  }

  /** The exchanges logged since `position` that the log still keeps (a very long scenario keeps its latest). */
  logSince(position: number): Exchange[] {
    return this.log.slice(Math.max(0, position - this.logOffset));
  }

  /** Reserves one bad-credential attempt; false when that budget is spent (the check is then skipped, not failed). */
  takeBadCredentialAttempt(): boolean {
    if (this.badCredentialAttempts >= this.options.maxBadCredentialAttempts) return false;
    this.badCredentialAttempts++;
    return true;
  }

  /** Housekeeping requests (logging out the sessions the run opened): not charged to the budget, at most one per session. */
  housekeeping = 0;

  async send(
    method: string,
    url: string,
    headers: Record<string, string> = {},
    body?: string,
    options: { housekeeping?: boolean } = {},
  ): Promise<Exchange> {
    for (;;) {
      const exchange = await this.once(method, url, headers, body, options.housekeeping);
      const status = exchange.response?.status;
      if (status !== 429 && status !== 503) {
        if (exchange.response) this.throttled = [];
        if (exchange.response) this.throttledWaitMs = 0;
        return exchange;
      }
      this.throttled.push(exchange);
      const origin = new URL(url).origin;
      const affordable = this.options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
      const given = exchange.response!.headers['retry-after']?.[0];
      const asked = given === undefined ? undefined : retryAfterSeconds(given);
      if (asked !== undefined && asked > affordable) {
        throw new RetryAfterTooLong(
          `TE-N2: ${origin} answered ${status} with Retry-After ${given}, longer than the run can afford (${affordable} s): stopped without further requests`,
          [...this.throttled],
        );
      }
      // Without a usable Retry-After: exponential back-off (RFC 6585 §4 leaves the wait to the client).
      const waitMs =
        asked !== undefined ? asked * 1000 : BACKOFF_FIRST_MS * 2 ** Math.min(this.throttled.length - 1, 16);
      const said =
        given === undefined
          ? 'without Retry-After'
          : asked === undefined
            ? `with an unusable Retry-After "${given}"`
            : `with Retry-After ${given}`;
      if (this.throttled.length >= THROTTLED_IN_A_ROW || this.throttledWaitMs + waitMs > affordable * 1000) {
        throw new ThrottledPersistently(
          `TE-N2: ${origin} throttled ${this.throttled.length} answers in a row (the last ${status} ${said}) after ${(this.throttledWaitMs / 1000).toFixed(1)} s of waiting; waiting longer is beyond the run's means (--max-wait ${affordable} s): stopped without further requests`,
          [...this.throttled],
        );
      }
      this.throttledWaitMs += waitMs;
      // Every request waits, not only this one's retry: the rate limiter's next slot moves past the wait.
      this.nextSlot = Math.max(this.nextSlot, performance.now() + waitMs);
    }
  }

  private async once(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: string,
    housekeeping = false,
  ): Promise<Exchange> {
    if (housekeeping) this.housekeeping++;
    else {
      if (this.requests >= this.options.maxRequests)
        throw new BudgetExceeded(`request budget of ${this.options.maxRequests} spent`);
      this.requests++;
    }
    // Rate limit: requests are spaced 1/rate apart (concurrent callers queue for their slot).
    const interval = 1000 / this.options.ratePerSecond;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await sleep(slot - now);
    const { u, agent } = await this.dispatcher();
    const errors = u.errors;
    const started = performance.now();
    const exchange: Exchange = {
      request: { method, url, headers, ...(body !== undefined ? { body } : {}) },
      durationMs: 0,
    };
    try {
      const r = await dispatchBounded(
        agent,
        new URL(url),
        method,
        headers,
        body,
        this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        started + this.options.timeoutMs,
      );
      const { exceeded } = r;
      const { body: text, binary } = bodyOf(r.bytes, r.headers);
      exchange.response = { status: r.status, headers: r.headers, body: text, ...(binary ? { binary } : {}) };
      if (exceeded) exchange.bodyExceeded = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      this.answered++;
      this.consecutiveTimeouts = 0;
      this.consecutiveFailures = 0;
    } catch (e) {
      const err = e as Error & { code?: string; cause?: Error & { code?: string } };
      exchange.error = `${err.code ?? err.name}: ${err.message}`;
      // A certificate problem is the configuration's, never a finding about the target (TE-A11).
      const tls = tlsProblem(err, url) ?? (err.cause ? tlsProblem(err.cause, url) : undefined);
      if (tls) throw new TlsProblem(tls);
      // TLS 1.3 refuses a missing client certificate after the handshake: the client sees only a closed connection.
      // Before any answer, on https, without a certificate of ours, that is the likely cause.
      if (err.code === 'UND_ERR_SOCKET' && this.answered === 0 && url.startsWith('https:') && !this.options.tls?.cert) {
        throw new TlsProblem(
          `TLS: ${new URL(url).host}: closed the connection right after the handshake, before any answer: it likely asks for a client certificate (mTLS): give tls.cert and tls.key / --tls-cert and --tls-key (${err.code})`,
        );
      }
      if (
        err.code === 'ECONNREFUSED' ||
        err.code === 'ENOTFOUND' ||
        err.code === 'EAI_AGAIN' ||
        err instanceof errors.ConnectTimeoutError
      ) {
        throw new TargetUnreachable(`${new URL(url).origin} is unreachable (${err.code ?? err.name})`);
      }
      // A reset or broken socket: a few among many answers are TE-A11 findings; a target that never answered, or
      // one that resets request after request, cannot be judged (unreachable, or stopped).
      if (
        !(
          err.name === 'TimeoutError' ||
          err.name === 'AbortError' ||
          err instanceof errors.HeadersTimeoutError ||
          err instanceof errors.BodyTimeoutError
        )
      ) {
        this.consecutiveFailures++;
        if (this.answered === 0 && this.consecutiveFailures >= STOPPED_AFTER_TIMEOUTS)
          throw new TargetUnreachable(
            `${new URL(url).origin} is unreachable: ${this.consecutiveFailures} requests in a row failed (${err.code ?? err.name})`,
          );
        if (this.consecutiveFailures >= 2 * STOPPED_AFTER_TIMEOUTS)
          throw new TargetStopped(
            `${new URL(url).origin} stopped answering: ${this.consecutiveFailures} requests in a row failed (${err.code ?? err.name})`,
          );
      }
      if (
        err.name === 'TimeoutError' ||
        err.name === 'AbortError' ||
        err instanceof errors.HeadersTimeoutError ||
        err instanceof errors.BodyTimeoutError
      ) {
        // One slow answer is a finding (TE-N1) and the run goes on; a target that never answered cannot be judged (exit 3),
        // and one that stopped answering ends the run INCOMPLETE.
        if (this.answered === 0)
          throw new TargetUnreachable(`${new URL(url).origin} did not answer within ${this.options.timeoutMs} ms`);
        if (++this.consecutiveTimeouts >= STOPPED_AFTER_TIMEOUTS)
          throw new TargetStopped(
            `${new URL(url).origin} stopped answering: ${this.consecutiveTimeouts} requests in a row got no answer within ${this.options.timeoutMs} ms`,
          );
        exchange.timedOut = true;
      }
    }
    exchange.durationMs = Math.round(performance.now() - started);
    this.log.push(
      exchange.response && exchange.response.body.length > LOGGED_BODY_CHARS
        ? { ...exchange, response: { ...exchange.response, body: exchange.response.body.slice(0, LOGGED_BODY_CHARS) } }
        : exchange,
    );
    const limit = this.options.logLimit ?? DEFAULT_LOG_LIMIT;
    if (this.log.length > 2 * limit) {
      const drop = this.log.length - limit;
      this.log.splice(0, drop);
      this.logOffset += drop;
    }
    return exchange;
  }
}

/**
 * Reads at most `cap` bytes of a body and stops (the connection is closed): a 200 MB answer or an endless stream
 * costs the run `cap` bytes, never more. Decodes UTF-8 once at the end.
 */
