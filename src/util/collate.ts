/**
 * Orders ids, paths and names the way people read them (TE-A2 before TE-A10). One collator, made once: localeCompare
 * builds an ICU collator per call (measured: 30 ms to sort 200 ids with options, 10 ms for 80 paths without, 0.2 ms here).
 */
export const naturalCompare = new Intl.Collator('en', { numeric: true }).compare;
