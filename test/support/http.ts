import { request } from 'undici';
import { validateCapture } from '../../src/validate/capture.js';
import type { FlavourName } from '../../src/flavours/index.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: () => Record<string, unknown>;
}

export async function http(
  method: string,
  url: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const r = await request(url, {
    method: method as 'POST',
    ...(options.body !== undefined ? { body: options.body } : {}),
    headers: options.headers ?? {},
  });
  const text = await r.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: r.statusCode, headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

export const form = (params: Record<string, string> | [string, string][]) =>
  new URLSearchParams(Array.isArray(params) ? params : Object.entries(params)).toString();

export const basic = (id: string, secret: string, encode = true) => {
  const enc = (s: string) => (encode ? encodeURIComponent(s).replace(/%20/g, '+') : s);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
};

export function postForm(
  url: string,
  params: Record<string, string> | [string, string][],
  headers: Record<string, string> = {},
): Promise<Reply> {
  return http('POST', url, {
    body: form(params),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

/** Validates a reply against the flavour's schema and RFC rules, as `idpc validate` would; returns the errors. */
export function schemaErrors(flavour: FlavourName, kind: string, reply: Reply): string[] {
  const headers = Object.fromEntries(Object.entries(reply.headers).map(([k, v]) => [k, [v]]));
  const report = validateCapture({ flavour, kind, response: { status: reply.status, headers, body: reply.text } });
  return report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.path}: ${f.message}`);
}
