import fc from 'fast-check';
import { CheckFailure, type RunContext } from '../src/session/context.js';
import { RunInterrupted } from '../src/session/http.js';
import type { CheckRef } from '../src/session/scenario.js';

/**
 * Runs a fast-check property against the target. On mocks a failure shrinks to a minimal case; on real targets
 * it does not (shrinking re-sends requests to someone else's server). The failure is recorded with seed, path and
 * the counterexample, so `--seed` repeats it. `fallback` names a failure that is not a CheckFailure.
 */
export async function runProperty<T>(
  ctx: RunContext,
  fallback: CheckRef,
  arb: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  numRuns = ctx.numRuns,
  /** Values that run first, whatever the seed (fast-check's examples), before numRuns generated ones. */
  examples: T[] = [],
): Promise<void> {
  // Every request of the last failing execution: after shrinking, that is the minimal counterexample's sequence.
  let lastFailure: ReturnType<typeof ctx.transport.logSince> = [];
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      const start = ctx.transport.logPosition();
      try {
        await predicate(value);
      } catch (e) {
        lastFailure = ctx.transport.logSince(start);
        throw e;
      }
    }),
    // fast-check counts examples within numRuns: the generated runs come on top of them.
    {
      seed: ctx.seed,
      numRuns: numRuns + examples.length,
      endOnFailure: !ctx.isMock,
      examples: examples.map((e) => [e] as [T]),
    },
  );
  if (!details.failed) return;
  const error = details.errorInstance;
  // Infrastructure problems are not conformance verdicts: let the runner turn them into exit codes.
  if (error instanceof RunInterrupted) throw error;
  const shrunk = fc.stringify(details.counterexample);
  const replayPath = /\/\*replayPath="([^"]*)"\*\//.exec(shrunk)?.[1];
  const counterexample = {
    seed: details.seed,
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
    ...(replayPath ? { replayPath } : {}),
    shrunk,
  };
  const evidence = lastFailure.length ? lastFailure : error instanceof CheckFailure ? error.exchanges : [];
  if (error instanceof CheckFailure)
    ctx.fail(error.check, error.message.slice(error.check.id.length + 2), evidence, {
      ...(error.variant ? { variant: error.variant } : {}),
      counterexample,
    });
  else
    ctx.fail(fallback.check, `property failed: ${(error as Error)?.message ?? String(error)}`, evidence, {
      ...(fallback.variant ? { variant: fallback.variant } : {}),
      counterexample,
    });
}
