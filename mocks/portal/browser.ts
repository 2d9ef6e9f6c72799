/**
 * The portal's browser half: Django's login (LoginView at /accounts/login/, its CSRF protection and session cookie)
 * and django-oauth-toolkit 2.3's AuthorizationView at /oauth2/authorize/, which logs the user in first
 * (LoginRequiredMixin) and validates the request after, in oauthlib's order: fatal errors as DOT's error page,
 * the others redirected to the client; then the consent form, or the code at once for an application that skips
 * authorization (every Educates workshop-session application does).
 * Sources: jazzband/django-oauth-toolkit 2.3.0 oauth2_provider/views/base.py (AuthorizationView), models.py
 * (redirect_to_uri_allowed: the registered query must be a subset, a loopback IP may use any port),
 * templates/oauth2_provider/authorize.html; oauthlib 3.2 oauthlib/oauth2/rfc6749/grant_types/authorization_code.py
 * (validate_authorization_request), errors.py; django/django django/contrib/auth/views.py (LoginView,
 * redirect_to_login), django/middleware/csrf.py (masked tokens, the Origin check); educates-training-platform
 * training-portal/src/project/settings.py (LOGIN_URL "login", PKCE_REQUIRED False) and templates/registration/login.html.
 */
import { randomInt } from 'node:crypto';
import {
  AuthorizeErrorPage,
  AuthorizeErrorRedirect,
  authorizationEndpoint,
  type AuthorizeStep,
} from '../core/authorization-endpoint.js';
import { cookiesOf, deliver, escapeHtml, seeOther, setCookie } from '../core/browser.js';
import type { ClientRecord, MockContext } from '../core/flavour.js';
import {
  formOf,
  header,
  Params,
  queryOf,
  requestMediaType,
  type MockRequest,
  type MockResponse,
} from '../core/http.js';
import { passwordMatches } from '../core/passwords.js';
import { alphanumericToken } from '../core/random.js';
import { descriptor } from '../../src/flavours/portal.js';
import { DJANGO_HEADERS, html, scopesOf } from './wire.js';

/** DOT's AUTHORIZATION_CODE_EXPIRE_SECONDS, as the flavour documents it, and Django's SESSION_COOKIE_AGE (two weeks). */
export const CODE_LIFETIME = descriptor.browser!.codeLifetime;
const SESSION_AGE = 1_209_600;
const LOGIN_PATH = '/accounts/login/';
const AUTHORIZE_PATH = '/oauth2/authorize/';

