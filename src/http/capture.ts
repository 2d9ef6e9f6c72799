/** A captured HTTP response: plain data, so that it serialises into reports unchanged. */
export interface CapturedResponse {
  status: number;
  statusText?: string;
  /** Lower-case header names; every value of a repeated header is kept. */
  headers: Record<string, string[]>;
  body: string;
}

/** The header's values joined as HTTP does (", "), or undefined when absent. */
export function header(response: Pick<CapturedResponse, 'headers'>, name: string): string | undefined {
  const values = response.headers[name.toLowerCase()];
  return values && values.length > 0 ? values.join(', ') : undefined;
}

export class CaptureParseError extends Error {}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/;

/** True when the text starts with an HTTP status line (a whole captured response rather than a bare body). */
export function looksLikeHttpResponse(text: string): boolean {
  return STATUS_LINE.test(text.trimStart().split(/\r?\n/, 1)[0] ?? '');
}

/**
 * Parses a response as `curl -i` or a proxy shows it: status line, headers, blank line, body.
 * Accepts CRLF or LF line ends, because captures pasted from terminals lose the CRs.
 */
export function parseHttpResponse(text: string): CapturedResponse {
  const source = text.trimStart();
  const match = /\r?\n\r?\n/.exec(source);
  const head = match ? source.slice(0, match.index) : source;
  const body = match ? source.slice(match.index + match[0].length) : '';
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
  const status = STATUS_LINE.exec(statusLine);
  if (!status) throw new CaptureParseError(`not an HTTP status line: ${JSON.stringify(statusLine.slice(0, 60))}`);
  const headers: Record<string, string[]> = {};
  for (const [i, line] of headerLines.entries()) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new CaptureParseError(`header line ${i + 2} has no name: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), statusText: status[2], headers, body };
}

/** The media type of a Content-Type value, lower-case and without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() || undefined;
}

/** Directives of a Cache-Control value, lower-case. */
export function cacheDirectives(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((d) => d.trim().split('=', 1)[0]!.toLowerCase())
    .filter(Boolean);
}
