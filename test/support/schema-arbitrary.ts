/**
 * fast-check arbitraries built from our JSON Schemas' own constraints (type, properties, required, const, enum,
 * pattern, minimum, minLength, items, $ref, allOf, anyOf), plus the single mutations a valid value must not survive.
 * Only the keywords our schemas use are supported; an unsupported one throws, so a new schema cannot slip past.
 */
import fc from 'fast-check';
import type { SchemaRegistry } from '../../src/schemas/registry.js';

type Schema = Record<string, unknown>;
export interface Located {
  schema: Schema;
  base: string;
}

const docBase = (uri: string): string => uri.split('#')[0]!;

export function follow(reg: SchemaRegistry, s: Located): Located {
  let current = s;
  while (
    typeof current.schema.$ref === 'string' &&
    Object.keys(current.schema).every((k) => ['$ref', 'description', 'x-idpc-rule', 'title'].includes(k))
  ) {
    const uri = new URL(current.schema.$ref, current.base).href;
    const target = reg.resolve(current.schema.$ref, current.base);
    if (!target) throw new Error(`unresolvable $ref ${uri}`);
    current = { schema: target, base: typeof target.$id === 'string' ? target.$id : docBase(uri) };
  }
  return current;
}

/** The parts a schema is the intersection of: itself (minus allOf/$ref) and, recursively, its allOf and $ref targets. */
export function parts(reg: SchemaRegistry, s: Located): Located[] {
  const out: Located[] = [];
  const { allOf, $ref, ...own } = s.schema;
  out.push({ schema: own, base: s.base });
  if (typeof $ref === 'string') out.push(...parts(reg, follow(reg, { schema: { $ref }, base: s.base })));
  for (const sub of (allOf as Schema[] | undefined) ?? []) out.push(...parts(reg, { schema: sub, base: s.base }));
  return out;
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** JSON types a schema admits, or undefined when it does not restrict them. */
export function allowedTypes(reg: SchemaRegistry, s: Located): Set<string> | undefined {
  let result: Set<string> | undefined;
  const intersect = (types: Set<string>) => {
    result = result
      ? new Set([...result].filter((t) => types.has(t) || (t === 'integer' && types.has('number'))))
      : types;
  };
  for (const p of parts(reg, s)) {
    const sc = p.schema;
    if (typeof sc.type === 'string') intersect(new Set(sc.type === 'number' ? ['number', 'integer'] : [sc.type]));
    if (Array.isArray(sc.type))
      intersect(new Set((sc.type as string[]).flatMap((t) => (t === 'number' ? ['number', 'integer'] : [t]))));
    if ('const' in sc) intersect(new Set([jsonTypeOf(sc.const)]));
    if (Array.isArray(sc.enum)) intersect(new Set((sc.enum as unknown[]).map(jsonTypeOf)));
    if (Array.isArray(sc.anyOf)) {
      const union = new Set<string>();
      for (const alt of sc.anyOf as Schema[]) {
        const t = allowedTypes(reg, { schema: alt, base: p.base });
        if (!t) return result;
        for (const x of t) union.add(x);
      }
      intersect(union);
    }
  }
  return result;
}

const SUPPORTED = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'default',
  '$defs',
  '$comment',
  'x-idpc-rule',
  'x-idpc-recommended',
  'x-idpc-text-body',
  'x-idpc-internal',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'const',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'items',
  'minItems',
  'uniqueItems',
  'format',
  'anyOf',
  'not',
]);

