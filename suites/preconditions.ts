/**
 * What the suites' scenarios share: whether a target can run them (and why not, in words that say what to add),
 * the requests of its grants, and one access token by whichever grant it has.
 */
import { FLAVOURS } from '../src/flavours/index.js';
import type { RunContext } from '../src/session/context.js';
import { needsSetup, notApplicable, untested, type Skip } from '../src/session/scenario.js';
import type { Exchange, Target, TargetClient } from '../src/vocabulary/types.js';

/** Said when the plan's bad-credential reservation was spent by something else (a guard; the plan keeps it from happening). */
export const BAD_CREDENTIALS_SPENT = 'the bad-credential budget (budget.maxBadCredentialAttempts) is spent';
export const NEEDS_RESOURCE = 'needs the bearer resource: configure endpoints.resource';

/** The target offers the password grant and the config gives a client and a user for it. */
export const canLogIn = (t: Target): boolean => !!(t.clients.user && t.user && t.grants.includes('password'));

export const needsPasswordGrant = (t: Target): Skip | undefined =>
  !t.grants.includes('password')
    ? notApplicable('the target offers no password grant')
    : !t.clients.user || !t.user
      ? untested('needs a client and a user for the password grant: add clients: [{name: user, ...}] and users: [...]')
      : undefined;

export const needsClientCredentials = (t: Target): Skip | undefined =>
  !t.grants.includes('client_credentials')
    ? notApplicable('the target offers no client_credentials grant')
    : !t.clients.service
      ? untested('needs a confidential client for client_credentials: add one with name: service and a clientSecret')
      : undefined;

/** A client holding a stored refresh token (a Keycloak technical user's offline token): its refreshes are a grant too. */
export const storedClient = (t: Target): TargetClient | undefined =>
  t.clients.technical?.refreshToken ? t.clients.technical : undefined;

/** The stored refresh token is the run's only way in: no password grant, no client_credentials. */
export const storedOnly = (t: Target): boolean =>
  !canLogIn(t) && !(t.clients.service && t.grants.includes('client_credentials')) && !!storedClient(t);

/**
 * What would end the session of the stored refresh token (revoking it, logging out, replaying or outliving it, a
 * narrowed scope) is not done to the only credential the user has: it needs a grant the run may throw away.
 */
export const needsDisposableGrant = (t: Target): Skip | undefined =>
  storedOnly(t)
    ? needsSetup(
        "it would end or narrow the session of the stored refresh token, the target's only credential here: add a user for the password grant (or a client for client_credentials)",
      )
    : undefined;

/** Any grant will do (a token to probe with): the password grant, client_credentials, or a stored refresh token's. */
export const needsAGrant = (t: Target): Skip | undefined =>
  needsPasswordGrant(t) && needsClientCredentials(t) && !storedClient(t)
    ? untested('needs a grant that issues tokens: configure a client (and a user)')
    : undefined;

/** The parameters that refresh the stored token's current head (the run keeps the newest of its chain). */
export const storedRefreshParams = (ctx: RunContext, scope?: string | null): [string, string][] => [
  ['grant_type', 'refresh_token'],
  ['refresh_token', ctx.session.storedHead(storedClient(ctx.target)!)],
  ...scopeParam(scope ?? undefined),
];

export const needsResource = (t: Target, d: { resource?: unknown }): Skip | undefined =>
  t.resource
    ? undefined
    : d.resource
      ? untested(NEEDS_RESOURCE)
      : notApplicable('the flavour has no bearer resource to probe');

const scopeParam = (scope: string | undefined): [string, string][] => (scope ? [['scope', scope]] : []);

/** The parameters of a valid password grant for this target, with the user client's scope (null: without scope). */
export function passwordGrant(t: Target, scope: string | null = t.clients.user?.scope ?? null): [string, string][] {
  return [
    ['grant_type', 'password'],
    ['username', t.user!.username],
    ['password', t.user!.password],
    ...scopeParam(scope ?? undefined),
  ];
}

/** client_credentials with the service client's scope (null: without), naming the operator where the flavour's grant acts for one (Rator). */
export const clientCredentialsParams = (
  t: Target,
  scope: string | null = t.clients.service?.scope ?? null,
): [string, string][] => {
  const operatorParam = FLAVOURS[t.flavour].clientCredentialsOperatorParam;
  return [
    ['grant_type', 'client_credentials'],
    ...scopeParam(scope ?? undefined),
    ...(t.operator && operatorParam ? ([[operatorParam, t.operator.username]] as [string, string][]) : []),
  ];
};

/** One grant by the password grant where the target has one, else client_credentials; with the client's own scope, or the one given (null: none). */
export const accessGrant = (ctx: RunContext, scope?: string | null): Promise<Exchange> =>
  canLogIn(ctx.target)
    ? ctx.token(passwordGrant(ctx.target, scope === undefined ? undefined : scope), {
        client: ctx.target.clients.user!,
      })
    : storedOnly(ctx.target)
      ? ctx.token(storedRefreshParams(ctx, scope), { client: storedClient(ctx.target)! })
      : ctx.token(clientCredentialsParams(ctx.target, scope === undefined ? undefined : scope), {
          client: ctx.target.clients.service!,
        });

/** The scope checks apply: the flavour uses scopes (else not applicable, with the flavour's reason). */
export const needsScopes = (t: Target, d: { noScopes?: string }): Skip | undefined =>
  t.scope ? undefined : notApplicable(d.noScopes ?? 'the target uses no scopes');
