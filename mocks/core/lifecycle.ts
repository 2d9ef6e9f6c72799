/**
 * A mock server's lifecycle: listening (or being handed connections by a primary), reading request bodies within the
 * limit, answering malformed HTTP, counting traffic, and draining on close.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { FlavourServer, ResolvedMockConfig } from './flavour.js';
import type { GrantStore } from './grant-store.js';

/** How long a drain keeps an idle keep-alive connection open for a request its client may already have sent. */
const IDLE_GRACE_MS = 250;

export interface ServeOptions {
  /**
   * Instead of listening itself, the server is handed its connections (a replica behind `idpc mock --replicas`, whose
   * primary listens): `attach` wires the server up and says the public address its URLs name.
   */
  attach?: (server: Server) => { host: string; port: number };
}

/** Open connections, with the answers in progress on each and when the last one finished: what a drain waits for. */
export class Connections {
  readonly traffic = { received: 0, answered: 0 };
  private readonly open = new Map<Socket, { busy: number; idleSince: number }>();
  private drainingSince: number | undefined;

  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.open.set(socket, { busy: 0, idleSince: performance.now() });
      socket.once('close', () => this.open.delete(socket));
    });
  }

  /** Counts a request and its answer; while draining, the answer is its connection's last (Connection: close). */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.traffic.received++;
    res.once('finish', () => this.traffic.answered++);
    const connection = this.open.get(req.socket);
    if (connection) {
      connection.busy++;
      res.once('close', () => {
        connection.busy--;
        connection.idleSince = performance.now();
      });
    }
    if (this.drainingSince !== undefined) res.setHeader('Connection', 'close');
  }

  /**
   * Stops accepting and drains: every answer from now on says Connection: close, a request already on its way over
   * an open keep-alive connection is still read and answered (a connection is ended only once it has been idle for
   * IDLE_GRACE_MS since the drain began), and after `drainMs` whatever is still open is reset. Node's own
   * http.Server.close() ends idle keep-alive connections at once: a request a client had just sent on one was
   * reset unread (15 of 40 at full speed), so the listener is closed as a net.Server and idle ones are ended here.
   */
  close(server: Server, store: GrantStore, drainMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const since = (this.drainingSince = performance.now());
      // Done when the listener is closed and every connection is gone (handed ones are not the listener's to count).
      let listenerClosed = !server.listening;
      if (server.listening) NetServer.prototype.close.call(server, () => (listenerClosed = true));
      const sweep = setInterval(() => {
        const now = performance.now();
        for (const [socket, c] of this.open)
          if (c.busy === 0 && now - Math.max(c.idleSince, since) >= IDLE_GRACE_MS) socket.end();
        if (listenerClosed && this.open.size === 0) {
          clearInterval(sweep);
          clearTimeout(force);
          store.close().then(resolve, resolve);
        }
      }, 25);
      const force = setTimeout(() => {
        for (const socket of this.open.keys()) socket.destroy();
      }, drainMs);
      force.unref();
    });
  }
}

/** Reads a request body up to `maxBody` bytes; beyond it the body is dropped and the request marked too large. */
export function readBody(req: IncomingMessage, maxBody: number, then: (body: Buffer, tooLarge: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody) {
      tooLarge = true;
      chunks.length = 0;
    } else if (!tooLarge) chunks.push(chunk);
  });
  req.on('end', () =>
    then(
      tooLarge || chunks.length === 0 ? Buffer.alloc(0) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      tooLarge,
    ),
  );
}

/** Malformed HTTP: oversized headers get the flavour's own answer, anything else a 400, never a silently dropped socket. */
export function answerClientErrors(server: Server, flavour: () => FlavourServer): void {
  server.on('clientError', (err: Error & { code?: string }, socket) => {
    if (!socket.writable) return socket.destroy();
    const f = flavour();
    const r =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? (f.headersTooLarge?.() ?? f.errorResponse(431, 'invalid_request', 'Request header fields too large'))
        : { status: 400, headers: {}, body: '' };
    const body = Buffer.from(r.body);
    const head = Object.entries({ ...r.headers, 'Content-Length': String(body.length), Connection: 'close' }).map(
      ([k, v]) => `${k}: ${v}`,
    );
    socket.end(
      Buffer.concat([
        Buffer.from(`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\n${head.join('\r\n')}\r\n\r\n`),
        body,
      ]),
    );
  });
}

/** Listens on the configured interface (or is attached by a primary) and returns the base URL the mock's links name. */
export async function listenOrAttach(
  server: Server,
  config: ResolvedMockConfig,
  serve: ServeOptions,
  store: GrantStore,
): Promise<string> {
  let address: Pick<AddressInfo, 'address' | 'family' | 'port'>;
  if (serve.attach) {
    const at = serve.attach(server);
    address = { address: at.host, family: at.host.includes(':') ? 'IPv6' : 'IPv4', port: at.port };
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => {
        void store.close();
        reject(e);
      });
      server.listen(config.port, config.host, () => resolve());
    });
    address = server.address() as AddressInfo;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = config.tls === false ? 'http' : 'https';
  return `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;
}
