/**
 * Grant suite: valid grants give schema-valid, distinct, usable tokens; every invalid-request variant, client
 * authentication edge case and bearer rule is exercised once per run with fixed values (the systematic pass), and
 * fast-check's generated examples come on top of it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import {
  badAccessRefused,
  freshAccessWorks,
  noCredentialsChallenge,
  singleChallengeAttributes,
  tokenInQuery,
} from '../src/checks/bearer.js';
import {
  basicAccepted,
  basicChallenge,
  basicEncoding,
  missingClientAuth,
  mismatchedClientId,
  nearMissCredentials,
  noClientIdentified,
  postAccepted,
  twoMethods,
  unknownClient,
  wrongSecretBasic,
  wrongSecretBody,
} from '../src/checks/client-auth.js';
import { describeAnswer, type CheckDef } from '../src/checks/define.js';
import {
  ADVERTISED_ENDPOINTS,
  advertisedAuthMethods,
  advertisedEndpointsAnswer,
  advertisedGrants,
  issuerOfDocument,
} from '../src/checks/discovery.js';
import {
  accessTokenSignature,
  claimsOfFlavour,
  idTokenValid,
  isJwt,
  issuedAtSane,
  issuerMatches,
  jwksShape,
  lifetimeAgrees,
  refreshNotBearer,
} from '../src/checks/jwt.js';
import { isOfflineAnswer, judgeClaims, jwtScenario } from './jwt.js';
import { decodeJwtClaims } from '../src/util/jwt.js';
import {
  clientCredentials,
  clientCredentialsWithoutAuth,
  unauthorizedGrant,
  missingCredentials,
  noEnumeration,
  noRefreshForClientCredentials,
  passwordGrantEnabled,
  publicClientCredentials,
  scopeBeyondAllowance,
  utf8Password,
  wrongPassword,
} from '../src/checks/grants.js';
import { flavourErrors } from '../src/checks/model.js';
import { validRefresh } from '../src/checks/refresh.js';
import {
  getRequest,
  jsonBody,
  missingGrantType,
  noServerError,
  repeatedParameter,
  requiredParameter,
  secretInQuery,
  unknownGrantType,
  unknownParameter,
  validGrant,
} from '../src/checks/requests.js';
import {
  distinctStrongTokens,
  lifetimeAsDeclared,
  scopeOmittedHandled,
  scopeStatedWhenChanged,
  scopeWithinRequest,
} from '../src/checks/token-response.js';
import type { FailureCause } from '../src/flavours/index.js';
import { json, type RunContext } from '../src/session/context.js';
import { strictFormEncode } from '../src/session/session.js';
import {
  defineSuite,
  needsSetup,
  notApplicable,
  ref,
  untested,
  type Scenario,
  type Skip,
} from '../src/session/scenario.js';
import type { Exchange, Target, TargetClient } from '../src/vocabulary/types.js';
import {
  accessGrant,
  BAD_CREDENTIALS_SPENT,
  canLogIn,
  clientCredentialsParams,
  storedClient,
  storedOnly,
  needsAGrant,
  needsClientCredentials,
  needsPasswordGrant,
  needsResource,
  needsScopes,
  passwordGrant,
} from './preconditions.js';
import { runProperty } from './property.js';
import type { GrantState } from './grant-state.js';

export type { GrantState } from './grant-state.js';

const issued = (s: GrantState, body: Record<string, unknown> | undefined, e: Exchange, ctx?: RunContext) => {
  const grant = new URLSearchParams(e.request.body ?? '').get('grant_type');
  if (ctx && grant && body) {
    ctx.seen.grantsIssued.add(grant);
    (typeof body.refresh_token === 'string' ? ctx.seen.refreshFrom : ctx.seen.noRefreshFrom).add(grant);
  }
  for (const k of ['access_token', 'refresh_token']) {
    const v = body?.[k];
    if (typeof v !== 'string') continue;
    s.tokens.push(v);
    if (k === 'refresh_token') s.refreshIssued = true;
    if (!s.issuedBy.has(v)) s.issuedBy.set(v, e);
  }
};

/**
 * The valid request the invalid-request variants and client-authentication probes start from: the password grant
 * where the target has one, else client_credentials (a client_credentials-only target is judged on those too).
 */
const baseGrant = (
  t: Target,
  storedHead?: string,
): { client: TargetClient; params: [string, string][]; grant: string } =>
  canLogIn(t)
    ? { client: t.clients.user!, params: passwordGrant(t), grant: 'password' }
    : storedOnly(t)
      ? {
          client: storedClient(t)!,
          params: [
            ['grant_type', 'refresh_token'],
            ['refresh_token', storedHead ?? storedClient(t)!.refreshToken!],
          ],
          grant: 'refresh_token',
        }
      : { client: t.clients.service!, params: clientCredentialsParams(t), grant: 'client_credentials' };

/** A variant that would carry the stored refresh token in a request URI (server logs keep URIs): not with that token. */
const keepsStoredTokenOutOfUris = (t: Target): Skip | undefined =>
  storedOnly(t)
    ? needsSetup(
        'it would put the stored refresh token into a request URI (servers log URIs): add a user or a client_credentials client',
      )
    : undefined;

const needsConfidentialBaseClient = (t: Target): Skip | undefined =>
  needsAGrant(t) ??
  (baseGrant(t).client.public || !baseGrant(t).client.clientSecret
    ? notApplicable('the client is public: it has no secret to get wrong')
    : undefined);
/** A configured user whose password is not ASCII (TE-E7 on a real target). */
const utf8User = (t: Target) => [t.user, ...(t.extraUsers ?? [])].find((u) => u && /[^\x00-\x7f]/.test(u.password));

/** Headers the flavour's resource requires (Rator's X-RATOR-brand-key) that the target's resource config sends. */
const requiredResourceHeaders = (t: Target, d: { resource?: { headers?: Record<string, string> } }) =>
  Object.keys(d.resource?.headers ?? {}).filter((h) =>
    Object.keys({ ...t.resource?.headers, ...t.resourceHeaders }).some((k) => k.toLowerCase() === h.toLowerCase()),
  );

/** A public client of the target's, if it has one (the user client, or the other client of the cross-client checks). */
const publicClientOf = (t: Target) => [t.clients.user, t.clients.other].find((c) => c?.public);

/** A style's name in discovery documents (RFC 8414 token_endpoint_auth_methods_supported). */
const AUTH_METHOD: Record<TargetClient['auth'], string> = {
  basic: 'client_secret_basic',
  post: 'client_secret_post',
  none: 'none',
};

/** The client-authentication styles the user client can use at this flavour. */
const stylesOf = (t: Target, clientAuth: string[]): TargetClient['auth'][] => {
  const c = t.clients.user!;
  // A client holding a secret sends it in every style the flavour takes (the portal's public robot client too, seed 000).
  const withSecret = c.clientSecret ? (clientAuth.filter((a) => a !== 'none') as TargetClient['auth'][]) : [];
  return [...withSecret, ...(c.public ? (['none'] as const) : [])];
};

