/**
 * The provider documents' own calls, replayed as written: each call's lines (fixtures/seeds/calls.json, verbatim) are
 * read as the command they stand for, its example values replaced by the running mock's, and sent over HTTP; the
 * answer must be the one the document shows. Where the documents themselves are present (the design repository's
 * seeds), every line must still be found in them, so that the fixture cannot drift from the documents.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import type { FlavourName } from '../src/flavours/index.js';
import { shownRequest } from './support/command-line.js';
import { schemaErrors, type Reply } from './support/http.js';

interface Reading {
  rule:
    | 'append-url'
    | 'scrape-joined-continuation'
    | 'fragments'
    | 'close-quote'
    | 'continuation-trailing-space'
    | 'http-request';
  path?: string;
  joiner?: string;
  form?: Record<string, string>;
  because: string;
}
interface SeedCall {
  id: string;
  seed: string;
  mock: { flavour: FlavourName; preset?: string };
  lines: string[];
  reading: Reading[];
  placeholders: Record<string, string>;
  advanceClock?: 'accessLifetime' | 'refreshLifetime';
  expect: { status?: number; schema?: string; keys?: string[]; body?: Record<string, unknown>; text?: string };
  saves?: Record<string, string>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { calls } = JSON.parse(readFileSync(join(root, 'fixtures/seeds/calls.json'), 'utf8')) as { calls: SeedCall[] };
const seedsDir = join(root, '..', 'shared', 'seeds');

/** The command a call's lines stand for, by its reading rules (each says why in the fixture). */
function commandOf(call: SeedCall): string {
  let lines = [...call.lines];
  const rule = (name: Reading['rule']) => call.reading.find((r) => r.rule === name);
  // An option's line whose quote is left open is closed at its end (a URL cut between pieces is not an option's).
  if (rule('close-quote'))
    lines = lines.map((l) => (/^\s*-/.test(l) && (l.match(/'/g)?.length ?? 0) % 2 === 1 ? `${l.trimEnd()}'` : l));
  let text: string;
  const fragments = rule('fragments');
  if (fragments) {
    // Pieces of one word join as they are; a piece that starts an option is a new word.
    text = lines.reduce((acc, l, i) => {
      if (i === 0) return l;
      if (/^\s*-/.test(l)) return `${acc.trimEnd()} ${l.trim()}`;
      return acc + (i === 1 && fragments.joiner ? fragments.joiner : '') + l;
    }, '');
  } else text = lines.join('\n');
  if (rule('scrape-joined-continuation')) text = text.replace(/ \\(?=[A-Za-z])/g, '');
  if (rule('continuation-trailing-space')) text = text.replace(/\\[ \t]+\n/g, '\\\n');
  const append = rule('append-url');
  if (append) text = `${text.replace(/\\\s*$/, '')} {{mock.url}}${append.path}`;
  const http = rule('http-request');
  if (http) {
    const [method, path] = text.trim().split(/\s+/);
    const data = Object.entries(http.form ?? {}).map(([k, v]) => `--data-urlencode '${k}=${v}'`);
    text = `curl -X ${method} '{{Host}}${path}' ${data.join(' ')}`;
  }
  return text;
}

const ROBOT = {
  clientId: 'ACZpcaLIT3qr725YWmXu8et9REl4HBg1',
  clientSecret: 't5IfXbGZQThAKR43apoc9usOFVDv2BLE',
  password: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5',
};

/** The values the documents' example values stand for on a running mock: its URL, its seeded clients and users. */
function valuesOf(idp: RunningMock, saved: Record<string, string>): Record<string, string> {
  // Keycloak keeps its users in realms (the documents use the master realm); the others in the config's users.
  const realmUsers =
    (
      idp.config.extra.keycloak as { realms?: { name: string; users?: { username: string; password?: string }[] }[] }
    )?.realms?.find((r) => r.name === 'master')?.users ?? [];
  const user = [...idp.config.users.filter((u) => !u.operator), ...realmUsers].find((u) => u.password !== undefined);
  const client = idp.config.clients.find((c) => c.clientSecret !== undefined);
  const tech = (
    idp.startup.technicalUsers as { clientId: string; clientSecret: string; refreshToken: string }[] | undefined
  )?.[0];
  return {
    'mock.url': idp.url,
    'mock.host': new URL(idp.url).host,
    'mock.ratorBase': idp.tokenEndpoint.replace(/\/oauth\/token$/, ''),
    'robot.clientId': ROBOT.clientId,
    'robot.clientSecret': ROBOT.clientSecret,
    'robot.password': ROBOT.password,
    'user.username': user?.username ?? '',
    'user.password': user?.password ?? '',
    'client.clientId': client?.clientId ?? '',
    'client.clientSecret': client?.clientSecret ?? '',
    'technicalUser.clientId': tech?.clientId ?? '',
    'technicalUser.clientSecret': tech?.clientSecret ?? '',
    'technicalUser.refreshToken': tech?.refreshToken ?? '',
    brandKey: String((idp.config.extra.rator as { brandKeys?: string[] } | undefined)?.brandKeys?.[0] ?? ''),
    wrongPassword: 'not-the-password',
    ...Object.fromEntries(Object.entries(saved).map(([k, v]) => [`saved.${k}`, v])),
  };
}

function filled(text: string, placeholders: Record<string, string>, values: Record<string, string>): string {
  const all = { ...placeholders, '{{mock.url}}': 'mock.url', '{{Host}}': placeholders['{{Host}}'] ?? 'mock.url' };
  // Longest first, so that a value inside another is not replaced half.
  for (const [shown, key] of Object.entries(all).sort((a, b) => b[0].length - a[0].length)) {
    const value = values[key];
    if (value === undefined || value === '') throw new Error(`no value for ${key} (${shown})`);
    text = text.split(shown).join(value);
  }
  return text;
}

async function send(command: string): Promise<Reply> {
  const shown = shownRequest(command);
  const r = await request(shown.url, {
    method: shown.method as 'POST',
    headers: shown.headers.flat(),
    ...(shown.body !== undefined ? { body: shown.body } : {}),
  });
  const text = await r.body.text();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: r.statusCode, headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('the provider documents’ calls, as written', () => {
  const mocks = new Map<string, RunningMock>();
  const saved = new Map<string, Record<string, string>>();
  afterAll(() => Promise.all([...mocks.values()].map((m) => m.close())));

  async function mockFor(call: SeedCall): Promise<RunningMock> {
    const key = `${call.mock.flavour}/${call.mock.preset ?? ''}`;
    if (!mocks.has(key))
      mocks.set(
        key,
        await startMock({
          flavour: call.mock.flavour,
          ...(call.mock.preset ? { preset: call.mock.preset } : {}),
        } as never),
      );
    return mocks.get(key)!;
  }

  it.runIf(existsSync(seedsDir))('every line is found in its document (the fixture has not drifted)', () => {
    for (const call of calls) {
      const text = readFileSync(join(seedsDir, call.seed), 'utf8');
      for (const line of call.lines) expect(text.includes(line), `${call.id}: ${line.slice(0, 60)}`).toBe(true);
    }
  });

  it('covers every document', () => {
    expect(new Set(calls.map((c) => c.seed.slice(0, 3)))).toEqual(new Set(['000', '001', '002', '003', '004']));
  });

  // In the fixture's order: a call may use what an earlier one of its flavour saved (a refresh token).
  for (const call of calls)
    it(`${call.id} (${call.seed.slice(0, 3)}): ${call.reading.map((r) => r.rule).join(', ') || 'as written'}`, async () => {
      const idp = await mockFor(call);
      const key = `${call.mock.flavour}/${call.mock.preset ?? ''}`;
      const mine = saved.get(key) ?? {};
      if (call.advanceClock) {
        const lifetimes = idp.config.tokens;
        idp.clock.advance(
          (call.advanceClock === 'accessLifetime' ? lifetimes.accessTokenLifetime : lifetimes.refreshTokenLifetime) + 1,
        );
      }
      const command = filled(commandOf(call), call.placeholders, valuesOf(idp, mine));
      const r = await send(command);
      const e = call.expect;
      if (e.status !== undefined) expect(r.status, r.text).toBe(e.status);
      if (e.text !== undefined) expect(r.text).toBe(e.text);
      if (e.keys) expect(Object.keys(r.json())).toEqual(e.keys);
      if (e.body) expect(r.json()).toMatchObject(e.body);
      if (e.schema)
        expect(schemaErrors(call.mock.flavour, e.schema, r).filter((x) => !x.startsWith('TE-D'))).toEqual([]);
      for (const [member, name] of Object.entries(call.saves ?? {})) mine[name] = String(r.json()[member]);
      saved.set(key, mine);
    });
});
