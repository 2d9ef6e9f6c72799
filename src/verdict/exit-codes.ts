/**
 * Exit codes, as the README and `idpc --help` document them: 0 conforms, 1 does not conform, 2 usage, 3 unreachable,
 * 4 incomplete; 70 (EX_SOFTWARE) is our own bug, said in one line, after writing the reports of the runs that finished.
 * A module of its own: every command's entry imports it, and the verdict module beside it loads the whole check
 * registry (measured: ~13 ms of each `idpc mock` start-up, the collator and the checks, for a constant).
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3, incomplete: 4, internal: 70 } as const;