// ---- invalid requests: one scenario per variant, each a fixed request; the generated examples vary the values ------

type Variant =
  | { kind: 'wrong-password'; password: string }
  | { kind: 'unknown-user'; username: string }
  | { kind: 'wrong-secret-basic'; secret: string }
  | { kind: 'wrong-secret-body'; secret: string }
  | { kind: 'unknown-client'; clientId: string }
  | { kind: 'missing-grant-type' }
  | { kind: 'unknown-grant-type'; grantType: string }
  | { kind: 'grant_type-twice' }
  | { kind: 'username-twice' }
  | { kind: 'json-body' }
  | { kind: 'get' }
  | { kind: 'secret-in-query' }
  | { kind: 'missing-username' }
  | { kind: 'missing-password' }
  | { kind: 'missing-extra' }
  | { kind: 'no-client' }
  | { kind: 'near-miss-secret'; mutation: Mutation }
  | { kind: 'near-miss-password'; mutation: Mutation };

/** How a near-miss credential differs from the real one: what a loose comparison (case, trim, prefix) lets through. */
type Mutation = 'case' | 'prefix' | 'extended' | 'one-off' | 'whitespace';
const MUTATIONS: readonly Mutation[] = ['case', 'prefix', 'extended', 'one-off', 'whitespace'];
/** How a near miss reads in a message: "the password with its case flipped". */
const MUTATION_WORDS: Record<Mutation, string> = {
  case: 'its case flipped',
  prefix: 'its last character left out',
  extended: 'a character more',
  'one-off': 'one character off',
  whitespace: 'a trailing space',
};

/** The near-miss of a credential; never the credential itself (a secret without letters gets one character off for 'case'). */
export function nearMiss(value: string, mutation: Mutation): string {
  const oneOff = () => value.slice(0, -1) + (value.at(-1) === 'x' ? 'y' : 'x');
  switch (mutation) {
    case 'case': {
      const flipped = [...value].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
      return flipped !== value ? flipped : oneOff();
    }
    case 'prefix':
      return value.length > 1 ? value.slice(0, -1) : `${value}x`;
    case 'extended':
      return `${value}x`;
    case 'one-off':
      return oneOff();
    case 'whitespace':
      return `${value} `;
  }
}

const BAD_CREDENTIALS = new Set<Variant['kind']>([
  'wrong-password',
  'unknown-user',
  'wrong-secret-basic',
  'wrong-secret-body',
  'unknown-client',
  'no-client',
  'near-miss-secret',
  'near-miss-password',
]);

interface VariantSpec {
  checks: CheckDef[];
  /** About the resource owner's credentials: only with the password grant. */
  user?: true;
  variant?: string;
  cause?: FailureCause;
  skip?: (t: Target, clientAuth: string[], extras: string[]) => Skip | undefined;
  fixed: Variant;
}

const onlyConfidential = (t: Target) =>
  baseGrant(t).client.public || !baseGrant(t).client.clientSecret
    ? notApplicable('the client is public: it has no secret')
    : undefined;
const VARIANTS: VariantSpec[] = [
  {
    checks: [wrongPassword, flavourErrors],
    user: true,
    variant: 'wrong-password',
    cause: 'bad-password',
    fixed: { kind: 'wrong-password', password: 'x-idpc-wrong-password' },
  },
  {
    checks: [wrongPassword, flavourErrors, noEnumeration],
    user: true,
    variant: 'unknown-user',
    cause: 'unknown-user',
    fixed: { kind: 'unknown-user', username: 'nobody-idpc-unknown-user' },
  },
  {
    checks: [wrongSecretBasic, basicChallenge, flavourErrors],
    cause: 'bad-client-secret',
    fixed: { kind: 'wrong-secret-basic', secret: 'x-idpc-wrong-secret' },
    skip: (t, auth) =>
      onlyConfidential(t) ??
      (auth.includes('basic') ? undefined : notApplicable('the flavour does not take client_secret_basic')),
  },
  {
    checks: [wrongSecretBody, flavourErrors],
    cause: 'bad-client-secret',
    fixed: { kind: 'wrong-secret-body', secret: 'x-idpc-wrong-secret' },
    skip: (t, auth) =>
      onlyConfidential(t) ??
      (auth.includes('post') ? undefined : notApplicable('the flavour does not take client_secret_post')),
  },
  {
    checks: [unknownClient, flavourErrors],
    cause: 'unknown-client',
    fixed: { kind: 'unknown-client', clientId: 'unknown-idpc-client' },
  },
  { checks: [missingGrantType, flavourErrors], cause: 'missing-grant-type', fixed: { kind: 'missing-grant-type' } },
  {
    checks: [unknownGrantType, flavourErrors],
    cause: 'unknown-grant-type',
    fixed: { kind: 'unknown-grant-type', grantType: 'urn:x:idpc-unknown' },
  },
  { checks: [repeatedParameter], variant: 'grant_type-twice', fixed: { kind: 'grant_type-twice' } },
  { checks: [repeatedParameter], user: true, variant: 'username-twice', fixed: { kind: 'username-twice' } },
  { checks: [jsonBody], fixed: { kind: 'json-body' } },
  { checks: [getRequest], fixed: { kind: 'get' }, skip: keepsStoredTokenOutOfUris },
  { checks: [secretInQuery], fixed: { kind: 'secret-in-query' }, skip: onlyConfidential },
  { checks: [missingCredentials], user: true, variant: 'missing-username', fixed: { kind: 'missing-username' } },
  { checks: [missingCredentials], user: true, variant: 'missing-password', fixed: { kind: 'missing-password' } },
  { checks: [noClientIdentified], fixed: { kind: 'no-client' } },
  // Each near miss once with fixed mutations, whatever the seed: a loose comparison of any of these kinds is found.
  ...MUTATIONS.map(
    (mutation): VariantSpec => ({
      checks: [nearMissCredentials, basicChallenge],
      variant: 'secret',
      fixed: { kind: 'near-miss-secret', mutation },
      skip: onlyConfidential,
    }),
  ),
  ...(['case', 'prefix', 'whitespace'] as const).map(
    (mutation): VariantSpec => ({
      checks: [nearMissCredentials],
      user: true,
      variant: 'password',
      fixed: { kind: 'near-miss-password', mutation },
    }),
  ),
  {
    checks: [requiredParameter],
    variant: 'grant',
    fixed: { kind: 'missing-extra' },
    skip: (_t, _a, extras) =>
      extras.length ? undefined : notApplicable('the target requires no extra parameter (requiredParams)'),
  },
];

