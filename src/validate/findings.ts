import type { Profile, Severity } from '../checks/define.js';
import { checkDef } from '../checks/registry.js';
import { severityOf } from '../verdict/index.js';
import { naturalCompare } from '../util/collate.js';

/** One thing a validation found, tied to a check id and a place. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** JSON pointer into the body, or a header/status name. */
  path: string;
  message: string;
  requirement: string;
  /** Set when the flavour departs from the RFC here on purpose. */
  deviation?: { reason: string; source: string };
}

/** A finding at its check's severity under the profile; capture.ts then weighs it whole (src/verdict, weigh). */
export function finding(rule: string, path: string, message: string, profile: Profile): Finding {
  const spec = checkDef(rule);
  return { rule, severity: severityOf(rule, profile), path, message, requirement: spec.requirement };
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || naturalCompare(a.path, b.path),
  );
}
