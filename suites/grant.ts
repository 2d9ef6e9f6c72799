/**
 * Grant suite: valid grants give schema-valid, distinct, usable tokens; generated invalid credentials,
 * client-authentication variants and parameter variations get the right error, never a 5xx.
 */
import fc from 'fast-check';
import type { RunContext } from '../src/runner/context.js';
import { CheckFailure, json } from '../src/runner/context.js';
import type { Exchange, TargetClient } from '../src/runner/types.js';
import { basicChallenge, bearerChallenge, clientError, distinctStrongTokens, noRefreshToken, noServerError, noToken, oauthError, refused, singleChallengeAttributes } from '../src/checks/rules.js';
import { runProperty } from './property.js';

const SUITE = 'grant';

/** The parameters of a valid user grant for this target (password, or Rator's operator_password). */
function userGrant(ctx: RunContext): [string, string][] | undefined {
  const { user } = ctx.target;
  if (!user || !ctx.target.clients.user || !ctx.target.grants.includes('password')) return undefined;
  return [
    ['grant_type', 'password'],
    ['username', user.username],
    ['password', user.password],
  ];
}

export async function grantSuite(ctx: RunContext): Promise<void> {
  const t = ctx.target;
  const tokens: string[] = [];
  const tokenExchanges = new Map<string, Exchange>();
  const issued = (body: Record<string, unknown> | undefined, exchange?: Exchange) => {
    for (const k of ['access_token', 'refresh_token']) {
      if (typeof body?.[k] !== 'string') continue;
      tokens.push(body[k] as string);
      if (exchange && !tokenExchanges.has(body[k] as string)) tokenExchanges.set(body[k] as string, exchange);
    }
  };

  // ---- valid grants ------------------------------------------------------------------------------------------
  const pw = userGrant(ctx);
  const userClient = t.clients.user;
  if (pw && userClient) {
    ctx.fail(SUITE, 'TE-E8', 'the password grant (ROPC) is enabled', []);
    // Property: any supported client-authentication style, with or without an unknown extra parameter (TE-A4).
    const styles: TargetClient['auth'][] = userClient.public ? ['none'] : ctx.descriptor.clientAuth.filter((a) => a !== 'none');
    await runProperty(ctx, SUITE, 'TE-A2', fc.record({ auth: fc.constantFrom(...styles), probe: fc.boolean() }), async ({ auth, probe }) => {
      const params: [string, string][] = [...pw, ...(probe ? ([['x_conformance_probe', '1']] as [string, string][]) : [])];
      const e = await ctx.token(params, { client: userClient, auth });
      const body = ctx.expectTokens(SUITE, 'TE-A2', e);
      if (probe) ctx.require(SUITE, 'TE-A4', e.response?.status === 200, `an unknown parameter changed the outcome: ${e.response?.status}`, [e]);
      if (!body) throw new Error('no tokens');
      issued(body, e);
      if (auth === 'basic') ctx.pass(SUITE, 'TE-B1');
      if (auth === 'post') ctx.pass(SUITE, 'TE-B2');
      const probeResource = await ctx.resource(String(body.access_token));
      if (probeResource) ctx.require(SUITE, 'TE-J1', (probeResource.response?.status ?? 500) < 400, `a fresh access token was refused: ${probeResource.response?.status}`, [e, probeResource]);
    });
    // The systematic pass: every style once, and the unknown parameter once, whatever the seed drew above.
    for (const auth of styles) {
      const e = await ctx.token(pw, { client: userClient, auth });
      const ok = ctx.expectTokens(SUITE, 'TE-A2', e) !== undefined;
      if (ok && auth === 'basic') ctx.pass(SUITE, 'TE-B1');
      if (ok && auth === 'post') ctx.pass(SUITE, 'TE-B2');
    }
    const probed = await ctx.token([...pw, ['x_conformance_probe', '1']], { client: userClient });
    ctx.expect(SUITE, 'TE-A4', probed.response?.status === 200, `an unknown parameter changed the outcome: ${probed.response?.status}`, [probed]);
    if (!userClient.public && !styles.includes('basic')) {
      const e = await ctx.token(pw, { client: userClient, auth: 'basic' });
      ctx.expect(SUITE, 'TE-B1', e.response?.status === 200, `HTTP Basic client authentication refused: ${e.response?.status}`, [e]);
    }
  } else if (t.grants.includes('password')) ctx.skip(SUITE, 'TE-A2', 'needs a client and a user for the password grant: add clients: [{name: user, ...}] and users: [...]');
  else ctx.skip(SUITE, 'TE-A2', 'the target offers no password grant', 'not-applicable');

  if (t.operator && userClient && t.grants.includes('operator_password')) {
    const e = await ctx.token([['grant_type', 'operator_password'], ['username', t.operator.username], ['password', t.operator.password]], { client: userClient });
    issued(ctx.expectTokens(SUITE, 'TE-A2', e), e);
  }

  const service = t.clients.service;
  if (service && t.grants.includes('client_credentials')) {
    const extra: [string, string][] = t.flavour === 'rator' && t.operator ? [['operator', t.operator.username]] : [];
    const e = await ctx.token([['grant_type', 'client_credentials'], ...extra], { client: service });
    const body = ctx.expectTokens(SUITE, 'TE-F1', e);
    issued(body, e);
    if (body) ctx.judge(SUITE, 'TE-F3', noRefreshToken(e), [e]);
    // TE-F2: the same without client authentication (a bad-credential attempt).
    if (ctx.transport.takeBadCredentialAttempt()) {
      const none = await ctx.token([['grant_type', 'client_credentials'], ...extra], { client: { ...service, clientSecret: undefined }, auth: 'none' });
      const status = none.response?.status;
      const code = json(none)?.error;
      // RFC 6749 §4.4.2 + §5.2: a missing client authentication is invalid_client (flavours document their departures).
      if (status === 200) ctx.fail(SUITE, 'TE-F2', 'client_credentials without client authentication should have been refused and got a token', [none]);
      else if ((status ?? 500) >= 500 || !none.response) ctx.fail(SUITE, 'TE-A11', `while exercising TE-F2 (client_credentials without client authentication): ${status ?? none.error}`, [none]);
      else {
        ctx.expect(SUITE, 'TE-F2', (status === 400 || status === 401) && code === 'invalid_client', `without client authentication: ${status} ${String(code)}, expected 400/401 invalid_client`, [none]);
        ctx.responseChecks(SUITE, none, 'token-error');
      }
    }
  }

  else if (t.grants.includes('client_credentials')) ctx.skip(SUITE, 'TE-F1', 'needs a confidential client for client_credentials: add one with name: service and a clientSecret');

  if (t.clients.technical?.refreshToken) {
    // The Keycloak developer portal's technical user: a refresh-only client with a long-lived offline token.
    const e = await ctx.token([['grant_type', 'refresh_token'], ['refresh_token', t.clients.technical.refreshToken]], { client: t.clients.technical });
    issued(ctx.expectTokens(SUITE, 'TE-G1', e), e);
  }

  if (tokens.length) {
    const repeated = tokens.find((tok, i) => tokens.indexOf(tok) !== i);
    ctx.judge(SUITE, 'TE-C15', distinctStrongTokens(tokens), repeated && tokenExchanges.get(repeated) ? [tokenExchanges.get(repeated)!] : []);
  }

  // ---- client authentication edge cases (each a bad-credential attempt) ---------------------------------------
  if (pw && userClient && !userClient.public && userClient.clientSecret && ctx.transport.takeBadCredentialAttempt()) {
    const none = await ctx.token(pw, { client: { ...userClient, clientSecret: undefined }, auth: 'none' });
    ctx.judge(SUITE, 'TE-B4', oauthError('a confidential client without authentication', [400, 401], ['invalid_client'])(none), [none]);
    if (ctx.descriptor.clientAuth.includes('basic') && ctx.descriptor.clientAuth.includes('post')) {
      const both = await ctx.token(pw, { client: userClient, auth: 'both' });
      ctx.judge(SUITE, 'TE-B8', noToken('Basic and body credentials together')(both), [both]);
    }
    if (ctx.descriptor.clientAuth.includes('basic')) {
      const mismatch = await ctx.token([...pw, ['client_id', 'idpc-someone-else']], { client: userClient, auth: 'basic' });
      ctx.judge(SUITE, 'TE-B9', noToken('a body client_id other than the Basic identity')(mismatch), [mismatch]);
    }
  }
  if (userClient?.public && t.grants.includes('client_credentials')) {
    const pub = await ctx.token([['grant_type', 'client_credentials']], { client: userClient, auth: 'none' });
    ctx.judge(SUITE, 'TE-F5', noToken('client_credentials by a public client')(pub), [pub]);
  }

  // ---- TE-E7: a non-ASCII password (mocks: a user is added for it) -----------------------------------------
  if (pw && userClient && t.mock) {
    const u = t.mock.addUser('idpc-utf8-user', 'pässwörd-日本-🔑');
    const e = await ctx.token([['grant_type', 'password'], ['username', u.username], ['password', u.password]], { client: userClient });
    ctx.expect(SUITE, 'TE-E7', e.response?.status === 200, `a UTF-8 password (form-encoded): ${e.response?.status}`, [e]);
  }

  // ---- TE-F4: a scope beyond the client's allowance ---------------------------------------------------------
  if (service && t.grants.includes('client_credentials') && t.scope) {
    const extra: [string, string][] = t.flavour === 'rator' && t.operator ? [['operator', t.operator.username]] : [];
    const e = await ctx.token([['grant_type', 'client_credentials'], ['scope', 'idpc-not-a-scope'], ...extra], { client: service });
    const b = json(e);
    const refusedOk = e.response?.status === 400 && b?.error === 'invalid_scope';
    const reducedOk = e.response?.status === 200 && typeof b?.scope === 'string' && !b.scope.split(' ').includes('idpc-not-a-scope');
    ctx.expect(SUITE, 'TE-F4', refusedOk || reducedOk, `client_credentials with scope "idpc-not-a-scope": ${e.response?.status} ${String(b?.error ?? b?.scope ?? '')}`, [e]);
  }

  // ---- TE-B3: Basic credentials with reserved and non-ASCII characters (mocks: a client is added for it) -----
  if (pw && userClient && t.mock && ctx.descriptor.clientAuth.includes('basic')) {
    const special = t.mock.addClient('idpc client:%+/é', 's3cr:t %+/é');
    if (special) {
      const e = await ctx.token(pw, { client: special, auth: 'basic' });
      ctx.expect(SUITE, 'TE-B3', e.response?.status === 200, `Basic with form-urlencoded "idpc client:%+/é" and a secret with ":", " ", "%", "+", "/", "é": ${e.response?.status}`, [e]);
    }
  }

  // ---- bearer use at the resource (RFC 6750) ---------------------------------------------------------------
  const garbage = await ctx.resource('not-a-token-' + ctx.seed);
  if (garbage) {
    if ((garbage.response?.status ?? 500) >= 500) ctx.fail(SUITE, 'TE-A11', `while exercising TE-J3 (a garbage access token at the resource): ${garbage.response?.status ?? garbage.error}`, [garbage]);
    else ctx.judge(SUITE, 'TE-J3', clientError('a garbage access token')(garbage), [garbage]);
    const none = (await ctx.resource(undefined))!;
    ctx.judge(SUITE, 'TE-J2', bearerChallenge(none), [none]);
    for (const e of [none, garbage]) if (e.response?.headers['www-authenticate']) ctx.judge(SUITE, 'TE-J5', singleChallengeAttributes(e), [e]);
    const access = tokens.find((tok) => tok.length > 0);
    if (access && t.resource) {
      const url = new URL(t.resource.url);
      url.searchParams.set('access_token', access);
      const q = await ctx.transport.send(t.resource.method, url.href, { ...t.resource.headers, ...t.resourceHeaders }, t.resource.body);
      ctx.judge(SUITE, 'TE-J6', refused('an access token in the URI query')(q), [q]);
    }
  }

  // ---- TE-K: what the discovery document advertises --------------------------------------------------------
  if (t.discoveryUrl) {
    const d = await ctx.transport.send('GET', t.discoveryUrl, { accept: 'application/json' });
    const meta = json(d);
    if (meta) {
      const grants = (meta.grant_types_supported as string[] | undefined) ?? ['authorization_code', 'implicit'];
      const used = ['password', 'client_credentials'].filter((g) => ctx.results.get(`${SUITE}:${g === 'password' ? 'TE-A2' : 'TE-F1'}`)?.passes);
      if (tokens.length && ctx.tokensSeen.size) used.push('refresh_token');
      const missing = used.filter((g) => !grants.includes(g));
      ctx.expect(SUITE, 'TE-K1', missing.length === 0, `grant_types_supported lacks ${missing.join(', ')}, which the endpoint grants`, [d]);
      const methods = (meta.token_endpoint_auth_methods_supported as string[] | undefined) ?? ['client_secret_basic'];
      const accepted = [ctx.results.get(`${SUITE}:TE-B1`)?.passes ? 'client_secret_basic' : undefined, ctx.results.get(`${SUITE}:TE-B2`)?.passes ? 'client_secret_post' : undefined].filter((x): x is string => !!x);
      const unlisted = accepted.filter((m) => !methods.includes(m));
      ctx.expect(SUITE, 'TE-K2', unlisted.length === 0, `token_endpoint_auth_methods_supported lacks ${unlisted.join(', ')}, which the endpoint accepts`, [d]);
    }
  }

  // ---- invalid requests --------------------------------------------------------------------------------------
  if (pw && userClient) await invalidRequests(ctx, pw, userClient);
}

