/**
 * The control plane of replicas that share a store: what `/__admin` changes at one replica (clock, faults, clients,
 * users, a reset) holds at every replica, and the request journal is one for all. Behind one port, an admin call
 * lands on whichever replica the balancer picks; it must not matter which.
 * How: the change is written to the store (a control document and a fresh stamp); every replica reads the clock
 * and the stamp before each request (one pipelined round trip) and adopts the document when the stamp moved.
 * "The next N requests" of a fault count in the store, so N requests in all get it, whichever replica serves them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, ClockState } from './clock.js';
import type { ClientRecord, UserRecord } from './flavour.js';
import type { ActiveFault, FaultSpec, Faults } from './faults.js';
import type { GrantStore } from './grant-store.js';
import { sealUser, unsealUser } from './passwords.js';
import { matchesFilter, materialise, type JournalEntry, type JournalFilter, type RawJournalEntry } from './journal.js';

interface ControlDocument {
  /** Changes with every reset: a replica that sees another one resets itself. */
  generation: string;
  faults: (FaultSpec & { id: number })[];
  /** Present once changed through /__admin; until then every replica has the configured ones. */
  clients?: ClientRecord[];
  users?: UserRecord[];
}

export interface LocalState {
  faults: Faults;
  clients: () => Map<string, ClientRecord>;
  users: () => Map<string, UserRecord>;
  /** Back to the configured state in this replica only (the store was reset by whoever asked). */
  resetLocal(): Promise<void>;
}

const JOURNAL = 'journal';
const CONFIGURED = 'configured';

export class SharedControl {
  private stamp: string | undefined;
  /** Replicas start alike (their configuration): the first change made anywhere is not a reset of the others. */
  private generation = CONFIGURED;

  constructor(
    private readonly store: GrantStore,
    private readonly clock: Clock,
    private readonly local: LocalState,
    private readonly journalMax: number,
  ) {}

  /** Before each request: the shared clock, and what another replica changed since the last request. */
  async sync(): Promise<void> {
    const [clock, stamp] = (await this.store.getDocs(['clock', 'control:stamp'])) as [
      ClockState | undefined,
      string | undefined,
    ];
    if (clock) this.clock.adopt(clock);
    if (stamp !== this.stamp) await this.adopt(stamp);
  }

  private async adopt(stamp: string | undefined): Promise<void> {
    const doc = await this.store.getDoc<ControlDocument>('control');
    this.stamp = stamp;
    if (!doc) return;
    if (doc.generation !== this.generation) {
      this.generation = doc.generation;
      await this.local.resetLocal();
    }
    if (doc.clients)
      replace(
        this.local.clients(),
        doc.clients.map((c) => [c.clientId, c]),
      );
    if (doc.users) {
      const users = this.local.users();
      replace(
        users,
        doc.users.map((u) => [u.username, unsealUser(u, users.get(u.username))]),
      );
    }
    this.local.faults.clear();
    for (const { id, ...spec } of doc.faults) this.local.faults.add(spec, id);
  }

  /** After an admin change here: writes what every replica adopts before its next request. */
  async publish(change: { clients?: boolean; users?: boolean; faults?: boolean; reset?: boolean }): Promise<void> {
    await this.store.exclusive('control', async () => {
      const held = await this.store.getDoc<ControlDocument>('control');
      const doc: ControlDocument = change.reset
        ? { generation: randomUUID(), faults: [] }
        : (held ?? { generation: CONFIGURED, faults: [] });
      // The document always holds the whole fault list: the first one written (whatever changed) starts from this
      // replica's, the configured faults included, which every replica then adopts; none is dropped.
      if (change.reset || change.faults || !held)
        doc.faults = this.local.faults
          .list()
          .map(({ random: _r, remaining: _n, ...f }) => f as FaultSpec & { id: number });
      if (change.clients) doc.clients = [...this.local.clients().values()];
      // Passwords go into the store only as hashes (mocks/core/passwords.ts): anyone who can read Redis can read this.
      if (change.users) doc.users = [...this.local.users().values()].map(sealUser);
      const stamp = randomUUID();
      await this.store.putDoc('control', doc, Number.POSITIVE_INFINITY, 0);
      await this.store.putDoc('control:stamp', stamp, Number.POSITIVE_INFINITY, 0);
      this.stamp = stamp;
      this.generation = doc.generation;
    });
  }

  /** After an admin clock change here (or a reset): every replica adopts it before its next request. */
  async saveClock(): Promise<void> {
    await this.store.putDoc('clock', this.clock.state(), Number.POSITIVE_INFINITY, 0);
  }

  /** A fault's number, the same at every replica (after the configured faults' 1..n, which every replica has). */
  async nextFaultId(configured: number): Promise<number> {
    return configured + (await this.store.add('faults:id', 1));
  }

  /** The faults that fire for this request; a "next N" one counts its uses in the store. */
  async fire(route: string | undefined, path: string): Promise<ActiveFault[]> {
    const fired: ActiveFault[] = [];
    for (const f of this.local.faults.matching(route, path)) {
      const n = f.when?.nextRequests;
      if (n === undefined || (await this.store.add(`fault:${f.id}:used`, 1)) <= n) fired.push(f);
      else this.local.faults.remove(f.id); // spent (the other replicas find out as they meet it)
    }
    return fired;
  }

  /**
   * The shared journal, the newest journalMax entries of all replicas. Redacted as it is written: the store is
   * read by other processes (and by anyone with access to Redis), so no password, client secret or Authorization
   * header reaches it in clear, as none reaches a log. This costs a Redis-backed replica some throughput (measured
   * ~10% under wrk): the parsing and hashing the in-memory journal defers until it is read.
   */
  async record(entry: RawJournalEntry): Promise<void> {
    const { id: _unnumbered, ...redacted } = materialise(entry, 0);
    await this.store.pushNumbered(JOURNAL, JSON.stringify(redacted), this.journalMax);
  }

  async journal(filter: JournalFilter = {}): Promise<JournalEntry[]> {
    const numbered = (x: string): JournalEntry => {
      const tab = x.indexOf('\t');
      return { id: Number(x.slice(0, tab)), ...(JSON.parse(x.slice(tab + 1)) as Omit<JournalEntry, 'id'>) };
    };
    const out = (await this.store.items(JOURNAL)).map(numbered).filter((e) => matchesFilter(e, filter));
    return filter.limit ? out.slice(-filter.limit) : out;
  }

  async clearJournal(): Promise<void> {
    await this.store.deleteList(JOURNAL);
  }
}

function replace<K, V>(map: Map<K, V>, entries: [K, V][]): void {
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}
