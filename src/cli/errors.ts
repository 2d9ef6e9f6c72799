/** A problem with what the user asked for or gave us: one line, exit 2, never a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3 } as const;
