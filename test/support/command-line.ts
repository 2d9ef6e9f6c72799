/**
 * Reads the command lines provider documents show (curl in a POSIX shell, PowerShell's Invoke-WebRequest) into the
 * HTTP request they send, so that a test can replay a document's own call rather than a retyped one.
 * curl's options as its manual describes them (curl.se/docs/manpage.html: -d joins with "&" and drops CR/LF,
 * --data-urlencode encodes the part after the first "=", -u sends Basic of the text as given, data means POST and
 * application/x-www-form-urlencoded unless a header says otherwise); Invoke-WebRequest's as Microsoft documents them
 * (-Method, -ContentType, -Body, -Headers @{ 'Name' = 'Value' }).
 */

export interface ShownRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

/** POSIX shell words: quotes, backslash escapes and line continuations; stops at an unquoted "|" (a pipeline). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2;
      else if (next !== undefined) {
        word = (word ?? '') + next;
        i += 2;
      } else i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote at ${i}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < text.length && text[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only $ ` " \ and a newline; elsewhere it stays.
        if (text[j] === '\\' && '$`"\\\n'.includes(text[j + 1] ?? '')) {
          if (text[j + 1] !== '\n') s += text[j + 1];
          j++;
        } else s += text[j];
      }
      if (j >= text.length) throw new Error(`unterminated double quote at ${i}`);
      word = (word ?? '') + s;
      i = j + 1;
    } else if (c === '|') break;
    else if (/\s/.test(c)) {
      push();
      i++;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return words;
}

/** curl's --data-urlencode encoding (curl_easy_escape): all but ALPHA DIGIT - . _ ~ as %XX. */
const curlEscape = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

export function curlRequest(words: string[]): ShownRequest {
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${words[0]}`);
  let method: string | undefined;
  let url: string | undefined;
  const headers: [string, string][] = [];
  const data: string[] = [];
  const arg = (i: number) => {
    const v = words[i + 1];
    if (v === undefined) throw new Error(`${words[i]} needs a value`);
    return v;
  };
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-X' || w === '--request') method = arg(i++);
    else if (w === '-H' || w === '--header') {
      const h = arg(i++);
      const colon = h.indexOf(':');
      headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
    } else if (w === '-d' || w === '--data' || w === '--data-ascii') data.push(arg(i++).replace(/[\r\n]/g, ''));
    else if (w === '--data-raw' || w === '--data-binary') data.push(arg(i++));
    else if (w === '--data-urlencode') {
      const v = arg(i++);
      const eq = v.indexOf('=');
      data.push(eq < 0 ? curlEscape(v) : `${v.slice(0, eq)}=${curlEscape(v.slice(eq + 1))}`);
    } else if (w === '-u' || w === '--user')
      headers.push(['Authorization', `Basic ${Buffer.from(arg(i++), 'utf8').toString('base64')}`]);
    else if (['-v', '--verbose', '-L', '--location', '-s', '--silent', '-k', '--insecure', '-i'].includes(w)) continue;
    else if (w.startsWith('-')) throw new Error(`curl option not read here: ${w}`);
    else url = w;
  }
  if (!url) throw new Error('curl command without a URL');
  const body = data.length ? data.join('&') : undefined;
  if (body !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-type'))
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  return {
    method: method ?? (body !== undefined ? 'POST' : 'GET'),
    url,
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

export function invokeWebRequest(words: string[]): ShownRequest {
  if (words[0] !== 'Invoke-WebRequest') throw new Error(`not Invoke-WebRequest: ${words[0]}`);
  let method = 'GET';
  let url: string | undefined;
  let body: string | undefined;
  const headers: [string, string][] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    const flag = w.toLowerCase();
    if (flag === '-usebasicparsing') continue;
    else if (flag === '-method') method = words[++i]!.toUpperCase();
    else if (flag === '-contenttype') headers.push(['Content-Type', words[++i]!]);
    else if (flag === '-body') body = words[++i]!;
    else if (flag === '-uri') url = words[++i]!;
    else if (flag === '-headers') {
      // @{ 'Name' = 'Value'; ... }: the shell words are "@{", name, "=", value[;], ..., "}".
      if (words[++i] !== '@{') throw new Error('-Headers needs a hashtable');
      while (words[i + 1] !== undefined && words[i + 1] !== '}') {
        const name = words[++i]!;
        if (words[++i] !== '=') throw new Error(`-Headers: "=" expected after ${name}`);
        headers.push([name, words[++i]!.replace(/;$/, '')]);
      }
      i++;
    } else if (w.startsWith('-')) throw new Error(`Invoke-WebRequest parameter not read here: ${w}`);
    else url = w;
  }
  if (!url) throw new Error('Invoke-WebRequest without a URI');
  return { method, url, headers, ...(body !== undefined ? { body } : {}) };
}

/** A command line as a document shows it: curl or Invoke-WebRequest. */
export function shownRequest(command: string): ShownRequest {
  const words = shellWords(command);
  return words[0] === 'Invoke-WebRequest' ? invokeWebRequest(words) : curlRequest(words);
}