type Variant =
  | { kind: 'wrong-password'; password: string }
  | { kind: 'unknown-user'; username: string }
  | { kind: 'wrong-secret'; secret: string }
  | { kind: 'unknown-client'; clientId: string }
  | { kind: 'missing-grant-type' }
  | { kind: 'unknown-grant-type'; grantType: string }
  | { kind: 'duplicated'; name: 'grant_type' | 'username' }
  | { kind: 'json-body' }
  | { kind: 'get' }
  | { kind: 'secret-in-query' }
  | { kind: 'missing-username' }
  | { kind: 'missing-extra' };

const printable = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 %+:/-_.~é'.split('')), minLength: 1, maxLength: 24 });

async function invalidRequests(ctx: RunContext, pw: [string, string][], client: TargetClient): Promise<void> {
  const t = ctx.target;
  const variants: fc.Arbitrary<Variant>[] = [
    printable.map((password) => ({ kind: 'wrong-password' as const, password: `x${password}` })),
    printable.map((username) => ({ kind: 'unknown-user' as const, username: `nobody-${username}` })),
    fc.constant({ kind: 'missing-grant-type' as const }),
    printable.map((g) => ({ kind: 'unknown-grant-type' as const, grantType: `urn:x:${g.replace(/ /g, '')}` })),
    fc.constantFrom('grant_type' as const, 'username' as const).map((name) => ({ kind: 'duplicated' as const, name })),
    fc.constant({ kind: 'json-body' as const }),
    fc.constant({ kind: 'get' as const }),
    fc.constant({ kind: 'missing-username' as const }),
    printable.map((clientId) => ({ kind: 'unknown-client' as const, clientId: `unknown-${clientId}` })),
  ];
  if (!client.public && client.clientSecret) {
    variants.push(printable.map((secret) => ({ kind: 'wrong-secret' as const, secret: `x${secret}` })));
    variants.push(fc.constant({ kind: 'secret-in-query' as const }));
  }
  if (Object.keys(t.extraParams).length) variants.push(fc.constant({ kind: 'missing-extra' as const }));
  const badCredential = new Set(['wrong-password', 'unknown-user', 'wrong-secret', 'unknown-client']);

  const exercise = async (v: Variant): Promise<void> => {
    if (badCredential.has(v.kind) && !ctx.transport.takeBadCredentialAttempt()) {
      // Lockout budget spent: the check is reported untested, never silently absent.
      const check = v.kind === 'wrong-secret' ? (client.auth === 'basic' ? 'TE-B5' : 'TE-B6') : v.kind === 'unknown-client' ? 'TE-B7' : 'TE-E3';
      ctx.skip(SUITE, check, `${v.kind}: the bad-credential budget (budget.maxBadCredentialAttempts) is spent`);
      return;
    }
    let e: Exchange;
    const grant = (over: Record<string, string | undefined>) => pw.filter(([k]) => !(k in over)).concat(Object.entries(over).filter((x): x is [string, string] => x[1] !== undefined));
    switch (v.kind) {
      case 'wrong-password':
        e = await ctx.token(grant({ password: v.password }), { client });
        ctx.expectError(SUITE, e, 'bad-password', { check: 'TE-E3', status: [400], error: ['invalid_grant'] });
        break;
      case 'unknown-user':
        e = await ctx.token(grant({ username: v.username }), { client });
        ctx.expectError(SUITE, e, 'unknown-user', { check: 'TE-E3', status: [400], error: ['invalid_grant'] });
        break;
      case 'wrong-secret':
        e = await ctx.token(pw, { client, secretOverride: v.secret });
        ctx.expectError(SUITE, e, 'bad-client-secret', client.auth === 'basic' ? { check: 'TE-B5', status: [401], error: ['invalid_client'] } : { check: 'TE-B6', status: [400, 401], error: ['invalid_client'] });
        if (client.auth === 'basic') ctx.judge(SUITE, 'TE-B5', basicChallenge(e), [e]);
        break;
      case 'unknown-client':
        e = await ctx.token(pw, { client: { ...client, clientId: v.clientId } });
        ctx.expectError(SUITE, e, 'unknown-client', { check: 'TE-B7', status: [400, 401], error: ['invalid_client'] });
        break;
      case 'missing-grant-type':
        e = await ctx.token(pw.filter(([k]) => k !== 'grant_type'), { client });
        ctx.expectError(SUITE, e, 'missing-grant-type', { check: 'TE-A7', status: [400], error: ['invalid_request'] });
        break;
      case 'unknown-grant-type':
        e = await ctx.token(grant({ grant_type: v.grantType }), { client });
        ctx.expectError(SUITE, e, 'unknown-grant-type', { check: 'TE-A8', status: [400], error: ['unsupported_grant_type'] });
        break;
      case 'duplicated': {
        const dup = pw.find(([k]) => k === v.name)!;
        e = await ctx.token([...pw, dup], { client });
        ctx.judge(SUITE, 'TE-A6', noToken(`${v.name} twice`)(e), [e]);
        if (e.response?.status !== 200) ctx.responseChecks(SUITE, e, 'token-error');
        break;
      }
      case 'json-body':
        e = await ctx.token([], { client, contentType: 'application/json', rawBody: JSON.stringify(Object.fromEntries(pw)) });
        ctx.judge(SUITE, 'TE-A10', clientError('a JSON body')(e), [e]);
        break;
      case 'get':
        e = await ctx.token(pw, { client, method: 'GET' });
        ctx.judge(SUITE, 'TE-A3', noToken('the grant by GET')(e), [e]);
        break;
      case 'secret-in-query':
        e = await ctx.token(pw, { client, auth: 'none', query: `client_secret=${encodeURIComponent(client.clientSecret!)}` });
        ctx.judge(SUITE, 'TE-A9', noToken('client_secret in the URI query')(e), [e]);
        break;
      case 'missing-username':
        e = await ctx.token(pw.filter(([k]) => k !== 'username'), { client });
        ctx.responseChecks(SUITE, e, 'token-error');
        ctx.expect(SUITE, 'TE-E2', e.response?.status === 400 && json(e)?.error === 'invalid_request', `missing username: ${e.response?.status} ${String(json(e)?.error)}`, [e]);
        break;
      case 'missing-extra':
        e = await ctx.token(pw, { client, withoutExtras: true });
        ctx.judge(SUITE, 'TE-A12', clientError(`without ${Object.keys(t.extraParams).join(', ')}`)(e), [e]);
        break;
    }
    const ok = noServerError(e);
    ctx.require(SUITE, 'TE-A11', ok.passed, `${v.kind}: ${ok.message}`, [e]);
  };

  // The systematic pass: every variant once, with fixed values, whatever the seed (the coverage does not depend on
  // it); fast-check's generated examples come on top of it, never instead.
  const systematic: Variant[] = [
    { kind: 'wrong-password', password: 'x-idpc-wrong-password' },
    { kind: 'unknown-user', username: 'nobody-idpc-unknown-user' },
    { kind: 'missing-grant-type' },
    { kind: 'unknown-grant-type', grantType: 'urn:x:idpc-unknown' },
    { kind: 'duplicated', name: 'grant_type' },
    { kind: 'duplicated', name: 'username' },
    { kind: 'json-body' },
    { kind: 'get' },
    { kind: 'missing-username' },
    { kind: 'unknown-client', clientId: 'unknown-idpc-client' },
    ...(!client.public && client.clientSecret ? ([{ kind: 'wrong-secret', secret: 'x-idpc-wrong-secret' }, { kind: 'secret-in-query' }] as Variant[]) : []),
    ...(Object.keys(t.extraParams).length ? ([{ kind: 'missing-extra' }] as Variant[]) : []),
  ];
  for (const v of systematic) {
    try {
      await exercise(v);
    } catch (e) {
      if (!(e instanceof CheckFailure)) throw e;
      ctx.fail(SUITE, e.check, e.message, e.exchanges);
    }
  }
  await runProperty(ctx, SUITE, 'TE-A11', fc.oneof(...variants), exercise);
}
