/**
 * Routing and faults: a request finds its route (or the flavour's not-found answer), planted deviations bend the
 * request and the answer, configured faults delay, replace or cut it, and the journal records what went out. With a
 * shared store the clock and the control plane are synced before each request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from './clock.js';
import { Faults, type ActiveFault } from './faults.js';
import type { FlavourServer, MockContext, ResolvedMockConfig, Route } from './flavour.js';
import { StoreUnavailable } from './grant-store.js';
import type { MockRequest, MockResponse } from './http.js';
import type { Journal, RawJournalEntry } from './journal.js';
import { plantRequest, plantResponse, plantsRequests, plantsResponses } from './planted.js';
import type { SharedControl } from './shared-control.js';

export interface DispatchParts {
  config: ResolvedMockConfig;
  clock: Clock;
  journal: Journal;
  faults: Faults;
  control?: SharedControl | undefined;
  /** The flavour's server and context as they are now (a reset builds new ones). */
  flavour(): FlavourServer;
  context(): MockContext;
}

export type Dispatch = (req: IncomingMessage, res: ServerResponse, request: MockRequest, started: number) => void;

function applyResponseFaults(response: MockResponse, faults: ActiveFault[]): MockResponse {
  let out = response;
  for (const f of faults) {
    if (f.kind === 'truncated-json')
      out = { ...out, body: out.body.slice(0, Math.max(1, Math.floor(out.body.length / 2))) };
    if (f.kind === 'malformed-json')
      out = { ...out, body: out.body.includes(':') ? out.body.replace(':', ' ') : `${out.body}{` };
    if (f.kind === 'wrong-content-type')
      out = { ...out, headers: { ...out.headers, 'Content-Type': 'text/html; charset=utf-8' } };
  }
  return out;
}

/** The first route that matches a path, with its parameters. */
export function findRoute(routes: Route[], path: string): { route?: Route; params: Record<string, string> } {
  for (const r of routes) {
    const m = r.match(path);
    if (m) return { route: r, params: m };
  }
  return { params: {} };
}