/** The configured clients that may not use a grant the target offers (a public one is TE-F5's for client_credentials). */
const lacking = (t: Target, grant: 'password' | 'client_credentials'): TargetClient[] => {
  const seen = new Set<string>();
  return [t.clients.user, t.clients.service, t.clients.other].filter((c): c is TargetClient => {
    if (
      !c ||
      seen.has(c.clientId) ||
      c.grants.includes(grant) ||
      (grant === 'client_credentials' && (c.public || !c.clientSecret))
    )
      return false;
    seen.add(c.clientId);
    return true;
  });
};

/** TE-B13 on an answer to Basic credentials: a 401 needs the Basic challenge; any other answer has nothing to judge. */
function judgeChallenge(ctx: RunContext, e: Exchange): void {
  if (!ctx.answered(e)) return;
  if (!e.request.headers.authorization?.startsWith('Basic '))
    ctx.skip(basicChallenge, 'the client authenticates in the body, not with Basic', 'not-applicable');
  else if (e.response!.status !== 401)
    ctx.skip(
      basicChallenge,
      `a wrong Basic secret got ${e.response!.status}, not 401: no challenge to judge`,
      'not-applicable',
    );
  else ctx.judge(basicChallenge, [e], [e]);
}

/** Sends one invalid request and judges it: the variant's check, the §5.2 rules, TE-FL, TE-A11. */
async function exercise(ctx: RunContext, s: GrantState, v: Variant): Promise<void> {
  const t = ctx.target;
  const { client, params: pw } = baseGrant(t, storedClient(t) ? ctx.session.storedHead(storedClient(t)!) : undefined);
  if (BAD_CREDENTIALS.has(v.kind) && !ctx.transport.takeBadCredentialAttempt()) {
    // The plan reserves the systematic attempts; generated examples just stop drawing from a spent budget.
    if (!ctx.generated) ctx.skip(specOf(v).checks[0]!, BAD_CREDENTIALS_SPENT, 'untested', specOf(v).variant);
    return;
  }
  const grant = (over: Record<string, string | undefined>) =>
    pw
      .filter(([k]) => !(k in over))
      .concat(Object.entries(over).filter((x): x is [string, string] => x[1] !== undefined));
  const spec = specOf(v);
  let e: Exchange;
  switch (v.kind) {
    case 'wrong-password':
      e = await ctx.token(grant({ password: v.password }), { client });
      s.wrongPassword ??= e;
      return ctx.refused(wrongPassword, 'wrong-password', e, 'bad-password');
    case 'unknown-user':
      e = await ctx.token(grant({ username: v.username }), { client });
      ctx.refused(wrongPassword, 'unknown-user', e, 'unknown-user');
      if (s.wrongPassword) ctx.judge(noEnumeration, [s.wrongPassword, e], [s.wrongPassword, e]);
      else ctx.skip(noEnumeration, 'needs the wrong-password answer to compare with', 'untested');
      return;
    case 'wrong-secret-basic':
      e = await ctx.token(pw, { client, auth: 'basic', secretOverride: v.secret });
      ctx.refused(wrongSecretBasic, undefined, e, 'bad-client-secret');
      return judgeChallenge(ctx, e);
    case 'no-client':
      // No Authorization, no client_id: nobody the server could issue a token to (RFC 6749 §3.2.1).
      e = await ctx.token(pw);
      return ctx.refused(noClientIdentified, undefined, e);
    case 'near-miss-secret': {
      const sent = nearMiss(client.clientSecret!, v.mutation);
      e = await ctx.token(pw, { client, secretOverride: sent });
      if (!ctx.answered(e)) return;
      ctx.responseChecks(e, 'token-error');
      ctx.judge(nearMissCredentials, [e, `the client secret with ${MUTATION_WORDS[v.mutation]}`], [e], 'secret');
      return judgeChallenge(ctx, e);
    }
    case 'near-miss-password': {
      e = await ctx.token(grant({ password: nearMiss(t.user!.password, v.mutation) }), { client });
      if (!ctx.answered(e)) return;
      ctx.responseChecks(e, 'token-error');
      ctx.judge(nearMissCredentials, [e, `the password with ${MUTATION_WORDS[v.mutation]}`], [e], 'password');
      return;
    }
    case 'wrong-secret-body':
      e = await ctx.token(pw, { client, auth: 'post', secretOverride: v.secret });
      return ctx.refused(wrongSecretBody, undefined, e, 'bad-client-secret');
    case 'unknown-client':
      e = await ctx.token(pw, { client: { ...client, clientId: v.clientId } });
      return ctx.refused(unknownClient, undefined, e, 'unknown-client');
    case 'missing-grant-type':
      e = await ctx.token(
        pw.filter(([k]) => k !== 'grant_type'),
        { client },
      );
      return ctx.refused(missingGrantType, undefined, e, 'missing-grant-type');
    case 'unknown-grant-type':
      e = await ctx.token(grant({ grant_type: v.grantType }), { client });
      return ctx.refused(unknownGrantType, undefined, e, 'unknown-grant-type');
    case 'missing-username':
    case 'missing-password': {
      const name = v.kind === 'missing-username' ? 'username' : 'password';
      e = await ctx.token(
        pw.filter(([k]) => k !== name),
        { client },
      );
      return ctx.refused(missingCredentials, v.kind, e);
    }
    default:
      break;
  }
  // The rest must not yield a token; what they get instead is not fixed by the RFC, beyond no 5xx.
  switch (v.kind) {
    case 'grant_type-twice':
    case 'username-twice': {
      const name = v.kind === 'grant_type-twice' ? 'grant_type' : 'username';
      e = await ctx.token([...pw, pw.find(([k]) => k === name)!], { client });
      break;
    }
    case 'json-body':
      e = await ctx.token([], {
        client,
        contentType: 'application/json',
        rawBody: JSON.stringify(Object.fromEntries(pw)),
      });
      break;
    case 'get':
      e = await ctx.token(pw, { client, method: 'GET' });
      break;
    case 'secret-in-query': {
      // RFC 6749 §2.3.1: the secret MUST NOT be in the request URI, whatever the method: a POST with it in the query,
      // and the whole request by GET.
      e = await ctx.token(pw, {
        client,
        auth: 'none',
        query: `client_secret=${encodeURIComponent(client.clientSecret!)}`,
      });
      if (!storedOnly(t)) {
        const byGet = await ctx.token(pw, { client, auth: 'post', method: 'GET' });
        if (ctx.answered(byGet))
          ctx.judge(secretInQuery, [byGet, 'client_id and client_secret in the URI of a GET'], [byGet]);
      }
      break;
    }
    case 'missing-extra':
      e = await ctx.token(pw, { client, withoutRequired: true });
      break;
  }
  const check = spec.checks[0]!;
  if (!ctx.answered(e)) return;
  const o =
    check === repeatedParameter
      ? repeatedParameter.judge(e, v.kind.replace('-twice', ''))
      : check === requiredParameter
        ? requiredParameter.judge(e, t.requiredParams.join(', '))
        : check.judge!(e);
  ctx.record(check, await o, [e], spec.variant);
}

