/**
 * The login driver against small servers, each with one behaviour a real login has: a form found by its selector
 * among others, hidden fields and a consent step, cookies by path, a login that hands over to another origin (the
 * password must not follow), a login form that comes back (wrong password), and a target without a form: the CLI
 * stops with one line and exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../src/session/cookie-jar.js';
import { driveAuthorization, type Send } from '../src/session/login-driver.js';
import type { Exchange, LoginSettings } from '../src/vocabulary/types.js';
import { runCli } from './support/cli.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A plain sender that records what went where (the runner's Session does this with budget and redaction). */
function recorder(): { send: Send; sent: { url: string; body?: string; headers: Record<string, string> }[] } {
  const sent: { url: string; body?: string; headers: Record<string, string> }[] = [];
  const send: Send = async (method, url, headers, body) => {
    sent.push({ url, headers, ...(body !== undefined ? { body } : {}) });
    const r = await fetch(url, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
    const out: Record<string, string[]> = {};
    r.headers.forEach((v, k) => {
      out[k] = k === 'set-cookie' ? r.headers.getSetCookie() : [v];
    });
    return {
      request: { method, url, headers, ...(body !== undefined ? { body } : {}) },
      response: { status: r.status, headers: out, body: await r.text() },
      durationMs: 1,
    } as Exchange;
  };
  return { send, sent };
}

const LOGIN: LoginSettings = {
  username: 'alice',
  password: 'alice-secret-pw',
  usernameField: 'user',
  passwordField: 'pass',
  consent: true,
};
const REDIRECT = 'https://app.example.test/cb';
const html = (res: ServerResponse, body: string, headers: Record<string, string | string[]> = {}) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
};

