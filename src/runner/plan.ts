/**
 * The coverage plan, computed before the first request from the target, its flavour, its clients and the
 * scenarios of the suites: every (check, variant) a suite can report is planned, skipped with its reason (missing
 * configuration: untested; a feature the target lacks: not applicable), or left out because the budget cannot
 * cover it (untested, and the verdict is then INCOMPLETE). Generated (fast-check) examples come on top of the
 * systematic scenarios and only spend what the systematic pass leaves.
 */
import type { CheckDef, SuiteName } from '../checks/define.js';
import type { FlavourDescriptor } from '../flavours/index.js';
import { resultKey, type SkipKind } from '../vocabulary/types.js';
import {
  refsOf,
  untested,
  type CheckRef,
  type Cost,
  type Scenario,
  type Skip,
  type SuiteDef,
} from '../session/scenario.js';
import type { Target } from '../vocabulary/types.js';

export {
  allVariants,
  defineSuite,
  needsSetup,
  notApplicable,
  ref,
  refsOf,
  untested,
  type CheckRef,
  type Cost,
  type Scenario,
  type Skip,
  type SuiteDef,
} from '../session/scenario.js';

export interface PlannedScenario {
  suite: SuiteName;
  name: string;
  generated: boolean;
  cost: Cost;
  /** Runs in this run; else skip says why not. */
  included: boolean;
  skip?: Skip;
}

export interface PlanEntry {
  suite: SuiteName;
  check: CheckDef;
  variant?: string;
  /** Undefined: planned. Else why it will not run. */
  skip?: Skip;
  /** Scenarios that exercise it in this run. */
  by: string[];
}

export interface Plan {
  scenarios: PlannedScenario[];
  entries: PlanEntry[];
  /** Requests of the included systematic scenarios, and what they need of the bad-credential budget. */
  cost: Required<Cost>;
  /** What the whole plan would cost (systematic scenarios), whatever the budget. */
  fullCost: Required<Cost>;
  budget: { maxRequests: number; maxBadCredentialAttempts: number };
  /** One line per scenario left out for lack of budget. */
  leftOut: string[];
}

const keyOf = (r: CheckRef) => `${r.check.id}\u0000${r.variant ?? ''}`;