/** The answer a fault that replaces the response gives: a rate limit, or a status with the flavour's error or a set body. */
function faultAnswer(flavour: FlavourServer, fault: ActiveFault): MockResponse {
  if (fault.kind === 'rate-limit') {
    const r = flavour.errorResponse(429, 'temporarily_unavailable', 'Too many requests');
    r.headers['Retry-After'] = String(fault.retryAfter ?? 1);
    return r;
  }
  const status = fault.status ?? 503;
  if (fault.body !== undefined)
    return {
      status,
      headers: { 'Content-Type': /^\s*[[{]/.test(fault.body) ? 'application/json' : 'text/plain; charset=utf-8' },
      body: fault.body,
    };
  return flavour.errorResponse(status, status >= 500 ? 'temporarily_unavailable' : 'invalid_request', 'Injected fault');
}

/** Routes, plants and faults each request, answers it and journals it (its methods, in request order). */
export class Dispatcher {
  private readonly planted: ResolvedMockConfig['plantedDeviations'];
  private readonly plantedAnswers: boolean;
  private readonly plantedRequests: boolean;

  constructor(private readonly parts: DispatchParts) {
    this.planted = parts.config.plantedDeviations;
    this.plantedAnswers = plantsResponses(this.planted);
    this.plantedRequests = plantsRequests(this.planted);
  }

  /** With a shared store, the clock and the control plane are synced first and "the next N requests" count in the store. */
  readonly dispatch: Dispatch = (req, res, request, started) => {
    const { faults, control } = this.parts;
    if (!control) {
      const { route, params } = findRoute(this.parts.flavour().routes, request.path);
      this.dispatchRoute(
        req,
        res,
        request,
        started,
        route,
        params,
        faults.size === 0 ? [] : faults.fire(route?.name, request.path),
      );
      return;
    }
    control
      .sync()
      .then(async () => {
        const { route, params } = findRoute(this.parts.flavour().routes, request.path);
        this.dispatchRoute(
          req,
          res,
          request,
          started,
          route,
          params,
          faults.size === 0 ? [] : await control.fire(route?.name, request.path),
        );
      })
      .catch((e: unknown) => this.respond(res, request, this.failed(request, e)));
  };

  private respond(res: ServerResponse, request: MockRequest, given: MockResponse, route?: Route): void {
    const response = this.plantedAnswers ? plantResponse(this.planted, route?.name, request, given) : given;
    // Handlers build a fresh headers object per response, so it is safe to complete it in place.
    const headers = response.headers;
    if (request.method !== 'HEAD') headers['Content-Length'] = String(Buffer.byteLength(response.body));
    res.writeHead(response.status, response.cookies?.length ? { ...headers, 'Set-Cookie': response.cookies } : headers);
    res.end(request.method === 'HEAD' ? undefined : response.body);
  }

  private record(
    request: MockRequest,
    started: number,
    route: Route | undefined,
    status: number | undefined,
    response?: MockResponse,
    fault?: string,
  ): void {
    const { journal, clock, control } = this.parts;
    if (!journal.enabled) return;
    const note = response?.note;
    // One flat object per request: this runs on the hot path, parsing and redaction wait until someone reads it.
    const entry: RawJournalEntry = {
      atMs: clock.nowMs(),
      method: request.method,
      path: request.path,
      rawQuery: request.rawQuery,
      headers: request.headers,
      formBody:
        request.body.length && /x-www-form-urlencoded/i.test(String(request.headers['content-type']))
          ? request.body
          : undefined,
      route: route?.name,
      status,
      durationMs: performance.now() - started,
      grantType: note?.grantType,
      clientId: note?.clientId,
      clientAuth: note?.clientAuth,
      fault,
    };
    // Shared: every replica reads it (redacted as written); a store gone loses the entry, never the answer.
    if (control) control.record(entry).catch(() => undefined);
    else journal.record(entry);
  }

  private failed(request: MockRequest, e: unknown): MockResponse {
    // The shared store is away (its client logged it once): 503 in the flavour's format, and no token handed out.
    if (e instanceof StoreUnavailable) {
      const r = this.parts
        .flavour()
        .errorResponse(503, 'temporarily_unavailable', 'The token store is unavailable; try again shortly');
      r.headers['Retry-After'] = '1';
      return r;
    }
    // A mock must never leave a request unanswered; an exception here is our bug, made visible as a 500.
    process.stderr.write(
      `idpc mock: internal error on ${request.method} ${request.path}: ${(e as Error).stack ?? String(e)}\n`,
    );
    return this.parts.flavour().errorResponse(500, 'server_error', 'Internal Server Error');
  }

  private handled(
    request: MockRequest,
    route: Route | undefined,
    params: Record<string, string>,
  ): MockResponse | Promise<MockResponse> {
    return route ? route.handle(request, params) : this.parts.flavour().notFound(request);
  }

  /** The common case (no fault, synchronous handler) stays synchronous: no promise per request. */
  private dispatchRoute(
    req: IncomingMessage,
    res: ServerResponse,
    received: MockRequest,
    started: number,
    route: Route | undefined,
    params: Record<string, string>,
    fired: ActiveFault[],
  ): void {
    const request = this.plantedRequests
      ? plantRequest(this.planted, route?.name, received, this.parts.context())
      : received;
    if (fired.length > 0) {
      this.dispatchWithFaults(req, res, request, started, route, params, fired).catch((e: unknown) =>
        this.respond(res, request, this.failed(request, e)),
      );
      return;
    }
    let result: MockResponse | Promise<MockResponse>;
    try {
      result = this.handled(request, route, params);
    } catch (e) {
      result = this.failed(request, e);
    }
    const finish = (response: MockResponse) => {
      this.respond(res, request, response, route);
      this.record(request, started, route, response.status, response);
    };
    if (result instanceof Promise) result.then(finish, (e: unknown) => finish(this.failed(request, e)));
    else finish(result);
  }

  private async dispatchWithFaults(
    req: IncomingMessage,
    res: ServerResponse,
    request: MockRequest,
    started: number,
    route: Route | undefined,
    params: Record<string, string>,
    fired: ActiveFault[],
  ): Promise<void> {
    for (const f of fired) if (f.kind === 'latency') await sleep(Faults.delayOf(f));
    const socketFault = fired.find((f) => f.kind === 'connection-reset' || f.kind === 'empty-response');
    if (socketFault) {
      this.record(request, started, route, undefined, undefined, socketFault.kind);
      // connection-reset: TCP RST; empty-response: the connection closes without a byte of response.
      if (socketFault.kind === 'connection-reset') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    const statusFault = fired.find((f) => f.kind === 'status' || f.kind === 'rate-limit');
    let response: MockResponse;
    if (statusFault) response = faultAnswer(this.parts.flavour(), statusFault);
    else {
      try {
        response = await this.handled(request, route, params);
      } catch (e) {
        response = this.failed(request, e);
      }
    }
    response = applyResponseFaults(response, fired);
    this.respond(res, request, response, route);
    this.record(request, started, route, response.status, response, fired.map((f) => f.kind).join(','));
  }
}
