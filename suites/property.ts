import fc from 'fast-check';
import { CheckFailure, type RunContext } from '../src/runner/context.js';
import { BudgetExceeded, TargetUnreachable } from '../src/runner/http.js';

/**
 * Runs a fast-check property against the target. On mocks a failure shrinks to a minimal case; on real targets
 * it does not (shrinking re-sends requests to someone else's server). The failure is recorded with seed, path and
 * the counterexample, so `--seed` and `idpc replay` repeat it.
 */
export async function runProperty<T>(ctx: RunContext, suite: string, check: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns = ctx.numRuns): Promise<void> {
  // Every request of the last failing execution: after shrinking, that is the minimal counterexample's sequence.
  let lastFailure: ReturnType<typeof ctx.transport.log.slice> = [];
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      const start = ctx.transport.log.length;
      try {
        await predicate(value);
      } catch (e) {
        lastFailure = ctx.transport.log.slice(start);
        throw e;
      }
    }),
    { seed: ctx.seed, numRuns, endOnFailure: !ctx.isMock },
  );
  if (!details.failed) return;
  const error = details.errorInstance;
  // Infrastructure problems are not conformance verdicts: let the runner turn them into exit codes.
  if (error instanceof TargetUnreachable || error instanceof BudgetExceeded) throw error;
  const shrunk = fc.stringify(details.counterexample);
  const replayPath = /\/\*replayPath="([^"]*)"\*\//.exec(shrunk)?.[1];
  const counterexample = { seed: details.seed, ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}), ...(replayPath ? { replayPath } : {}), shrunk };
  const evidence = lastFailure.length ? lastFailure : error instanceof CheckFailure ? error.exchanges : [];
  if (error instanceof CheckFailure) ctx.fail(suite, error.check, error.message, evidence, counterexample);
  else ctx.fail(suite, check, `property failed: ${(error as Error)?.message ?? String(error)}`, evidence, counterexample);
}
