import { BUILT_IN_FLAVOUR_NAMES } from '../vocabulary/flavours.js';
import type { FlavourDescriptor, FlavourName } from './types.js';

export * from './types.js';

/**
 * The one list of flavours: the built-in ones (derived from src/vocabulary/flavours.ts, each src/flavours/<name>.ts
 * exporting `descriptor`), then what flavour modules register (src/cli/flavour-modules.ts).
 */
export const FLAVOURS = Object.fromEntries(
  await Promise.all(
    BUILT_IN_FLAVOUR_NAMES.map(async (name) => {
      const { descriptor } = (await import(/* @vite-ignore */ `./${name}.js`)) as { descriptor: FlavourDescriptor };
      if (descriptor?.name !== name)
        throw new Error(`src/flavours/${name}.ts must export the descriptor of flavour "${name}" as \`descriptor\``);
      return [name, descriptor] as const;
    }),
  ),
) as Record<FlavourName, FlavourDescriptor>;
/** Live: a registered flavour appears here too. */
export const FLAVOUR_NAMES = Object.keys(FLAVOURS) as FlavourName[];

export function isFlavourName(name: string): name is FlavourName {
  return Object.hasOwn(FLAVOURS, name);
}

/** Adds a flavour's descriptor to the list; a name may be registered once. */
export function registerFlavourDescriptor(descriptor: FlavourDescriptor): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(descriptor.name))
    throw new Error(`flavour name "${descriptor.name}" must be lower-case letters, digits and dashes`);
  if (isFlavourName(descriptor.name)) {
    if (FLAVOURS[descriptor.name] === descriptor) return;
    throw new Error(`flavour "${descriptor.name}" is already registered`);
  }
  const name = descriptor.name as FlavourName;
  FLAVOURS[name] = descriptor;
  FLAVOUR_NAMES.push(name);
}