/** The spec a (generated) variant belongs to: its kind's, and for a near miss its mutation's. */
const specOf = (v: Variant): VariantSpec =>
  VARIANTS.find(
    (x) =>
      x.fixed.kind === v.kind && (!('mutation' in x.fixed) || !('mutation' in v) || x.fixed.mutation === v.mutation),
  )!;

const invalidRequestScenarios: Scenario<GrantState>[] = VARIANTS.map((spec) => ({
  name: `invalid:${spec.fixed.kind}${'mutation' in spec.fixed ? `:${spec.fixed.mutation}` : ''}`,
  checks: spec.checks.map((c) => ref(c, c === flavourErrors ? spec.cause : c.variants ? spec.variant : undefined)),
  answers: spec.cause || spec.checks[0]!.expects ? ['token-error'] : [],
  skip: (t, d) =>
    (spec.user ? needsPasswordGrant(t) : needsAGrant(t)) ?? spec.skip?.(t, d.clientAuth, t.requiredParams),
  cost: (t) => ({
    requests: spec.fixed.kind === 'secret-in-query' && !storedOnly(t) ? 2 : 1,
    badCredentials: BAD_CREDENTIALS.has(spec.fixed.kind) ? 1 : 0,
  }),
  run: (ctx, s) => exercise(ctx, s, spec.fixed),
}));

const printable = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 %+:/-_.~é'.split('')),
  minLength: 1,
  maxLength: 24,
});

/** Generated variants with varied values, for the variants this target can take. */
function generatedVariants(ctx: RunContext): fc.Arbitrary<Variant> {
  const t = ctx.target;
  const open = VARIANTS.filter(
    (spec) =>
      !(spec.user ? needsPasswordGrant(t) : needsAGrant(t)) &&
      !spec.skip?.(t, ctx.descriptor.clientAuth, t.requiredParams),
  );
  return fc.oneof(
    ...open.map((spec): fc.Arbitrary<Variant> => {
      const v = spec.fixed;
      switch (v.kind) {
        case 'wrong-password':
          return printable.map((p) => ({ kind: v.kind, password: `x${p}` }));
        case 'unknown-user':
          return printable.map((u) => ({ kind: v.kind, username: `nobody-${u}` }));
        case 'wrong-secret-basic':
        case 'wrong-secret-body':
          return printable.map((secret) => ({ kind: v.kind, secret: `x${secret}` }));
        case 'unknown-client':
          return printable.map((c) => ({ kind: v.kind, clientId: `unknown-${c}` }));
        case 'unknown-grant-type':
          return printable.map((g) => ({ kind: v.kind, grantType: `urn:x:${g.replace(/ /g, '')}` }));
        case 'near-miss-secret':
        case 'near-miss-password':
          return fc.constantFrom(...MUTATIONS).map((mutation) => ({ kind: v.kind, mutation }));
        default:
          return fc.constant(v);
      }
    }),
  );
}

// ---- the scenarios, in the order they run ------------------------------------------------------------------------

