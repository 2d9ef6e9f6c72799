import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { VALIDATORS } from '../generated/validators/schemas.js';
import { buildAjv, hasStrictVariant, strictId, strictVariant } from './ajv-setup.js';
import {
  SCHEMA_BASE_URI,
  publicSchemaEntries,
  schemaEntries,
  type SchemaDocument,
  type SchemaEntry,
} from './catalog.js';
import { dedupe, isReportable, toSchemaError, type SchemaError } from './messages.js';

export type { SchemaError } from './messages.js';

export interface SchemaValidation {
  valid: boolean;
  errors: SchemaError[];
}

export interface SchemaRef {
  group: string;
  kind: string;
}

type Validator = (value: unknown) => boolean;
const PRECOMPILED = VALIDATORS as unknown as Record<string, Validator & { errors?: ValidateFunction['errors'] }>;

/**
 * Every schema's validator by URI. The precompiled ones (src/generated/validators/schemas.ts, npm run gen:types)
 * serve without ajv; ajv is built only for what is not precompiled (compileAll in tests), from the same setup.
 */
export class SchemaRegistry {
  private ajvInstance: Ajv2020 | undefined;
  private readonly compiled = new Map<string, Validator & { errors?: ValidateFunction['errors'] }>();
  private readonly byKey = new Map<string, SchemaEntry>();
  private readonly byId = new Map<string, SchemaDocument>();

  constructor(
    private readonly entries: SchemaEntry[] = schemaEntries(),
    private readonly precompiled = PRECOMPILED,
  ) {
    for (const entry of entries) {
      this.byKey.set(key(entry.group, entry.kind), entry);
      this.byId.set(entry.schema.$id, entry.schema);
      if (hasStrictVariant(entry)) this.byId.set(strictId(entry.schema), strictVariant(entry.schema));
    }
  }

  private ajv(): Ajv2020 {
    return (this.ajvInstance ??= buildAjv(this.entries));
  }

  /** Compiles every schema with ajv now (tests): a broken schema fails here rather than on first use. */
  compileAll(): void {
    for (const entry of this.byKey.values()) {
      if (entry.schema['x-idpc-internal']) continue;
      this.ajv().getSchema(entry.schema.$id);
      if (hasStrictVariant(entry)) this.ajv().getSchema(strictId(entry.schema));
    }
  }

  private byUri(uri: string): (Validator & { errors?: ValidateFunction['errors'] }) | undefined {
    let fn = this.compiled.get(uri) ?? this.precompiled[uri];
    if (fn) return fn;
    fn = this.ajv().getSchema(uri);
    if (fn) this.compiled.set(uri, fn);
    return fn;
  }

  private fn(
    group: string,
    kind: string,
    strict = false,
  ): (Validator & { errors?: ValidateFunction['errors'] }) | undefined {
    const entry = this.byKey.get(key(group, kind));
    if (!entry || entry.schema['x-idpc-internal'] || (strict && !hasStrictVariant(entry))) return undefined;
    return this.byUri(strict ? strictId(entry.schema) : entry.schema.$id);
  }

  entry(group: string, kind: string): SchemaEntry | undefined {
    return this.byKey.get(key(group, kind));
  }

  has(group: string, kind: string, strict = false): boolean {
    const entry = this.byKey.get(key(group, kind));
    return !!entry && !entry.schema['x-idpc-internal'] && (!strict || hasStrictVariant(entry));
  }

  /** Kinds a group (flavour, rfc6749 or config) offers. */
  kinds(group: string): string[] {
    return publicSchemaEntries()
      .filter((e) => e.group === group)
      .map((e) => e.kind);
  }

  schema(group: string, kind: string, strict = false): SchemaDocument {
    const entry = this.byKey.get(key(group, kind));
    if (!entry || entry.schema['x-idpc-internal'] || (strict && !hasStrictVariant(entry)))
      throw new Error(`no schema ${group}/${kind}${strict ? ' (strict)' : ''}`);
    return strict ? this.byId.get(strictId(entry.schema))! : entry.schema;
  }

  validate(group: string, kind: string, value: unknown, options: { strict?: boolean } = {}): SchemaValidation {
    const fn = this.fn(group, kind, options.strict);
    if (!fn) throw new Error(`no schema ${group}/${kind}${options.strict ? ' (strict)' : ''}`);
    if (fn(value)) return { valid: true, errors: [] };
    return { valid: false, errors: dedupe((fn.errors ?? []).filter(isReportable).map((e) => toSchemaError(e, value))) };
  }

  /** Validates against any schema or sub-schema by URI (e.g. a $defs entry of a config schema); compiled once. */
  validateRef(uri: string, value: unknown): SchemaValidation {
    const fn = this.byUri(uri);
    if (!fn) throw new Error(`no schema at ${uri}`);
    if (fn(value)) return { valid: true, errors: [] };
    return { valid: false, errors: dedupe((fn.errors ?? []).filter(isReportable).map((e) => toSchemaError(e, value))) };
  }

  /** The x-idpc-rule annotation of a top-level member, looked up through allOf/$ref. */
  ruleOf(group: string, kind: string, member: string): string | undefined {
    return this.findAnnotation(this.schema(group, kind), member, new Set());
  }

  private findAnnotation(schema: Record<string, unknown>, member: string, seen: Set<unknown>): string | undefined {
    if (seen.has(schema)) return undefined;
    seen.add(schema);
    const prop = (schema.properties as Record<string, Record<string, unknown>> | undefined)?.[member];
    if (typeof prop?.['x-idpc-rule'] === 'string') return prop['x-idpc-rule'];
    for (const sub of (schema.allOf as Record<string, unknown>[] | undefined) ?? []) {
      const target = typeof sub.$ref === 'string' ? this.resolve(sub.$ref, schema.$id as string | undefined) : sub;
      const found = target && this.findAnnotation(target, member, seen);
      if (found) return found;
    }
    if (typeof schema.$ref === 'string') {
      const target = this.resolve(schema.$ref, schema.$id as string | undefined);
      if (target) return this.findAnnotation(target, member, seen);
    }
    return undefined;
  }

  /** The schema a $ref points to, relative to the $id of the document it appears in. */
  resolve(ref: string, base: string | undefined): Record<string, unknown> | undefined {
    const url = new URL(ref, base ?? SCHEMA_BASE_URI);
    const pointer = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    let node: unknown = this.byId.get(url.href);
    // A JSON Pointer fragment (#/$defs/x): walked through the document (RFC 6901 escapes).
    for (const token of pointer.split('/').slice(1))
      node = (node as Record<string, unknown> | undefined)?.[token.replace(/~1/g, '/').replace(/~0/g, '~')];
    return node as Record<string, unknown> | undefined;
  }
}

function key(group: string, kind: string, strict = false): string {
  return `${group}/${kind}${strict ? '#strict' : ''}`;
}

let shared: SchemaRegistry | undefined;

/** The process-wide registry: every schema compiled once. */
export function registry(): SchemaRegistry {
  return (shared ??= new SchemaRegistry());
}

/** validate(flavour, kind, value): the schema verdict for a value. `flavour` may also be "rfc6749" or "config". */
export function validate(
  flavour: string,
  kind: string,
  value: unknown,
  options: { strict?: boolean } = {},
): SchemaValidation {
  return registry().validate(flavour, kind, value, options);
}
