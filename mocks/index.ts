import type { FlavourMock, MockConfigPatch } from './core/flavour.js';
import { startMockServer, type RunningMock } from './core/server.js';

import { MOCK_FLAVOURS, MOCK_LOADERS } from './flavours.js';

export { MOCK_FLAVOURS } from './flavours.js';

export function loadMock(flavour: string): Promise<FlavourMock> {
  const load = MOCK_LOADERS[flavour];
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
