/**
 * The vocabulary floor: the words every layer speaks (an exchange, a target, a result, its status and severity, a
 * profile, the flavours' names, a result's key). It imports nothing of the project but the types generated from the
 * schemas (npm run gen:types); every other layer imports it (layers: .dependency-cruiser.cjs).
 */
import type { Profile, ReportedExchange, Result } from '../generated/schemas.js';
import type { BuiltInFlavourName } from './flavours.js';

export type { Profile } from '../generated/schemas.js';

/**
 * The flavours there are, by name. A flavour module adds its own by declaration merging, so that its name type-checks
 * where a built-in's does (and a misspelt one does not):
 *   declare module 'idp-conformance' { interface FlavourNames { mycorp: true } }
 */
// The built-in names come from the one list (src/vocabulary/flavours.ts).
export interface FlavourNames extends Record<BuiltInFlavourName, true> {}

export type FlavourName = keyof FlavourNames & string;

export type ClientAuthStyle = 'basic' | 'post' | 'none';

/** How a target's refresh tokens behave: rotated with the old one revoked, rotated, reused, or not known. */
export type RefreshMode = 'rotate-revoke' | 'rotate' | 'reuse' | 'unknown';

/** Why a planned check did not run: configuration it lacks, a feature the target lacks, or both. */
export type SkipKind = 'untested' | 'needs-setup' | 'not-applicable';

/** A check or scenario that does not run, and why. */
export interface Skip {
  reason: string;
  kind: SkipKind;
}

export const untested = (reason: string): Skip => ({ reason, kind: 'untested' });
export const notApplicable = (reason: string): Skip => ({ reason, kind: 'not-applicable' });
export const needsSetup = (reason: string): Skip => ({ reason, kind: 'needs-setup' });

