/**
 * The preflight: before the plan, one valid grant per configured client and user, the way the run will send it.
 * A refused valid grant is almost always the configuration's mistake (a wrong secret, password, realm or URL), not a
 * finding about the target: the run then ends with one line that names the likely cause and the setting to fix
 * (exit 2), instead of dozens of failures charged to the IdP. `--no-preflight` judges anyway.
 */
import { describeAnswer, jsonObject } from '../checks/define.js';
import { FLAVOURS } from '../flavours/index.js';
import type { Session } from '../session/session.js';
import { TlsProblem } from '../session/http.js';
import type { Exchange, Target, TargetClient } from '../vocabulary/types.js';

/** A valid grant was refused: what was refused, the likely cause and the setting to fix, in one line. */
export class PreflightFailed extends Error {}

interface PreflightGrant {
  /** What is being tried, in words: 'the password grant of user "alice" with client "web-app"'. */
  what: string;
  grant: string;
  client: TargetClient;
  params: [string, string][];
  username?: string;
  /** The refresh of a stored refresh token. */
  stored?: true;
}

/** The valid grants the configuration promises, one per configured client and user (what the preflight sends). */
export function preflightGrants(
  t: Target,
  params: { password?: [string, string][]; clientCredentials?: [string, string][]; operator?: [string, string][] },
): PreflightGrant[] {
  const stored = t.clients.technical;
  const out: PreflightGrant[] = [];
  const user = t.clients.user;
  if (user && t.user && params.password && t.grants.includes('password') && user.grants.includes('password')) {
    out.push({
      what: `the password grant of user "${t.user.username}" with client "${user.clientId}"`,
      grant: 'password',
      client: user,
      params: params.password,
      username: t.user.username,
    });
  }
  const service = t.clients.service;
  if (
    service &&
    params.clientCredentials &&
    t.grants.includes('client_credentials') &&
    service.grants.includes('client_credentials')
  ) {
    out.push({
      what: `client_credentials of client "${service.clientId}"`,
      grant: 'client_credentials',
      client: service,
      params: params.clientCredentials,
    });
  }
  if (user && t.operator && params.operator && t.grants.includes('operator_password')) {
    out.push({
      what: `the operator_password grant of operator "${t.operator.username}" with client "${user.clientId}"`,
      grant: 'operator_password',
      client: user,
      params: params.operator,
      username: t.operator.username,
    });
  }
  if (stored?.refreshToken) {
    out.push({
      what: `the refresh of client "${stored.clientId}"'s stored refresh token`,
      grant: 'refresh_token',
      client: stored,
      params: [
        ['grant_type', 'refresh_token'],
        ['refresh_token', stored.refreshToken],
      ],
      stored: true,
    });
  }
  return out;
}

/**
 * A run that refreshes a stored refresh token the target may retire on use must be able to keep the newest one:
 * otherwise it refuses before its first request (exit 2), rather than leave the user without a working credential.
 */
export function storedTokenGuard(t: Target): string | undefined {
  const stored = t.clients.technical;
  if (
    !stored?.refreshToken ||
    stored.refreshTokenFile ||
    t.mock ||
    t.refreshMode === 'rotate' ||
    t.refreshMode === 'reuse'
  )
    return undefined;
  const declared =
    t.refreshMode === 'rotate-revoke'
      ? 'declared to retire a used refresh token (policies.refreshRotation: rotate-revoke)'
      : 'not declared (policies.refreshRotation), so it may retire a used refresh token';
  return `client "${stored.clientId}" holds a stored refresh token, and the target's rotation is ${declared}: give clients[].refreshTokenFile, where the run keeps the newest token (mode 0600), or declare policies.refreshRotation: reuse if the target keeps used tokens working`;
}

const redirectTarget = (e: Exchange) => e.response?.headers.location?.[0];

/** The likely cause of a refused valid grant and the setting to fix, or undefined when the answer is the target's to answer for (a 5xx, a timeout). */
export function diagnose(t: Target, g: PreflightGrant, e: Exchange): string | undefined {
  const r = e.response;
  if (!r || r.status >= 500) return undefined;
  const body = jsonObject(e);
  const code = typeof body?.error === 'string' ? body.error : undefined;
  const url = e.request.url.split('?')[0];
  const hint = FLAVOURS[t.flavour].preflightHints?.find((h) => h.applies({ response: r, body }))?.cause;
  const style =
    g.client.auth === 'basic'
      ? 'HTTP Basic'
      : g.client.auth === 'post'
        ? 'client_secret_post'
        : 'no secret (public client)';
  if (r.status >= 300 && r.status < 400)
    return `${url} redirects (${r.status}) to ${redirectTarget(e) ?? 'somewhere'}, a login page or another host: check baseUrl / endpoints.token`;
  if (hint) return hint;
  if (r.status === 404 || r.status === 405)
    return `${url} answered ${r.status}: it is not this flavour's token endpoint; check baseUrl (and the realm or context in it) or endpoints.token`;
  if (code === 'invalid_client' || (r.status === 401 && code !== 'invalid_grant'))
    return `client "${g.client.clientId}" was refused (${describeAnswer(e)}) authenticating with ${style}: check its clientId and clientSecret, and its auth (basic, post or none)`;
  if (code === 'unauthorized_client')
    return `client "${g.client.clientId}" may not use the ${g.grant} grant (${describeAnswer(e)}): enable it for the client at the server, or remove ${g.grant} from its grants (clients[].grants)`;
  if (code === 'invalid_grant' && g.stored)
    return `the stored refresh token was refused (${describeAnswer(e)}): it expired, was revoked, or was issued to another client or realm: renew it (clients[].refreshToken or its refreshTokenFile)`;
  if (code === 'invalid_grant' && g.username)
    return `user "${g.username}" was refused (${describeAnswer(e)}): check the user's password (users[].password), that the account exists, is enabled and not locked or awaiting an action`;
  if (code === 'invalid_scope')
    return `the scope was refused (${describeAnswer(e)}): check the client's scope (clients[].scope) and scopes`;
  if (code === 'unsupported_grant_type')
    return `the target does not offer the ${g.grant} grant (${describeAnswer(e)}): remove it from grants`;
  if (code === 'invalid_request')
    return `the request was refused as malformed (${describeAnswer(e)}${typeof body?.error_description === 'string' ? `: ${body.error_description.slice(0, 120)}` : ''}): check extraParams and requiredParams`;
  if (r.status !== 200) return `it answered ${describeAnswer(e)}`;
  return undefined;
}

/**
 * Sends the preflight grants. Throws PreflightFailed (with every refused grant's diagnosis) unless `judgeAnyway`,
 * in which case the diagnoses are returned for the report's warnings. A TLS problem is always a PreflightFailed.
 */
export async function runPreflight(
  session: Session,
  grants: PreflightGrant[],
  judgeAnyway: boolean,
): Promise<string[]> {
  const problems: string[] = [];
  for (const g of grants) {
    let e: Exchange;
    try {
      e = await session.token(g.params, { client: g.client });
    } catch (err) {
      if (err instanceof TlsProblem) throw new PreflightFailed(`preflight: ${err.message}`);
      throw err;
    }
    const cause = diagnose(session.target, g, e);
    if (cause) problems.push(`preflight: ${g.what} was refused: ${cause}`);
  }
  if (problems.length && !judgeAnyway)
    throw new PreflightFailed(`${problems.join('; ')} (--no-preflight judges anyway)`);
  return problems;
}
