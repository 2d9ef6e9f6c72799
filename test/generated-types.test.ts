import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generatedTypes, generatedValidators } from '../src/schemas/generate.js';
import { packageRoot } from '../src/util/paths.js';

it('src/generated/ (types and precompiled validators) is what npm run gen:types makes of schemas/ (run it after changing a schema)', async () => {
  const files = [...(await generatedTypes()), ...(await generatedValidators())];
  expect(files.length).toBeGreaterThan(20);
  for (const { file, source } of files) {
    const path = join(packageRoot(), 'src', 'generated', file);
    expect(existsSync(path), `src/generated/${file} is missing`).toBe(true);
    expect(readFileSync(path, 'utf8'), `src/generated/${file} is stale`).toBe(source);
  }
}, 60_000);
