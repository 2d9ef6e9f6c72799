/** The running mock as its admin API, the CLI and tests see it (mocks/core/server.ts makes it). */
import type { Clock } from './clock.js';
import type { Faults } from './faults.js';
import type {
  ClientRecord,
  FlavourMock,
  FlavourServer,
  MockContext,
  MockDescription,
  ResolvedMockConfig,
} from './flavour.js';
import type { GrantStore } from './grant-store.js';
import type { MockRequest, MockResponse } from './http.js';
import type { Journal } from './journal.js';
import type { SharedControl } from './shared-control.js';

export interface MockHandle {
  config: ResolvedMockConfig;
  clock: Clock;
  journal: Journal;
  faults: Faults;
  /** With a shared store: the control plane all replicas share (mocks/core/shared-control.ts). */
  readonly control?: SharedControl;
  /** Where its grants live (memory, or the store replicas share), and whether that answers. */
  readonly store: GrantStore;
  readonly context: MockContext;
  readonly flavourServer: FlavourServer;
  /** What the flavour created at start (or at the last reset) for the user to see once. */
  readonly startup: Record<string, unknown>;
  /** The flavour's public description of this mock (what a run against it needs to know). */
  readonly description: MockDescription;
  /** The flavour module it runs. */
  readonly flavourMock: FlavourMock;
  reset(): Promise<void>;
  /**
   * Adds (or replaces) a client while the mock runs, as POST /__admin/clients does: the mock-config schema's client,
   * its defaults filled, published to the replicas sharing a store. A client the schema refuses is a ConfigError.
   */
  addClient(client: unknown): Promise<ClientRecord>;
}

export interface RunningMock extends MockHandle {
  /** Runs one request through the flavour's routes without a socket (benchmarks, unit tests); no faults, no journal. */
  inject(request: MockRequest): Promise<MockResponse>;
  url: string;
  /** With TLS of the mock's own making: the CA that signed its certificate (PEM) and the file it was written to. */
  tls?: { ca: string; caFile: string };
  tokenEndpoint: string;
  endpoints: Record<string, string>;
  admin: { url: string; enabled: boolean };
  /** Requests the server has read, and answers it has finished sending. */
  traffic(): { received: number; answered: number };
  /** Stops accepting and drains the requests in flight (reset after drainMs, default 5 s). */
  close(drainMs?: number): Promise<void>;
}
