import fc from 'fast-check';
import { CheckFailure, type RunContext } from '../src/runner/context.js';
import { BudgetExceeded, TargetUnreachable } from '../src/runner/http.js';

/**
 * Runs a fast-check property against the target. On mocks a failure shrinks to a minimal case; on real targets
 * it does not (shrinking re-sends requests to someone else's server). The failure is recorded with seed, path and
 * the counterexample, so `--seed` and `idpc replay` repeat it.
 */
export async function runProperty<T>(ctx: RunContext, suite: string, check: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns = ctx.numRuns): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(arb, async (value) => {
      await predicate(value);
    }),
    { seed: ctx.seed, numRuns, endOnFailure: !ctx.isMock },
  );
  if (!details.failed) return;
  const error = details.errorInstance;
  // Infrastructure problems are not conformance verdicts: let the runner turn them into exit codes.
  if (error instanceof TargetUnreachable || error instanceof BudgetExceeded) throw error;
  const counterexample = { seed: details.seed, ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}), shrunk: fc.stringify(details.counterexample) };
  if (error instanceof CheckFailure) ctx.fail(suite, error.check, error.message, error.exchanges, counterexample);
  else ctx.fail(suite, check, `property failed: ${(error as Error)?.message ?? String(error)}`, [], counterexample);
}
