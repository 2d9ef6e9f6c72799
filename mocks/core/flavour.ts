import type { FlavourDescriptor } from '../../src/flavours/index.js';
import type { Client, ConfigMockConfig, User } from '../../src/generated/schemas.js';
import type { Clock } from './clock.js';
import type { FaultSpec } from './faults.js';
import type { GrantService, RefreshPolicy } from './grants.js';
import type { MockRequest, MockResponse } from './http.js';

type Section<K extends keyof ConfigMockConfig> = NonNullable<ConfigMockConfig[K]>;
/** A section with the members the schema gives a default filled in, the others left optional. */
type Filled<T, K extends keyof T> = Required<Pick<T, K>> & Omit<T, K>;

/** A client as the mock keeps it: the schema's client (schemas/config/mock-config.schema.json $defs/client), defaults filled. */
export interface ClientRecord
  extends Filled<
    Pick<
      Client,
      | 'clientId'
      | 'clientSecret'
      | 'public'
      | 'grants'
      | 'scopes'
      | 'enabled'
      | 'resourceIds'
      | 'redirectUris'
      | 'pkceMethod'
      | 'skipConsent'
    >,
    'public' | 'grants' | 'scopes' | 'enabled'
  > {}

/** A user as the mock keeps it: the schema's user, defaults filled. */
export interface UserRecord
  extends Filled<Pick<User, 'username' | 'enabled' | 'operator' | 'groups'>, 'enabled' | 'operator' | 'groups'> {
  /** In clear in this process; absent when it knows the user only by hash (from another replica: mocks/core/passwords.ts). */
  password?: string;
  passwordHash?: string;
}

/** The mock configuration (schemas/config/mock-config.schema.json) with every default filled in. */
export interface ResolvedMockConfig
  extends Filled<Pick<ConfigMockConfig, 'flavour' | 'preset' | 'host' | 'port'>, 'preset' | 'host' | 'port'> {
  admin: Filled<Section<'admin'>, 'enabled'>;
  store: Required<Section<'store'>>;
  journal: Required<Section<'journal'>>;
  clock: Filled<Section<'clock'>, 'frozen'>;
  login: Filled<Section<'login'>, 'honourLoginHint'>;
  tls: NonNullable<ConfigMockConfig['tls']>;
  limits: Required<Section<'limits'>>;
  tokens: Required<Section<'tokens'>>;
  refresh: RefreshPolicy;
  clients: ClientRecord[];
  users: UserRecord[];
  faults: FaultSpec[];
  plantedDeviations: Section<'plantedDeviations'>;
  /** Flavour sections the core does not interpret: each flavour module reads its own (keycloak, rator, ...), with its defaults. */
  extra: Record<string, unknown>;
}

/** A partial configuration, as presets, files and flags give it. */
export type MockConfigPatch = Partial<Omit<ConfigMockConfig, 'flavour'>> & Record<string, unknown>;

export interface MockContext {
  config: ResolvedMockConfig;
  clock: Clock;
  clients: Map<string, ClientRecord>;
  users: Map<string, UserRecord>;
  grants: GrantService;
  /** Base URL the server answers on (for issuers and links). */
  baseUrl: string;
}

export interface Route {
  /** Route name used by faults and the journal: token, revoke, resource, logout, ... */
  name: string;
  match(path: string): Record<string, string> | undefined;
  handle(req: MockRequest, params: Record<string, string>): MockResponse | Promise<MockResponse>;
}

/** What a flavour runs on the core's server. */
export interface FlavourServer {
  routes: Route[];
  /** A path no route serves, answered in the flavour's own format. */
  notFound(req: MockRequest): MockResponse;
  /** The flavour's error format for statuses the core produces (faults, an internal failure). */
  errorResponse(status: number, code: string, description: string): MockResponse;
  /** The flavour's answer to a request whose headers exceed the server's limit (node's 16 KB; default: errorResponse 431). */
  headersTooLarge?(): MockResponse;
  /** Runs after start and after each reset; what it returns is shown to the user once (e.g. a technical user's secrets). */
  init?(): Promise<Record<string, unknown>>;
  /** Flavour-specific control-plane actions: POST /__admin/flavour/{action}. */
  adminAction?(action: string, body: unknown): Promise<{ status: number; body: unknown }>;
}

/**
 * What a conformance run (targetOfMock) and `idpc mock` need to know about a running mock beyond its endpoints,
 * clients and users: its public description, given by the flavour's own module, never read from its internals.
 */
export interface MockDescription {
  /** How its seeded confidential clients authenticate (default: Basic). */
  clientAuth?: 'basic' | 'post';
  /** Parameters every token request carries, headers every resource request carries (Rator's brand key). */
  extraParams?: Record<string, string>;
  resourceHeaders?: Record<string, string>;
  /** A scope of the user client and a narrower one within it (TE-G7/G8). */
  scope?: { full: string; narrower: string };
  /** The lifetimes its configuration gives tokens (seconds), where config.tokens does not say them (Keycloak's realm). */
  lifetimes?: { access: number; refresh?: number };
  /** The refresh behaviour its configuration declares, where the core's refresh policy does not say it. */
  refreshMode?: 'rotate-revoke' | 'rotate' | 'reuse';
  refreshRevokesAccess?: boolean;
  /** Extra lists `idpc mock` prints (Rator's brandKeys, shown as "brand keys"). */
  printed?: Record<string, string[]>;
  /** It speaks OpenID Connect in the browser flow (ID tokens with the nonce, prompt=none). */
  openid?: boolean;
  /** How long its authorization codes live (seconds). */
  codeLifetime?: number;
  /** A client holding an offline refresh token the flavour created at start (Keycloak's technical user): TE-G1 probes it. */
  offlineClient?: { clientId: string; clientSecret: string; refreshToken: string; tokenEndpoint: string };
}

export interface FlavourMock {
  descriptor: FlavourDescriptor;
  /** Defaults of its own configuration section (the section named after the flavour), merged under what is configured. */
  sectionDefaults?: Record<string, unknown>;
  /** Its public description for a given configuration and what its init created (asked again after each reset). */
  describe?(config: ResolvedMockConfig, startup: Record<string, unknown>): MockDescription;
  /** `idpc mock` options this flavour takes beyond the common ones. */
  cliOptions?: readonly ('technical-user' | 'realm-import')[];
  /** The config a flavour's own `idpc mock` options stand for (Keycloak's --realm-import: keycloak.realmImports). */
  cliPatch?(options: { realmImport?: string[] }): MockConfigPatch;
  presets: Record<string, MockConfigPatch>;
  defaultPreset: string;
  /**
   * All its state lives in ctx.grants (the grant store), so replicas of it can share a Redis store (`--store`).
   * A flavour with state of its own elsewhere (sessions) leaves it unset: `--store redis://…` is refused for it.
   */
  sharesStore?: boolean;
  /** Token formats of the flavour (generators). */
  tokens: { access: () => string; refresh: () => string };
  create(ctx: MockContext): FlavourServer;
  /** Endpoint URLs to print and to return from startMock. */
  endpoints(config: ResolvedMockConfig, baseUrl: string): Record<string, string>;
}

/** A route on an exact path or a {param} template. */
export function pathRoute(name: string, template: string, handle: Route['handle']): Route {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    })}$`,
  );
  return {
    name,
    match(path) {
      const m = pattern.exec(path);
      if (!m) return undefined;
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponentSafe(m[i + 1]!)]));
    },
    handle,
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