/** What a code is bound to (DOT's Grant row). */
export interface PortalCode {
  clientId: string;
  username: string;
  /** The effective redirect URI (the registered one when the request gave none). */
  redirectUri: string;
  scope: string[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

// ---- Django's CSRF tokens (django/middleware/csrf.py): a 32-character secret in the cookie, masked in the form ----
const CSRF_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const maskSecret = (secret: string) => {
  const mask = Array.from({ length: 32 }, () => CSRF_CHARS[randomInt(62)]).join('');
  const cipher = [...secret]
    .map((c, i) => CSRF_CHARS[(CSRF_CHARS.indexOf(c) + CSRF_CHARS.indexOf(mask[i]!)) % 62])
    .join('');
  return mask + cipher;
};
const unmask = (token: string) => {
  const mask = token.slice(0, 32);
  return [...token.slice(32)]
    .map((c, i) => CSRF_CHARS[(CSRF_CHARS.indexOf(c) - CSRF_CHARS.indexOf(mask[i]!) + 62) % 62])
    .join('');
};
const csrfShape = /^[a-zA-Z0-9]{32}([a-zA-Z0-9]{32})?$/;
/** _does_token_match: a 64-character form token is unmasked; a 32-character one is the secret itself. */
const csrfMatches = (formToken: string | undefined, secret: string | undefined) =>
  !!formToken &&
  !!secret &&
  csrfShape.test(formToken) &&
  csrfShape.test(secret) &&
  (formToken.length === 64 ? unmask(formToken) : formToken) === secret;

/** DOT's Application.redirect_uri_allowed (models.py), for one registered URI. */
export function redirectAllowed(registered: string, uri: string, prefixDefect: boolean): boolean {
  let a: URL;
  let r: URL;
  try {
    a = new URL(registered);
    r = new URL(uri);
  } catch {
    return false;
  }
  if (prefixDefect && uri.startsWith(registered)) return true;
  const loopback = ['127.0.0.1', '[::1]'].includes(a.hostname);
  const sameHost = loopback ? a.hostname === r.hostname : a.host === r.host;
  if (a.protocol !== r.protocol || !sameHost || a.pathname !== r.pathname) return false;
  // Every query parameter of the registered URI must be in the request's; further ones are accepted.
  const asked = new URLSearchParams(r.search);
  return [...new URLSearchParams(a.search)].every(([k, v]) => asked.getAll(k).includes(v));
}

export function portalBrowser(ctx: MockContext) {
  const store = ctx.grants.store;
  const now = () => ctx.clock.epochSeconds();
  const defect = () => ctx.config.plantedDeviations.authorizationCodeDefect;

  async function sessionUser(req: MockRequest) {
    const id = cookiesOf(req).get('sessionid');
    const s = id ? await store.getDoc<{ username: string; expiresAt: number }>(`portal:session:${id}`) : undefined;
    const user = s && s.expiresAt > now() ? ctx.users.get(s.username) : undefined;
    return user?.enabled ? { id: id!, user } : undefined;
  }

  // ---- /accounts/login/ (django.contrib.auth.views.LoginView with Educates' template) ----------------------------
  function loginPage(next: string, csrfSecret: string, cookies: string[], error?: string, username = ''): MockResponse {
    const errors = error
      ? `<div class="alert alert-block alert-danger"><ul class="errorlist nonfield"><li>${escapeHtml(error)}</li></ul></div>`
      : '';
    const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Educates</title></head>
<body><div class="container"><div class="login-form">
<form method="post">
<input type="hidden" name="csrfmiddlewaretoken" value="${maskSecret(csrfSecret)}">
${errors}
<div id="div_id_username" class="form-group"><label for="id_username">Username<span class="asteriskField">*</span></label><input type="text" name="username" value="${escapeHtml(username)}" autofocus autocapitalize="none" autocomplete="username" maxlength="150" class="textinput form-control" required id="id_username"></div>
<div id="div_id_password" class="form-group"><label for="id_password">Password<span class="asteriskField">*</span></label><input type="password" name="password" autocomplete="current-password" class="passwordinput form-control" required id="id_password"></div>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit" class="btn btn-primary">Login</button>
</form></div></div></body></html>`;
    return {
      ...html(200, body, { 'Cache-Control': 'max-age=0, no-cache, no-store, must-revalidate, private' }),
      cookies,
    };
  }

  /** A safe `next` (url_has_allowed_host_and_scheme): a path on this site; anything else goes to LOGIN_REDIRECT_URL. */
  const safeNext = (next: string | null) => (next?.startsWith('/') && !next.startsWith('//') ? next : '/');

  const login = async (req: MockRequest): Promise<MockResponse> => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')
      return html(405, '', { Allow: 'GET, POST, HEAD, OPTIONS' });
    const query = new URLSearchParams(queryOf(req, 'keep-literal').pairs);
    let secret = cookiesOf(req).get('csrftoken');
    const csrfCookies: string[] = [];
    if (!secret || !/^[a-zA-Z0-9]{32}$/.test(secret)) {
      secret = alphanumericToken(32);
      // Django's CSRF cookie: a year, Lax, readable by scripts (CSRF_COOKIE_HTTPONLY False).
      csrfCookies.push(setCookie('csrftoken', secret, { path: '/', sameSite: 'Lax', maxAge: 31_449_600 }));
    }
    if (req.method !== 'POST') return loginPage(query.get('next') ?? '', secret, csrfCookies);
    // CsrfViewMiddleware.process_view: the Origin, when sent, is this site; the form's token matches the cookie's.
    const origin = header(req, 'origin');
    const host = header(req, 'host');
    const form = new URLSearchParams(
      requestMediaType(req) === 'application/x-www-form-urlencoded' ? formOf(req, 'keep-literal').pairs : [],
    );
    if (
      (origin !== undefined && origin !== `${ctx.baseUrl.startsWith('https:') ? 'https' : 'http'}://${host}`) ||
      !csrfMatches(form.get('csrfmiddlewaretoken') ?? undefined, cookiesOf(req).get('csrftoken'))
    )
      return html(403, '<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>');
    const next = form.get('next') ?? query.get('next') ?? '';
    const username = form.get('username') ?? '';
    const user = ctx.users.get(username);
    if (!user?.enabled || !passwordMatches(user, form.get('password') ?? ''))
      return loginPage(
        next,
        secret,
        csrfCookies,
        'Please enter a correct username and password. Note that both fields may be case-sensitive.',
        username,
      );
    const sessionId = alphanumericToken(32).toLowerCase();
    await store.putDoc(
      `portal:session:${sessionId}`,
      { username, expiresAt: now() + SESSION_AGE },
      now() + SESSION_AGE,
      now(),
    );
    // A login rotates the CSRF secret (django.middleware.csrf.rotate_token).
    const rotated = alphanumericToken(32);
    return seeOther(safeNext(next), DJANGO_HEADERS, [
      setCookie('csrftoken', rotated, { path: '/', sameSite: 'Lax', maxAge: 31_449_600 }),
      setCookie('sessionid', sessionId, { path: '/', sameSite: 'Lax', httpOnly: true, maxAge: SESSION_AGE }),
    ]);
  };

  /** /accounts/logout/: the Django session ends (tokens stay: the portal does not revoke them). */
  const logout = async (req: MockRequest): Promise<MockResponse> => {
    const s = await sessionUser(req);
    if (s) await store.deleteDoc(`portal:session:${s.id}`);
    return seeOther('/', DJANGO_HEADERS, [setCookie('sessionid', '', { path: '/', maxAge: 0, sameSite: 'Lax' })]);
  };

  // ---- /oauth2/authorize/ (DOT AuthorizationView) ----------------------------------------------------------------
  interface State {
    username?: string;
    sessionId?: string;
    scope: string[];
    state?: string;
  }
  type Step = AuthorizeStep<State>;

  const loginRequired: Step = {
    name: 'login required',
    async run(t) {
      const s = await sessionUser(t.req);
      if (s) {
        t.state.username = s.user.username;
        t.state.sessionId = s.id;
        return undefined;
      }
      // redirect_to_login: the full path, urlencoded with "/" kept (QueryDict.urlencode(safe="/")).
      const full = `${AUTHORIZE_PATH}${t.req.rawQuery ? `?${t.req.rawQuery}` : ''}`;
      const next = encodeURIComponent(full).replace(/%2F/g, '/');
      return seeOther(`${LOGIN_PATH}?next=${next}`, DJANGO_HEADERS);
    },
  };

  /** oauthlib's fatal checks: duplicated parameters, the client, the redirect URI (DOT's error page, 400). */
  const fatal: Step = {
    name: 'client and redirect uri',
    run(t) {
      for (const p of ['client_id', 'response_type', 'redirect_uri', 'scope', 'state'])
        if (t.params.all(p).length > 1)
          throw new AuthorizeErrorPage(400, `Duplicate ${p} parameter.`, 'invalid_request');
      const clientId = t.params.first('client_id');
      if (!clientId) throw new AuthorizeErrorPage(400, 'Missing client_id parameter.', 'invalid_request');
      const client = ctx.clients.get(clientId);
      if (!client?.enabled) throw new AuthorizeErrorPage(400, 'Invalid client_id parameter value.', 'invalid_request');
      t.client = client;
      const registered = client.redirectUris ?? [];
      const sent = t.params.first('redirect_uri');
      if (sent === undefined) {
        if (registered.length !== 1) throw new AuthorizeErrorPage(400, 'Missing redirect URI.', 'invalid_request');
        t.redirectUri = registered[0]!;
        return;
      }
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(sent))
        throw new AuthorizeErrorPage(400, 'Invalid redirect URI.', 'invalid_request');
      if (!registered.some((r) => redirectAllowed(r, sent, defect() === 'redirect-prefix-match'))) {
        if (defect() !== 'error-to-unregistered-uri')
          throw new AuthorizeErrorPage(400, 'Mismatching redirect URI.', 'invalid_request');
        t.redirectUri = sent;
        throw new AuthorizeErrorRedirect('invalid_request', 'Mismatching redirect URI.');
      }
      t.redirectUri = sent;
    },
  };

