import { parseJsonBody } from '../checks/json.js';
import type { Profile } from '../checks/define.js';
import { checksJudgingEvery } from '../checks/registry.js';
import { errorJson, otherSchema } from '../checks/token-error.js';
import {
  expiresInPresent,
  flavourSchema,
  jsonObjectBody,
  tokenTypeMember,
  unknownMembers,
} from '../checks/token-response.js';
import { weigh } from '../verdict/index.js';
import { FLAVOURS, type FlavourName } from '../flavours/index.js';
import type { CapturedResponse } from '../http/capture.js';
import { registry } from '../schemas/registry.js';
import { finding, sortFindings, type Finding } from './findings.js';
import { decodeJwtPayload, looksLikeJwt } from '../util/jwt.js';

export interface CaptureInput {
  flavour: FlavourName;
  kind: string;
  /** A whole captured response (status, headers, body) ... */
  response?: CapturedResponse;
  /** ... or just a body. */
  body?: string;
  profile?: Profile;
  /** Also list members the flavour schema does not declare (TE-C16). */
  strict?: boolean;
}

export interface CaptureReport {
  flavour: FlavourName;
  kind: string;
  profile: Profile;
  valid: boolean;
  findings: Finding[];
}

/** RFC 6749 counterparts of flavour kinds: a token body is judged by the RFC and by its flavour. */
const RFC_KIND: Record<string, string> = { 'token-response': 'token-response', 'token-error': 'token-error' };

export class UnknownKindError extends Error {}

/** Kinds a flavour's bodies can be validated as. */
export function kindsOf(flavour: FlavourName): string[] {
  return registry().kinds(schemaGroupOf(flavour));
}

/** Where a flavour's schemas live: schemas/<flavour>/, or RFC 6749's for a flavour judged by the RFC alone. */
function schemaGroupOf(flavour: FlavourName): string {
  return FLAVOURS[flavour].rfcBaseline ? 'rfc6749' : flavour;
}

