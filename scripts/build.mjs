/**
 * npm run build: tsc compiles to dist/, then esbuild bundles the CLI and the mock worker into dist/bin/, every
 * dependency included. A run then loads a handful of files instead of hundreds (undici alone is ~90 CommonJS
 * files): about half of a short run's start-up CPU was module resolution and compilation. Code-split, so that
 * `idpc mock` and `idpc checks` load only what they need, and lazy imports (undici, jose, yaml) stay lazy.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const bundled = await build({
  entryPoints: ['dist/src/cli/main.js', 'dist/src/cli/mock-worker.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  outdir: 'dist/bin',
  logLevel: 'warning',
  // Bundled CommonJS code calls require(): in an ES module it needs one (node:module's createRequire).
  banner: {
    js: "import { createRequire as __idpcRequire } from 'node:module'; const require = __idpcRequire(import.meta.url);",
  },
  // The import graph of the bundle: test/startup-imports.test.ts keeps each command's start-up path lean with it.
  // Under reports/, not dist/: the package ships dist/ and has no use for it.
  metafile: true,
});
mkdirSync('reports/build', { recursive: true });
writeFileSync('reports/build/metafile.json', JSON.stringify(bundled.metafile));