  /** oauthlib's other checks, redirected; then DOT's prompt=login. */
  const request: Step = {
    name: 'response type, grant, pkce, scope',
    run(t) {
      const state = t.params.first('state');
      if (state) t.state.state = state;
      // DOT builds error URLs itself: the query, whatever response_mode asked (views/mixins.py).
      const type = t.params.first('response_type');
      if (!type) throw new AuthorizeErrorRedirect('invalid_request', 'Missing response_type parameter.');
      if (type !== 'code') throw new AuthorizeErrorRedirect('unsupported_response_type');
      if (!t.client!.grants.includes('authorization_code')) throw new AuthorizeErrorRedirect('unauthorized_client');
      const method = t.params.first('code_challenge_method');
      if (
        t.params.first('code_challenge') !== undefined &&
        method !== undefined &&
        method !== 'plain' &&
        method !== 'S256'
      )
        throw new AuthorizeErrorRedirect('invalid_request', 'Transform algorithm not supported.');
      const scope = scopesOf(t.params.first('scope'));
      if (scope === 'invalid') throw new AuthorizeErrorRedirect('invalid_scope');
      t.state.scope = scope;
      // oauthlib honours response_mode=fragment for the success response only.
      t.responseMode = t.params.first('response_mode') === 'fragment' ? 'fragment' : 'query';
    },
  };

