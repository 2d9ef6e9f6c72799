import { infolink } from './infolink.js';
import { keycloak } from './keycloak.js';
import { portal } from './portal.js';
import { rator } from './rator.js';
import { rfc6749 } from './rfc6749.js';
import type { FlavourDescriptor, FlavourName } from './types.js';

export * from './types.js';

export const FLAVOURS: Record<FlavourName, FlavourDescriptor> = { rfc6749, portal, keycloak, rator, infolink };
export const FLAVOUR_NAMES = Object.keys(FLAVOURS) as FlavourName[];

export function isFlavourName(name: string): name is FlavourName {
  return Object.hasOwn(FLAVOURS, name);
}