/** An arbitrary of values valid against the schema, by construction. */
export function arbitraryFor(reg: SchemaRegistry, s: Located): fc.Arbitrary<unknown> {
  const ps = parts(reg, s);
  for (const p of ps)
    for (const k of Object.keys(p.schema))
      if (!SUPPORTED.has(k)) throw new Error(`schema keyword ${k} not supported by the generator`);
  const merged: Schema = {};
  const properties: Record<string, Located[]> = {};
  const required = new Set<string>();
  for (const p of ps) {
    for (const [k, v] of Object.entries(p.schema)) {
      if (k === 'properties')
        for (const [name, sub] of Object.entries(v as Record<string, Schema>))
          (properties[name] ??= []).push({ schema: sub, base: p.base });
      else if (k === 'required') for (const r of v as string[]) required.add(r);
      else if (k === 'pattern' && merged.pattern && merged.pattern !== v)
        throw new Error(`two patterns at one place: ${String(merged.pattern)} and ${String(v)}`);
      else if (!(k in merged) || k === 'const' || k === 'enum') merged[k] = v;
    }
  }
  if ('const' in merged) return fc.constant(merged.const);
  if (Array.isArray(merged.enum)) return fc.constantFrom(...(merged.enum as unknown[]));
  if (Array.isArray(merged.anyOf))
    return fc.oneof(...(merged.anyOf as Schema[]).map((alt) => arbitraryFor(reg, { schema: alt, base: s.base })));
  const types = allowedTypes(reg, s);
  const type = types ? [...types][0] : 'string';
  switch (type) {
    case 'object': {
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, subs] of Object.entries(properties)) {
        if (subs.some((x) => 'not' in x.schema)) continue; // members that must be absent (TE-D7)
        record[name] = intersectionArbitrary(reg, subs);
      }
      const requiredKeys = [...required].filter((k) => k in record);
      return fc.record(record, { requiredKeys });
    }
    case 'array': {
      const items = merged.items ? arbitraryFor(reg, { schema: merged.items as Schema, base: s.base }) : fc.string();
      return fc.array(items, { minLength: (merged.minItems as number | undefined) ?? 0, maxLength: 4 });
    }
    case 'integer':
      return fc.integer({
        min: (merged.minimum as number | undefined) ?? -1_000_000,
        max: (merged.maximum as number | undefined) ?? 2_000_000_000,
      });
    case 'number':
      return fc.double({
        min: (merged.minimum as number | undefined) ?? -1e6,
        max: (merged.maximum as number | undefined) ?? 1e9,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default: {
      if (merged.format === 'uri' || merged.format === 'uri-reference') return fc.webUrl();
      if (merged.format === 'date-time')
        return fc
          .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
          .map((d) => d.toISOString());
      const min = (merged.minLength as number | undefined) ?? 0;
      const max = merged.maxLength as number | undefined;
      if (typeof merged.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(merged.pattern, 'u'))
          .filter((x) => [...x].length >= min && (max === undefined || [...x].length <= max));
      }
      return fc.string({ minLength: min, ...(max !== undefined ? { maxLength: max } : {}) });
    }
  }
}

function intersectionArbitrary(reg: SchemaRegistry, subs: Located[]): fc.Arbitrary<unknown> {
  // Pick the most specific part to generate from; the test's full validation then proves the others hold too.
  const rank = (x: Located) => {
    const f = parts(reg, x);
    if (f.some((p) => 'const' in p.schema)) return 0;
    if (f.some((p) => Array.isArray(p.schema.enum))) return 1;
    return 2;
  };
  const sorted = [...subs].sort((a, b) => rank(a) - rank(b));
  return arbitraryFor(reg, sorted[0]!);
}

/** Members of an object schema (through allOf/$ref), with where their schemas live. */
export function memberSchemas(reg: SchemaRegistry, s: Located): Map<string, Located[]> {
  const out = new Map<string, Located[]>();
  for (const p of parts(reg, s)) {
    for (const [name, sub] of Object.entries((p.schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (!out.has(name)) out.set(name, []);
      out.get(name)!.push({ schema: sub, base: p.base });
    }
  }
  return out;
}

export function requiredMembers(reg: SchemaRegistry, s: Located): string[] {
  return [...new Set(parts(reg, s).flatMap((p) => (p.schema.required as string[] | undefined) ?? []))];
}

export const SAMPLE_OF_TYPE: Record<string, unknown> = {
  string: 'x',
  integer: 42,
  number: 4.5,
  boolean: true,
  null: null,
  array: [],
  object: {},
};

/** JSON types a member admits: the intersection over the member's parts. */
export function memberTypes(reg: SchemaRegistry, subs: Located[]): Set<string> | undefined {
  let result: Set<string> | undefined;
  for (const sub of subs) {
    const t = allowedTypes(reg, sub);
    if (!t) continue;
    result = result ? new Set([...result].filter((x) => t.has(x))) : t;
  }
  return result;
}
