/**
 * The check registry: every check of every series, by id. Lists of ids anywhere in the code are derived from
 * here (and from the scenarios that reference these definitions), never written by hand.
 */
import type { CheckDef } from './define.js';
import * as authorizationCode from './authorization-code.js';
import * as bearer from './bearer.js';
import * as clientAuth from './client-auth.js';
import * as discovery from './discovery.js';
import * as grants from './grants.js';
import * as jwt from './jwt.js';
import * as model from './model.js';
import * as refresh from './refresh.js';
import * as requests from './requests.js';
import * as revocation from './revocation.js';
import * as rotation from './rotation.js';
import * as sessions from './sessions.js';
import * as tokenError from './token-error.js';
import * as tokenResponse from './token-response.js';
import { naturalCompare } from '../util/collate.js';

/** The series files. */
const SERIES = {
  requests,
  clientAuth,
  tokenResponse,
  tokenError,
  grants,
  refresh,
  rotation,
  revocation,
  bearer,
  discovery,
  jwt,
  sessions,
  authorizationCode,
  model,
} as const;

type Defs<M> = { [K in keyof M]: M[K] extends CheckDef ? M[K] : never }[keyof M];
export type AnyCheck = { [S in keyof typeof SERIES]: Defs<(typeof SERIES)[S]> }[keyof typeof SERIES];
/** Every registered id, as a type: a suite or a flavour naming an unknown id does not compile. */
export type CheckId = AnyCheck['id'];

const isCheck = (v: unknown): v is CheckDef =>
  !!v && typeof v === 'object' && typeof (v as CheckDef).id === 'string' && typeof (v as CheckDef).level === 'string';

/** Numbered checklist ids (TE-C14); project checks (TE-FL, SCHEMA) come after them. */
const SERIAL = /^TE-[A-Z]\d+$/;

/** In checklist order (a module namespace lists its exports alphabetically, so the order is made here). */
export const ALL_CHECKS: readonly CheckDef[] = Object.values(SERIES)
  .flatMap((m) => Object.values(m).filter(isCheck))
  .sort((a, b) => Number(!SERIAL.test(a.id)) - Number(!SERIAL.test(b.id)) || naturalCompare(a.id, b.id));

const BY_ID: ReadonlyMap<string, CheckDef> = (() => {
  const map = new Map<string, CheckDef>();
  for (const c of ALL_CHECKS) {
    if (map.has(c.id)) throw new Error(`check ${c.id} is defined twice`);
    map.set(c.id, c);
  }
  return map;
})();

export function isRegistered(id: string): boolean {
  return BY_ID.has(id);
}

export function checkDef(id: string): CheckDef {
  const def = BY_ID.get(id);
  if (!def) throw new Error(`unknown check id ${id}`);
  return def;
}

/** The checks judged on every answer of a kind (RFC 6749 §5.1 / §5.2 rules), in registry order. */
export function checksJudgingEvery(kind: 'token-response' | 'token-error'): CheckDef[] {
  return ALL_CHECKS.filter((c) => c.judgesEvery?.includes(kind));
}
