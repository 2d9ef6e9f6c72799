/**
 * Flavour modules: a flavour that lives outside this package (a vendor's own IdP, a throw-away test flavour) is one
 * ES module exporting its descriptor and, optionally, its mock. Registering it puts it in the same lists the built-in
 * flavours are in, so that every command (run, mock, validate, checks) knows it and no generic code changes.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerMockLoader } from '../../mocks/flavours.js';
import type { FlavourMock } from '../../mocks/core/flavour.js';
import { registerFlavourDescriptor } from '../flavours/index.js';
import type { FlavourDescriptor, FlavourName } from '../flavours/types.js';

export interface FlavourModule {
  descriptor: FlavourDescriptor;
  /** Its mock IdP (built on idp-conformance/mocks' core), or a loader of it. */
  mock?: FlavourMock | (() => Promise<FlavourMock>);
}

export class FlavourModuleError extends Error {}

/** Why a descriptor cannot serve, or undefined: the fields every generic consumer reads. */
function descriptorProblem(d: Partial<FlavourDescriptor> | undefined): string | undefined {
  if (!d || typeof d !== 'object') return 'exports no descriptor';
  if (typeof d.name !== 'string') return 'descriptor.name is missing';
  if (typeof d.title !== 'string') return 'descriptor.title is missing';
  if (typeof d.tokenPath !== 'string' || typeof d.configPaths?.token !== 'string')
    return 'descriptor.tokenPath and descriptor.configPaths.token are required';
  for (const list of ['grants', 'clientAuth', 'tokenTypes', 'deviations'] as const) {
    if (!Array.isArray(d[list])) return `descriptor.${list} must be an array`;
  }
  if (!d.expectedErrors || typeof d.expectedErrors !== 'object') return 'descriptor.expectedErrors must be an object';
  if (!['rotate-revoke', 'rotate', 'reuse', 'unknown'].includes(d.refreshMode as string))
    return 'descriptor.refreshMode must be rotate-revoke, rotate, reuse or unknown';
  if (!d.rfcBaseline)
    return 'descriptor.rfcBaseline must be true: a flavour module is judged by the RFC 6749 schemas (its own schemas belong in the package, schemas/<name>/)';
  return undefined;
}

/** Registers a flavour given as an object (from a test, or a program using the library). */
export function registerFlavour(module: FlavourModule): FlavourName {
  const problem = descriptorProblem(module?.descriptor);
  if (problem) throw new FlavourModuleError(problem);
  const d = module.descriptor;
  try {
    registerFlavourDescriptor(d);
    const mock = module.mock;
    if (mock) registerMockLoader(d.name, typeof mock === 'function' ? mock : async () => mock);
  } catch (e) {
    throw new FlavourModuleError((e as Error).message);
  }
  return d.name;
}

const loadedSpecifiers: string[] = [];
/** The flavour modules this process loaded (as URLs or package names): a worker thread registers the same ones. */
export const loadedFlavourModules = (): readonly string[] => loadedSpecifiers;

/**
 * Imports and registers flavour modules by path (relative to the working directory) or package name. The module
 * exports `flavour` (or a default export) of the FlavourModule shape.
 */
export async function loadFlavourModules(specifiers: string[]): Promise<FlavourName[]> {
  const names: FlavourName[] = [];
  for (const spec of specifiers) {
    // A file that exists is a path (relative to the working directory); anything else is a package specifier.
    const url =
      spec.startsWith('.') || isAbsolute(spec) || existsSync(resolve(spec)) ? pathToFileURL(resolve(spec)).href : spec;
    loadedSpecifiers.push(url);
    let exported: Record<string, unknown>;
    try {
      exported = (await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new FlavourModuleError(`flavour module ${spec}: cannot load it: ${(e as Error).message.split('\n')[0]}`);
    }
    const module = (exported.flavour ?? exported.default) as FlavourModule | undefined;
    try {
      names.push(registerFlavour(module!));
    } catch (e) {
      throw new FlavourModuleError(`flavour module ${spec}: ${(e as Error).message}`);
    }
  }
  return names;
}

/** The flavour modules named on a command line (--flavour-module, repeatable) and in IDPC_FLAVOUR_MODULES (comma-separated). */
export function flavourModuleArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): { modules: string[]; rest: string[] } {
  const modules = (env.IDPC_FLAVOUR_MODULES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--flavour-module') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new FlavourModuleError('--flavour-module needs a path');
      modules.push(value);
    } else if (a.startsWith('--flavour-module=')) modules.push(a.slice('--flavour-module='.length));
    else rest.push(a);
  }
  return { modules, rest };
}
