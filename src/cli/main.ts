#!/usr/bin/env node
/**
 * idpc entry point. `idpc mock ...` is parsed with node:util parseArgs and never loads yargs, express or ajv's full
 * schema set before the first token: spawn-to-first-token is a measured target. Everything else goes through yargs.
 */
import module from 'node:module';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, UsageError } from './errors.js';

// Node >= 22.1 caches compiled modules on disk: later starts are faster. Absent on Node 20, hence the optional call.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

async function main(argv: string[]): Promise<number> {
  // Flavour modules register before any command reads the flavour lists (src/flavours/modules.ts); without one, nothing is loaded.
  if (process.env.IDPC_FLAVOUR_MODULES || argv.some((a) => a.startsWith('--flavour-module'))) {
    const { flavourModuleArgs, loadFlavourModules, FlavourModuleError } = await import('./flavour-modules.js');
    try {
      const { modules, rest } = flavourModuleArgs(argv);
      await loadFlavourModules(modules);
      argv = rest;
    } catch (e) {
      if (e instanceof FlavourModuleError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (argv[0] === 'mock' && !argv.some((a) => a === '--help' || a === '-h')) {
    const { MOCK_OPTIONS, runMockCommand } = await import('./mock.js');
    const options = Object.fromEntries(
      Object.entries(MOCK_OPTIONS).map(([name, o]) => [
        name,
        { type: o.type, ...('alias' in o ? { short: o.alias } : {}), ...('multiple' in o ? { multiple: true } : {}) },
      ]),
    ) as ParseArgsConfig['options'];
    let parsed: ReturnType<typeof parseArgs>;
    try {
      const { joinNegativeValues } = await import('./input.js');
      parsed = parseArgs({ args: joinNegativeValues(argv.slice(1)), options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.split('\n')[0]!);
    }
    if (parsed.positionals.length !== 1)
      throw new UsageError('usage: idpc mock <flavour> [--config F] [--port N] [--host H] [--preset P] [--json]');
    await runMockCommand({
      flavour: parsed.positionals[0]!,
      ...(parsed.values as Record<string, string | boolean | string[]>),
    });
    return EXIT.ok;
  }
  // A run parses its options from the table yargs shows in `idpc run --help` (src/cli/run-options.ts), without yargs.
  if (argv[0] === 'run' && !argv.some((a) => ['--help', '-h', '--version'].includes(a))) {
    const jobs = mockJobCount(argv);
    if (jobs > 1 && !argv.includes('--plan')) {
      // Several mocks: their worker threads load while this thread does (src/cli/lanes.ts).
      const [{ prestartWorkers }, { MOCK_FLAVOURS }, { loadedFlavourModules }] = await Promise.all([
        import('./lanes.js'),
        import('../../mocks/flavours.js'),
        import('./flavour-modules.js'),
      ]);
      prestartWorkers(jobs === Number.POSITIVE_INFINITY ? MOCK_FLAVOURS.length : jobs, loadedFlavourModules());
    }
    const { parseRunArgs, runFromOptions } = await import('./run-options.js');
    return runFromOptions(parseRunArgs(argv.slice(1)));
  }
  const { runCli } = await import('./app.js');
  return runCli(argv);
}

/** How many mocks `idpc run --mock a,b` names (Infinity: all), as typed; 0 without --mock. Checked later by the run. */
function mockJobCount(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--mock' || a.startsWith('--mock='));
  if (i < 0) return 0;
  const value = argv[i]!.startsWith('--mock=') ? argv[i]!.slice('--mock='.length) : (argv[i + 1] ?? '');
  return value === 'all' ? Number.POSITIVE_INFINITY : value.split(',').filter(Boolean).length;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`idpc: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      // An unexpected failure is our bug: one line by default, the stack only on request.
      process.stderr.write(
        `idpc: internal error: ${(error as Error)?.message ?? String(error)} (set IDPC_DEBUG=1 for details)\n`,
      );
      if (process.env.IDPC_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
      process.exitCode = EXIT.internal;
    }
  },
);
