import type { FlavourName } from '../src/flavours/types.js';
import type { FlavourMock, MockConfigPatch } from './core/flavour.js';
import { startMockServer, type RunningMock, type ServeOptions } from './core/server.js';

import { MOCK_FLAVOURS, MOCK_LOADERS } from './flavours.js';

export { MOCK_FLAVOURS } from './flavours.js';

export function loadMock(flavour: string): Promise<FlavourMock> {
  const load = MOCK_LOADERS[flavour];
  if (!load) throw new Error(`unknown mock flavour "${flavour}" (flavours: ${MOCK_FLAVOURS.join(', ')})`);
  return load();
}

export interface StartMockOptions extends MockConfigPatch {
  /** A built-in flavour, or one a flavour module registered (src/flavours/types.ts, FlavourNames): 'okta' does not compile. */
  flavour: FlavourName;
  preset?: string;
}

/**
 * Starts a mock IdP, e.g. in a test's beforeAll:
 *   const idp = await startMock({ flavour: 'portal', port: 0 });
 *   ... idp.tokenEndpoint, idp.clock.advance(3600), idp.journal.find() ...
 *   await idp.close();
 * `filePatch` is a configuration file's content; `options` override it.
 */
export async function startMock(
  options: StartMockOptions,
  filePatch?: MockConfigPatch,
  serve?: ServeOptions,
): Promise<RunningMock> {
  const { flavour, ...rest } = options;
  const mock = await loadMock(flavour);
  return startMockServer(mock, filePatch ? [filePatch, rest] : [rest], serve);
}

export type { RunningMock } from './core/server.js';
export { ConfigError, configFromEnvironment, loadConfigFile, MOCK_CONFIG_VARIABLE } from './core/config.js';
export { JournalVerificationError, type JournalFilter } from './core/journal.js';

/** The building blocks a flavour module's mock is made of (src/flavours/modules.ts; docs/flavours.md, "Adding a flavour"). */
export {
  pathRoute,
  type FlavourMock,
  type FlavourServer,
  type MockContext,
  type MockConfigPatch,
  type MockDescription,
  type Route,
} from './core/flavour.js';
export {
  basicCredentials,
  bearerToken,
  formOf,
  header,
  Params,
  queryOf,
  type MockRequest,
  type MockResponse,
} from './core/http.js';
export {
  tokenEndpoint,
  TokenError,
  type GrantHandler,
  type TokenRequest,
  type TokenStep,
} from './core/token-endpoint.js';
export { alphanumericToken, uuidToken } from './core/random.js';