  const consentOrCode: Step = {
    name: 'consent',
    async run(t) {
      const client = t.client as ClientRecord;
      if ((t.params.first('prompt') ?? '').split(' ').includes('login')) {
        // DOT >= 2.1: prompt=login logs the user out and sends them to the login page, without the prompt.
        await store.deleteDoc(`portal:session:${t.state.sessionId}`);
        const pairs = t.params.pairs.filter(([k]) => k !== 'prompt');
        const next = `${AUTHORIZE_PATH}?${new URLSearchParams(pairs)}`;
        return seeOther(`${LOGIN_PATH}?next=${encodeURIComponent(next).replace(/%2F/g, '/')}`, DJANGO_HEADERS);
      }
      if (t.req.method === 'POST') {
        // The consent form's answer: CSRF first (the view is not exempt), then allow or not.
        const form = new URLSearchParams(t.params.pairs);
        if (!csrfMatches(form.get('csrfmiddlewaretoken') ?? undefined, cookiesOf(t.req).get('csrftoken')))
          return html(403, '<h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p>');
        if (!form.has('allow')) throw new AuthorizeErrorRedirect('access_denied');
        return codeRedirect(t.params, t.state, client, t.redirectUri!, t.responseMode);
      }
      if (client.skipConsent) return codeRedirect(t.params, t.state, client, t.redirectUri!, t.responseMode);
      return consentPage(t.params, t.state, client, t.redirectUri!, cookiesOf(t.req).get('csrftoken'));
    },
  };

