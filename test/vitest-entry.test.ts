/** The integrators' entry point, used as they would: one named test per check, against a mock. */
import { conformanceSuite } from '../src/vitest.js';

conformanceSuite('idp-conformance/vitest against the InfoLink mock', { mock: { flavour: 'infolink' }, seed: 3 });
conformanceSuite('idp-conformance/vitest against the Keycloak mock (a baseline entry skips its check)', {
  mock: { flavour: 'keycloak', preset: 'current' },
  seed: 3,
  suites: ['grant'],
  baseline: { 'grant:TE-E8': 'password grant on purpose' },
});