export function computePlan(
  suites: SuiteDef<unknown>[],
  target: Target,
  descriptor: FlavourDescriptor,
  numRuns: number,
): Plan {
  const budget = {
    maxRequests: target.budget.maxRequests,
    maxBadCredentialAttempts: target.budget.maxBadCredentialAttempts,
  };
  const scenarios: PlannedScenario[] = [];
  const leftOut: string[] = [];
  const fullCost = { requests: 0, badCredentials: 0 };
  const cost = { requests: 0, badCredentials: 0 };
  const defs: { planned: PlannedScenario; def: Scenario<unknown> }[] = [];
  for (const suite of suites) {
    for (const s of suite.scenarios) {
      const skip = s.skip?.(target, descriptor);
      const c = skip ? { requests: 0, badCredentials: 0 } : { badCredentials: 0, ...s.cost(target, numRuns) };
      const planned: PlannedScenario = {
        suite: suite.name,
        name: s.name,
        generated: !!s.generated,
        cost: c,
        included: !skip,
        ...(skip ? { skip } : {}),
      };
      scenarios.push(planned);
      defs.push({ planned, def: s });
      if (!skip && !s.generated) {
        fullCost.requests += c.requests;
        fullCost.badCredentials += c.badCredentials ?? 0;
      }
    }
  }
  // The budget covers a prefix of the systematic scenarios; one needing more bad credentials than remain is left out on its own.
  let cut = false;
  for (const { planned } of defs) {
    if (!planned.included || planned.generated) continue;
    const c = planned.cost;
    const fitsRequests = !cut && cost.requests + c.requests <= budget.maxRequests;
    const fitsBad = cost.badCredentials + (c.badCredentials ?? 0) <= budget.maxBadCredentialAttempts;
    if (!fitsRequests) cut = true;
    if (fitsRequests && fitsBad) {
      cost.requests += c.requests;
      cost.badCredentials += c.badCredentials ?? 0;
      continue;
    }
    planned.included = false;
    planned.skip = untested(
      !fitsRequests
        ? `left out: the plan needs ${fullCost.requests} requests, the request budget (budget.maxRequests, --max-requests) is ${budget.maxRequests}`
        : `left out: the plan needs ${fullCost.badCredentials} bad-credential attempts, budget.maxBadCredentialAttempts is ${budget.maxBadCredentialAttempts}`,
    );
    leftOut.push(`${planned.suite}/${planned.name}`);
  }
  // Generated examples spend what is left, in order.
  let spare = budget.maxRequests - cost.requests;
  let spareBad = budget.maxBadCredentialAttempts - cost.badCredentials;
  for (const { planned } of defs) {
    if (!planned.included || !planned.generated) continue;
    if (planned.cost.requests <= spare && (planned.cost.badCredentials ?? 0) <= spareBad) {
      spare -= planned.cost.requests;
      spareBad -= planned.cost.badCredentials ?? 0;
    } else {
      planned.included = false;
      planned.skip = untested(
        `generated examples left out: ${planned.cost.requests} requests, ${spare} left in the budget after the systematic pass`,
      );
    }
  }

  // Entries: every (check, variant) any scenario of a suite can report.
  const entries: PlanEntry[] = [];
  for (const suite of suites) {
    const byKey = new Map<string, { ref: CheckRef; by: string[]; skips: Skip[] }>();
    for (const s of suite.scenarios) {
      const planned = scenarios.find((p) => p.suite === suite.name && p.name === s.name)!;
      for (const r of refsOf(s)) {
        const k = keyOf(r);
        const e = byKey.get(k) ?? byKey.set(k, { ref: r, by: [], skips: [] }).get(k)!;
        // Generated examples add to results the systematic pass plans; they never plan a result on their own.
        if (planned.included && !s.generated) e.by.push(s.name);
        else if (!s.generated && planned.skip) e.skips.push(planned.skip);
      }
    }
    for (const { ref: r, by, skips } of byKey.values()) {
      // Untested (a configuration or the budget could change it) says more than not applicable.
      const skip = by.length
        ? undefined
        : (skips.find((x) => x.kind === 'untested') ??
          skips.find((x) => x.kind === 'needs-setup') ??
          skips[0] ??
          untested('only generated examples exercise it, and they were left out'));
      entries.push({
        suite: suite.name,
        check: r.check,
        ...(r.variant !== undefined ? { variant: r.variant } : {}),
        by,
        ...(skip ? { skip } : {}),
      });
    }
  }
  return { scenarios, entries, cost, fullCost, budget, leftOut };
}

/** How a skip is marked in the plan and the console. */
export const SKIP_MARK: Record<SkipKind, string> = {
  untested: 'UNTESTED',
  'needs-setup': 'SETUP   ',
  'not-applicable': 'n/a     ',
};

/** The plan as `idpc run --plan` prints it. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  lines.push(
    `plan: ${plan.scenarios.filter((s) => s.included && !s.generated).length} systematic scenarios, ${plan.cost.requests} requests (${plan.cost.badCredentials} with bad credentials); budget ${plan.budget.maxRequests} requests, ${plan.budget.maxBadCredentialAttempts} bad-credential attempts`,
  );
  for (const s of plan.scenarios) {
    const what = s.included
      ? `${String(s.cost.requests).padStart(4)} requests${s.cost.badCredentials ? `, ${s.cost.badCredentials} bad-credential` : ''}`
      : `skip: ${s.skip?.reason}`;
    lines.push(`  ${`${s.suite}/${s.name}${s.generated ? ' (generated)' : ''}`.padEnd(44)} ${what}`);
  }
  const planned = plan.entries.filter((e) => !e.skip).length;
  lines.push(
    `checks: ${planned} planned, ${plan.entries.length - planned} not run (of ${plan.entries.length} (suite, check, variant) results)`,
  );
  for (const e of plan.entries.filter((x) => x.skip))
    lines.push(
      `  ${SKIP_MARK[e.skip!.kind]} ${resultKey({ suite: e.suite, check: e.check.id, variant: e.variant })}  ${e.skip!.reason}`,
    );
  if (plan.leftOut.length)
    lines.push(`the budget cannot cover the plan: left out ${plan.leftOut.join(', ')}; the verdict will be INCOMPLETE`);
  return lines.join('\n');
}
