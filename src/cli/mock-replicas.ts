/**
 * `idpc mock F --replicas N --store redis://…`: N processes serving one port, each a whole mock on the shared store.
 * The primary listens and hands each new connection, unread, to the next replica (round-robin); it serves nothing
 * itself, prints once where they listen, replaces a replica that dies, and stops them all on SIGINT/SIGTERM.
 * Each replica is this same command line run as a cluster worker (src/cli/mock.ts, `replicaServe`).
 *
 * Why not node:cluster's own round-robin: it keeps its copy of a connection until the worker acknowledges it, and a
 * worker killed before acknowledging left that connection open with nobody to answer (3 of 3 kills, a client waited
 * over a minute; nodejs/node lib/internal/cluster/round_robin_handle.js, `handoff`). Here a connection a dead replica
 * never accepted is handed to another one: its request is still unread in the socket, so it is answered.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';
import { formatMock } from './mock-describe.js';
import { UsageError } from './errors.js';
import { REPLICA_ADDRESS_ENV } from './mock-options.js';

/** Replacements for replicas that died while serving, before the primary gives up (a crash loop is a bug to see). */
const MAX_REPLACEMENTS = 5;
/** How long a connection waits for a replica to take it (all dead, a replacement starting) before it is closed. */
const HANDOVER_WAIT_MS = 10_000;

interface Messages {
  idpcReplica?: Record<string, unknown>;
  idpcAccepted?: number;
  idpcRefused?: number;
}

async function listen(host: string, port: number): Promise<Server> {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new UsageError(`port ${port} is in use`));
      else if (e.code === 'EACCES') reject(new UsageError(`not allowed to listen on ${host}:${port}`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new UsageError(`cannot bind ${host}: ${e.code}`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
  return server;
}

export async function runReplicas(count: number, json: boolean, at: { host: string; port: number }): Promise<void> {
  const listener = await listen(at.host, at.port);
  const port = (listener.address() as { port: number }).port;
  let stopping = false;
  let replacements = 0;
  const workers = new Set<Worker>();
  /** Replicas that have started (said where they listen), in round-robin order. */
  const ready: Worker[] = [];
  let turn = 0;
  /** Connections sent to a replica that has not yet said it took them: handed to another if it dies first. */
  const pending = new Map<number, { socket: Socket; worker: Worker }>();
  let sequence = 0;
  const waiting = new Set<Socket>();

  const handOut = (socket: Socket) => {
    if (stopping || socket.destroyed) return void socket.destroy();
    const live = ready.filter((w) => !w.isDead() && w.isConnected());
    if (live.length === 0) {
      waiting.add(socket);
      setTimeout(() => waiting.delete(socket) && socket.destroy(), HANDOVER_WAIT_MS).unref();
      return;
    }
    const worker = live[turn++ % live.length]!;
    const id = ++sequence;
    pending.set(id, { socket, worker });
    // keepOpen: the primary holds its copy until the replica has it; only then is it let go (idpcAccepted).
    worker.send({ idpcConnection: id }, socket as never, { keepOpen: true }, (e: Error | null) => {
      if (!e) return;
      pending.delete(id);
      handOut(socket);
    });
  };
  listener.on('connection', (socket: Socket) => {
    socket.on('error', () => undefined); // a client gone before a replica took it
    handOut(socket);
  });

  const fork = (onInfo?: (info: Record<string, unknown>) => void) => {
    const w = cluster.fork({ [REPLICA_ADDRESS_ENV]: JSON.stringify({ host: at.host, port }) });
    workers.add(w);
    w.on('message', (m: Messages) => {
      if (m?.idpcReplica) {
        ready.push(w);
        for (const s of waiting) waiting.delete(s) && handOut(s);
        onInfo?.(m.idpcReplica);
      }
      const settled = m?.idpcAccepted ?? m?.idpcRefused;
      if (settled === undefined) return;
      const entry = pending.get(settled);
      if (!entry) return;
      pending.delete(settled);
      // Taken: the replica has its own copy, the primary's goes (the connection stays open). Refused (draining): another.
      if (m.idpcAccepted !== undefined) entry.socket.destroy();
      else handOut(entry.socket);
    });
    return w;
  };
  const infos: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      const w = fork((info) => {
        infos.push(info);
        if (infos.length === count) resolve();
      });
      // A replica that exits before it listens printed its own reason (one line, its exit code): the rest go too.
      w.once('exit', (code) => {
        if (infos.length === count) return;
        for (const other of workers) other.process.kill('SIGTERM');
        listener.close();
        reject(new UsageError(`replica ${i + 1} of ${count} did not start`, code || 70));
      });
    }
  });
  const info = { ...infos[0]!, replicas: count, pids: [...workers].map((w) => w.process.pid) };
  process.stdout.write(`${json ? JSON.stringify(info) : formatMock(info)}\n`);
  cluster.on('exit', (w, code, signal) => {
    workers.delete(w);
    ready.splice(ready.indexOf(w) >>> 0, ready.includes(w) ? 1 : 0);
    // What it was sent and never took goes to another replica, its request still unread.
    for (const [id, entry] of pending) {
      if (entry.worker !== w) continue;
      pending.delete(id);
      handOut(entry.socket);
    }
    if (stopping) return;
    if (replacements >= MAX_REPLACEMENTS) {
      process.stderr.write(
        `idpc mock: replica ${w.process.pid} exited (${signal ?? code}); ${MAX_REPLACEMENTS} replaced already: stopping\n`,
      );
      void stop();
      return;
    }
    replacements++;
    const next = fork();
    process.stderr.write(
      `idpc mock: replica ${w.process.pid} exited (${signal ?? code}); starting another (pid ${next.process.pid})\n`,
    );
  });
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    listener.close();
    for (const s of waiting) s.destroy();
    // Each replica drains its own requests and prints what it answered (src/cli/mock.ts).
    for (const w of workers) w.process.kill('SIGTERM');
    const check = () => (workers.size === 0 ? stopped() : setTimeout(check, 20));
    check();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await done;
}