const scenarios: Scenario<GrantState>[] = [
  {
    name: 'password-grant',
    checks: [
      ref(validGrant, 'password'),
      ref(basicAccepted),
      ref(postAccepted),
      ref(unknownParameter),
      ref(passwordGrantEnabled),
      ref(freshAccessWorks),
    ],
    answers: ['token-response'],
    skip: needsPasswordGrant,
    // Each style once, the unknown-parameter probe, Basic tried when the flavour does not list it, the token at the resource.
    cost: (t) => ({ requests: stylesOf(t, ['basic', 'post', 'none']).length + 3 }),
    run: async (ctx, s) => {
      const t = ctx.target;
      const client = t.clients.user!;
      const pw = passwordGrant(t);
      const styles = stylesOf(t, ctx.descriptor.clientAuth);
      let first: Exchange | undefined;
      for (const auth of styles) {
        const e = await ctx.token(pw, { client, auth });
        // A style other than the client's own is optional for the server (client_secret_post: RFC 6749 MAY): refused,
        // it fails its own check at its own level, never the grant's (TE-A2).
        const styleCheck = auth === 'basic' ? basicAccepted : auth === 'post' ? postAccepted : undefined;
        if (auth !== client.auth && styleCheck && ctx.answered(e) && e.response!.status !== 200) {
          ctx.judge(styleCheck, [e], [e]);
          ctx.seen.authRefused.add(AUTH_METHOD[auth]);
          continue;
        }
        const body = ctx.tokens(validGrant, 'password', e);
        if (!body) continue;
        issued(s, body, e, ctx);
        s.grantsUsed.add('password');
        if (auth === 'basic') ctx.judge(basicAccepted, [e], [e]);
        if (auth === 'post') ctx.judge(postAccepted, [e], [e]);
        s.acceptedAuth.add(AUTH_METHOD[auth]);
        ctx.seen.authAccepted.add(AUTH_METHOD[auth]);
        first ??= e;
      }
      if (!client.clientSecret) {
        ctx.skip(basicAccepted, 'the user client is public: it has no secret to send', 'not-applicable');
        ctx.skip(postAccepted, 'the user client is public: it has no secret to send', 'not-applicable');
      } else {
        if (!styles.includes('basic')) {
          // RFC 6749 §2.3.1: servers MUST support Basic; the flavour may document that it does not.
          const e = await ctx.token(pw, { client, auth: 'basic' });
          if (ctx.answered(e)) ctx.judge(basicAccepted, [e], [e]);
        }
        if (!styles.includes('post'))
          ctx.skip(
            postAccepted,
            `the ${ctx.descriptor.title} flavour does not take client_secret_post (RFC 6749: MAY)`,
            'not-applicable',
          );
      }
      if (!first) return ctx.skip(passwordGrantEnabled, 'no password grant succeeded', 'untested');
      ctx.judge(passwordGrantEnabled, [first], [first]);
      const probed = await ctx.token([...pw, ['x_conformance_probe', '1']], { client });
      if (ctx.answered(probed)) ctx.judge(unknownParameter, [probed], [probed]);
      const access = String(json(first)!.access_token);
      const use = await ctx.resource(access);
      if (!use)
        return ctx.skip(
          freshAccessWorks,
          needsResource(t, ctx.descriptor)!.reason,
          needsResource(t, ctx.descriptor)!.kind,
        );
      if (ctx.answered(use)) ctx.judge(freshAccessWorks, [use], [first, use]);
    },
  },
  {
    name: 'operator-grant',
    checks: [ref(validGrant, 'operator_password')],
    answers: ['token-response'],
    skip: (t) =>
      !t.grants.includes('operator_password')
        ? notApplicable('the flavour has no operator_password grant')
        : !t.operator || !t.clients.user
          ? untested('needs an operator user and a client: add users: [{..., operator: true}]')
          : undefined,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const t = ctx.target;
      const e = await ctx.token(
        [
          ['grant_type', 'operator_password'],
          ['username', t.operator!.username],
          ['password', t.operator!.password],
        ],
        { client: t.clients.user! },
      );
      issued(s, ctx.tokens(validGrant, 'operator_password', e), e, ctx);
    },
  },
  {
    name: 'client-credentials',
    checks: [ref(clientCredentials), ref(noRefreshForClientCredentials)],
    answers: ['token-response'],
    skip: needsClientCredentials,
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const e = await ctx.token(clientCredentialsParams(ctx.target), { client: ctx.target.clients.service! });
      const body = ctx.tokens(clientCredentials, undefined, e);
      if (!body) return ctx.skip(noRefreshForClientCredentials, 'client_credentials did not succeed', 'untested');
      issued(s, body, e, ctx);
      s.grantsUsed.add('client_credentials');
      ctx.judge(noRefreshForClientCredentials, [e], [e]);
    },
  },
  {
    name: 'client-credentials-without-auth',
    checks: [ref(clientCredentialsWithoutAuth)],
    answers: ['token-error'],
    skip: needsClientCredentials,
    cost: () => ({ requests: 1, badCredentials: 1 }),
    run: async (ctx) => {
      if (!ctx.transport.takeBadCredentialAttempt())
        return ctx.skip(clientCredentialsWithoutAuth, BAD_CREDENTIALS_SPENT);
      const service = ctx.target.clients.service!;
      const e = await ctx.token(clientCredentialsParams(ctx.target), {
        client: { ...service, clientSecret: undefined },
        auth: 'none',
      });
      ctx.refused(clientCredentialsWithoutAuth, undefined, e);
    },
  },
  {
    name: 'offline-token',
    checks: [ref(validRefresh, 'offline-token'), ref(claimsOfFlavour)],
    answers: ['token-response'],
    skip: (t) =>
      t.clients.technical?.refreshToken
        ? undefined
        : notApplicable('no technical user with an offline token is configured'),
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      // The Keycloak developer portal's technical user: a refresh-only client with a long-lived offline token.
      const tech = ctx.target.clients.technical!;
      // Its newest token: the preflight (or an earlier refresh) may have rotated the configured one away.
      const e = await ctx.token(
        [
          ['grant_type', 'refresh_token'],
          ['refresh_token', ctx.session.storedHead(tech)],
        ],
        { client: tech },
      );
      const body = ctx.tokens(validRefresh, 'offline-token', e);
      if (!body) return;
      issued(s, body, e, ctx);
      // The stored token's answer: an offline token of the flavour's shape, with its documented refresh_expires_in.
      if (!judgeClaims(ctx, e, body))
        ctx.skip(claimsOfFlavour, 'the answer holds no JWT the flavour has a claim schema for', 'not-applicable');
    },
  },
  {
    name: 'distinct-tokens',
    checks: [ref(distinctStrongTokens)],
    skip: (t) =>
      needsPasswordGrant(t) && needsClientCredentials(t) && !t.clients.technical?.refreshToken
        ? untested('needs a grant that issues tokens: configure a client (and a user)')
        : undefined,
    cost: () => ({ requests: 0 }),
    run: async (ctx, s) => {
      if (!s.tokens.length) return ctx.skip(distinctStrongTokens, 'no grant issued a token', 'untested');
      const repeated = s.tokens.find((tok, i) => s.tokens.indexOf(tok) !== i);
      ctx.judge(distinctStrongTokens, [s.tokens], repeated ? [s.issuedBy.get(repeated)!] : []);
    },
  },
  {
    name: 'confidential-without-auth',
    checks: [ref(missingClientAuth), ref(twoMethods), ref(mismatchedClientId)],
    answers: ['token-error'],
    skip: needsConfidentialBaseClient,
    cost: () => ({ requests: 3, badCredentials: 1 }),
    run: async (ctx) => {
      if (!ctx.transport.takeBadCredentialAttempt()) return ctx.skip(missingClientAuth, BAD_CREDENTIALS_SPENT);
      const { client, params: pw } = baseGrant(
        ctx.target,
        storedClient(ctx.target) ? ctx.session.storedHead(storedClient(ctx.target)!) : undefined,
      );
      const none = await ctx.token(pw, { client: { ...client, clientSecret: undefined }, auth: 'none' });
      ctx.refused(missingClientAuth, undefined, none);
      const auth = ctx.descriptor.clientAuth;
      if (auth.includes('basic') && auth.includes('post')) {
        const both = await ctx.token(pw, { client, auth: 'both' });
        if (ctx.answered(both)) ctx.judge(twoMethods, [both], [both]);
      } else ctx.skip(twoMethods, 'the flavour takes only one client-authentication method', 'not-applicable');
      if (auth.includes('basic')) {
        const mismatch = await ctx.token([...pw, ['client_id', 'idpc-someone-else']], { client, auth: 'basic' });
        if (ctx.answered(mismatch)) ctx.judge(mismatchedClientId, [mismatch], [mismatch]);
      } else ctx.skip(mismatchedClientId, 'the flavour does not take client_secret_basic', 'not-applicable');
    },
  },
  {
    name: 'public-client-credentials',
    checks: [ref(publicClientCredentials)],
    skip: (t) =>
      !t.grants.includes('client_credentials')
        ? notApplicable('the target offers no client_credentials grant')
        : !publicClientOf(t)
          ? notApplicable('no public client is configured')
          : undefined,
    cost: () => ({ requests: 1 }),
    run: async (ctx) => {
      const e = await ctx.token([['grant_type', 'client_credentials']], {
        client: publicClientOf(ctx.target)!,
        auth: 'none',
      });
      if (ctx.answered(e)) ctx.judge(publicClientCredentials, [e], [e]);
    },
  },
  {
    name: 'utf8-password',
    checks: [ref(utf8Password)],
    answers: ['token-response'],
    skip: (t) =>
      needsPasswordGrant(t) ??
      (t.mock || utf8User(t)
        ? undefined
        : needsSetup('needs a user whose password has non-ASCII characters: add one to users (the mocks add one)')),
    cost: () => ({ requests: 1 }),
    run: async (ctx) => {
      const u = ctx.target.mock?.addUser('idpc-utf8-user', 'pässwörd-日本-🔑') ?? utf8User(ctx.target)!;
      const e = await ctx.token(
        [
          ['grant_type', 'password'],
          ['username', u.username],
          ['password', u.password],
        ],
        { client: ctx.target.clients.user! },
      );
      if (ctx.answered(e)) ctx.judge(utf8Password, [e], [e]);
    },
  },
  {
    name: 'scope-beyond-allowance',
    checks: [ref(scopeBeyondAllowance)],
    skip: (t, d) => needsAGrant(t) ?? needsScopes(t, d),
    cost: () => ({ requests: 1 }),
    run: async (ctx) => {
      // A scope the client may not have (configured), else one nobody has: refused, or reduced with a scope member.
      const scope = ctx.target.scope!.notAllowed ?? ctx.target.scope!.unknown;
      const e = await accessGrant(ctx, scope);
      if (ctx.answered(e)) ctx.judge(scopeBeyondAllowance, [e, scope], [e]);
    },
  },
  {
    name: 'scopes',
    checks: [ref(scopeOmittedHandled), ref(scopeStatedWhenChanged), ref(scopeWithinRequest)],
    answers: ['token-response'],
    skip: (t, d) => needsAGrant(t) ?? needsScopes(t, d),
    cost: (t) => ({ requests: t.scope?.full ? 3 : 2 }),
    run: async (ctx, s) => {
      const { full, unknown } = ctx.target.scope!;
      const without = await accessGrant(ctx, null);
      if (ctx.answered(without)) ctx.judge(scopeOmittedHandled, [without], [without]);
      if (ctx.answered(without))
        ctx.seen.scopeRequired = without.response!.status === 400 && json(without)?.error === 'invalid_scope';
      if (without.response?.status === 200) issued(s, json(without), without);
      // The granted scope, with one the server cannot know: refused (invalid_scope), or dropped and said so (TE-C9).
      const requested = [full, unknown].filter(Boolean).join(' ');
      const mixed = await accessGrant(ctx, requested);
      if (ctx.answered(mixed)) {
        if (mixed.response!.status === 200) {
          issued(s, json(mixed), mixed);
          ctx.judge(scopeStatedWhenChanged, [mixed, requested, unknown], [mixed]);
        } else
          ctx.skip(
            scopeStatedWhenChanged,
            `the server refused the unknown scope (${describeAnswer(mixed)}): it dropped nothing`,
            'not-applicable',
          );
      }
      let judged = false;
      for (const [e, asked] of [
        [mixed, requested],
        ...(full ? [[await accessGrant(ctx, full), full] as const] : []),
      ] as const) {
        const scope = json(e)?.scope;
        if (e.response?.status !== 200 || typeof scope !== 'string') continue;
        if (e !== mixed) issued(s, json(e), e);
        ctx.judge(scopeWithinRequest, [asked, scope], [e]);
        judged = true;
      }
      if (!judged)
        ctx.skip(
          scopeWithinRequest,
          'no grant with a requested scope answered 200 with a scope member',
          'not-applicable',
        );
    },
  },
  {
    name: 'lifetimes',
    checks: [ref(lifetimeAsDeclared)],
    skip: (t, d) =>
      needsAGrant(t) ??
      (t.lifetimes?.access || t.lifetimes?.refresh || d.documentedLifetimes?.access || d.documentedLifetimes?.refresh
        ? undefined
        : needsSetup(
            'declare the lifetimes to hold the target to: policies.accessTokenLifetime, policies.refreshTokenLifetime',
          )),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const t = ctx.target;
      const doc = ctx.descriptor.documentedLifetimes;
      const e = await accessGrant(ctx);
      const body = json(e);
      if (e.response?.status !== 200 || !body)
        return ctx.skip(lifetimeAsDeclared, 'the grant for it failed', 'untested');
      let judged = false;
      // An offline token's refresh_expires_in is the flavour's own rule (TE-L8), not the session lifetime.
      const offlineToken = isOfflineAnswer(ctx.descriptor, body);
      for (const [member, declared, documented] of [
        ['expires_in', t.lifetimes?.access, doc?.access],
        ['refresh_expires_in', t.lifetimes?.refresh, doc?.refresh],
      ] as const) {
        const stated = body[member];
        if (typeof stated !== 'number' || (member === 'refresh_expires_in' && offlineToken)) continue;
        let observed: number = stated;
        const expected = declared ?? documented;
        if (expected === undefined) continue;
        const evidence = [e];
        // Less than the lifetime is what a token issued earlier has left: Spring's DefaultTokenServices hands the
        // same live token out again. A JWT says its own lifetime (exp - iat); an opaque one is asked for once more:
        // the same token again is a reissue (only "never longer" can be judged), a new one states its full lifetime.
        if (member === 'expires_in' && observed < expected - 2) {
          const access = String(body.access_token);
          const claims = isJwt(access) ? decodeJwtClaims(access) : undefined;
          if (typeof claims?.exp === 'number' && typeof claims.iat === 'number')
            observed = Number(claims.exp) - Number(claims.iat);
          else {
            const again = await accessGrant(ctx);
            const second = json(again);
            evidence.push(again);
            if (second?.access_token === access) {
              ctx.pass(lifetimeAsDeclared);
              ctx.note('accessTokenLifetime', observed);
              judged = true;
              continue;
            }
            if (typeof second?.expires_in === 'number') observed = second.expires_in;
          }
        }
        ctx.note(member === 'expires_in' ? 'accessTokenLifetime' : 'refreshTokenLifetime', observed);
        // refresh_expires_in 0: no expiry (Keycloak's offline tokens), which the declaration 0 means too.
        if (declared !== undefined) {
          ctx.judge(lifetimeAsDeclared, [member, observed, declared, 'the target config declares'], evidence);
        } else {
          const o = lifetimeAsDeclared.judge(
            member,
            observed,
            expected,
            `the ${ctx.descriptor.title} flavour documents (${doc!.source}; declare policies.*Lifetime to hold it to yours)`,
          );
          if (o.passed) ctx.pass(lifetimeAsDeclared);
          else ctx.warn(lifetimeAsDeclared, o.message, evidence);
        }
        judged = true;
      }
      if (!judged)
        ctx.skip(lifetimeAsDeclared, 'the answer states no lifetime that is declared or documented', 'not-applicable');
    },
  },
  {
    name: 'basic-reserved-characters',
    checks: [ref(basicEncoding)],
    skip: (t, d) =>
      needsPasswordGrant(t) ??
      (!d.clientAuth.includes('basic')
        ? notApplicable('the flavour does not take client_secret_basic')
        : t.mock || (!t.clients.user!.public && t.clients.user!.clientSecret)
          ? undefined
          : notApplicable('the user client is public: it sends no Basic credentials')),
    cost: () => ({ requests: 1 }),
    run: async (ctx) => {
      // Mocks: a client whose id and secret need encoding. Real targets: the configured client, encoded as oauth4webapi does.
      const client = ctx.target.mock
        ? await ctx.target.mock.addClient('idpc client:%+/é', 's3cr:t %+/é')
        : ctx.target.clients.user!;
      if (!client) return ctx.skip(basicEncoding, 'the mock could not add a client', 'untested');
      if (
        !ctx.target.mock &&
        strictFormEncode(client.clientId) === client.clientId &&
        strictFormEncode(client.clientSecret!) === client.clientSecret
      ) {
        return ctx.skip(
          basicEncoding,
          'the client id and secret have no character that form-urlencoding changes',
          'not-applicable',
        );
      }
      const e = await ctx.token(passwordGrant(ctx.target), { client, auth: 'basic', strictBasic: true });
      if (ctx.answered(e)) ctx.judge(basicEncoding, [e], [e]);
    },
  },
  {
    name: 'required-param-in-query',
    checks: [ref(validGrant, 'required-param-in-query')],
    answers: ['token-response'],
    skip: (t) =>
      needsPasswordGrant(t) ??
      (t.requiredParams.length ? undefined : notApplicable('the target requires no extra parameter (requiredParams)')),
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      // Rator's brand_key "is of type QUERY" in its document, while its curl examples put it in the body: both must work.
      const e = await ctx.token(passwordGrant(ctx.target), {
        client: ctx.target.clients.user!,
        withoutRequired: true,
        query: new URLSearchParams(
          ctx.target.requiredParams.map((k): [string, string] => [k, ctx.target.extraParams[k]!]),
        ).toString(),
      });
      issued(s, ctx.tokens(validGrant, 'required-param-in-query', e), e);
    },
  },
  {
    name: 'required-header-at-resource',
    checks: [ref(requiredParameter, 'resource')],
    skip: (t, d) =>
      needsResource(t, d) ??
      (requiredResourceHeaders(t, d).length
        ? undefined
        : notApplicable('the flavour requires no header at its resource')) ??
      needsAGrant(t),
    cost: () => ({ requests: 3 }),
    run: async (ctx) => {
      const t = ctx.target;
      const e = await accessGrant(ctx);
      const access = json(e)?.access_token;
      if (typeof access !== 'string')
        return ctx.skip(requiredParameter, 'the grant for it failed', 'untested', 'resource');
      const names = requiredResourceHeaders(t, ctx.descriptor);
      const without = (await ctx.resource(access, { headers: Object.fromEntries(names.map((n) => [n, undefined])) }))!;
      if (ctx.answered(without))
        ctx.judge(requiredParameter, [without, `the resource header ${names.join(', ')}`], [e, without], 'resource');
      const wrong = (await ctx.resource(access, {
        headers: Object.fromEntries(names.map((n) => [n, 'idpc-wrong-value'])),
      }))!;
      if (ctx.answered(wrong))
        ctx.judge(
          requiredParameter,
          [wrong, `the right value of ${names.join(', ')} (sent idpc-wrong-value)`],
          [e, wrong],
          'resource',
        );
    },
  },
  {
    name: 'bearer-garbage',
    checks: [ref(badAccessRefused, 'garbage'), ref(noCredentialsChallenge), ref(singleChallengeAttributes)],
    skip: needsResource,
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const garbage = (await ctx.resource('not-a-token-idpc'))!;
      if (ctx.answered(garbage)) ctx.judge(badAccessRefused, [garbage, 'a garbage'], [garbage], 'garbage');
      const none = (await ctx.resource(undefined))!;
      if (ctx.answered(none)) {
        ctx.judge(noCredentialsChallenge, [none], [none]);
        // RFC 6750 §3.1: a request without authentication SHOULD NOT get an error code in the challenge.
        const challenge = none.response!.headers['www-authenticate']?.[0] ?? '';
        if (/\berror=/i.test(challenge))
          ctx.warn(
            noCredentialsChallenge,
            `a request without credentials got an error code in its challenge ("${challenge}"): RFC 6750 §3.1 says SHOULD NOT`,
            [none],
          );
      }
      const challenged = [none, garbage].filter((e) => e.response?.headers['www-authenticate']);
      for (const e of challenged) ctx.judge(singleChallengeAttributes, [e], [e]);
      if (!challenged.length)
        ctx.skip(singleChallengeAttributes, 'the resource sent no WWW-Authenticate challenge', 'not-applicable');
    },
  },
  {
    name: 'bearer-scheme-case',
    checks: [ref(freshAccessWorks)],
    skip: (t, d) => needsResource(t, d) ?? needsAGrant(t),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      // RFC 7235 §2.1 (RFC 6750 §2.1 refers to it): the scheme is case-insensitive, so "bearer" works as "Bearer" does.
      const e = await accessGrant(ctx);
      const access = json(e)?.access_token;
      if (e.response?.status !== 200 || typeof access !== 'string')
        return ctx.skip(freshAccessWorks, 'the grant for it failed', 'untested');
      const use = (await ctx.resource(access, { scheme: 'bearer' }))!;
      if (ctx.answered(use)) ctx.judge(freshAccessWorks, [use, 'with the scheme written "bearer"'], [e, use]);
    },
  },
  ...(['password', 'client_credentials'] as const).map(
    (grant): Scenario<GrantState> => ({
      name: `unauthorized-grant:${grant}`,
      checks: [ref(unauthorizedGrant, grant)],
      answers: ['token-error'],
      skip: (t) =>
        !t.grants.includes(grant)
          ? notApplicable(`the target offers no ${grant} grant`)
          : !lacking(t, grant).length
            ? notApplicable(`every configured client may use the ${grant} grant (clients[].grants)`)
            : grant === 'password' && !t.user
              ? needsSetup('needs a user, to ask for the password grant with a client that may not use it')
              : undefined,
      cost: (t) => ({ requests: lacking(t, grant).length }),
      run: async (ctx) => {
        const t = ctx.target;
        for (const client of lacking(t, grant)) {
          const e = await ctx.token(
            grant === 'password'
              ? passwordGrant(t, client.scope ?? null)
              : clientCredentialsParams(t, client.scope ?? null),
            { client },
          );
          ctx.refused(unauthorizedGrant, grant, e);
        }
      },
    }),
  ),
  {
    name: 'bearer-in-query',
    checks: [ref(tokenInQuery)],
    skip: (t, d) => needsResource(t, d) ?? needsAGrant(t),
    cost: () => ({ requests: 1 }),
    run: async (ctx, s) => {
      const access = s.tokens[0];
      if (!access) return ctx.skip(tokenInQuery, 'no grant issued an access token', 'untested');
      const q = (await ctx.resource(access, { inQuery: true }))!;
      if (ctx.answered(q)) ctx.judge(tokenInQuery, [q], [q]);
    },
  },
  {
    name: 'discovery',
    checks: [ref(advertisedGrants), ref(advertisedAuthMethods), ref(issuerOfDocument), ref(advertisedEndpointsAnswer)],
    skip: (t) =>
      t.discoveryUrl ? undefined : notApplicable('no discovery document is configured (endpoints.discovery)'),
    cost: () => ({ requests: 1 + Object.keys(ADVERTISED_ENDPOINTS).length }),
    run: async (ctx, s) => {
      const d = await ctx.session.send('GET', ctx.target.discoveryUrl!, { accept: 'application/json' });
      const meta = json(d);
      if (!meta) {
        if (ctx.answered(d))
          for (const c of [advertisedGrants, advertisedAuthMethods, issuerOfDocument, advertisedEndpointsAnswer])
            ctx.fail(c, `the discovery document is not a JSON object: ${d.response?.status}`, [d]);
        return;
      }
      s.discovery = meta;
      ctx.seen.advertised = meta;
      // RFC 8414 §2: refresh_token belongs in grant_types_supported when the endpoint issues refresh tokens.
      const used = [...s.grantsUsed, ...(s.refreshIssued ? ['refresh_token'] : [])];
      ctx.judge(advertisedGrants, [meta.grant_types_supported as string[] | undefined, used], [d]);
      const accepted = [...s.acceptedAuth].filter((m) => m !== 'none');
      ctx.judge(
        advertisedAuthMethods,
        [meta.token_endpoint_auth_methods_supported as string[] | undefined, accepted],
        [d],
      );
      ctx.judge(issuerOfDocument, [meta.issuer, ctx.target.discoveryUrl!, ctx.target.issuer], [d]);
      const answers: { member: string; url: string; status: number | undefined }[] = [];
      const exchanges = [d];
      for (const [member, method] of Object.entries(ADVERTISED_ENDPOINTS)) {
        const url = meta[member];
        if (typeof url !== 'string') continue;
        // An empty form: the endpoint should refuse it (4xx), but it must be there.
        const e =
          method === 'POST'
            ? await ctx.session.send(
                'POST',
                url,
                { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
                '',
              )
            : await ctx.session.send('GET', url, { accept: 'application/json' });
        exchanges.push(e);
        answers.push({ member, url, status: e.response?.status });
      }
      ctx.judge(
        advertisedEndpointsAnswer,
        [answers],
        exchanges.filter((e) => e.response?.status === 404 || !e.response),
      );
    },
  },
  {
    name: 'jwt',
    checks: [
      ref(accessTokenSignature),
      ref(issuedAtSane),
      ref(lifetimeAgrees),
      ref(issuerMatches),
      ref(idTokenValid),
      ref(jwksShape),
      ref(refreshNotBearer),
      ref(claimsOfFlavour),
    ],
    answers: ['token-response'],
    skip: (t) => needsAGrant(t),
    cost: () => ({ requests: 3 }),
    run: (ctx, s) => jwtScenario(ctx, s),
  },
  {
    name: 'bearer-expired',
    checks: [ref(badAccessRefused, 'expired')],
    skip: (t, d) => needsResource(t, d) ?? needsAGrant(t),
    cost: () => ({ requests: 2 }),
    run: async (ctx) => {
      const t = ctx.target;
      const e = await accessGrant(ctx);
      const body = json(e);
      if (e.response?.status !== 200 || typeof body?.access_token !== 'string')
        return ctx.skip(badAccessRefused, 'the grant for it failed', 'untested', 'expired');
      const lifetime =
        typeof body.expires_in === 'number' ? body.expires_in : (t.mock?.accessTokenLifetime ?? t.lifetimes?.access);
      if (!lifetime)
        return ctx.skip(
          badAccessRefused,
          'the access token states no lifetime (expires_in): declare policies.accessTokenLifetime',
          t.mock ? 'not-applicable' : 'needs-setup',
          'expired',
        );
      // Mocks: move their clock. Real targets: wait, when their tokens are short-lived enough to wait for.
      if (t.mock) t.mock.advanceClock(lifetime + 1);
      else if (lifetime <= t.budget.maxWaitSeconds) await sleep((lifetime + 1) * 1000);
      else
        return ctx.skip(
          badAccessRefused,
          `access tokens live ${lifetime} s, longer than the run waits (--max-wait, budget.maxWaitSeconds: ${t.budget.maxWaitSeconds} s)`,
          'needs-setup',
          'expired',
        );
      const use = (await ctx.resource(body.access_token))!;
      if (ctx.answered(use))
        ctx.judge(badAccessRefused, [use, `an expired (${lifetime + 1} s old)`], [e, use], 'expired');
    },
  },
  ...invalidRequestScenarios,
  {
    name: 'generated:valid-grants',
    generated: true,
    checks: [
      ref(validGrant, 'password'),
      ref(basicAccepted),
      ref(postAccepted),
      ref(unknownParameter),
      ref(freshAccessWorks),
    ],
    answers: ['token-response'],
    skip: needsPasswordGrant,
    cost: (t, numRuns) => ({ requests: numRuns * (t.resource ? 2 : 1) }),
    run: async (ctx, s) => {
      const t = ctx.target;
      const client = t.clients.user!;
      const pw = passwordGrant(t);
      // The styles the systematic pass saw accepted (a refused optional one was judged there, once).
      const seen = stylesOf(t, ctx.descriptor.clientAuth).filter((a) => s.acceptedAuth.has(AUTH_METHOD[a]));
      const styles = seen.length ? seen : [client.auth];
      await runProperty(
        ctx,
        ref(validGrant, 'password'),
        fc.record({ auth: fc.constantFrom(...styles), probe: fc.boolean() }),
        async ({ auth, probe }) => {
          const e = await ctx.token([...pw, ...(probe ? ([['x_conformance_probe', '1']] as [string, string][]) : [])], {
            client,
            auth,
          });
          const body = ctx.tokens(validGrant, 'password', e);
          if (probe) ctx.require(unknownParameter, unknownParameter.judge(e), [e]);
          if (!body) return;
          issued(s, body, e, ctx);
          if (auth === 'basic') ctx.pass(basicAccepted);
          if (auth === 'post') ctx.pass(postAccepted);
          const use = await ctx.resource(String(body.access_token));
          if (use && ctx.answered(use)) ctx.require(freshAccessWorks, freshAccessWorks.judge(use), [e, use]);
        },
      );
    },
  },
  {
    name: 'generated:invalid-requests',
    generated: true,
    checks: VARIANTS.flatMap((spec) =>
      spec.checks.map((c) => ref(c, c === flavourErrors ? spec.cause : c.variants ? spec.variant : undefined)),
    ),
    answers: ['token-error'],
    skip: needsAGrant,
    cost: (_t, numRuns) => ({ requests: numRuns, badCredentials: numRuns }),
    run: (ctx, s) => runProperty(ctx, ref(noServerError), generatedVariants(ctx), (v) => exercise(ctx, s, v)),
  },
];

export const grantSuite = defineSuite<GrantState>({
  name: 'grant',
  start: () => ({
    tokens: [],
    issuedBy: new Map(),
    acceptedAuth: new Set(),
    grantsUsed: new Set(),
    refreshIssued: false,
  }),
  scenarios,
});