export function validateCapture(input: CaptureInput): CaptureReport {
  const { flavour, kind } = input;
  const profile = input.profile ?? 'rfc6749';
  /** Findings that are only a legal difference from the flavour's schema (RFC 6749 met): they warn (src/verdict). */
  const legal = new Set<Finding>();
  const reg = registry();
  const group = schemaGroupOf(flavour);
  const entry = reg.entry(group, kind);
  if (!entry || entry.schema['x-idpc-internal']) {
    throw new UnknownKindError(`flavour ${flavour} has no kind "${kind}" (kinds: ${kindsOf(flavour).join(', ')})`);
  }
  const findings: Finding[] = [];
  const text = input.response ? input.response.body : (input.body ?? '');
  const isTokenKind = kind in RFC_KIND;
  const bodyRule =
    kind === 'token-response' ? jsonObjectBody.id : kind === 'token-error' ? errorJson.id : otherSchema.id;

  // 1. The body as a value: JSON, a decoded JWT for claim kinds, or text where the flavour answers in text.
  let value: unknown;
  let parsedJson = false;
  if (kind.endsWith('-claims') && looksLikeJwt(text.trim())) {
    const decoded = decodeJwtPayload(text.trim());
    if (decoded.ok) value = decoded.payload;
    else findings.push(finding(otherSchema.id, '', `not a decodable JWT: ${decoded.reason}`, profile));
  } else {
    const parsed = parseJsonBody(text);
    if (parsed.ok) {
      value = parsed.value;
      parsedJson = true;
      for (const d of parsed.duplicates) {
        findings.push(
          finding(
            bodyRule === otherSchema.id ? otherSchema.id : jsonObjectBody.id,
            `${d.pointer}/${d.member}`,
            `member "${d.member}" appears more than once`,
            profile,
          ),
        );
      }
    } else if (entry.schema['x-idpc-text-body']) {
      value = text;
    } else {
      findings.push(
        finding(
          bodyRule,
          '',
          text.trim() === '' ? 'body is empty, expected a JSON object' : `body is not JSON: ${parsed.reason}`,
          profile,
        ),
      );
    }
  }

  // 2. Schemas: the RFC's first (findings carry the RFC rule), then the flavour's (what the RFC does not say).
  if (value !== undefined) {
    if (isTokenKind && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      findings.push(finding(bodyRule, '', 'body must be a JSON object', profile));
    } else {
      const reported = new Set<string>();
      if (isTokenKind) {
        const rfcKind = RFC_KIND[kind]!;
        for (const e of reg.validate('rfc6749', rfcKind, value).errors) {
          const rule = (e.member && reg.ruleOf('rfc6749', rfcKind, e.member)) ?? flavourSchema.id;
          findings.push(finding(rule, e.path, e.message, profile));
          reported.add(e.path);
        }
        const recommended = reg.schema('rfc6749', rfcKind)['x-idpc-recommended'] ?? [];
        for (const member of recommended) {
          if (!Object.hasOwn(value as object, member)) {
            findings.push(
              finding(expiresInPresent.id, `/${member}`, `recommended member "${member}" is missing`, profile),
            );
            reported.add(`/${member}`);
          }
        }
      }
      if (kind === 'token-response') {
        // TE-C5 (RFC 6749 §5.1, §7.1): token_type compared case-insensitively against the registered types and the flavour's own.
        const type = (value as Record<string, unknown>).token_type;
        const known = new Set(['bearer', 'dpop', 'n_a', ...FLAVOURS[flavour].tokenTypes.map((t) => t.toLowerCase())]);
        if (typeof type === 'string' && !reported.has('/token_type') && !known.has(type.toLowerCase())) {
          findings.push(
            finding(
              tokenTypeMember.id,
              '/token_type',
              `token_type "${type}" is not a known type (bearer, dpop, n_a${FLAVOURS[flavour].tokenTypes.length ? ` or the flavour's ${FLAVOURS[flavour].tokenTypes.join(', ')}` : ''})`,
              profile,
            ),
          );
          reported.add('/token_type');
        }
      }
      if (!FLAVOURS[flavour].rfcBaseline) {
        for (const e of reg.validate(group, kind, value).errors) {
          if (reported.has(e.path)) continue;
          // Where the RFC schema is satisfied, a difference from the flavour's schema (token_type's case, an optional
          // member missing or added) is legal: clients written for the flavour may break, so it warns, never fails.
          if (isTokenKind) {
            const f = finding(
              flavourSchema.id,
              e.path,
              `${FLAVOURS[flavour].title}: ${e.message} (RFC 6749 allows it; clients written for ${FLAVOURS[flavour].title} may break)`,
              profile,
            );
            legal.add(f);
            findings.push(f);
          } else findings.push(finding(otherSchema.id, e.path, `${FLAVOURS[flavour].title}: ${e.message}`, profile));
          reported.add(e.path);
        }
      }
      if (input.strict && reg.has(group, kind, true)) {
        for (const e of reg.validate(group, kind, value, { strict: true }).errors) {
          if (e.keyword === 'unevaluatedProperties')
            findings.push(finding(unknownMembers.id, e.path, e.message, profile));
        }
      }
    }
  }

  // 3. HTTP rules, when the whole response was captured.
  if (input.response && isTokenKind) {
    for (const check of checksJudgingEvery(kind as 'token-response' | 'token-error')) {
      const o = check.inspect?.(input.response, value);
      if (o && !o.passed) findings.push(finding(check.id, o.path ?? '', o.message, profile));
    }
  }

  // 4. What each finding weighs (src/verdict): its severity under the profile, a legal flavour difference's warning,
  // and where the flavour departs from the RFC on purpose, the documented deviation instead of a failure.
  const context = {
    response: input.response ?? { status: 0, headers: {}, body: text },
    body: parsedJson ? value : undefined,
  };
  for (const f of findings) {
    const weighed = weigh({
      check: f.rule,
      profile,
      descriptor: FLAVOURS[flavour],
      context,
      legalFlavourDifference: legal.has(f),
    });
    f.severity = weighed.severity;
    if (weighed.deviation) f.deviation = weighed.deviation;
  }

  const sorted = sortFindings(findings);
  return { flavour, kind, profile, valid: !sorted.some((f) => f.severity === 'error'), findings: sorted };
}
