/** `idpc mock`'s options, read by both parsers (node:util in main.ts, yargs for --help) without loading a mock. */
export const MOCK_OPTIONS = {
  config: { alias: 'c', type: 'string', describe: 'JSON or YAML file (schemas/config/mock-config.schema.json)' },
  port: { alias: 'p', type: 'string', describe: 'Port (0 = a free one)' },
  host: { type: 'string', describe: 'Interface to bind (default 127.0.0.1)' },
  preset: { type: 'string', describe: 'Version or deployment preset of the flavour' },
  'admin-token': { type: 'string', describe: 'Require Authorization: Bearer <token> on /__admin' },
  'allow-open-admin': {
    type: 'boolean',
    describe: 'Serve /__admin without a token on an interface beyond loopback (--host 0.0.0.0); warned at start',
  },
  json: { type: 'boolean', describe: 'Print one JSON line instead of text' },
  tls: {
    type: 'boolean',
    describe: 'Serve HTTPS with a CA and certificate made at start; the CA file is printed (in --json: caFile)',
  },
  'tls-cert': { type: 'string', describe: 'Serve HTTPS with this certificate (PEM file; with --tls-key)' },
  'tls-key': { type: 'string', describe: 'The private key of --tls-cert (PEM file)' },
  store: {
    type: 'string',
    describe:
      'Where the mock keeps its tokens and clock: memory (default), or redis://host:port/db, which replicas share (default: $IDPC_STORE)',
  },
  'store-prefix': {
    type: 'string',
    describe: "Namespace of this mock's keys in the store (default idpc): one per mock sharing a Redis",
  },
  replicas: {
    type: 'string',
    describe: 'Processes serving the one port (node:cluster), all on the shared --store (default 1)',
  },
  'realm-import': {
    type: 'string',
    multiple: true,
    array: true,
    describe: 'Keycloak: a realm export to load (kc.sh export, or a partial export); repeat for several',
  },
  'technical-user': {
    type: 'string',
    describe:
      'Keycloak: create a technical user ([REALM:]NAME) and print its client id, secret and offline refresh token once',
  },
} as const;

/** What the primary of `--replicas` tells each replica: the address its URLs name (the primary's), as JSON. */
export const REPLICA_ADDRESS_ENV = 'IDPC_REPLICA_ADDRESS';
