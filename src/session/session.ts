/**
 * The HTTP session of a run: it forms the requests a flavour expects (client authentication styles, the flavour's
 * required parameters, the resource's headers), sends them through the guest transport, and remembers every token
 * it saw (redacted in every output, logged out at the end). It judges nothing.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { jsonObject as json } from '../checks/define.js';
import type { FlavourDescriptor } from '../flavours/index.js';
import { RunInterrupted, type Transport } from './http.js';
import type { Exchange, Target, TargetClient } from '../vocabulary/types.js';

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
  /** Leave out the extra parameters the provider requires (e.g. Rator's brand key); the others are still sent. */
  withoutRequired?: boolean;
  /** Basic credentials encoded the strictest way real clients do (TE-B3), instead of the minimal form encoding. */
  strictBasic?: boolean;
  /** A login beyond the declared session limit, on purpose (TE-M3); otherwise the session opens only within it. */
  beyondSessionLimit?: boolean;
}

/** A login session the run opened (a password grant's refresh token names it; a refresh moves it to the new token). */
interface OpenSession {
  username: string;
  client: TargetClient;
  refreshToken: string;
  /** A browser login's session (held by its cookie jar): its code exchanges share it, the newest token ends it. */
  login?: object;
}

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
/**
 * The strictest application/x-www-form-urlencoded a real client sends in Basic: oauth4webapi (panva/oauth4webapi
 * src/index.ts formUrlEncode) also percent-encodes - _ . ! ~ * ' ( ), so "my-client" becomes "my%2Dclient".
 * A server that does not form-url-decode Basic credentials (RFC 6749 §2.3.1) refuses it.
 */
export const strictFormEncode = (s: string) =>
  formEncode(s).replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The sessions the run could not log out reached the user's session limit: it opens no more (the run ends INCOMPLETE). */
export class SessionsExhausted extends RunInterrupted {}

export type ClientAuthStyle = 'basic' | 'post' | 'none' | 'both';

/**
 * How a client identifies itself in a request, the one place this is decided (token, revocation, logout):
 * - basic: `Authorization: Basic` with id and secret form-urlencoded first (RFC 6749 §2.3.1);
 * - post: client_id and client_secret in the body;
 * - none: client_id alone (a public client; or a confidential one leaving its secret out on purpose);
 * - both: Basic and the body at once (TE-B6, a request that must be refused).
 * A client without a secret sends client_id in the body whatever its style.
 */
export function authenticate(
  client: TargetClient,
  style: ClientAuthStyle,
  pairs: [string, string][],
  headers: Record<string, string>,
  options: { secret?: string; strictBasic?: boolean } = {},
): void {
  const secret = options.secret ?? client.clientSecret;
  const basic = (style === 'basic' || style === 'both') && secret !== undefined;
  if (basic) {
    const enc = options.strictBasic ? strictFormEncode : formEncode;
    headers.authorization = `Basic ${Buffer.from(`${enc(client.clientId)}:${enc(secret)}`).toString('base64')}`;
  }
  if (!basic || style === 'both') {
    if (!pairs.some(([k]) => k === 'client_id')) pairs.push(['client_id', client.clientId]);
    if ((style === 'post' || style === 'both') && secret !== undefined && !pairs.some(([k]) => k === 'client_secret'))
      pairs.push(['client_secret', secret]);
  }
}

/** A form request of a client (revocation, logout): its authentication, the parameters, the content type. */
function clientForm(
  client: TargetClient,
  params: [string, string][],
  style: ClientAuthStyle = client.auth,
): { headers: Record<string, string>; body: string } {
  const pairs = [...params];
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  authenticate(client, style, pairs, headers);
  return { headers, body: new URLSearchParams(pairs).toString() };
}

