import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Reads FILE, or standard input for "-"; unreadable or empty input is a usage error. */
export function readInput(file: string): string {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${why}`);
  }
  if (text.trim() === '')
    throw new UsageError(`${file === '-' ? 'standard input' : file} is empty: give a captured body or HTTP response`);
  return text;
}

/**
 * A yargs coerce for a whole-number option: the text as typed must be an integer >= min, or the run stops before any
 * request with a message naming the option and what was given.
 */
export function wholeNumber(option: string, min: number, unit = '') {
  return (raw: unknown): number => {
    const text = String(Array.isArray(raw) ? raw[raw.length - 1] : raw).trim();
    const value = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min)
      throw new UsageError(
        `--${option} must be a whole number${unit} >= ${min}, got ${text === '' ? 'nothing' : text}`,
      );
    return value;
  };
}

/** Options whose value may look like a flag (-1, -5/s): `--rate -5/s` becomes `--rate=-5/s`, so that the check above sees it. */
const VALUE_OPTIONS = new Set([
  '--seed',
  '--runs',
  '--timeout',
  '--max-requests',
  '--max-body',
  '--max-wait',
  '--rate',
  '--port',
  '-p',
]);
export function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (VALUE_OPTIONS.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
