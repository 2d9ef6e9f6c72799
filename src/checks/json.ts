/**
 * Duplicate member names in JSON text (RFC 6749 §5.1 / §3.2: parameters MUST NOT repeat). JSON.parse
 * silently keeps the last one, so this scans the text itself. Call it only on text JSON.parse accepted.
 * Returns JSON pointers of the objects holding a duplicate, with the member name.
 */
export function findDuplicateMembers(text: string): { pointer: string; member: string }[] {
  const found: { pointer: string; member: string }[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (pointer: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const name = str();
        if (seen.has(name)) found.push({ pointer, member: name });
        seen.add(name);
        ws();
        i++; // colon
        value(`${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${pointer}/${n}`);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !',]} \t\r\n'.includes(text[i]!)) i++;
    }
  };
  value('');
  return found;
}

export type ParsedBody =
  | { ok: true; value: unknown; duplicates: { pointer: string; member: string }[] }
  | { ok: false; reason: string };

/** Parses a JSON body and reports duplicate members; a parse failure says where. */
export function parseJsonBody(text: string): ParsedBody {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value, duplicates: findDuplicateMembers(text) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
