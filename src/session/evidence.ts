/**
 * The evidence book of a run: per (suite, check, variant), how often the check held, failed or warned, with the
 * first failure's exchanges, or why it did not run. Severity and documented deviations come from the verdict
 * module; the book only refuses results that no scenario of the suite declared (the registry and the plan agree).
 */
import type { CheckDef, Severity } from '../checks/define.js';
import type { CheckResult, Exchange } from '../vocabulary/types.js';

/**
 * Why a check did not run: untested (the plan needed it and could not: budget, a target that stopped, configuration the
 * target's features require) keeps the run from CONFORMS; needs-setup (optional test material or a setting would enable it:
 * a second client, a user with a non-ASCII password, a longer --max-wait) is listed but does not; not-applicable means the
 * target lacks the feature.
 */
import { resultKey, type SkipKind } from '../vocabulary/types.js';
export type { SkipKind };

export interface Classifier {
  /** The severity of a check's result under the run's profile and client (src/verdict decides it). */
  severity(check: CheckDef): Severity;
}

const keyOf = (suite: string, check: string, variant?: string) => resultKey({ suite, check, variant });

export class Evidence {
  private readonly book = new Map<string, CheckResult>();
  /**
   * Set while generated examples run: they add to results the systematic pass produced, never create one (so the set
   * of results, and which of them ran, never depends on what the seed drew).
   */
  extendOnly = false;

  constructor(
    private readonly classifier: Classifier,
    /** The (suite, check, variant) keys the plan declares; a result outside them is a bug of a suite. */
    private readonly declared?: ReadonlySet<string>,
  ) {}

  static key = keyOf;

  private entry(suite: string, check: CheckDef, variant?: string): CheckResult {
    if (check.variants ? variant === undefined || !check.variants.includes(variant) : variant !== undefined) {
      throw new Error(
        `${suite} reported ${check.id} with variant ${variant ?? '(none)'}; its variants are ${check.variants?.join(', ') ?? '(none)'}`,
      );
    }
    const key = keyOf(suite, check.id, variant);
    if (this.declared && !this.declared.has(key))
      throw new Error(
        `${suite} reported ${check.id}${variant ? ` (${variant})` : ''}, which no scenario of the suite declares`,
      );
    let r = this.book.get(key);
    if (!r) {
      r = {
        suite,
        check: check.id,
        ...(variant ? { variant } : {}),
        title: check.title,
        requirement: check.requirement,
        url: check.url,
        status: 'pass',
        severity: this.classifier.severity(check),
        passes: 0,
        failures: 0,
      };
      this.book.set(key, r);
    }
    return r;
  }

  has(suite: string, check: CheckDef, variant?: string): boolean {
    const r = this.book.get(keyOf(suite, check.id, variant));
    return !!r && (r.passes > 0 || r.failures > 0 || !!r.warnings);
  }

  passed(suite: string, check: CheckDef, variant?: string): boolean {
    const r = this.book.get(keyOf(suite, check.id, variant));
    return !!r && r.passes > 0 && r.failures === 0;
  }

  private dropped(suite: string, check: CheckDef, variant?: string): boolean {
    return this.extendOnly && !this.has(suite, check, variant);
  }

  pass(suite: string, check: CheckDef, variant?: string): void {
    if (this.dropped(suite, check, variant)) return;
    this.entry(suite, check, variant).passes++;
  }

  /** A finding the flavour documents (src/verdict weighed it): it counts as held, and the deviation is shown. */
  deviation(
    suite: string,
    check: CheckDef,
    variant: string | undefined,
    deviation: { reason: string; source: string },
    message: string,
    exchanges: Exchange[],
  ): void {
    if (this.dropped(suite, check, variant)) return;
    const r = this.entry(suite, check, variant);
    r.passes++;
    if (!r.deviation) {
      r.deviation = deviation;
      r.message ??= message;
      r.evidence ??= exchanges;
    }
  }

  fail(
    suite: string,
    check: CheckDef,
    variant: string | undefined,
    message: string,
    exchanges: Exchange[],
    counterexample?: CheckResult['counterexample'],
  ): void {
    if (this.dropped(suite, check, variant)) return;
    const r = this.entry(suite, check, variant);
    r.failures++;
    if (r.failures === 1) {
      r.message = message;
      r.evidence = exchanges;
      if (counterexample) r.counterexample = counterexample;
    }
  }

  /** A finding below the check's own severity (a legal difference from the flavour's schema). */
  warn(suite: string, check: CheckDef, variant: string | undefined, message: string, exchanges: Exchange[]): void {
    if (this.dropped(suite, check, variant)) return;
    const r = this.entry(suite, check, variant);
    r.warnings = (r.warnings ?? 0) + 1;
    if (r.failures === 0 && r.warnings === 1) {
      r.message = message;
      r.evidence = exchanges;
    }
  }

  /** A check that did not run, and why; ignored once the check has a verdict. */
  skip(suite: string, check: CheckDef, variant: string | undefined, reason: string, kind: SkipKind): void {
    if (this.extendOnly) return;
    const r = this.entry(suite, check, variant);
    if (r.passes === 0 && r.failures === 0 && !r.warnings && r.status !== 'skip') {
      r.status = 'skip';
      r.message = reason;
      r.skipKind = kind;
    }
  }

  results(): CheckResult[] {
    return [...this.book.values()];
  }
}
