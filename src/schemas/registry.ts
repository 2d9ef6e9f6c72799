import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SCHEMA_BASE_URI, publicSchemaEntries, schemaEntries, type SchemaDocument, type SchemaEntry } from './catalog.js';
import { dedupe, isReportable, toSchemaError, type SchemaError } from './messages.js';

export type { SchemaError } from './messages.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext resolution.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

export interface SchemaValidation {
  valid: boolean;
  errors: SchemaError[];
}

export interface SchemaRef {
  group: string;
  kind: string;
}

/** Our own annotation keywords: documented in schemas/README.md, ignored by validation. */
const IDPC_KEYWORDS = ['x-idpc-rule', 'x-idpc-recommended', 'x-idpc-text-body', 'x-idpc-internal'];

export class SchemaRegistry {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly byKey = new Map<string, SchemaEntry>();

  constructor(entries: SchemaEntry[] = schemaEntries()) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addVocabulary(IDPC_KEYWORDS);
    for (const entry of entries) {
      this.ajv.addSchema(entry.schema);
      this.byKey.set(key(entry.group, entry.kind), entry);
    }
    // strictRequired is off because required members may be declared in an allOf'd schema (ajv cannot see across).
    // Schemas compile on first use and stay compiled: start-up (idpc mock) does not pay for all of them.
    for (const entry of entries) {
      if (entry.schema['x-idpc-internal']) continue;
      if (isObjectSchema(entry.schema)) this.ajv.addSchema(strictVariant(entry.schema));
    }
  }

  /** Compiles every schema now (tests, `schemas list`): a broken schema fails here rather than on first use. */
  compileAll(): void {
    for (const entry of this.byKey.values()) {
      if (entry.schema['x-idpc-internal']) continue;
      this.fn(entry.group, entry.kind);
      if (isObjectSchema(entry.schema)) this.fn(entry.group, entry.kind, true);
    }
  }

  private fn(group: string, kind: string, strict = false): ValidateFunction | undefined {
    const k = key(group, kind, strict);
    let fn = this.compiled.get(k);
    if (fn) return fn;
    const entry = this.byKey.get(key(group, kind));
    if (!entry || entry.schema['x-idpc-internal'] || (strict && !isObjectSchema(entry.schema))) return undefined;
    fn = this.ajv.getSchema(strict ? strictId(entry.schema) : entry.schema.$id)!;
    this.compiled.set(k, fn);
    return fn;
  }

  entry(group: string, kind: string): SchemaEntry | undefined {
    return this.byKey.get(key(group, kind));
  }

  has(group: string, kind: string, strict = false): boolean {
    const entry = this.byKey.get(key(group, kind));
    return !!entry && !entry.schema['x-idpc-internal'] && (!strict || isObjectSchema(entry.schema));
  }

  /** Kinds a group (flavour, rfc6749 or config) offers. */
  kinds(group: string): string[] {
    return publicSchemaEntries()
      .filter((e) => e.group === group)
      .map((e) => e.kind);
  }

  schema(group: string, kind: string, strict = false): SchemaDocument {
    const fn = this.fn(group, kind, strict);
    if (!fn) throw new Error(`no schema ${group}/${kind}${strict ? ' (strict)' : ''}`);
    return fn.schema as SchemaDocument;
  }

  validate(group: string, kind: string, value: unknown, options: { strict?: boolean } = {}): SchemaValidation {
    const fn = this.fn(group, kind, options.strict);
    if (!fn) throw new Error(`no schema ${group}/${kind}${options.strict ? ' (strict)' : ''}`);
    if (fn(value)) return { valid: true, errors: [] };
    return { valid: false, errors: dedupe((fn.errors ?? []).filter(isReportable).map((e) => toSchemaError(e, value))) };
  }

  /** Validates against any schema or sub-schema by URI (e.g. a $defs entry of a config schema); compiled once. */
  validateRef(uri: string, value: unknown): SchemaValidation {
    let fn = this.compiled.get(uri);
    if (!fn) {
      const found = this.ajv.getSchema(uri);
      if (!found) throw new Error(`no schema at ${uri}`);
      this.compiled.set(uri, (fn = found));
    }
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
    const uri = new URL(ref, base ?? SCHEMA_BASE_URI).href;
    return this.ajv.getSchema(uri)?.schema as Record<string, unknown> | undefined;
  }
}

function key(group: string, kind: string, strict = false): string {
  return `${group}/${kind}${strict ? '#strict' : ''}`;
}

function isObjectSchema(schema: SchemaDocument): boolean {
  return schema.type === 'object';
}

const strictId = (schema: SchemaDocument) => schema.$id.replace(/\.schema\.json$/, '.strict.schema.json');

/** The strict variant: the same schema, but no member it does not declare (unknown members become findings). */
function strictVariant(schema: SchemaDocument): SchemaDocument {
  return {
    $id: strictId(schema),
    title: `${schema.title ?? ''} (strict: no unknown members)`,
    $ref: schema.$id,
    type: 'object',
    unevaluatedProperties: false,
  };
}

let shared: SchemaRegistry | undefined;

/** The process-wide registry: every schema compiled once. */
export function registry(): SchemaRegistry {
  return (shared ??= new SchemaRegistry());
}

/** validate(flavour, kind, value): the schema verdict for a value. `flavour` may also be "rfc6749" or "config". */
export function validate(flavour: string, kind: string, value: unknown, options: { strict?: boolean } = {}): SchemaValidation {
  return registry().validate(flavour, kind, value, options);
}
