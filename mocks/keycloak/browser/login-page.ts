/**
 * Keycloak's login page as its base login theme renders it: form #kc-form-login posting to
 * {base}/realms/{realm}/login-actions/authenticate?session_code=…&execution=…&client_id=…&tab_id=… (the action
 * HTML-escaped), fields username, password, a hidden credentialId and the submit "login"; a failed login shows
 * span#input-error. Sources (keycloak/keycloak): themes/src/main/resources/theme/base/login/login.ftl and
 * template.ftl, messages/messages_en.properties (loginTitle "Sign in to {0}", invalidUserMessage,
 * reauthenticate), services/.../authentication/AuthenticationProcessor.java (the action URL).
 */
import { escapeHtml } from '../../core/browser.js';
import type { MockResponse } from '../../core/http.js';
import { randomBytes } from 'node:crypto';
import type { Realm } from '../model.js';
import type { AuthSession } from './codes.js';
import { BROWSER_HEADERS } from './flow.js';

/** AuthenticationProcessor's execution id of the browser flow's username-password form (fixed per realm in Keycloak too). */
export const LOGIN_EXECUTION = '9b1a2c8e-6f4d-4e0b-a1c3-5d7e8f9a0b1c';

/** {base}/realms/{realm}/login-actions/authenticate?session_code=…&execution=…&client_id=…&tab_id=… */
export function loginActionUrl(
  base: string,
  realm: Realm,
  auth: Pick<AuthSession, 'clientId' | 'tabId'>,
  action: 'authenticate' | 'consent' = 'authenticate',
): string {
  const q = new URLSearchParams({
    session_code: randomBytes(32).toString('base64url').slice(0, 43),
    execution: LOGIN_EXECUTION,
    client_id: auth.clientId,
    tab_id: auth.tabId,
  });
  if (action === 'consent') q.delete('execution');
  return `${base}/realms/${realm.name}/login-actions/${action}?${q}`;
}

export interface LoginPageView {
  action: string;
  /** Pre-filled username (login_hint), or the user being asked to re-authenticate (then the field is hidden). */
  username?: string;
  reauthenticate?: boolean;
  error?: string;
  button: string;
}

export function loginPage(realm: Realm, view: LoginPageView, cookies: string[] = [], status = 200): MockResponse {
  const info = view.reauthenticate
    ? '<div class="alert alert-info"><span class="kc-feedback-text">Please re-authenticate to continue</span></div>'
    : '';
  const error = view.error
    ? `<div class="alert alert-error"><span id="input-error" class="kc-feedback-text" aria-live="polite">${escapeHtml(view.error)}</span></div>`
    : '';
  const username = view.reauthenticate
    ? `<div id="kc-username"><label id="kc-attempted-username">${escapeHtml(view.username ?? '')}</label></div>`
    : `<div class="form-group"><label for="username" class="pf-c-form__label">Username or email</label><input tabindex="1" id="username" class="pf-c-form-control" name="username" value="${escapeHtml(view.username ?? '')}" type="text" autofocus autocomplete="off"/></div>`;
  const body = `<!DOCTYPE html>
<html class="login-pf"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"><title>Sign in to ${escapeHtml(realm.name)}</title></head>
<body class=""><div class="login-pf-page"><div id="kc-header"><div id="kc-header-wrapper">${escapeHtml(realm.name)}</div></div>
<div class="card-pf"><header class="login-pf-header"><h1 id="kc-page-title">Sign in to your account</h1></header>
<div id="kc-content"><div id="kc-content-wrapper">${info}${error}
<div id="kc-form"><div id="kc-form-wrapper">
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="${escapeHtml(view.action)}" method="post">
${username}
<div class="form-group"><label for="password" class="pf-c-form__label">Password</label><input tabindex="2" id="password" class="pf-c-form-control" name="password" type="password" autocomplete="off"/></div>
<div id="kc-form-buttons" class="form-group"><input type="hidden" id="id-hidden-input" name="credentialId" value=""/><input tabindex="4" class="pf-c-button pf-m-primary pf-m-block btn-lg" name="login" id="kc-login" type="submit" value="${escapeHtml(view.button)}"/></div>
</form></div></div></div></div></div></div></body></html>`;
  return {
    status,
    headers: { ...BROWSER_HEADERS, 'Content-Type': 'text/html;charset=utf-8' },
    body,
    ...(cookies.length ? { cookies } : {}),
  };
}

/**
 * Keycloak's consent page (themes/.../base/login/login-oauth-grant.ftl): "Grant Access to {client}", a form posting
 * the session code to …/login-actions/consent with the submits accept ("Yes") and cancel ("No").
 */
export function consentPage(
  realm: Realm,
  clientId: string,
  action: string,
  scopes: string[],
  cookies: string[] = [],
): MockResponse {
  const body = `<!DOCTYPE html>
<html class="login-pf"><head><meta charset="utf-8"><title>Sign in to ${escapeHtml(realm.name)}</title></head>
<body><div id="kc-content"><h1 id="kc-page-title">Grant Access to ${escapeHtml(clientId)}</h1>
<div id="kc-oauth" class="content-area"><h3>Do you grant these access privileges?</h3><ul>${scopes.map((x) => `<li><span>${escapeHtml(x)}</span></li>`).join('')}</ul>
<form class="form-actions" action="${escapeHtml(action)}" method="POST"><input type="hidden" name="code" value="${escapeHtml(new URL(action).searchParams.get('session_code') ?? '')}">
<div id="kc-form-buttons"><input class="pf-c-button pf-m-primary" name="accept" id="kc-login" type="submit" value="Yes"/><input class="pf-c-button pf-m-secondary" name="cancel" id="kc-cancel" type="submit" value="No"/></div>
</form></div></div></body></html>`;
  return {
    status: 200,
    headers: { ...BROWSER_HEADERS, 'Content-Type': 'text/html;charset=utf-8' },
    body,
    ...(cookies.length ? { cookies } : {}),
  };
}
