import type { Profile, Severity } from '../checks/define.js';
import type { FlavourName, RefreshMode } from '../flavours/index.js';

/** One request and its answer, as the runner sent and received it (secrets are redacted only on output). */
export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string[]>; body: string };
  /** Transport failure (timeout, reset, refused), when there was no response. */
  error?: string;
  /** No answer within the timeout (TE-N1). */
  timedOut?: boolean;
  /** The body was larger than this many bytes: the read stopped there and `body` is its prefix (TE-N3). */
  bodyExceeded?: number;
  durationMs: number;
}

export interface TargetClient {
  clientId: string;
  clientSecret?: string;
  public: boolean;
  /** How this client authenticates at the token endpoint. */
  auth: 'basic' | 'post' | 'none';
  grants: string[];
  /** A long-lived refresh token (Keycloak technical user). */
  refreshToken?: string;
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
  /** Further configured users (a non-ASCII password for TE-E7). */
  extraUsers?: TargetUser[];
  grants: string[];
  /** Parameters every token request carries (e.g. Rator's brand_key). */
  extraParams: Record<string, string>;
  /** Headers every resource request carries (e.g. X-RATOR-brand-key). */
  resourceHeaders: Record<string, string>;
  refreshMode: RefreshMode;
  /** Declared: a refresh ends the access token it replaces (undefined: not declared, not asserted). */
  refreshRevokesAccess?: boolean;
  /** Requested scope that the user client may narrow to (for G7/G8); absent when scopes are not used. */
  scope?: { full: string; narrower: string };
  profile: Profile;
  budget: { maxRequests: number; maxBadCredentialAttempts: number; ratePerSecond: number; timeoutMs: number; maxWaitSeconds: number; maxBodyBytes?: number };
  /** Set for in-process mocks: the run may move their clock and shrink failures. */
  mock?: {
    advanceClock: (seconds: number) => void;
    /** The mock's time (seconds), which advanceClock moves. */
    now: () => number;
    accessTokenLifetime: number;
    refreshTokenLifetime?: number;
    /** A copy of the user client under another id and secret (TE-B3 reserved characters). */
    addClient: (clientId: string, clientSecret: string) => TargetClient | undefined;
    /** A user with the given password (TE-E7 non-ASCII passwords). */
    addUser: (username: string, password: string) => TargetUser;
  };
  /** Every secret of the target config, for redaction. */
  secrets: string[];
  /**
   * Reports show secrets and tokens as sent: an in-process mock's own test credentials (the mock printed them), or a
   * local target with --show-secrets. Curl lines then run as printed.
   */
  revealSecrets?: boolean;
}

export type Status = 'pass' | 'fail' | 'warn' | 'info' | 'deviation' | 'skip';

/** The verdict of one check in one suite, with the evidence of its first failure. */
export interface CheckResult {
  suite: string;
  check: string;
  /** The named variant of the check this result is for (e.g. TE-G3 truncated). */
  variant?: string;
  title: string;
  requirement: string;
  url: string;
  status: Status;
  severity: Severity;
  passes: number;
  failures: number;
  /** Findings below the check's severity (e.g. a legal difference from the flavour schema). */
  warnings?: number;
  /** For skipped checks: untested (counts against a complete plan) or not applicable to this target. */
  skipKind?: 'untested' | 'needs-setup' | 'not-applicable';
  message?: string;
  deviation?: { reason: string; source: string };
  evidence?: Exchange[];
  /** fast-check reproduction data for property failures. */
  counterexample?: { seed: number; path?: string; replayPath?: string; shrunk?: string };
  /** Expected failure listed in the baseline. */
  baseline?: { reason: string };
  /** Wall time of the scenarios that exercised it, in ms (JUnit test-case time). */
  durationMs?: number;
}

export interface RunReport {
  tool: 'idp-conformance';
  version: string;
  startedAt: string;
  durationMs: number;
  seed: number;
  target: { flavour: FlavourName; preset?: string; tokenUrl: string; mock: boolean };
  profile: Profile;
  requests: number;
  results: CheckResult[];
  /** Baseline entries that did not fail (stale). */
  staleBaseline: string[];
  exitCode: number;
}
