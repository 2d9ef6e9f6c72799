import type { FlavourMock, MockConfigPatch } from './core/flavour.js';
import { startMockServer, type RunningMock } from './core/server.js';

/** Flavour modules load on demand: starting one mock does not pay for the others (Keycloak's JOSE stack above all). */
const LOADERS: Record<string, () => Promise<FlavourMock>> = {
  portal: async () => (await import('./portal/index.js')).portalMock,
  rator: async () => (await import('./rator/index.js')).ratorMock,
  infolink: async () => (await import('./infolink/index.js')).infolinkMock,
  keycloak: async () => (await import('./keycloak/index.js')).keycloakMock,
};

export const MOCK_FLAVOURS = Object.keys(LOADERS);

export function loadMock(flavour: string): Promise<FlavourMock> {
  const load = LOADERS[flavour];
  if (!load) throw new Error(`unknown mock flavour "${flavour}" (flavours: ${MOCK_FLAVOURS.join(', ')})`);
  return load();
}

export interface StartMockOptions extends MockConfigPatch {
  flavour: string;
  preset?: string;
}

/**
 * Starts a mock IdP, e.g. in a test's beforeAll:
 *   const idp = await startMock({ flavour: 'portal', port: 0 });
 *   ... idp.tokenEndpoint, idp.clock.advance(3600), idp.journal.find() ...
 *   await idp.close();
 * `filePatch` is a configuration file's content; `options` override it.
 */
export async function startMock(options: StartMockOptions, filePatch?: MockConfigPatch): Promise<RunningMock> {
  const { flavour, ...rest } = options;
  const mock = await loadMock(flavour);
  return startMockServer(mock, filePatch ? [filePatch, rest] : [rest]);
}

export type { RunningMock } from './core/server.js';
export { ConfigError, loadConfigFile } from './core/config.js';