describe('the login driver', () => {
  let site: { server: Server; url: string };
  let elsewhere: { server: Server; url: string };
  const seenElsewhere: string[] = [];
  beforeAll(async () => {
    elsewhere = await serve((req, body, res) => {
      seenElsewhere.push(`${req.method} ${req.url} ${body}`);
      html(res, '<form method="post"><input name="user"><input type="password" name="pass"></form>');
    });
    site = await serve((req, body, res) => {
      const url = new URL(req.url!, 'http://x');
      const cookie = req.headers.cookie ?? '';
      if (url.pathname === '/authorize' && url.searchParams.get('client_id') === 'handover') {
        res.writeHead(302, { location: `${elsewhere.url}/login` });
        return res.end();
      }
      if (url.pathname === '/authorize' && url.searchParams.get('client_id') === 'noform') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{}');
      }
      if (url.pathname === '/authorize') {
        if (!cookie.includes('sid=ok')) {
          res.writeHead(302, {
            location: `/auth/login?next=${encodeURIComponent(req.url!)}`,
            'set-cookie': 'pre=1; Path=/auth',
          });
          return res.end();
        }
        if (!cookie.includes('consented=1'))
          return html(
            res,
            `<form method="post" action="/consent?next=${encodeURIComponent(req.url!)}"><input type="hidden" name="scope" value="a b"><button name="allow" value="yes">Allow</button><input type="submit" value="Cancel"></form>`,
          );
        res.writeHead(302, { location: `${REDIRECT}?code=c-123&state=${url.searchParams.get('state')}` });
        return res.end();
      }
      if (url.pathname === '/auth/login' && req.method === 'GET')
        // A search form first (with no password field), then the login form with a hidden token.
        return html(
          res,
          `<form id="search" action="/search"><input name="q"></form><form id="signin" method="post" action="/auth/login?next=${encodeURIComponent(url.searchParams.get('next')!)}"><input type="hidden" name="token" value="t&amp;1"><input name="user"><input type="password" name="pass"><input type="checkbox" name="remember"></form>`,
        );
      if (url.pathname === '/auth/login') {
        const form = new URLSearchParams(body);
        const ok =
          cookie.includes('pre=1') &&
          form.get('token') === 't&1' &&
          form.get('pass') === 'alice-secret-pw' &&
          !form.has('remember');
        if (!ok)
          return html(
            res,
            '<p class="errorlist">Wrong password.</p><form method="post"><input name="user"><input type="password" name="pass"></form>',
          );
        res.writeHead(302, { location: url.searchParams.get('next')!, 'set-cookie': 'sid=ok; Path=/; HttpOnly' });
        return res.end();
      }
      if (url.pathname === '/consent') {
        const form = new URLSearchParams(body);
        if (form.get('allow') !== 'yes' || form.get('scope') !== 'a b') return html(res, 'no');
        res.writeHead(302, { location: url.searchParams.get('next')!, 'set-cookie': 'consented=1; Path=/' });
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
  });
  afterAll(() => {
    site.server.close();
    elsewhere.server.close();
  });

  it('follows the login inside the origin with its cookies, fills the form, approves consent, stops at the redirect URI', async () => {
    const { send, sent } = recorder();
    const r = await driveAuthorization(send, new CookieJar(), {
      url: `${site.url}/authorize?client_id=app&state=s1`,
      redirectUri: REDIRECT,
      login: LOGIN,
    });
    expect(r.kind).toBe('redirect');
    expect(r.params).toEqual([
      ['code', 'c-123'],
      ['state', 's1'],
    ]);
    expect(r.loggedIn).toBe(true);
    // The cookie of /auth went only to /auth; the form posted with Origin and Referer, the hidden token, no checkbox.
    const post = sent.find((x) => x.body?.includes('pass='))!;
    expect(post.headers.origin).toBe(site.url);
    expect(post.headers.referer).toMatch(/\/auth\/login\?next=/);
    expect(
      sent.filter((x) => x.headers.cookie?.includes('pre=1')).every((x) => new URL(x.url).pathname.startsWith('/auth')),
    ).toBe(true);
    expect(sent.at(-1)!.url).not.toContain('app.example.test');
  });

  it("a form selector picks the login form; the wrong password is reported with the page's own error", async () => {
    const { send } = recorder();
    const r = await driveAuthorization(send, new CookieJar(), {
      url: `${site.url}/authorize?client_id=app&state=s2`,
      redirectUri: REDIRECT,
      login: { ...LOGIN, password: 'wrong', formSelector: '#signin' },
    });
    expect(r.kind).toBe('page');
    expect(r.loginRefused).toBe('Wrong password.');
  });

  it('never sends the password to another origin: a handover elsewhere ends the drive', async () => {
    const { send, sent } = recorder();
    const r = await driveAuthorization(send, new CookieJar(), {
      url: `${site.url}/authorize?client_id=handover`,
      redirectUri: REDIRECT,
      login: LOGIN,
    });
    expect(r.kind).toBe('elsewhere');
    expect(seenElsewhere).toEqual([]);
    expect(sent.some((x) => x.url.startsWith(elsewhere.url) || x.body?.includes('alice-secret-pw'))).toBe(false);
  });

  it('idpc run: a target without a login form stops the run in one line, exit 2, the password not in it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'idpc-driver-')), 'noform.target.json');
    writeFileSync(
      file,
      JSON.stringify({
        flavour: 'rfc6749',
        endpoints: { token: `${site.url}/token` },
        allowHttp: true,
        clients: [{ name: 'user', clientId: 'noform', clientSecret: 's3cret-client' }],
        users: [{ username: 'alice', password: '${env:IDPC_TEST_PASSWORD}' }],
        authorizationCode: { authorizationEndpoint: `${site.url}/authorize`, redirectUri: REDIRECT },
      }),
    );
    const r = await runCli(['run', '--target', file, '--suites', 'authorization-code', '--no-preflight'], {
      ...process.env,
      IDPC_TEST_PASSWORD: 'alice-secret-pw',
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^idpc: authorization-code: the login driver could not get a code: no login form at GET /,
    );
    expect(r.stderr + r.stdout).not.toContain('alice-secret-pw');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
