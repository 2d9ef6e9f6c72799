/** A problem with what the user asked for or gave us: one line, exit 2, never a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** 0 conforms, 1 findings (does not conform), 2 usage, 3 target unreachable, 4 incomplete (required checks untested). */
export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3, incomplete: 4 } as const;
