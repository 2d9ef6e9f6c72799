/**
 * The HTTP session of a run: it forms the requests a flavour expects (client authentication styles, the flavour's
 * required parameters, the resource's headers), sends them through the guest transport, and remembers every token
 * it saw (redacted in every output, logged out at the end). It judges nothing.
 */
import { jsonObject as json } from '../checks/define.js';
import type { FlavourDescriptor } from '../flavours/index.js';
import type { Transport } from './http.js';
import type { Exchange, Target, TargetClient } from './types.js';

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

export class Session {
  /** Token values seen in responses: redacted in every output. */
  readonly tokensSeen = new Set<string>();

  constructor(
    readonly target: Target,
    readonly descriptor: FlavourDescriptor,
    readonly transport: Transport,
    /** Sees every exchange (the context judges TE-N1 on it). */
    private readonly observe: (exchange: Exchange) => void = () => {},
  ) {}

  async send(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Exchange> {
    const exchange = await this.transport.send(method, url, headers, body);
    this.observe(exchange);
    return exchange;
  }

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
    const exchange = await this.send(method, url, headers, body);
    this.harvestTokens(exchange);
    return exchange;
  }

  /** The bearer resource with this access token (none: no Authorization header); undefined when the target has none. */
  async resource(accessToken: string | undefined, options: { inQuery?: boolean } = {}): Promise<Exchange | undefined> {
    const r = this.target.resource;
    if (!r) return undefined;
    const headers: Record<string, string> = { ...r.headers, ...this.target.resourceHeaders };
    let url = r.url;
    if (accessToken !== undefined && options.inQuery) {
      const u = new URL(url);
      u.searchParams.set('access_token', accessToken);
      url = u.href;
    } else if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
    return this.send(r.method, url, headers, r.body);
  }

  /** RFC 7009 revocation, the client authenticating in the body (the flavours' documented style). */
  revoke(client: TargetClient, params: Record<string, string>): Promise<Exchange> {
    const body = new URLSearchParams({ ...params, client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}) });
    return this.send('POST', this.target.revocationUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
  }

  /** Ends the session a refresh token names (Keycloak's logout endpoint). */
  logout(client: TargetClient, refreshToken: string): Promise<Exchange> {
    const body = new URLSearchParams({ client_id: client.clientId, ...(client.clientSecret ? { client_secret: client.clientSecret } : {}), refresh_token: refreshToken });
    return this.send('POST', this.target.logoutUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, body.toString());
  }

  private harvestTokens(exchange: Exchange): void {
    const body = json(exchange);
    for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body?.[k] === 'string') this.tokensSeen.add(body[k] as string);
  }
}

export { jsonObject as json } from '../checks/define.js';
