import { checkSpec, severityOf } from '../checks/catalog.js';
import { errorCode, FLAVOURS, type ExpectedError, type FailureCause, type FlavourDescriptor } from '../flavours/index.js';
import { validateCapture } from '../validate/capture.js';
import type { Transport } from './http.js';
import type { CheckResult, Exchange, Target, TargetClient } from './types.js';

/** Thrown inside a property to fail it with a check id and evidence (fast-check then shrinks, on mocks). */
export class CheckFailure extends Error {
  constructor(
    readonly check: string,
    message: string,
    readonly exchanges: Exchange[],
  ) {
    super(`${check}: ${message}`);
  }
}

export interface TokenRequestOptions {
  /** Who authenticates, and how (default: the client's own style). */
  client?: TargetClient;
  auth?: 'basic' | 'post' | 'none' | 'both';
  secretOverride?: string;
  method?: string;
  contentType?: string;
  /** Raw body instead of the form (JSON body, ...). */
  rawBody?: string;
  query?: string;
  headers?: Record<string, string>;
  /** Leave out the flavour's required extra parameters (e.g. Rator's brand key). */
  withoutExtras?: boolean;
}

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

/**
 * What suites work with: the target, the transport, and the record of every check's verdict.
 * Checks are recorded here as passes or failures with evidence; severity comes from the profile.
 */
export class RunContext {
  readonly results = new Map<string, CheckResult>();
  readonly descriptor: FlavourDescriptor;
  /** Token values seen in responses: redacted in every output. */
  readonly tokensSeen = new Set<string>();

  constructor(
    readonly target: Target,
    readonly transport: Transport,
    readonly seed: number,
    readonly numRuns: number,
  ) {
    this.descriptor = FLAVOURS[target.flavour];
  }

  get isMock(): boolean {
    return this.target.mock !== undefined;
  }

  // ---- requests -------------------------------------------------------------------------------------------

  async token(params: [string, string][], options: TokenRequestOptions = {}): Promise<Exchange> {
    const client = options.client;
    const pairs: [string, string][] = [...params];
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const auth = options.auth ?? client?.auth ?? 'none';
    const secret = options.secretOverride ?? client?.clientSecret;
    if (client && (auth === 'basic' || auth === 'both') && secret !== undefined) {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic.
      headers.authorization = `Basic ${Buffer.from(`${formEncode(client.clientId)}:${formEncode(secret)}`).toString('base64')}`;
    }
    if (client && (auth === 'post' || auth === 'both' || auth === 'none')) {
      if (!pairs.some(([k]) => k === 'client_id')) pairs.push(['client_id', client.clientId]);
      if ((auth === 'post' || auth === 'both') && secret !== undefined) pairs.push(['client_secret', secret]);
    }
    if (!options.withoutExtras) for (const [k, v] of Object.entries(this.target.extraParams)) if (!pairs.some(([n]) => n === k)) pairs.push([k, v]);
    const method = options.method ?? 'POST';
    const formBody = new URLSearchParams(pairs).toString();
    let url = client?.tokenUrl ?? this.target.tokenUrl;
    let body: string | undefined = options.rawBody ?? formBody;
    if (method === 'GET') {
      url += (url.includes('?') ? '&' : '?') + formBody;
      body = undefined;
    } else {
      headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
    }
    if (options.query) url += (url.includes('?') ? '&' : '?') + options.query;
    const exchange = await this.transport.send(method, url, headers, body);
    this.harvestTokens(exchange);
    return exchange;
  }

  async resource(accessToken: string | undefined): Promise<Exchange | undefined> {
    const r = this.target.resource;
    if (!r) return undefined;
    const headers: Record<string, string> = { ...r.headers, ...this.target.resourceHeaders, ...(accessToken !== undefined ? { authorization: `Bearer ${accessToken}` } : {}) };
    return this.transport.send(r.method, r.url, headers, r.body);
  }

