/**
 * Turns schemas/ into TypeScript types under src/generated/ (one file per schema), so that no type is written twice.
 * `npm run gen:types` writes them; `--check` only compares and exits 1 when the committed files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { forgetSchemaEntries } from '../src/schemas/catalog.js';
import {
  generatedDefaults,
  generatedMockConfigSchema,
  generatedTypes,
  generatedValidators,
} from '../src/schemas/generate.js';
import { packageRoot, schemasDir } from '../src/util/paths.js';

const check = process.argv.includes('--check');
const outDir = join(packageRoot(), 'src', 'generated');
let stale = 0;
// The mock-config schema's flavour sections first: the types and validators below are made from it.
const mockConfig = generatedMockConfigSchema();
const mockConfigPath = join(schemasDir(), mockConfig.file);
if (readFileSync(mockConfigPath, 'utf8') !== mockConfig.source) {
  stale++;
  if (check) process.stderr.write(`stale: schemas/${mockConfig.file}\n`);
  else {
    writeFileSync(mockConfigPath, mockConfig.source);
    forgetSchemaEntries();
    process.stdout.write(`wrote schemas/${mockConfig.file}\n`);
  }
}
for (const { file, source } of [
  ...(await generatedTypes()),
  ...(await generatedValidators()),
  ...generatedDefaults(),
]) {
  const path = join(outDir, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === source) continue;
  stale++;
  if (check) {
    process.stderr.write(`stale: src/generated/${file}\n`);
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    process.stdout.write(`wrote src/generated/${file}\n`);
  }
}
if (check && stale) {
  process.stderr.write(`${stale} generated file(s) are stale: run npm run gen:types\n`);
  process.exit(1);
}
