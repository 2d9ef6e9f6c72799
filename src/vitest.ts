/**
 * idp-conformance inside an integrator's own vitest project:
 *
 *   import { conformanceSuite } from 'idp-conformance/vitest';
 *   conformanceSuite('our IdP', { target: './idp.target.yaml' });          // or { mock: { flavour: 'keycloak' } }
 *
 * One test per check and suite, named by its id; failures carry the message, the requirement and a curl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartMockOptions } from '../mocks/index.js';
import type { Profile } from './checks/define.js';
import { refsOf } from './runner/plan.js';
import { runConformance, SUITES, type FinishedRun } from './runner/run.js';
import { loadTargetConfig, targetOfConfig, targetOfMock } from './runner/target.js';
import type { Target } from './vocabulary/types.js';

export interface ConformanceSuiteOptions {
  /** An in-process mock, started for the suite and closed after it. */
  mock?: StartMockOptions;
  /** A target config file. */
  target?: string;
  seed?: number;
  runs?: number;
  profile?: Profile;
  suites?: string[];
  /** Expected failures: "suite:TE-XX" -> reason. */
  baseline?: Record<string, string>;
  timeoutMs?: number;
}

export function conformanceSuite(name: string, options: ConformanceSuiteOptions): void {
  describe(name, () => {
    let run: FinishedRun | undefined;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const profile = options.profile ?? 'rfc6749';
      let target: Target;
      if (options.mock) {
        const { startMock } = await import('../mocks/index.js');
        const mock = await startMock(options.mock);
        close = () => mock.close();
        target = await targetOfMock(mock, profile);
      } else if (options.target) {
        const { config, secrets } = await loadTargetConfig(options.target);
        target = targetOfConfig(config, secrets, profile);
      } else throw new Error('conformanceSuite needs { mock } or { target }');
      run = await runConformance({
        target,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.runs ? { numRuns: options.runs } : {}),
        ...(options.suites ? { suites: options.suites } : {}),
        ...(options.baseline ? { baseline: { entries: new Map(Object.entries(options.baseline)) } } : {}),
      });
    }, options.timeoutMs ?? 120_000);
    afterAll(async () => {
      await close?.();
    });

    // One test per (suite, check, variant) the suites' scenarios can report: named before the run, from the registry.
    for (const suite of SUITES.filter((s) => !options.suites || options.suites.includes(s.name))) {
      const refs = new Map(
        suite.scenarios.flatMap((x) => refsOf(x)).map((r) => [`${r.check.id}${r.variant ? `:${r.variant}` : ''}`, r]),
      );
      for (const [name, { check, variant }] of refs) {
        it(`${suite.name}:${name} ${check.title}`, (ctx) => {
          if (!run) throw new Error('the conformance run did not start');
          if (run.unreachable) throw new Error(`target unreachable: ${run.unreachable}`);
          const r = run.results.find((x) => x.suite === suite.name && x.check === check.id && x.variant === variant);
          if (!r || r.status === 'skip' || r.baseline) {
            ctx.skip();
            return;
          }
          if (r.status === 'fail') {
            const detail = [
              r.message,
              `requirement: ${r.requirement} ${r.url}`,
              r.counterexample ? `seed ${r.counterexample.seed}, shrunk ${r.counterexample.shrunk}` : '',
              ...(r.evidence ?? []).map((e) => e.curl),
            ]
              .filter(Boolean)
              .join('\n');
            expect.fail(detail);
          }
        });
      }
    }
  });
}
