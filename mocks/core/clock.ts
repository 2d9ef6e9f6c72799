/**
 * The mock's notion of time. Real time by default; tests move it with advance()/set() (or POST /__admin/clock)
 * instead of sleeping. Every expiry decision in the mocks reads now().
 */
/** A clock's setting, as replicas share it: an offset from real time, or a frozen instant. */
export interface ClockState {
  offsetMs: number;
  frozenAtMs?: number;
}

export class Clock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;
  /** Told of every change made here (advance, set, freeze): replicas on a shared store publish it (adopt is not one). */
  onChange: (() => void) | undefined;

  constructor(options: { start?: number; frozen?: boolean } = {}) {
    if (options.start !== undefined) this.offsetMs = options.start * 1000 - Date.now();
    if (options.frozen) this.frozenAtMs = Date.now() + this.offsetMs;
  }

  /** Milliseconds since the epoch. */
  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  /** Seconds since the epoch (fractional). */
  now(): number {
    return this.nowMs() / 1000;
  }

  /** Whole seconds since the epoch, as JWT NumericDates use. */
  epochSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    if (this.frozenAtMs !== undefined) this.frozenAtMs += seconds * 1000;
    else this.offsetMs += seconds * 1000;
    this.onChange?.();
  }

  set(epochSeconds: number): void {
    if (this.frozenAtMs !== undefined) this.frozenAtMs = epochSeconds * 1000;
    else this.offsetMs = epochSeconds * 1000 - Date.now();
    this.onChange?.();
  }

  freeze(): void {
    this.frozenAtMs ??= this.nowMs();
    this.onChange?.();
  }

  unfreeze(): void {
    if (this.frozenAtMs === undefined) return;
    this.offsetMs = this.frozenAtMs - Date.now();
    this.frozenAtMs = undefined;
    this.onChange?.();
  }

  state(): ClockState {
    return { offsetMs: this.offsetMs, ...(this.frozenAtMs !== undefined ? { frozenAtMs: this.frozenAtMs } : {}) };
  }

  /** Takes another replica's setting (read from the shared store). */
  adopt(state: ClockState): void {
    this.offsetMs = state.offsetMs;
    this.frozenAtMs = state.frozenAtMs;
  }

  get frozen(): boolean {
    return this.frozenAtMs !== undefined;
  }
}
