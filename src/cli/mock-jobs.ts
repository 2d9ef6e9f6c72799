/**
 * `idpc run --mock a,b,c`: every mock is an independent target, so the runs go side by side, one worker thread
 * per mock (at most one per core: a mock and its runner share their thread). The worker runs the very function the
 * in-process path runs (runMockJob); its results come back by structured clone and are reported in the given order.
 */
import type { Worker } from 'node:worker_threads';
import type { Profile } from '../checks/define.js';
import type { FlavourName } from '../flavours/index.js';
import { loadedFlavourModules } from './flavour-modules.js';
import { runConformance, type FinishedRun, type RunOptions } from '../runner/run.js';
import { targetOfMock } from '../runner/target.js';
import type { Target } from '../vocabulary/types.js';
import { randomUUID } from 'node:crypto';
import { StoreUnavailable } from '../../mocks/core/grant-store.js';
import { EXIT, UsageError } from './errors.js';
import { laneCount, takeWorker, workerFile } from './lanes.js';

export type ScenarioProgress = Parameters<NonNullable<RunOptions['onScenario']>>[0];

/** One mock run, as plain data (it crosses to a worker thread). */
export interface MockJob {
  flavour: string;
  preset?: string;
  mockConfig?: string;
  /** A shared store for the mock (redis://…), under a prefix of its own: runs side by side never meet in it. */
  store?: string;
  profile: Profile;
  /** The command line's budget options, over the mock's own. */
  budget: Partial<Target['budget']>;
  common: Omit<RunOptions, 'target' | 'progress' | 'onScenario' | 'transport'>;
}

/** Starts the job's mock (its config file read and checked), gives its target to `use`, and always closes it. */
export async function withMock<T>(job: MockJob, use: (target: Target, preset: string) => Promise<T>): Promise<T> {
  const { startMock, ConfigError, loadConfigFile } = await import('../../mocks/index.js');
  let mock: Awaited<ReturnType<typeof startMock>>;
  try {
    // A config file may leave the flavour out: the run names it.
    const file = job.mockConfig ? await loadConfigFile(job.mockConfig, job.flavour) : undefined;
    const { flavour: _f, ...filePatch } = file ?? {};
    const store = job.store
      ? { store: { url: job.store, prefix: `idpc-run-${job.flavour}-${randomUUID().slice(0, 8)}` } }
      : {};
    mock = await startMock(
      {
        flavour: job.flavour as FlavourName,
        ...(job.preset ? { preset: job.preset } : {}),
        journal: { enabled: false },
        ...store,
      },
      file ? filePatch : undefined,
    );
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    if (e instanceof StoreUnavailable) throw new UsageError(e.message, EXIT.unreachable);
    throw e;
  }
  try {
    const target = await targetOfMock(mock, job.profile);
    return await use({ ...target, budget: { ...target.budget, ...job.budget } }, mock.config.preset);
  } finally {
    // The run's own keys go with it (its prefix is its alone); a store gone meanwhile leaves them to their TTLs.
    if (job.store) await mock.context.grants.store.clear().catch(() => undefined);
    await mock.close();
  }
}

/** The whole of one job: its mock, the run against it. */
export function runMockJob(
  job: MockJob,
  say: (line: string) => void,
  onScenario?: (p: ScenarioProgress) => void,
): Promise<FinishedRun> {
  return withMock(job, (target, preset) => {
    say(`idpc run: ${job.flavour} mock (${preset})`);
    return runConformance({ ...job.common, target, progress: say, ...(onScenario ? { onScenario } : {}) });
  });
}

/** What a worker is sent: a job, and whether to post its scenarios as they go (a live terminal line). */
export interface WorkerJob {
  job: MockJob;
  live: boolean;
}

/** Messages a worker posts. */
export type WorkerMessage =
  | { kind: 'say'; line: string }
  | { kind: 'scenario'; progress: ScenarioProgress }
  | { kind: 'done'; run: FinishedRun }
  | { kind: 'failed'; usage: boolean; message: string; stack?: string };

/**
 * Runs the jobs, side by side when there are several and cores for them; results in the jobs' order. This thread
 * is one lane (its modules are loaded already); each further lane is one worker that takes job after job, so a
 * worker's start-up (loading the runner and the mocks) is paid once per core, not once per mock.
 */
export async function runMockJobs(
  jobs: MockJob[],
  io: { say: (line: string) => void; live?: ((name: string) => (p: ScenarioProgress) => void) | undefined },
  /** Each run as it finishes, with its job's index: what finished is known even when another job fails. */
  done: (index: number, run: FinishedRun) => void,
): Promise<void> {
  const file = workerFile();
  const lanes = laneCount(jobs.length);
  const tag = (job: MockJob) => (lanes > 1 ? (line: string) => io.say(`[${job.flavour}] ${line}`) : io.say);
  let next = 0;
  const here = async () => {
    while (next < jobs.length) {
      const i = next++;
      done(i, await runMockJob(jobs[i]!, tag(jobs[i]!), io.live?.(jobs[i]!.flavour)));
    }
  };
  const worker = async () => {
    const lane = new WorkerLane(file!, io.live !== undefined);
    try {
      while (next < jobs.length) {
        const i = next++;
        done(i, await lane.run(jobs[i]!, tag(jobs[i]!), io.live?.(jobs[i]!.flavour)));
      }
    } finally {
      await lane.close();
    }
  };
  // A failed job (a usage error in its config, say) ends the command: no lane takes another job, the jobs under
  // way finish (their runs are reported), then the first failure is the command's.
  const stopOnFailure = (lane: Promise<void>) =>
    lane.catch((e: unknown) => {
      next = jobs.length;
      throw e;
    });
  const settled = await Promise.allSettled([
    stopOnFailure(here()),
    ...Array.from({ length: lanes - 1 }, () => stopOnFailure(worker())),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/** One worker thread that runs the jobs it is given, one at a time. */
class WorkerLane {
  private readonly worker: Worker;
  private pending:
    | {
        resolve: (run: FinishedRun) => void;
        reject: (e: Error) => void;
        say: (line: string) => void;
        onScenario?: ((p: ScenarioProgress) => void) | undefined;
      }
    | undefined;

  constructor(
    file: string,
    private readonly live: boolean,
  ) {
    this.worker = takeWorker(file, loadedFlavourModules());
    this.worker.ref();
    this.worker.on('message', (m: WorkerMessage) => {
      const p = this.pending;
      if (!p) return;
      if (m.kind === 'say') p.say(m.line);
      else if (m.kind === 'scenario') p.onScenario?.(m.progress);
      else {
        this.pending = undefined;
        if (m.kind === 'done') p.resolve(m.run);
        else
          p.reject(
            m.usage
              ? new UsageError(m.message)
              : Object.assign(new Error(m.message), m.stack ? { stack: m.stack } : {}),
          );
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) =>
      this.fail(new Error(`a run's worker thread exited with ${code} before it reported`)),
    );
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }

  run(job: MockJob, say: (line: string) => void, onScenario?: (p: ScenarioProgress) => void): Promise<FinishedRun> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, say, onScenario };
      this.worker.postMessage({ job, live: this.live } satisfies WorkerJob);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
