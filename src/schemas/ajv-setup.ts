/**
 * The one ajv configuration of the product: the generator (npm run gen:types, precompiled validators) and the
 * runtime fallback (a URI that is not precompiled; `compileAll` in tests) both build their instance here. A schema
 * changed since generation is caught by test/generated-types.test.ts: run npm run gen:types.
 */
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Type, Options } from 'ajv/dist/2020.js';
import type { SchemaDocument, SchemaEntry } from './catalog.js';

/** Our own annotation keywords: documented in schemas/README.md, ignored by validation. */
export const IDPC_KEYWORDS = ['x-idpc-rule', 'x-idpc-recommended', 'x-idpc-text-body', 'x-idpc-internal'];

// ajv and ajv-formats are CommonJS and loaded synchronously, only when a validator is not precompiled.
const require = createRequire(import.meta.url);

/** An ajv instance holding every schema and its strict variant. strictRequired is off because required members may be declared in an allOf'd schema. */
export function buildAjv(entries: SchemaEntry[], extra: Options = {}): Ajv2020Type {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default: (ajv: Ajv2020Type) => Ajv2020Type };
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, ...extra });
  formats.default(ajv);
  ajv.addVocabulary(IDPC_KEYWORDS);
  for (const entry of entries) ajv.addSchema(entry.schema);
  for (const entry of entries) if (hasStrictVariant(entry)) ajv.addSchema(strictVariant(entry.schema));
  return ajv;
}

export function isObjectSchema(schema: SchemaDocument): boolean {
  return schema.type === 'object';
}

/** Public object schemas have a strict variant: unknown members become findings. */
export const hasStrictVariant = (entry: SchemaEntry) =>
  !entry.schema['x-idpc-internal'] && isObjectSchema(entry.schema);

export const strictId = (schema: SchemaDocument) => schema.$id.replace(/\.schema\.json$/, '.strict.schema.json');

/** The strict variant: the same schema, but no member it does not declare. */
export function strictVariant(schema: SchemaDocument): SchemaDocument {
  return {
    $id: strictId(schema),
    title: `${schema.title ?? ''} (strict: no unknown members)`,
    $ref: schema.$id,
    type: 'object',
    unevaluatedProperties: false,
  };
}

/** The schema URIs that are precompiled: every public schema, its strict variant, and the mock config's $defs (admin API). */
export function precompiledUris(entries: SchemaEntry[]): string[] {
  const uris: string[] = [];
  for (const e of entries) {
    if (e.schema['x-idpc-internal']) continue;
    uris.push(e.schema.$id);
    if (hasStrictVariant(e)) uris.push(strictId(e.schema));
    if (e.group === 'config')
      for (const def of Object.keys((e.schema.$defs as object | undefined) ?? {}))
        uris.push(`${e.schema.$id}#/$defs/${def}`);
  }
  return uris;
}
