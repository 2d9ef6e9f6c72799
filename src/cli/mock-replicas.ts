/**
 * `idpc mock F --replicas N --store redis://…`: N processes serving one port (node:cluster; the primary accepts and
 * hands connections round-robin), each a whole mock on the shared store. The primary serves nothing itself: it
 * starts the replicas, prints once where they listen, replaces one that dies, and stops them all on SIGINT/SIGTERM.
 * Each replica is this same command line run as a cluster worker (src/cli/mock.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { formatMock } from './mock.js';
import { UsageError } from './errors.js';

/** Replacements for replicas that died while serving, before the primary gives up (a crash loop is a bug to see). */
const MAX_REPLACEMENTS = 5;

export async function runReplicas(count: number, json: boolean): Promise<void> {
  let stopping = false;
  let replacements = 0;
  const workers = new Set<Worker>();
  const fork = (onInfo?: (info: Record<string, unknown>) => void) => {
    const w = cluster.fork();
    workers.add(w);
    w.on('message', (m: { idpcReplica?: Record<string, unknown> }) => {
      if (m?.idpcReplica) onInfo?.(m.idpcReplica);
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
        reject(new UsageError(`replica ${i + 1} of ${count} did not start`, code || 70));
      });
    }
  });
  const info = { ...infos[0]!, replicas: count, pids: [...workers].map((w) => w.process.pid) };
  process.stdout.write(`${json ? JSON.stringify(info) : formatMock(info)}\n`);
  cluster.on('exit', (w, code, signal) => {
    workers.delete(w);
    if (stopping) return;
    if (replacements >= MAX_REPLACEMENTS) {
      process.stderr.write(`idpc mock: replica ${w.process.pid} exited (${signal ?? code}); ${MAX_REPLACEMENTS} replaced already: stopping\n`);
      void stop();
      return;
    }
    replacements++;
    process.stderr.write(`idpc mock: replica ${w.process.pid} exited (${signal ?? code}); starting another\n`);
    fork();
  });
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Each replica drains its own requests and prints what it answered (src/cli/mock.ts).
    for (const w of workers) w.process.kill('SIGTERM');
    const check = () => (workers.size === 0 ? stopped() : setTimeout(check, 20));
    check();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  await done;
}
