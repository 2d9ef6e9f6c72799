/**
 * The environment each shipped target config (fixtures/targets/<name>.target.yaml) takes its secrets from, filled
 * with the seed documents' credentials that the mocks seed: a mock run as a real target needs nothing else but
 * IDPC_BASE_URL. Shared by the end-to-end tests and the runner bench.
 */
export const TARGET_SECRETS: Record<string, Record<string, string>> = {
  portal: {
    IDPC_PORTAL_ROBOT_PASSWORD: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5',
    IDPC_PORTAL_CLIENT_SECRET: 't5IfXbGZQThAKR43apoc9usOFVDv2BLE',
  },
  keycloak: {
    IDPC_KEYCLOAK_APP_SECRET: 'conformance-app-secret',
    IDPC_KEYCLOAK_SERVICE_SECRET: 'conformance-service-secret',
    IDPC_KEYCLOAK_USER_PASSWORD: 'qa-bot-password',
  },
  'keycloak-ocp': { IDPC_OCP_PASSWORD: 'ocp-password' },
  rator: {
    IDPC_RATOR_CLIENT_SECRET: 'myclientsecret',
    IDPC_RATOR_USER_PASSWORD: 'mypassword',
    IDPC_RATOR_OPERATOR_PASSWORD: 'myoperatorpassword',
  },
  infolink: {
    IDPC_INFOLINK_CLIENT_SECRET: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
    IDPC_INFOLINK_USER_PASSWORD: 'mypassword',
  },
};

/** The environment `idpc run --target fixtures/targets/<config>.target.yaml` needs against a mock at `url`. */
export function targetEnv(config: string, url: string): Record<string, string> {
  return { IDPC_BASE_URL: url, ...TARGET_SECRETS[config] };
}
