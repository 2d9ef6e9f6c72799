import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** The package root, found by walking up to our package.json: works from src/ (tsx, vitest) and dist/src/ alike. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'idp-conformance') return (cachedRoot = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('idp-conformance package root not found');
    dir = parent;
  }
}

let cachedVersion: string | undefined;
/** This package's own version (never the host project's: `npx idpc --version` in a consumer project). */
export function packageVersion(): string {
  return (cachedVersion ??= (
    JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version);
}

export const schemasDir = (): string => join(packageRoot(), 'schemas');
export const fixturesDir = (): string => join(packageRoot(), 'fixtures');
