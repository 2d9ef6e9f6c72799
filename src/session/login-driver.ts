/**
 * The login driver: the browser half of a run, without a browser. It sends the authorization request, follows the
 * target's redirects inside the target's own origin with a cookie jar, fills in the login form it finds (field names
 * and an optional form selector from the target config; Keycloak's #kc-form-login and Django's form work as they are),
 * approves a consent form when told to, and stops at the client's redirect URI: the Location header is read, never
 * followed, so no listener is needed. Credentials go nowhere but the target's origin; a redirect elsewhere ends the
 * drive. Like a browser, it sends Origin and Referer with the form (Django's CSRF check needs them over HTTPS).
 * HTML is parsed with node-html-parser.
 */
import { parse, type HTMLElement } from 'node-html-parser';
import type { Exchange, LoginSettings } from '../vocabulary/types.js';

export type { LoginSettings } from '../vocabulary/types.js';
import type { CookieJar } from './cookie-jar.js';
import { RunInterrupted } from './http.js';

/** The login cannot be done as configured (no form, the form came back): the run stops with one line (exit 2). */
export class LoginNotPossible extends RunInterrupted {}

export type Send = (method: string, url: string, headers: Record<string, string>, body?: string) => Promise<Exchange>;

export interface DriveResult {
  /**
   * redirect: a 3xx to the client's redirect URI (params from its query or fragment); form_post: a page that posts
   * them there; page: an answer that is neither (an error page, a login form the driver could not use); elsewhere: a
   * redirect out of the target's origin that is not the redirect URI; none: no answer.
   */
  kind: 'redirect' | 'form_post' | 'page' | 'elsewhere' | 'none';
  /** The Location of a redirect (to the redirect URI or elsewhere). */
  location?: string;
  params: [string, string][];
  /** A login form was submitted on the way. */
  loggedIn: boolean;
  /** The login form came back after it was submitted, with the page's error text when it has one. */
  loginRefused?: string;
  /** The last answer's status and a short description of the page, for messages. */
  last?: Exchange;
  exchanges: Exchange[];
}

const MAX_HOPS = 12;
const CONSENT_SUBMITS = ['allow', 'accept', 'approve'];

