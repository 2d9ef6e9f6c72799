import type { Fault } from '../../src/generated/schemas.js';
import { seededRandom } from './random.js';

/** A fault as configured (schemas/config/mock-config.schema.json $defs/fault). */
export type FaultSpec = Fault;
export type FaultKind = Fault['kind'];

export interface ActiveFault extends FaultSpec {
  id: number;
  /** Requests left for "the next N requests"; undefined = unlimited. */
  remaining?: number;
  random: () => number;
}

/** Injected faults, per route, as "always", "with probability p (seeded)" or "the next N requests". */
export class Faults {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  /** Adds a fault; `id` is given when replicas share their faults (the store numbers them). */
  add(spec: FaultSpec, id = this.nextId++): ActiveFault {
    this.nextId = Math.max(this.nextId, id + 1);
    const fault: ActiveFault = {
      ...spec,
      route: spec.route ?? 'token',
      id,
      ...(spec.when?.nextRequests !== undefined ? { remaining: spec.when.nextRequests } : {}),
      random: seededRandom(spec.when?.seed ?? 1),
    };
    this.faults.push(fault);
    return fault;
  }

  get size(): number {
    return this.faults.length;
  }

  list(): ActiveFault[] {
    return this.faults;
  }

  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  /** The faults that fire for this request (each consumes one of its "next N"). */
  fire(route: string | undefined, path: string): ActiveFault[] {
    const fired: ActiveFault[] = [];
    for (const f of this.matching(route, path)) {
      if (f.remaining !== undefined) {
        if (f.remaining <= 0) continue;
        f.remaining -= 1;
      }
      fired.push(f);
    }
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
    return fired;
  }

  /** The faults of this route or path whose probability fires now; "the next N" is left to the caller to count. */
  matching(route: string | undefined, path: string): ActiveFault[] {
    return this.faults.filter((f) => {
      const matches = f.route!.startsWith('/')
        ? path === f.route || path.startsWith(f.route!.endsWith('/') ? f.route! : `${f.route}/`)
        : f.route === route;
      return matches && (f.when?.probability === undefined || f.random() < f.when.probability);
    });
  }

  /** Latency of a latency fault: fixed, or uniform between latencyMs and latencyMaxMs (seeded). */
  static delayOf(f: ActiveFault): number {
    const min = f.latencyMs ?? 0;
    return f.latencyMaxMs !== undefined && f.latencyMaxMs > min ? min + f.random() * (f.latencyMaxMs - min) : min;
  }
}