  async function codeRedirect(
    params: Params,
    state: State,
    client: ClientRecord,
    redirectUri: string,
    mode: 'query' | 'fragment' | 'form_post',
  ): Promise<MockResponse> {
    const code = alphanumericToken(30);
    const challenge = params.first('code_challenge');
    const lifetime = defect() === 'code-never-expires' ? 10 * 365 * 86400 : CODE_LIFETIME;
    const row: PortalCode = {
      clientId: client.clientId,
      username: state.username!,
      redirectUri,
      scope: state.scope,
      ...(challenge !== undefined
        ? { codeChallenge: challenge, codeChallengeMethod: params.first('code_challenge_method') ?? 'plain' }
        : {}),
      expiresAt: now() + lifetime,
    };
    await store.putDoc(`portal:code:${code}`, row, now() + lifetime, now());
    const out: [string, string][] = [['code', code]];
    if (state.state && defect() !== 'state-dropped') out.push(['state', state.state]);
    return deliver(redirectUri, mode === 'fragment' ? 'fragment' : 'query', out, DJANGO_HEADERS, undefined, 'form');
  }

  /** DOT's authorize.html: form#authorizationForm posting to the same URL, the request as hidden fields, allow. */
  function consentPage(
    params: Params,
    state: State,
    client: ClientRecord,
    redirectUri: string,
    csrf: string | undefined,
  ): MockResponse {
    const secret = csrf && /^[a-zA-Z0-9]{32}$/.test(csrf) ? csrf : alphanumericToken(32);
    const hidden = (name: string, value: string | undefined) =>
      `<input type="hidden" name="${name}" value="${escapeHtml(value ?? '')}" id="id_${name}">`;
    const body = `<!DOCTYPE html><html lang="en"><head><title></title></head><body><div class="block-center">
<form id="authorizationForm" method="post">
<h3 class="block-center-heading">Authorize ${escapeHtml(client.clientId)}?</h3>
<input type="hidden" name="csrfmiddlewaretoken" value="${maskSecret(secret)}">
${hidden('redirect_uri', redirectUri)}${hidden('scope', state.scope.join(' '))}${hidden('nonce', params.first('nonce'))}${hidden('client_id', client.clientId)}${hidden('state', params.first('state'))}${hidden('response_type', 'code')}${hidden('code_challenge', params.first('code_challenge'))}${hidden('code_challenge_method', params.first('code_challenge_method'))}${hidden('claims', '')}
<p>Application requires the following permissions</p><ul>${state.scope.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<div class="control-group"><div class="controls"><input type="submit" class="btn btn-large" value="Cancel"/> <input type="submit" class="btn btn-large btn-primary" name="allow" value="Authorize"/></div></div>
</form></div></body></html>`;
    return {
      ...html(200, body),
      ...(secret !== csrf
        ? { cookies: [setCookie('csrftoken', secret, { path: '/', sameSite: 'Lax', maxAge: 31_449_600 })] }
        : {}),
    };
  }

  const authorize = authorizationEndpoint<State>({
    parse(req) {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST')
        return html(405, '', { Allow: 'GET, POST, HEAD, OPTIONS' });
      const query = queryOf(req, 'keep-literal').pairs;
      const form =
        req.method === 'POST' && requestMediaType(req) === 'application/x-www-form-urlencoded'
          ? formOf(req, 'keep-literal').pairs
          : [];
      // The consent form posts the request's fields back; Django reads them from the body.
      return { params: new Params(req.method === 'POST' ? form : query), state: { scope: [] } };
    },
    steps: [loginRequired, fatal, request, consentOrCode],
    // DOT's authorize.html with the error: <h2>Error: {error}</h2><p>{description}</p>, the oauthlib status.
    page: (e) =>
      html(
        e.status,
        `<!DOCTYPE html><html lang="en"><head><title></title></head><body><div class="block-center"><h2>Error: ${escapeHtml(e.error ?? 'invalid_request')}</h2><p>${escapeHtml(e.text)}</p></div></body></html>`,
      ),
    redirect: (e, t) => {
      const out: [string, string][] = [['error', e.error]];
      if (e.description) out.push(['error_description', e.description]);
      if (t.state.state) out.push(['state', t.state.state]);
      return deliver(t.redirectUri, 'query', out, DJANGO_HEADERS, undefined, 'form');
    },
  });

  return { login, logout, authorize };
}
