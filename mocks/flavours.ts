/** The mock flavours, one list: each module loads on demand (Keycloak's JOSE stack above all), the names cost nothing. */
import type { FlavourMock } from './core/flavour.js';

export const MOCK_LOADERS: Record<string, () => Promise<FlavourMock>> = {
  portal: async () => (await import('./portal/index.js')).portalMock,
  keycloak: async () => (await import('./keycloak/index.js')).keycloakMock,
  rator: async () => (await import('./rator/index.js')).ratorMock,
  infolink: async () => (await import('./infolink/index.js')).infolinkMock,
};

/** Live: a flavour module's mock appears here too. */
export const MOCK_FLAVOURS = Object.keys(MOCK_LOADERS);

export function registerMockLoader(name: string, load: () => Promise<FlavourMock>): void {
  if (Object.hasOwn(MOCK_LOADERS, name)) throw new Error(`a mock of flavour "${name}" is already registered`);
  MOCK_LOADERS[name] = load;
  MOCK_FLAVOURS.push(name);
}
