import type { CheckId } from '../checks/registry.js';
import type { CapturedResponse } from '../http/capture.js';
export { header } from '../http/capture.js';

import type { ClientAuthStyle, ExpectedError, FailureCause, FlavourName, RefreshMode } from '../vocabulary/types.js';
export type {
  ClientAuthStyle,
  ExpectedError,
  FailureCause,
  FlavourName,
  FlavourNames,
  RefreshMode,
} from '../vocabulary/types.js';
export { errorCode } from '../checks/define.js';

/** What an exchange looked like, for deciding whether a documented deviation applies. */
export interface DeviationContext {
  response: CapturedResponse;
  /** Parsed JSON body, when the body is JSON. */
  body: unknown;
  /** The variant of the check the answer was for (grant:TE-E2:missing-username), so that a deviation names its case. */
  variant?: string;
  /** The target's preset (a version of the flavour): a departure some versions make and others not. */
  preset?: string;
}

/**
 * A place where a real flavour departs from the RFC on purpose. The report then says
 * "documented deviation" instead of failing, so conformance to the flavour and to the RFC are both visible.
 */
export interface Deviation {
  /** The checks this one departure affects (one entry, several checks, when the cause is the same). */
  checks: CheckId[];
  applies: (ctx: DeviationContext) => boolean;
  reason: string;
  /** Where the behaviour is documented or implemented (repository and path, or document). */
  source: string;
}

export interface FlavourDescriptor {
  name: FlavourName;
  title: string;
  /** Token endpoint path, relative to the base URL; {placeholders} are filled from config. */
  tokenPath: string;
  revocationPath?: string;
  logoutPath?: string;
  /** A bearer-protected resource the suites probe access tokens with, relative to the base URL. */
  resource?: {
    method: 'GET' | 'POST';
    path: string;
    headers?: Record<string, string>;
    body?: { contentType: string; text: string };
  };
  /**
   * Where a target config's `baseUrl` puts each endpoint (what baseUrl means is the flavour's: Keycloak's is the realm
   * URL, Rator's includes the application context). `issuer: ''` means the issuer is baseUrl itself.
   */
  configPaths: {
    token: string;
    revocation?: string;
    logout?: string;
    resource?: string;
    discovery?: string;
    jwks?: string;
    issuer?: string;
    /** The authorization endpoint (the browser flow, suite authorization-code). */
    authorization?: string;
  };
  /** Parameters every token request must carry (Rator's brand key), with their accepted spellings. */
  requiredParams?: { names: string[]; description: string }[];
  /** The flavour documents that it ignores `scope` altogether (no check of scopes applies to it). */
  noScopes?: string;
  /** Grants the flavour offers at its token endpoint. */
  grants: string[];
  /** Where the public material leaves behaviour open and the mock makes a documented choice. */
  choices?: string[];
  /** Client authentication styles the flavour accepts at the token endpoint. */
  clientAuth: ClientAuthStyle[];
  /** token_type values the flavour sends. */
  tokenTypes: string[];
  /** JSON serialisation of its bodies: compact Java/JS, or Python json.dumps spacing. */
  jsonStyle: 'compact' | 'python';
  deviations: Deviation[];
  /** The flavour's documented answer per failure cause (presets may differ: expectedErrorsByPreset). */
  expectedErrors: Partial<Record<FailureCause, ExpectedError>>;
  expectedErrorsByPreset?: Record<string, Partial<Record<FailureCause, ExpectedError>>>;
  /** The documented refresh behaviour of the flavour's default configuration. */
  refreshMode: RefreshMode;
  /** How the provider's own document authenticates the client on refresh, when it differs from the grant (the portal: id and secret in the body). */
  documentedRefreshAuth?: ClientAuthStyle;
  /**
   * Its browser flow's defaults (suite authorization-code), where it has one: the login form, whether it speaks
   * OpenID Connect, how long its codes live. A target config's authorizationCode overrides each.
   */
  browser?: {
    formSelector?: string;
    usernameField: string;
    passwordField: string;
    openid: boolean;
    codeLifetime: number;
  };
  /** What `idpc init` writes for it: an example baseUrl and preset. */
  initExample?: { baseUrl: string; preset?: string };
  /** A client_credentials grant names the operator it acts for (Rator), in this parameter. */
  clientCredentialsOperatorParam?: string;
  /** Judged by RFC 6749's schemas alone (the generic flavour, or a flavour module without schemas of its own). */
  rfcBaseline?: boolean;
  /** An OpenID provider: the JWT scenario asks for scope openid and checks the ID token (TE-L5). */
  oidc?: boolean;
  /** The status a login beyond a user's session limit gets (Keycloak >= 23: 403). */
  sessionLimitStatus?: number;
  /** A refresh ends the access token it replaces (undefined: not documented, not asserted). */
  refreshRevokesAccess?: boolean;
  /** Its offline tokens (a refresh token whose scope holds this word): the refresh_expires_in their answers state (Keycloak: 0). */
  offlineTokens?: { scope: string; refreshExpiresIn: number; source: string };
  /** The lifetimes (seconds) the flavour's default configuration gives its tokens, and where that is documented (TE-C18 warns on another). */
  documentedLifetimes?: { access?: number; refresh?: number; source: string };
  /** Answers of this flavour to a valid grant that say what the configuration got wrong (the preflight's diagnosis). */
  preflightHints?: { applies: (ctx: DeviationContext) => boolean; cause: string }[];
}
