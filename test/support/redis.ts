/**
 * A real redis-server for the shared-store tests, on a free loopback port, without persistence; never a mock of
 * Redis. Installed by the project's own setup when missing (scripts/ensure-debian-package.sh, from .ci/run); where
 * it cannot be, `redisMissing` says why and the tests skip with that reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export const redisMissing: string | undefined =
  spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0
    ? undefined
    : 'redis-server is not installed (scripts/ensure-debian-package.sh redis-server installs it)';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export class RedisServer {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.resume();
    return server;
  }

  /** Starts (again) on the same port: a Redis that comes back after an outage. */
  async resume(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      if (await accepting(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not listen on ${this.port}`);
  }

  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as a long GC pause or a partition without RST. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused server go on (SIGCONT). */
  unpause(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills it (SIGKILL: a lost Redis, not a polite shutdown) and waits until the port is closed. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGCONT'); // a paused server dies too, but only once it runs again
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
