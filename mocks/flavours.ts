/**
 * The mock flavours, derived from the one list (src/vocabulary/flavours.ts): each mocks/<name>/index.ts exports
 * `mock`, loaded on demand (Keycloak's JOSE stack above all), so the names cost nothing.
 */
import { BUILT_IN_FLAVOURS, BUILT_IN_FLAVOUR_NAMES } from '../src/vocabulary/flavours.js';
import type { FlavourMock } from './core/flavour.js';

async function loadBuiltIn(name: string): Promise<FlavourMock> {
  const { mock } = (await import(/* @vite-ignore */ `./${name}/index.js`)) as { mock?: FlavourMock };
  if (!mock) throw new Error(`mocks/${name}/index.ts must export its mock as \`mock\``);
  return mock;
}

export const MOCK_LOADERS: Record<string, () => Promise<FlavourMock>> = Object.fromEntries(
  BUILT_IN_FLAVOUR_NAMES.filter((name) => BUILT_IN_FLAVOURS[name].mock).map((name) => [name, () => loadBuiltIn(name)]),
);

/** Live: a flavour module's mock appears here too. */
export const MOCK_FLAVOURS = Object.keys(MOCK_LOADERS);

export function registerMockLoader(name: string, load: () => Promise<FlavourMock>): void {
  if (Object.hasOwn(MOCK_LOADERS, name)) throw new Error(`a mock of flavour "${name}" is already registered`);
  MOCK_LOADERS[name] = load;
  MOCK_FLAVOURS.push(name);
}
