import type { MockConfigPatch, FlavourMock } from './core/flavour.js';
import { startMockServer, type RunningMock } from './core/server.js';
import { infolinkMock } from './infolink/index.js';
import { portalMock } from './portal/index.js';
import { ratorMock } from './rator/index.js';

export const MOCKS: Record<string, FlavourMock> = {
  portal: portalMock,
  rator: ratorMock,
  infolink: infolinkMock,
};

export type MockFlavour = keyof typeof MOCKS;

export interface StartMockOptions extends MockConfigPatch {
  flavour: string;
  preset?: string;
}

/**
 * Starts a mock IdP, e.g. in a test's beforeAll:
 *   const idp = await startMock({ flavour: 'portal', port: 0 });
 *   ... idp.tokenEndpoint, idp.clock.advance(3600), idp.journal.find() ...
 *   await idp.close();
 */
export async function startMock(options: StartMockOptions, filePatch?: MockConfigPatch): Promise<RunningMock> {
  const { flavour, ...rest } = options;
  const mock = MOCKS[flavour];
  if (!mock) throw new Error(`unknown mock flavour "${flavour}" (flavours: ${Object.keys(MOCKS).join(', ')})`);
  return startMockServer(mock, filePatch ? [filePatch, rest] : [rest]);
}

export type { RunningMock } from './core/server.js';
export { ConfigError, loadConfigFile } from './core/config.js';