export class Session {
  /** Token values seen in responses: redacted in every output. */
  readonly tokensSeen = new Set<string>();
  /** Sessions the run opened and has not logged out, oldest first (tracked where the target has a logout endpoint). */
  private readonly open: OpenSession[] = [];
  /** The newest refresh token of each stored chain (a technical user's), by client id: the run refreshes only that. */
  private readonly heads = new Map<string, string>();
  /** Logins the run could not end (no refresh token, no logout endpoint, a failed logout), by user. */
  private readonly leaked: { username: string; why: string }[] = [];
  /** Told when a stored refresh token moved on (and where it was written). */
  onStoredRotation: (line: string) => void = () => {};

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
    const grantType = params.find(([k]) => k === 'grant_type')?.[1];
    const username = params.find(([k]) => k === 'username')?.[1];
    // A guest never holds more sessions than the target allows a user: the oldest is logged out first.
    // A guest never holds more sessions than the target allows a user: the oldest is logged out first, and when the
    // sessions it could not log out (no refresh token, a failed logout) reach the limit, it opens no more.
    const limit = this.target.sessionLimit;
    if (grantType === 'password' && username && limit && !options.beyondSessionLimit) {
      while (this.openSessions(username) > 0 && this.openSessions(username) + this.leakedOf(username) >= limit)
        await this.closeSession(this.open.find((x) => x.username === username)!);
      if (this.leakedOf(username) >= limit) {
        throw new SessionsExhausted(
          `stopped before opening a session beyond user "${username}"'s limit of ${limit} (policies.sessionLimit): ${this.leakedOf(username)} session(s) could not be logged out (${[...new Set(this.leaked.filter((l) => l.username === username).map((l) => l.why))].join('; ')})`,
        );
      }
    }
    const pairs: [string, string][] = [...params];
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (client)
      authenticate(client, options.auth ?? client.auth, pairs, headers, {
        ...(options.secretOverride !== undefined ? { secret: options.secretOverride } : {}),
        ...(options.strictBasic ? { strictBasic: true } : {}),
      });
    for (const [k, v] of Object.entries(this.target.extraParams)) {
      if (options.withoutRequired && this.target.requiredParams.includes(k)) continue;
      if (!pairs.some(([n]) => n === k)) pairs.push([k, v]);
    }
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
    this.trackSession(grantType, username, params, client, exchange);
    this.trackStored(params, client, exchange);
    return exchange;
  }

  /** The stored refresh token's current head for a client (its configured token until a refresh replaces it). */
  storedHead(client: TargetClient): string {
    return this.heads.get(client.clientId) ?? client.refreshToken!;
  }

  /**
   * A refresh that presented a stored chain's head and got a new refresh token moves the head: the run never holds
   * on to a token the server may have retired. With a refreshTokenFile, the newest is written there (mode 0600), so
   * that the user keeps a working credential whatever the server's rotation.
   */
  private trackStored(params: [string, string][], client: TargetClient | undefined, e: Exchange): void {
    if (!client?.refreshToken || e.response?.status !== 200) return;
    const presented =
      params.find(([k]) => k === 'grant_type')?.[1] === 'refresh_token'
        ? params.find(([k]) => k === 'refresh_token')?.[1]
        : undefined;
    const issued = json(e)?.refresh_token;
    if (
      presented === undefined ||
      presented !== this.storedHead(client) ||
      typeof issued !== 'string' ||
      issued === presented
    )
      return;
    this.heads.set(client.clientId, issued);
    if (client.refreshTokenFile) {
      writeFileSync(client.refreshTokenFile, `${issued}\n`, { mode: 0o600 });
      chmodSync(client.refreshTokenFile, 0o600);
      this.onStoredRotation(
        `the stored refresh token of client "${client.clientId}" was rotated: the newest is in ${client.refreshTokenFile}`,
      );
    }
  }

  private trackSession(
    grantType: string | undefined,
    username: string | undefined,
    params: [string, string][],
    client: TargetClient | undefined,
    e: Exchange,
  ): void {
    const issued = e.response?.status === 200 ? json(e)?.refresh_token : undefined;
    // A login the run cannot end: where sessions matter (a logout endpoint, a declared limit), it is counted.
    if (
      grantType === 'password' &&
      username &&
      e.response?.status === 200 &&
      (typeof issued !== 'string' || !this.target.logoutUrl) &&
      (this.target.logoutUrl || this.target.sessionLimit)
    ) {
      this.leaked.push({
        username,
        why:
          typeof issued !== 'string'
            ? 'the grant issued no refresh token to log it out with'
            : 'the target has no logout endpoint (endpoints.logout)',
      });
      return;
    }
    if (!this.target.logoutUrl || typeof issued !== 'string' || !client) return;
    if (grantType === 'password' && username) this.open.push({ username, client, refreshToken: issued });
    else if (grantType === 'refresh_token') {
      const presented = params.find(([k]) => k === 'refresh_token')?.[1];
      const s = this.open.find((x) => x.refreshToken === presented);
      if (s) s.refreshToken = issued;
    }
  }

  /**
   * A browser login's session, ended at the end of the run (or before a login beyond the user's limit) with the
   * newest refresh token one of its code exchanges got: every exchange of one login (SSO) shares one session.
   */
  holdLogin(login: object, username: string, client: TargetClient, refreshToken: string): void {
    if (!this.target.logoutUrl) return;
    const held = this.open.find((x) => x.login === login);
    if (held) held.refreshToken = refreshToken;
    else this.open.push({ username, client, refreshToken, login });
  }

  /** Before a browser login: room under the user's session limit, as before a password grant. */
  async beforeLogin(username: string): Promise<void> {
    const limit = this.target.sessionLimit;
    if (!limit) return;
    while (this.openSessions(username) > 0 && this.openSessions(username) + this.leakedOf(username) >= limit)
      await this.closeSession(this.open.find((x) => x.username === username)!);
    if (this.leakedOf(username) >= limit)
      throw new SessionsExhausted(
        `stopped before a browser login beyond user "${username}"'s limit of ${limit} (policies.sessionLimit): ${this.leakedOf(username)} session(s) could not be logged out`,
      );
  }

  /** Sessions the run holds for a user. */
  openSessions(username: string): number {
    return this.open.filter((x) => x.username === username).length;
  }

  /** Sessions of a user the run could not end. */
  leakedOf(username: string): number {
    return this.leaked.filter((l) => l.username === username).length;
  }

  /** What the run leaves open, per user and reason (the report warns of it). */
  leftOpen(): { username: string; sessions: number; why: string }[] {
    const by = new Map<string, { username: string; sessions: number; why: string }>();
    for (const l of this.leaked) {
      const k = `${l.username}\u0000${l.why}`;
      const e = by.get(k) ?? by.set(k, { username: l.username, sessions: 0, why: l.why }).get(k)!;
      e.sessions++;
    }
    return [...by.values()];
  }

  private async closeSession(s: OpenSession): Promise<void> {
    this.open.splice(this.open.indexOf(s), 1);
    const { headers, body } = clientForm(s.client, [['refresh_token', s.refreshToken]]);
    const e = await this.transport
      .send('POST', this.target.logoutUrl!, headers, body, { housekeeping: true })
      .catch((err: unknown) => ({ error: (err as Error).message }) as Partial<Exchange>);
    const status = e.response?.status;
    if (status === undefined || status >= 300)
      this.leaked.push({ username: s.username, why: `a logout answered ${status ?? e.error ?? 'nothing'}` });
  }

  /** Logs out every session the run still holds (after each scenario: the run ends with none open). */
  async closeSessions(): Promise<void> {
    while (this.open.length) await this.closeSession(this.open[0]!).catch(() => undefined);
  }

  /** The bearer resource with this access token (none: no Authorization header); undefined when the target has none. */
  async resource(
    accessToken: string | undefined,
    options: { inQuery?: boolean; headers?: Record<string, string | undefined>; scheme?: string } = {},
  ): Promise<Exchange | undefined> {
    const r = this.target.resource;
    if (!r) return undefined;
    const headers: Record<string, string> = { ...r.headers, ...this.target.resourceHeaders };
    // Overrides: a value replaces the configured header, undefined leaves it out (TE-A12 resource).
    for (const [k, v] of Object.entries(options.headers ?? {})) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === k.toLowerCase()) delete headers[name];
      if (v !== undefined) headers[k] = v;
    }
    let url = r.url;
    if (accessToken !== undefined && options.inQuery) {
      const u = new URL(url);
      u.searchParams.set('access_token', accessToken);
      url = u.href;
    } else if (accessToken !== undefined) headers.authorization = `${options.scheme ?? 'Bearer'} ${accessToken}`;
    return this.send(r.method, url, headers, r.body);
  }

  /**
   * RFC 7009 revocation. The client authenticates as it does at the token endpoint (RFC 7009 §2.1 refers to RFC 6749
   * §2.3): Basic unless it declares otherwise, since Basic is the one method every server MUST take (§2.3.1).
   */
  revoke(client: TargetClient, params: Record<string, string>, auth: ClientAuthStyle = client.auth): Promise<Exchange> {
    const { headers, body } = clientForm(client, Object.entries(params), auth);
    return this.send('POST', this.target.revocationUrl!, headers, body);
  }

  /** Ends the session a refresh token names (Keycloak's logout endpoint: the client's authentication, refresh_token). */
  async logout(client: TargetClient, refreshToken: string): Promise<Exchange> {
    const { headers, body } = clientForm(client, [['refresh_token', refreshToken]]);
    const e = await this.send('POST', this.target.logoutUrl!, headers, body);
    const s = this.open.find((x) => x.refreshToken === refreshToken);
    if (s && (e.response?.status ?? 500) < 300) this.open.splice(this.open.indexOf(s), 1);
    return e;
  }

  private harvestTokens(exchange: Exchange): void {
    const body = json(exchange);
    for (const k of ['access_token', 'refresh_token', 'id_token'])
      if (typeof body?.[k] === 'string') this.tokensSeen.add(body[k] as string);
  }
}

export { jsonObject as json } from '../checks/define.js';
