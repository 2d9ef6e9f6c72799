import type { ErrorObject } from 'ajv';

/** Names for the character-set patterns of schemas/common/defs.schema.json, so messages say what is wrong. */
const CHARSET_NAMES: Record<string, string> = {
  '^[\\x20-\\x7E]+$': 'VSCHAR (%x20-7E, RFC 6749 A.12)',
  '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*$': 'NQSCHAR (%x20-21 / %x23-5B / %x5D-7E, RFC 6749 §5.2)',
  '^[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+$': 'NQSCHAR (%x20-21 / %x23-5B / %x5D-7E, RFC 6749 §5.2)',
  '^[\\x21\\x23-\\x5B\\x5D-\\x7E]*$': 'URI characters (%x21 / %x23-5B / %x5D-7E, RFC 6749 §5.2)',
  '^[^\\u0000-\\u001F\\u007F]*$': 'text without control characters',
};

export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function preview(value: unknown, max = 40): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** The first character a single-character-class pattern (^[...]+$) rejects, with its position. */
function offendingCharacter(pattern: string, value: string): string | undefined {
  const cls = /^\^(\[.+\])[+*]\$$/.exec(pattern)?.[1];
  if (!cls) return undefined;
  const one = new RegExp(`^${cls}$`, 'u');
  let index = 0;
  for (const ch of value) {
    if (!one.test(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return `U+${code} at index ${index}`;
    }
    index += ch.length;
  }
  return undefined;
}

/** A sentence a person can act on, for one ajv error. */
export function describeAjvError(e: ErrorObject, root: unknown): string {
  const value = valueAt(root, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `required member "${String(p.missingProperty)}" is missing`;
    case 'type':
      return `must be ${String(p.type)}, got ${jsonType(value)} ${preview(value)}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}, got ${preview(value)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}; got ${preview(value)}`;
    case 'pattern': {
      const pattern = String(p.pattern);
      const name = CHARSET_NAMES[pattern];
      const where = typeof value === 'string' ? offendingCharacter(pattern, value) : undefined;
      if (name && where) return `contains a character outside ${name}: ${where}`;
      if (name && typeof value === 'string' && value.length === 0) return 'must not be empty';
      return `${preview(value)} does not match ${name ?? `the pattern ${pattern}`}`;
    }
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'maxLength':
      return p.limit === 0
        ? `must be empty, got ${preview(value)}`
        : `must be at most ${String(p.limit)} characters long`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}, got ${preview(value)}`;
    case 'additionalProperties':
      return `unexpected member "${String(p.additionalProperty)}"`;
    case 'unevaluatedProperties':
      return `unexpected member "${String(p.unevaluatedProperty)}"`;
    case 'not':
      return 'must not be present';
    case 'format':
      return `${preview(value)} is not a valid ${String(p.format)}`;
    case 'anyOf':
    case 'oneOf':
      return `${preview(value)} matches none of the allowed forms`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/** One problem the schema found, at a JSON pointer into the validated value. */
export interface SchemaError {
  /** JSON pointer of the offending value ("" = the whole document). */
  path: string;
  message: string;
  /** The JSON Schema keyword that failed (required, type, pattern, ...). */
  keyword: string;
  /** The top-level member concerned, when there is one. */
  member?: string;
}

/** Structural keywords whose failure only repeats the failures of their sub-schemas. */
export function isReportable(e: ErrorObject): boolean {
  return !['allOf', 'if', 'then', 'else', '$ref'].includes(e.keyword);
}

export function toSchemaError(e: ErrorObject, root: unknown): SchemaError {
  const path =
    e.keyword === 'required'
      ? `${e.instancePath}/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`
      : e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties'
        ? `${e.instancePath}/${escapePointer(((e.params as Record<string, string>).additionalProperty ?? (e.params as Record<string, string>).unevaluatedProperty)!)}`
        : e.instancePath;
  const member = path.split('/')[1];
  return {
    path,
    keyword: e.keyword,
    message: describeAjvError(e, root),
    ...(member !== undefined ? { member: member.replace(/~1/g, '/').replace(/~0/g, '~') } : {}),
  };
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function dedupe(errors: SchemaError[]): SchemaError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.path}\u0000${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
