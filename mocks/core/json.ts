/** JSON as the flavours' serialisers write it: compact (Jackson, Java, JS) or Python's json.dumps defaults. */
export type JsonStyle = 'compact' | 'python';

export function serialize(value: unknown, style: JsonStyle): string {
  return style === 'python' ? pythonJson(value) : JSON.stringify(value);
}

/** Python json.dumps(value) with default arguments: ", " and ": " separators, ensure_ascii=True. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function pythonString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`; // nothing to escape: the common case for tokens and codes
  // JSON.stringify escapes quotes, backslashes and control characters as Python does; ensure_ascii escapes the rest.
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
