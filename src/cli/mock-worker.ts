/** A worker thread of `idpc run --mock a,b`: runs the jobs it is sent (src/cli/mock-jobs.ts), one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFlavourModules } from './flavour-modules.js';
import { UsageError } from './errors.js';
import { runMockJob, type WorkerJob, type WorkerMessage } from './mock-jobs.js';

const { flavourModules } = workerData as { flavourModules: string[] };
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
// The same flavours as the main thread: a flavour module registers here too.
const ready = flavourModules.length ? loadFlavourModules(flavourModules) : Promise.resolve([]);

parentPort!.on('message', ({ job, live }: WorkerJob) => {
  void (async () => {
    try {
      await ready;
      const run = await runMockJob(
        job,
        (line) => post({ kind: 'say', line }),
        live ? (progress) => post({ kind: 'scenario', progress }) : undefined,
      );
      post({ kind: 'done', run });
    } catch (e) {
      const err = e as Error;
      post({
        kind: 'failed',
        usage: e instanceof UsageError,
        message: err?.message ?? String(e),
        ...(err?.stack ? { stack: err.stack } : {}),
      });
    }
  })();
});
