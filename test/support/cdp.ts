/**
 * Headless Chromium driven over the Chrome DevTools Protocol (a WebSocket: undici's), for tests that need a real
 * browser: navigate, run script in the page, and stop requests to a host the test names (a redirect URI nothing
 * listens on) to read their URL. Chromium comes from Debian (scripts/setup-browser.sh), found as in the HTML report
 * test; no browser-automation library is needed for this much.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';

export function chromiumBinary(): string | undefined {
  if (process.env.IDPC_CHROMIUM) return process.env.IDPC_CHROMIUM;
  for (const c of ['chromium', 'chromium-browser', 'google-chrome'])
    if (spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) return c;
  return undefined;
}

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Listener[]>();

  private constructor(
    private readonly process: ChildProcess,
    private readonly socket: WebSocket,
    private readonly profile: string,
  ) {
    socket.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
        sessionId?: string;
      };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method) for (const l of this.listeners.get(msg.method) ?? []) l(msg.params ?? {}, msg.sessionId);
    });
  }

  static async launch(binary: string): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'idpc-chromium-'));
    const child = spawn(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--remote-debugging-port=0',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      // Its own process group: closing ends Chromium's helper processes too, not only the browser process.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`chromium did not start: ${seen.slice(-300)}`)), 30_000);
      child.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`chromium exited ${code}: ${seen.slice(-300)}`)));
    });
    const socket = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new Error('no DevTools connection')), { once: true });
    });
    return new Browser(child, socket, profile);
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise<T>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
  }

  on(method: string, listener: Listener): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  /** A new page (tab) with its own session; requests to `stopAt` (a URL pattern) are held and reported, never sent. */
  async page(stopAt: string): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await this.send('Page.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    await this.send('Fetch.enable', { patterns: [{ urlPattern: stopAt, requestStage: 'Request' }] }, sessionId);
    this.on('Fetch.requestPaused', (p, s) => {
      if (s !== sessionId) return;
      const request = p.request as { url: string };
      page.stopped.push(request.url);
      // The redirect URI is the application's: answer in its place, so the page settles.
      void this.send(
        'Fetch.fulfillRequest',
        { requestId: p.requestId, responseCode: 200, body: Buffer.from('callback reached').toString('base64') },
        sessionId,
      );
    });
    this.on('Page.loadEventFired', (_p, s) => {
      if (s === sessionId) page.loads++;
    });
    return page;
  }

  async close(): Promise<void> {
    this.socket.close();
    const exited = new Promise((r) => this.process.once('exit', r));
    try {
      process.kill(-this.process.pid!, 'SIGKILL');
    } catch {
      this.process.kill('SIGKILL');
    }
    await exited;
    // A helper may still be flushing into the profile for a moment (ENOTEMPTY): rmSync retries those.
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

export class Page {
  readonly stopped: string[] = [];
  loads = 0;
  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  async goto(url: string): Promise<void> {
    const before = this.loads;
    await this.browser.send('Page.navigate', { url }, this.sessionId);
    await this.until(() => this.loads > before, `the page ${url} to load`);
  }

  /** Runs an expression in the page and answers its (JSON) value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value: T }; exceptionDetails?: unknown }>(
      'Runtime.evaluate',
      { expression, returnByValue: true, awaitPromise: true },
      this.sessionId,
    );
    if (r.exceptionDetails) throw new Error(`in the page: ${JSON.stringify(r.exceptionDetails).slice(0, 300)}`);
    return r.result.value;
  }

  async until(done: () => boolean, what: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