  private harvestTokens(exchange: Exchange): void {
    const body = json(exchange);
    for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body?.[k] === 'string') this.tokensSeen.add(body[k] as string);
  }

  // ---- verdicts -------------------------------------------------------------------------------------------

  private result(suite: string, check: string): CheckResult {
    const key = `${suite}:${check}`;
    let r = this.results.get(key);
    if (!r) {
      const spec = checkSpec(check);
      // The client that refreshes (and replays) is the user client, else the service client (refresh.ts freshGrant).
      const publicClient = (this.target.clients.user ?? this.target.clients.service)?.public;
      r = { suite, check, title: spec.title, requirement: spec.requirement, url: spec.url, status: 'pass', severity: severityOf(check, this.target.profile, publicClient === undefined ? {} : { publicClient }), passes: 0, failures: 0 };
      this.results.set(key, r);
    }
    return r;
  }

  pass(suite: string, check: string): void {
    this.result(suite, check).passes++;
  }

  /**
   * A check that did not run. 'untested' (the default: missing configuration, budget, a failed precondition) keeps
   * a run from CONFORMS when the check is required; 'not-applicable' means the target lacks the feature altogether
   * (no refresh tokens issued, no scopes, no revocation endpoint in the flavour).
   */
  skip(suite: string, check: string, reason: string, kind: 'untested' | 'not-applicable' = 'untested'): void {
    const r = this.result(suite, check);
    if (r.passes === 0 && r.failures === 0) {
      r.status = 'skip';
      r.message = reason;
      r.skipKind = kind;
    }
  }

  /**
   * A failed expectation. When the flavour documents this departure (descriptor deviations), it is recorded
   * as a documented deviation instead; the first failure's evidence is kept.
   */
  fail(suite: string, check: string, message: string, exchanges: Exchange[], counterexample?: CheckResult['counterexample']): void {
    const r = this.result(suite, check);
    const last = exchanges.at(-1);
    const deviation = last?.response ? this.descriptor.deviations.find((d) => d.checks.includes(check) && d.applies({ response: last.response!, body: json(last) })) : undefined;
    if (deviation) {
      r.passes++;
      if (!r.deviation) {
        r.deviation = { reason: deviation.reason, source: deviation.source };
        r.message ??= message;
        r.evidence ??= exchanges;
      }
      return;
    }
    r.failures++;
    if (r.failures === 1) {
      r.message = message;
      r.evidence = exchanges;
      if (counterexample) r.counterexample = counterexample;
    }
  }

  /** A finding below the check's own severity (a legal difference from the flavour's schema): reported as a warning. */
  warn(suite: string, check: string, message: string, exchanges: Exchange[]): void {
    const r = this.result(suite, check);
    r.warnings = (r.warnings ?? 0) + 1;
    if (r.failures === 0 && r.warnings === 1) {
      r.message = message;
      r.evidence = exchanges;
    }
  }

  /** Records a pass or a failure; returns the condition. */
  expect(suite: string, check: string, ok: boolean, message: string, exchanges: Exchange[]): boolean {
    if (ok) this.pass(suite, check);
    else this.fail(suite, check, message, exchanges);
    return ok;
  }

  /** Records the verdict of a pure rule (src/checks/rules.ts) over the exchanges it judged. */
  judge(suite: string, check: string, verdict: { passed: boolean; message: string }, exchanges: Exchange[]): boolean {
    return this.expect(suite, check, verdict.passed, verdict.message, exchanges);
  }

  /** Like expect, but throws a CheckFailure so that a fast-check property fails (and shrinks). */
  require(suite: string, check: string, ok: boolean, message: string, exchanges: Exchange[]): void {
    if (!ok) throw new CheckFailure(check, message, exchanges);
    this.pass(suite, check);
  }

  /** RFC 6749 §5.1 / §5.2 rules and the flavour schema over one answer (TE-C*, TE-D*, TE-A11). */
  responseChecks(suite: string, exchange: Exchange, kind: 'token-response' | 'token-error'): void {
    const r = exchange.response;
    if (!r) {
      this.fail(suite, 'TE-A11', `no response: ${exchange.error ?? 'unknown transport failure'}`, [exchange]);
      return;
    }
    this.expect(suite, 'TE-A11', r.status < 500, `status ${r.status}`, [exchange]);
    if (r.status >= 500) return;
    const report = validateCapture({ flavour: this.target.flavour, kind, response: r, profile: this.target.profile });
    const failedRules = new Set<string>();
    for (const f of report.findings) {
      if (f.rule === 'TE-C6' || f.rule === 'TE-C16') continue;
      failedRules.add(f.rule);
      if (f.severity === 'info' && f.deviation) {
        const res = this.result(suite, f.rule);
        res.passes++;
        res.deviation ??= f.deviation;
        res.evidence ??= [exchange];
        res.message ??= `${f.path}: ${f.message}`;
      } else if (f.severity === 'warning' && this.result(suite, f.rule).severity === 'error') this.warn(suite, f.rule, `${f.path || '(body)'}: ${f.message}`, [exchange]);
      else this.fail(suite, f.rule, `${f.path || '(body)'}: ${f.message}`, [exchange]);
    }
    const checked = kind === 'token-response' ? ['TE-C1', 'TE-C2', 'TE-C3', 'TE-C4', 'TE-C5', 'TE-C7', 'TE-C13', 'TE-C14', 'TE-C17'] : ['TE-D1', 'TE-D2', 'TE-D3', 'TE-D5', 'TE-D7'];
    for (const rule of checked) if (!failedRules.has(rule)) this.pass(suite, rule);
    if (kind === 'token-response') {
      const hasExpiresIn = json(exchange)?.expires_in !== undefined;
      this.expect(suite, 'TE-C6', hasExpiresIn, 'expires_in is missing (RECOMMENDED)', [exchange]);
    }
  }

  /** The flavour's documented answer for a failure cause (TE-FL), and the RFC check that the cause maps to. */
  expectError(suite: string, exchange: Exchange, cause: FailureCause, rfc?: { check: string; status: number[]; error: string[] }): void {
    const r = exchange.response;
    const exercised = rfc?.check ?? 'TE-FL';
    // No cascades: a refused request that got a token fails its own check once; a 5xx is TE-A11 only.
    if (r?.status === 200) {
      this.fail(suite, exercised, `${cause}: the request should have been refused and got a token (200)`, [exchange]);
      return;
    }
    if (!r || r.status >= 500) {
      this.fail(suite, 'TE-A11', `while exercising ${exercised} (${cause}): ${r ? `status ${r.status}` : (exchange.error ?? 'no response')}`, [exchange]);
      return;
    }
    this.responseChecks(suite, exchange, 'token-error');
    const body = json(exchange);
    const code = errorCode(body);
    if (rfc) {
      const ok = rfc.status.includes(r.status) && rfc.error.includes(code ?? '');
      this.expect(suite, rfc.check, ok, `${cause}: got ${r.status} ${code ?? '(no error code)'}, expected ${rfc.status.join('/')} ${rfc.error.join('/')}`, [exchange]);
    }
    const expected = this.expectedError(cause);
    if (expected) {
      const description = typeof body?.error_description === 'string' ? body.error_description : undefined;
      const descriptionOk =
        expected.description === undefined || (expected.description.endsWith('...') ? (description ?? '').startsWith(expected.description.slice(0, -3)) : description === expected.description);
      const ok = r.status === expected.status && code === expected.error && descriptionOk;
      this.expect(suite, 'TE-FL', ok, `${cause}: got ${r.status} ${code ?? '-'} ${JSON.stringify(description ?? null)}, the flavour documents ${expected.status} ${expected.error}${expected.description ? ` "${expected.description}"` : ''}`, [exchange]);
    }
  }

  expectedError(cause: FailureCause): ExpectedError | undefined {
    const byPreset = this.target.preset ? this.descriptor.expectedErrorsByPreset?.[this.target.preset]?.[cause] : undefined;
    return byPreset ?? this.descriptor.expectedErrors[cause];
  }

  /** A successful token response: status, headers and schemas; the tokens it carries. */
  expectTokens(suite: string, check: string, exchange: Exchange): Record<string, unknown> | undefined {
    const r = exchange.response;
    const ok = r?.status === 200;
    this.expect(suite, check, ok, `expected 200 with tokens, got ${r ? `${r.status} ${r.body.slice(0, 200)}` : exchange.error}`, [exchange]);
    if (!ok) {
      if (r) this.expect(suite, 'TE-A11', r.status < 500, `status ${r.status}`, [exchange]);
      return undefined;
    }
    this.responseChecks(suite, exchange, 'token-response');
    return json(exchange);
  }
}

export function json(exchange: Exchange | undefined): Record<string, unknown> | undefined {
  const text = exchange?.response?.body;
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

