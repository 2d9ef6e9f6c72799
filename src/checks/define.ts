/**
 * How a check is declared: once, with its metadata and its logic, in the file of its series
 * (reference checklist TE-A ... TE-N). Every list of ids in the code is derived from these declarations
 * (src/checks/registry.ts); the severity a failure gets is decided in one place (src/verdict).
 */
import type { Profile } from '../generated/schemas.js';
import type { CapturedResponse } from '../http/capture.js';
import type { Exchange, Severity } from '../vocabulary/types.js';

export type { Profile, Severity } from '../vocabulary/types.js';

/** The spec's keyword. MUST -> error, SHOULD/RECOMMENDED -> warning, MAY/DERIVED -> info, unless a profile says otherwise. */
export type Level = 'MUST' | 'SHOULD' | 'RECOMMENDED' | 'MAY' | 'DERIVED' | 'PROJECT';
/** Every profile (schemas/common/defs.schema.json#/$defs/profile) in the order help and docs list them. A Record over
 *  the schema's type: the compiler refuses a profile missing here, or one the schema does not have. */
const PROFILE_SET: Record<Profile, true> = { rfc6749: true, bcp9700: true, oauth21: true };
export const PROFILES: readonly Profile[] = Object.keys(PROFILE_SET) as Profile[];

/** The suites, in the order they run (src/runner/run.ts holds their definitions; a test keeps the two in step). */
export const SUITE_NAMES = ['grant', 'refresh', 'revocation', 'sessions', 'authorization-code', 'stateful'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** The same severity under every profile (a derived check whose weight the level does not give). */
export const everyProfile = (severity: Severity): Record<Profile, Severity> => ({
  rfc6749: severity,
  bcp9700: severity,
  oauth21: severity,
});

/** What a check says about what it looked at: passed or not, and why, in words a vendor can act on. */
export interface Outcome {
  passed: boolean;
  message: string;
  /** JSON pointer or header name the outcome is about (response rules). */
  path?: string;
}

export const outcome = (passed: boolean, message: string, path?: string): Outcome => ({
  passed,
  message,
  ...(path ? { path } : {}),
});

/** The answer kinds whose every occurrence a check judges (the RFC 6749 §5.1 / §5.2 rules). */
export type AnswerKind = 'token-response' | 'token-error';

export interface CheckDef {
  id: string;
  title: string;
  level: Level;
  /** Requirement reference, e.g. "RFC 6749 §5.1". */
  requirement: string;
  url: string;
  /** Severity overrides where profiles disagree with the level. */
  profiles?: Partial<Record<Profile, Severity>>;
  /** The requirement binds public clients only (RFC 9700 §4.14.2): for confidential clients a failure is information. */
  publicClientsOnly?: boolean;
  /** A check of `idpc validate` only (bodies that no suite requests). Which suites report the others is derived from their scenarios. */
  validateOnly?: boolean;
  /** Named variants, each reported as its own result and exercised at least once per run. */
  variants?: readonly string[];
  /** Judged on every answer of these kinds (not by one scenario). */
  judgesEvery?: readonly AnswerKind[];
  /** The expected error of a request that must be refused (status and error code), where the RFC fixes one. */
  expects?: { status: readonly number[]; error: readonly string[] };
  /** A rule over one captured response (status and header rules of §5.1 / §5.2). */
  inspect?: (response: CapturedResponse, body: unknown) => Outcome;
  /** Reported by the capture validator (JSON parsing, RFC schema keywords tagged x-idpc-rule, the flavour schema). */
  byValidator?: boolean;
  /** A rule over what a scenario captured (exchanges, tokens). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: each check declares its own judge's parameters; ctx.judge() types the call
  judge?: (...args: any[]) => Outcome | Promise<Outcome>;
}

/** Declares a check; the literal id and the rule's own signature are kept in the type (the registry derives its id union). */
export function defineCheck<const D extends CheckDef>(def: D): D {
  return Object.freeze(def);
}

// ---- small helpers the rules share ------------------------------------------------------------------------

export const statusOf = (e: Exchange | undefined) => e?.response?.status;

/** Parsed bodies, once per answer: every check of an answer asks for it (measured: the runner's most called parse). */
const parsedBodies = new WeakMap<object, { body: string; value: Readonly<Record<string, unknown>> | undefined }>();

export function jsonObject(e: Exchange | undefined): Readonly<Record<string, unknown>> | undefined {
  const response = e?.response;
  if (!response) return undefined;
  const known = parsedBodies.get(response);
  if (known && known.body === response.body) return known.value;
  let value: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(response.body) as unknown;
    value = v && typeof v === 'object' && !Array.isArray(v) ? Object.freeze(v as Record<string, unknown>) : undefined;
  } catch {
    value = undefined;
  }
  parsedBodies.set(response, { body: response.body, value });
  return value;
}

/** "400 invalid_grant", "200", or the transport error: how an answer is named in messages. */
export const describeAnswer = (e: Exchange | undefined) => {
  if (!e?.response) return e?.error ?? 'no response';
  const code = jsonObject(e)?.error;
  return `${e.response.status}${typeof code === 'string' ? ` ${code}` : ''}`;
};

/** A request that must succeed got its 200 (the body's §5.1 rules are judged by their own checks). */
export const tokensIssued = (e: Exchange): Outcome =>
  outcome(e.response?.status === 200, `expected 200 with tokens, got ${describeStatusAndBody(e)}`);

const describeStatusAndBody = (e: Exchange) =>
  e.response ? `${e.response.status} ${e.response.body.slice(0, 200)}` : (e.error ?? 'no response');

/** The answer is the check's expected error (status and code). */
export function isExpectedError(def: Pick<CheckDef, 'expects'>, e: Exchange): Outcome {
  const ex = def.expects!;
  const s = statusOf(e) ?? 0;
  const code = jsonObject(e)?.error;
  return outcome(
    ex.status.includes(s) && typeof code === 'string' && ex.error.includes(code),
    `got ${describeAnswer(e)}, expected ${ex.status.join('/')} ${ex.error.join('/')}`,
  );
}

export const RFC6749 = 'https://www.rfc-editor.org/rfc/rfc6749';
export const RFC6750 = 'https://www.rfc-editor.org/rfc/rfc6750';
export const RFC7009 = 'https://www.rfc-editor.org/rfc/rfc7009';
export const RFC9700 = 'https://www.rfc-editor.org/rfc/rfc9700';

/** The `error` member of a JSON error body, when there is one. */
export function errorCode(body: unknown): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const e = (body as Record<string, unknown>).error;
    return typeof e === 'string' ? e : undefined;
  }
  return undefined;
}
