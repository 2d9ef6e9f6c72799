import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Reads FILE, or standard input for "-"; unreadable or empty input is a usage error. */
export function readInput(file: string): string {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${file === '-' ? 'standard input' : file}: ${why}`);
  }
  if (text.trim() === '') throw new UsageError(`${file === '-' ? 'standard input' : file} is empty: give a captured body or HTTP response`);
  return text;
}
