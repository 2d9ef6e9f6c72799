import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { schemasDir } from '../util/paths.js';
import { naturalCompare } from '../util/collate.js';

/** A JSON Schema document as stored under schemas/. */
export interface SchemaDocument {
  $id: string;
  title?: string;
  description?: string;
  examples?: unknown[];
  'x-idpc-internal'?: boolean;
  'x-idpc-text-body'?: boolean;
  'x-idpc-recommended'?: string[];
  [keyword: string]: unknown;
}

export interface SchemaEntry {
  /** Directory under schemas/: a flavour name, rfc6749, config or common. */
  group: string;
  /** File stem, e.g. token-response. */
  kind: string;
  /** Path relative to schemas/, with forward slashes. */
  file: string;
  schema: SchemaDocument;
}

export const SCHEMA_BASE_URI = 'https://idp-conformance.dev/schemas/';

let entries: SchemaEntry[] | undefined;

/** Forgets what schemaEntries() read (gen:types, after it rewrote a schema). */
export function forgetSchemaEntries(): void {
  entries = undefined;
}

/** Every schema file under schemas/, read once. */
export function schemaEntries(): SchemaEntry[] {
  if (entries) return entries;
  const root = schemasDir();
  const found: SchemaEntry[] = [];
  for (const group of readdirSync(root, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(join(root, group.name)).sort()) {
      if (!file.endsWith('.schema.json')) continue;
      const path = join(root, group.name, file);
      const schema = JSON.parse(readFileSync(path, 'utf8')) as SchemaDocument;
      const rel = relative(root, path).split(sep).join('/');
      if (schema.$id !== SCHEMA_BASE_URI + rel) {
        throw new Error(`schemas/${rel}: $id must be ${SCHEMA_BASE_URI + rel}`);
      }
      found.push({ group: group.name, kind: file.slice(0, -'.schema.json'.length), file: rel, schema });
    }
  }
  entries = found.sort((a, b) => naturalCompare(a.file, b.file));
  return entries;
}

/** Schemas a user validates against (building blocks such as common/defs are left out). */
export function publicSchemaEntries(): SchemaEntry[] {
  return schemaEntries().filter((e) => !e.schema['x-idpc-internal']);
}
