/** The mock flavours, one list: each module loads on demand (Keycloak's JOSE stack above all), the names cost nothing. */
import type { FlavourMock } from './core/flavour.js';

export const MOCK_LOADERS: Record<string, () => Promise<FlavourMock>> = {
  portal: async () => (await import('./portal/index.js')).portalMock,
  keycloak: async () => (await import('./keycloak/index.js')).keycloakMock,
  rator: async () => (await import('./rator/index.js')).ratorMock,
  infolink: async () => (await import('./infolink/index.js')).infolinkMock,
};

export const MOCK_FLAVOURS = Object.keys(MOCK_LOADERS);
