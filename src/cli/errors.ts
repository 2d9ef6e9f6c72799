/** A problem with what the user asked for or gave us: one line, exit 2, never a stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export { EXIT } from '../verdict/exit-codes.js';