/** Failure causes the suites provoke; each flavour documents the answer it gives to each (TE-FL's variants). */
export const FAILURE_CAUSES = [
  'missing-grant-type',
  'unknown-grant-type',
  'bad-password',
  'unknown-user',
  'bad-client-secret',
  'unknown-client',
  'missing-refresh-token',
  'bad-refresh-token',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** A flavour's documented answer to a failure cause. */
export interface ExpectedError {
  status: number;
  error: string;
  /** Exact error_description, or a prefix when it ends with "..." (it echoes the value). */
  description?: string;
}

/** A result's weight, as reports carry it (schemas/report/report.schema.json). */
export type Severity = Result['severity'];

/** A result's key, `suite:check[:variant]`: how reports, baselines, replays and the console name one result. */
export function resultKey(r: { suite: string; check: string; variant?: string | undefined }): string {
  return `${r.suite}:${r.check}${r.variant ? `:${r.variant}` : ''}`;
}

/**
 * One request and its answer, as the runner sent and received it: a report's exchange (schemas/report, $defs/exchange)
 * before it is redacted and given its curl line.
 */
export type Exchange = Omit<ReportedExchange, 'curl'>;

export interface TargetClient {
  clientId: string;
  clientSecret?: string;
  public: boolean;
  /** How this client authenticates at the token endpoint. */
  auth: 'basic' | 'post' | 'none';
  grants: string[];
  /** A long-lived refresh token (Keycloak technical user). */
  refreshToken?: string;
  /** Where the newest refresh token of its chain is kept (read at start, written back as the run rotates it). */
  refreshTokenFile?: string;
  /** This client's own token endpoint, when it is not the target's (another realm). */
  tokenUrl?: string;
  /** The scope it requests with its grants. */
  scope?: string;
}

export interface TargetUser {
  username: string;
  password: string;
  operator?: boolean;
}

/** How the login driver logs in on the target's login form (src/session/login-driver.ts). */
export interface LoginSettings {
  username: string;
  password: string;
  /** A CSS selector of the login form; by default the form with a password field. */
  formSelector?: string;
  usernameField: string;
  passwordField: string;
  /** Submit a consent form (one without a password field whose submit is named allow, accept or approve). */
  consent: boolean;
}

/** The browser flow of a target: its authorization endpoint, the client that runs it, how the driver logs in. */
export interface AuthorizationCodeSetup {
  authorizationUrl: string;
  client: TargetClient;
  /** Another client allowed the code grant, to exchange a code that is not its own (TE-P9); else clients.other. */
  otherClient?: TargetClient;
  redirectUri: string;
  /** What the target enforces for this client's PKCE. */
  pkce: 'optional' | 'required' | 'S256';
  scope?: string;
  /** OpenID Connect: scope openid with a nonce, an ID token, prompt=none. */
  openid: boolean;
  login: LoginSettings;
  /** Seconds a code lives, as declared. */
  codeLifetime?: number;
}

/** Everything a run needs to know about the endpoint under test. */
export interface Target {
  flavour: FlavourName;
  preset?: string;
  tokenUrl: string;
  logoutUrl?: string;
  revocationUrl?: string;
  discoveryUrl?: string;
  jwksUrl?: string;
  /** The issuer JWTs and the discovery document must name. */
  issuer?: string;
  resource?: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; body?: string };
  /** Declared lifetimes (seconds), used when an answer states none. */
  lifetimes?: { access?: number; refresh?: number };
  /** Sessions a user may hold at once: the run never opens more. */
  sessionLimit?: number;
  /** Client for user grants, client for client_credentials, a second client for cross-client checks. */
  clients: { user?: TargetClient; service?: TargetClient; other?: TargetClient; technical?: TargetClient };
  user?: TargetUser;
  operator?: TargetUser;
  /** The browser flow, where the target has one and the config says how to log in (suite authorization-code). */
  authorizationCode?: AuthorizationCodeSetup;
  /** Further configured users (a non-ASCII password for TE-E7). */
  extraUsers?: TargetUser[];
  grants: string[];
  /** Parameters every token request carries along (e.g. Rator's brand_key). */
  extraParams: Record<string, string>;
  /** Names of extraParams the provider requires: only these are left out on purpose (TE-A12, TE-A2 in the query). */
  requiredParams: string[];
  /** Headers every resource request carries (e.g. X-RATOR-brand-key). */
  resourceHeaders: Record<string, string>;
  refreshMode: RefreshMode;
  /** Declared: a refresh ends the access token it replaces (undefined: not declared, not asserted). */
  refreshRevokesAccess?: boolean;
  /**
   * The scopes the run exercises (RFC 6749 §3.3, §6); absent when the flavour documents that it uses none.
   * full: one the user client has; narrower: a strict subset of it; notAllowed: one the server knows but the client
   * may not have; unknown: one the server does not know.
   */
  scope?: { full?: string; narrower?: string; notAllowed?: string; unknown: string };
  profile: Profile;
  budget: {
    maxRequests: number;
    maxBadCredentialAttempts: number;
    ratePerSecond: number;
    timeoutMs: number;
    maxWaitSeconds: number;
    maxBodyBytes?: number;
  };
  /** Set for in-process mocks: the run may move their clock and shrink failures. */
  mock?: {
    advanceClock: (seconds: number) => void;
    /** The mock's time (seconds), which advanceClock moves. */
    now: () => number;
    accessTokenLifetime: number;
    refreshTokenLifetime?: number;
    /** A copy of the user client under another id and secret (TE-B3 reserved characters). */
    addClient: (clientId: string, clientSecret: string) => Promise<TargetClient | undefined>;
    /** A user with the given password (TE-E7 non-ASCII passwords). */
    addUser: (username: string, password: string) => TargetUser;
  };
  /** TLS towards the target: PEM texts of extra CAs, of a client certificate and its key; insecure: no verification. */
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  /** Every secret of the target config, for redaction. */
  secrets: string[];
  /**
   * Reports show secrets and tokens as sent: an in-process mock's own test credentials (the mock printed them), or a
   * local target with --show-secrets. Curl lines then run as printed.
   */
  revealSecrets?: boolean;
}

export type Status = Result['status'];

/**
 * The verdict of one check in one suite, with the evidence of its first failure: a report's result (schemas/report,
 * $defs/result) with its counts always set and its evidence not yet redacted.
 */
export interface CheckResult extends Omit<Result, 'evidence' | 'passes' | 'failures'> {
  passes: number;
  failures: number;
  evidence?: Exchange[];
}
