import { infolink } from './infolink.js';
import { keycloak } from './keycloak.js';
import { portal } from './portal.js';
import { rator } from './rator.js';
import { rfc6749 } from './rfc6749.js';
import type { FlavourDescriptor, FlavourName } from './types.js';

export * from './types.js';

/** The one list of flavours: the built-in ones, then what flavour modules register (src/flavours/modules.ts). */
export const FLAVOURS: Record<FlavourName, FlavourDescriptor> = { rfc6749, portal, keycloak, rator, infolink };
/** Live: a registered flavour appears here too. */
export const FLAVOUR_NAMES = Object.keys(FLAVOURS) as FlavourName[];

export function isFlavourName(name: string): name is FlavourName {
  return Object.hasOwn(FLAVOURS, name);
}

/** Adds a flavour's descriptor to the list; a name may be registered once. */
export function registerFlavourDescriptor(descriptor: FlavourDescriptor): void {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(descriptor.name)) throw new Error(`flavour name "${descriptor.name}" must be lower-case letters, digits and dashes`);
  if (isFlavourName(descriptor.name)) {
    if (FLAVOURS[descriptor.name] === descriptor) return;
    throw new Error(`flavour "${descriptor.name}" is already registered`);
  }
  const name = descriptor.name as FlavourName;
  FLAVOURS[name] = descriptor;
  FLAVOUR_NAMES.push(name);
}
