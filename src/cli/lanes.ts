/**
 * The worker threads of `idpc run --mock a,b,...` (src/cli/mock-jobs.ts). main.ts starts them first thing, so that a
 * worker loads the runner and the mocks while this thread loads its own (two cores, two loads at once), instead of
 * after it: the second lane's first job starts ~0.2 s sooner. Small on purpose: main.ts imports it before anything else.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The worker's file next to this module's (dist/bin when bundled, dist/src/cli when compiled); absent under tsx. */
export function workerFile(): string | undefined {
  const file = fileURLToPath(new URL('./mock-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** Lanes for `jobs` jobs: this thread and one worker per further core, never more than the jobs. */
export const laneCount = (jobs: number) => (workerFile() ? Math.max(1, Math.min(jobs, availableParallelism())) : 1);

const prestarted: Worker[] = [];

/** Starts the workers a run of `jobs` mocks will use (their flavour modules given: they register there too). */
export function prestartWorkers(jobs: number, flavourModules: readonly string[]): void {
  const file = workerFile();
  if (!file) return;
  for (let i = prestarted.length; i < laneCount(jobs) - 1; i++) prestarted.push(startWorker(file, flavourModules));
}

/** A worker: one started ahead if there is one, else a new one. */
export function takeWorker(file: string, flavourModules: readonly string[]): Worker {
  return prestarted.shift() ?? startWorker(file, flavourModules);
}

function startWorker(file: string, flavourModules: readonly string[]): Worker {
  const worker = new Worker(file, { workerData: { flavourModules } });
  // Idle until it is given a job: it must not keep the process alive by itself (a run that stops at a usage error
  // exits at once, its workers with it).
  worker.unref();
  return worker;
}