/** The client's redirect URI is reached when scheme, host, port and path are its own (its query may be extended). */
export function atRedirectUri(location: string, redirectUri: string): boolean {
  try {
    const a = new URL(location);
    const b = new URL(redirectUri);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/** The authorization response's parameters: the fragment's when there is one, else the query's. */
export function responseParams(location: string): [string, string][] {
  const u = new URL(location);
  return [...new URLSearchParams(u.hash.length > 1 ? u.hash.slice(1) : u.search)];
}

/** What a form submits: its named inputs (hidden ones included), the one submit button named, and `fill`. */
function formFields(form: HTMLElement, fill: Record<string, string>, submit?: string): [string, string][] {
  const out: [string, string][] = [];
  for (const input of form.querySelectorAll('input, select, textarea')) {
    const name = input.getAttribute('name');
    if (!name || input.hasAttribute('disabled')) continue;
    const type = (input.getAttribute('type') ?? 'text').toLowerCase();
    if (type === 'submit' || type === 'button' || type === 'image') {
      if (submit !== undefined && name === submit) out.push([name, input.getAttribute('value') ?? '']);
      continue;
    }
    if ((type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked')) continue;
    if (Object.hasOwn(fill, name)) continue;
    out.push([name, input.getAttribute('value') ?? input.textContent ?? '']);
  }
  // A <button name=…> submit (Django's consent "allow").
  if (submit !== undefined && !out.some(([k]) => k === submit))
    for (const b of form.querySelectorAll('button'))
      if (b.getAttribute('name') === submit) out.push([submit, b.getAttribute('value') ?? '']);
  for (const [k, v] of Object.entries(fill)) out.push([k, v]);
  return out;
}

function loginFormOf(doc: HTMLElement, settings: LoginSettings): HTMLElement | undefined {
  if (settings.formSelector) return doc.querySelector(settings.formSelector) ?? undefined;
  return doc.querySelectorAll('form').find((f) => f.querySelector('input[type="password"], input[type=password]'));
}

function consentFormOf(doc: HTMLElement): { form: HTMLElement; submit: string } | undefined {
  for (const form of doc.querySelectorAll('form')) {
    if (form.querySelector('input[type="password"]')) continue;
    for (const el of form.querySelectorAll('input, button')) {
      const name = el.getAttribute('name');
      if (name && CONSENT_SUBMITS.includes(name.toLowerCase())) return { form, submit: name };
    }
  }
  return undefined;
}

/** The visible error of a login page (Keycloak's #input-error, Django's errorlist, an alert), for one-line messages. */
function pageError(doc: HTMLElement): string | undefined {
  const el =
    doc.querySelector('#input-error') ??
    doc.querySelector('.errorlist') ??
    doc.querySelector('.alert-error, .alert-danger, .error');
  const text = el?.textContent.replace(/\s+/g, ' ').trim();
  return text || undefined;
}

const isHtml = (e: Exchange) => /html/i.test(e.response?.headers['content-type']?.[0] ?? '');

/**
 * Drives one authorization request (a GET of `url`) to its end. `login` absent: no form is filled in (a probe that
 * must not log in, such as prompt=none).
 */
export async function driveAuthorization(
  send: Send,
  jar: CookieJar,
  options: { url: string; redirectUri: string; login?: LoginSettings },
): Promise<DriveResult> {
  const origin = new URL(options.url).origin;
  const exchanges: Exchange[] = [];
  let current = options.url;
  let method = 'GET';
  let body: string | undefined;
  let referer: string | undefined;
  let submitted = 0;
  const result = (r: Omit<DriveResult, 'exchanges' | 'loggedIn' | 'last'>): DriveResult => ({
    ...r,
    loggedIn: submitted > 0,
    exchanges,
    ...(exchanges.length ? { last: exchanges[exchanges.length - 1]! } : {}),
  });
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (new URL(current).origin !== origin) return result({ kind: 'elsewhere', location: current, params: [] });
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
    const cookie = jar.header(current);
    if (cookie) headers.cookie = cookie;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = origin;
      if (referer) headers.referer = referer;
    }
    const e = await send(method, current, headers, body);
    exchanges.push(e);
    const r = e.response;
    if (!r) return result({ kind: 'none', params: [] });
    jar.store(current, r.headers['set-cookie']);
    const location = r.headers.location?.[0];
    if (r.status >= 300 && r.status < 400 && location) {
      const next = new URL(location, current).toString();
      if (atRedirectUri(next, options.redirectUri))
        return result({ kind: 'redirect', location: next, params: responseParams(next) });
      if (new URL(next).origin !== origin) return result({ kind: 'elsewhere', location: next, params: [] });
      referer = current;
      current = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (r.status !== 200 || !isHtml(e)) return result({ kind: 'page', params: [] });
    const doc = parse(r.body);
    // response_mode=form_post: the page's form posts the response to the redirect URI.
    const posted = doc
      .querySelectorAll('form')
      .find((f) => atRedirectUri(new URL(f.getAttribute('action') ?? '', current).toString(), options.redirectUri));
    if (posted) return result({ kind: 'form_post', params: formFields(posted, {}), location: options.redirectUri });
    const form = options.login ? loginFormOf(doc, options.login) : undefined;
    // After a submission, any password form means the login did not take (a selector may not match the error page).
    if (submitted > 0 && (form || loginFormOf(doc, { ...options.login!, formSelector: undefined })))
      return result({ kind: 'page', params: [], loginRefused: pageError(doc) ?? 'the login form came back' });
    if (form && options.login) {
      const fill: Record<string, string> = { [options.login.passwordField]: options.login.password };
      // A pre-set user (Keycloak's re-authentication) has no username field.
      if (form.querySelector(`[name="${options.login.usernameField}"]`))
        fill[options.login.usernameField] = options.login.username;
      submitted++;
      ({ method, current, body } = submission(form, current, fill));
      referer = e.request.url;
      continue;
    }
    const consent = options.login?.consent ? consentFormOf(doc) : undefined;
    if (consent) {
      ({ method, current, body } = submission(consent.form, current, {}, consent.submit));
      referer = e.request.url;
      continue;
    }
    return result({ kind: 'page', params: [] });
  }
  return result({ kind: 'page', params: [] });
}

/** A form's request: its action resolved against the page (no action: the page itself, query included), its method. */
function submission(form: HTMLElement, page: string, fill: Record<string, string>, submit?: string) {
  const action = new URL(form.getAttribute('action') || page, page).toString();
  const fields = formFields(form, fill, submit);
  const method = (form.getAttribute('method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
  if (method === 'POST') return { method, current: action, body: new URLSearchParams(fields).toString() };
  const u = new URL(action);
  u.search = new URLSearchParams(fields).toString();
  return { method, current: u.toString(), body: undefined };
}

/** A one-line description of where a drive stopped, for a run that cannot log in. */
export function describeStop(r: DriveResult): string {
  const at = r.last ? `${r.last.request.method} ${r.last.request.url.split('?')[0]}` : 'the authorization request';
  if (r.loginRefused) return `the login form came back after submitting it at ${at} (${r.loginRefused})`;
  if (r.kind === 'elsewhere') return `the login went to ${new URL(r.location!).origin}, outside the target's origin`;
  if (r.kind === 'none') return `no answer from ${at}: ${r.last?.error ?? 'no response'}`;
  const status = r.last?.response?.status;
  return `no login form at ${at} (it answered ${status}${r.last && !isHtml(r.last) ? ', not an HTML page' : ''}): set authorizationCode.login.formSelector and the field names`;
}
