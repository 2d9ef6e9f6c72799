/**
 * Orders ids, paths and names the way people read them (TE-A2 before TE-A10). One collator, made once, on first use:
 * localeCompare builds an ICU collator per call (measured: 30 ms to sort 200 ids with options, 10 ms for 80 paths
 * without, 0.2 ms here), and making it costs ~7 ms of ICU loading that a process which never sorts (a mock) skips.
 */
let compare: ((a: string, b: string) => number) | undefined;

export const naturalCompare = (a: string, b: string): number =>
  (compare ??= new Intl.Collator('en', { numeric: true }).compare)(a, b);
