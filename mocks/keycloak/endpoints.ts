/** The endpoints: logout, certs, revocation, userinfo, introspection, discovery (keycloak/keycloak services/.../protocol/oidc/endpoints). */
import {
  formOf,
  header,
  Params,
  queryOf,
  requestMediaType,
  type MockRequest,
  type MockResponse,
} from '../core/http.js';
import type { keycloakBrowserLogout } from './browser/logout.js';
import type { clientAuthentication } from './client-auth.js';
import type { grantHandlers } from './grants.js';
import { decode, verifyHmac, verifyRs256 } from './jwt.js';
import { empty, json, oauthError, refusing, SECURITY, type Realm } from './model.js';
import type { KcState } from './state.js';

/** The endpoints besides the token endpoint (token.ts). */
export function endpointHandlers(
  s: KcState,
  {
    authenticateClient,
    checkRefreshToken,
  }: Pick<ReturnType<typeof clientAuthentication>, 'authenticateClient'> &
    Pick<ReturnType<typeof grantHandlers>, 'checkRefreshToken'>,
) {
  const { ctx, kc, now, realms, baseOf, issuerAt, oidcAt, sessions } = s;
  const realmOf = (params: Record<string, string>): Realm | MockResponse => {
    const realm = realms.get(params.realm!);
    if (!realm) return json(404, { error: 'Realm does not exist' });
    return realm;
  };

  /** JAX-RS: OPTIONS, @POST and @Consumes(application/x-www-form-urlencoded) decide before the endpoint runs; then the realm. */
  const formEndpoint = (req: MockRequest, params: Record<string, string>): Realm | MockResponse => {
    if (req.method === 'OPTIONS') return empty(200, { Allow: 'OPTIONS, POST' });
    if (req.method !== 'POST') return empty(405, { Allow: 'OPTIONS, POST' });
    if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
    return realmOf(params);
  };

  const logout = (prefix: string, browserLogout: ReturnType<typeof keycloakBrowserLogout>) =>
    refusing(async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
      const found = realmOf(params);
      if ('status' in found) return found;
      const realm = found;
      if (req.method === 'GET') return browserLogout(req, realm, new URLSearchParams(queryOf(req, 'drop').pairs));
      if (req.method !== 'POST') return empty(405, { Allow: 'GET, OPTIONS, POST' });
      if (requestMediaType(req) !== 'application/x-www-form-urlencoded') return empty(415);
      const form = formOf(req, 'reject');
      const p = new Params(form.pairs);
      const token = p.first('refresh_token');
      if (!token) {
        // Keycloak >= 18 routes a form POST without refresh_token to RP-initiated logout.
        if (kc.logoutWithoutRefreshToken === 'rp-initiated')
          return browserLogout(req, realm, new URLSearchParams(form.pairs));
        await authenticateClient(realm, req, p);
        return oauthError(400, 'invalid_request', 'No refresh token');
      }
      const { client } = await authenticateClient(realm, req, p);
      // LogoutEndpoint verifies the refresh token without the expiry check: an expired one still logs out.
      const checked = await checkRefreshToken(issuerAt(realm, baseOf(req, prefix)), realm, client, token, false);
      if ('status' in checked) return checked as MockResponse;
      const sid = String(checked.sid ?? checked.session_state ?? '');
      await sessions.drop(realm, sid); // idempotent: a session already gone is still 204
      return empty(204);
    });

  const certs = async (_req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
    const found = realmOf(params);
    if ('status' in found) return found;
    return json(200, { keys: [(await (await found.keys()).rsa()).publicJwk] }, { 'Cache-Control': 'no-cache' });
  };

  /** Access-token checks of UserInfoEndpoint / introspection: signature, typ, issuer, expiry, live session. */
  const liveAccessToken = async (
    iss: string,
    realm: Realm,
    token: string,
  ): Promise<Record<string, unknown> | undefined> => {
    const defect = ctx.config.plantedDeviations.jwtDefect;
    // A planted JWT defect is in what the token endpoint issues; the resource still serves those tokens.
    const payload =
      defect === 'foreign-key'
        ? decode(token)?.payload
        : verifyRs256(token, (await (await realm.keys()).rsa()).verifyKey);
    const expired = typeof payload?.exp !== 'number' || payload.exp <= now();
    if (
      payload?.typ !== 'Bearer' ||
      (payload.iss !== iss && defect !== 'wrong-issuer') ||
      (expired && !ctx.config.plantedDeviations.acceptExpiredAccessTokens)
    )
      return undefined;
    if (await sessions.accessRevoked(realm, String(payload.jti))) return undefined;
    const sid = (payload.sid ?? payload.session_state) as string | undefined;
    if (sid !== undefined && !(await sessions.active(realm, sid))) return undefined;
    return payload;
  };

  /**
   * RFC 7009 as Keycloak implements it (keycloak/keycloak services/.../protocol/oidc/endpoints/TokenRevocationEndpoint.java):
   * client authentication first; a duplicated parameter or no token is 400 invalid_request; a token that does not
   * decode, or whose session is gone, is 200 with an invalid_token body; another client's token is 400 "Unmatching
   * clients"; a refresh or offline token ends the client's session (its access tokens with it), an access token is
   * remembered as revoked until it expires. Success: 200, empty body.
   */
  const revoke = (prefix: string) =>
    refusing(async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
      const found = formEndpoint(req, params);
      if ('status' in found) return found;
      const realm = found;
      if (!realm.config.enabled) return oauthError(403, 'access_denied', 'Realm not enabled');
      const p = new Params(formOf(req, 'reject').pairs);
      const { client } = await authenticateClient(realm, req, p);
      if (p.duplicated().length) return oauthError(400, 'invalid_request', 'duplicated parameter');
      const token = p.first('token');
      if (token === undefined) return oauthError(400, 'invalid_request', 'Token not provided');
      const iss = issuerAt(realm, baseOf(req, prefix));
      const invalid = json(200, { error: 'invalid_token', error_description: 'Invalid token' });
      const keys = await realm.keys();
      const claims = verifyHmac(token, keys.hmacSecret) ?? verifyRs256(token, (await keys.rsa()).verifyKey);
      if (!claims || claims.iss !== iss) return invalid;
      if (!['Refresh', 'Offline', 'Bearer', 'DPoP'].includes(String(claims.typ)))
        return oauthError(400, 'unsupported_token_type', 'Unsupported token type');
      if (claims.azp === undefined) return invalid;
      if (claims.azp !== client.clientId) return oauthError(400, 'invalid_request', 'Unmatching clients');
      const sid = String(claims.sid ?? claims.session_state ?? '');
      const ended = await sessions.exclusive(`kc:${realm.name}:session:${sid}`, async () => {
        const session = await sessions.active(realm, sid);
        if (!session) return false;
        if (claims.typ === 'Refresh' || claims.typ === 'Offline') {
          delete session.clients[client.clientId];
          if (Object.keys(session.clients).length === 0) await sessions.drop(realm, sid);
          else await sessions.save(realm, session);
        } else {
          // Remembered until the token expires (bounded like the sessions).
          await sessions.revokeAccess(realm, String(claims.jti), Number(claims.exp));
        }
        return true;
      });
      if (!ended) return invalid;
      return { status: 200, headers: { ...SECURITY }, body: '' };
    });

  const userinfo =
    (prefix: string) =>
    async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
      const found = realmOf(params);
      if ('status' in found) return found;
      const realm = found;
      const challenge = (error: string, description: string) => ({
        'WWW-Authenticate': `Bearer realm="${realm.name}", error="${error}", error_description="${description}"`,
      });
      const m = /^Bearer +(\S+)$/i.exec(header(req, 'authorization') ?? '');
      const token =
        m?.[1] ?? (req.method === 'POST' ? new Params(formOf(req, 'reject').pairs).first('access_token') : undefined);
      if (!token)
        return json(
          401,
          { error: 'invalid_request', error_description: 'Token not provided' },
          challenge('invalid_request', 'Token not provided'),
        );
      const payload = await liveAccessToken(issuerAt(realm, baseOf(req, prefix)), realm, token);
      if (!payload)
        return json(
          401,
          { error: 'invalid_token', error_description: 'Token verification failed' },
          challenge('invalid_token', 'Token verification failed'),
        );
      const { sub, email_verified, name, preferred_username, given_name, family_name, email } = payload;
      return json(
        200,
        Object.fromEntries(
          Object.entries({ sub, email_verified, name, preferred_username, given_name, family_name, email }).filter(
            ([, v]) => v !== undefined,
          ),
        ),
      );
    };

  const introspect = (prefix: string) =>
    refusing(async (req: MockRequest, params: Record<string, string>): Promise<MockResponse> => {
      const found = realmOf(params);
      if ('status' in found) return found;
      const realm = found;
      if (req.method !== 'POST') return empty(405, { Allow: 'POST' });
      const p = new Params(formOf(req, 'reject').pairs);
      const { client } = await authenticateClient(realm, req, p);
      const token = p.first('token');
      if (!token) return oauthError(400, 'invalid_request', 'Token not provided');
      const iss = issuerAt(realm, baseOf(req, prefix));
      const access = await liveAccessToken(iss, realm, token);
      if (access)
        return json(200, {
          ...access,
          client_id: access.azp,
          username: access.preferred_username,
          token_type: 'Bearer',
          active: true,
        });
      const refresh = await checkRefreshToken(iss, realm, client, token, true);
      if (!('status' in refresh) && (await sessions.active(realm, String(refresh.sid ?? refresh.session_state ?? ''))))
        return json(200, { ...refresh, client_id: refresh.azp, active: true });
      return json(200, { active: false });
    });

  const discovery =
    (prefix: string) =>
    (req: MockRequest, params: Record<string, string>): MockResponse => {
      const found = realmOf(params);
      if ('status' in found) return found;
      const realm = found;
      const base = baseOf(req, prefix);
      const oidc = (r: Realm, path: string) => oidcAt(r, base, path);
      return json(200, {
        issuer: issuerAt(realm, base),
        authorization_endpoint: oidc(realm, '/auth'),
        token_endpoint: oidc(realm, '/token'),
        introspection_endpoint: oidc(realm, '/token/introspect'),
        revocation_endpoint: oidc(realm, '/revoke'),
        userinfo_endpoint: oidc(realm, '/userinfo'),
        end_session_endpoint: oidc(realm, '/logout'),
        jwks_uri: oidc(realm, '/certs'),
        grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'],
        response_types_supported: [
          'code',
          'none',
          'id_token',
          'token',
          'id_token token',
          'code id_token',
          'code token',
          'code id_token token',
        ],
        subject_types_supported: ['public', 'pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        userinfo_signing_alg_values_supported: ['RS256', 'none'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        token_endpoint_auth_methods_supported: [
          'private_key_jwt',
          'client_secret_basic',
          'client_secret_post',
          'tls_client_auth',
          'client_secret_jwt',
        ],
        introspection_endpoint_auth_methods_supported: [
          'private_key_jwt',
          'client_secret_basic',
          'client_secret_post',
          'tls_client_auth',
          'client_secret_jwt',
        ],
        claims_supported: [
          'aud',
          'sub',
          'iss',
          'auth_time',
          'name',
          'given_name',
          'family_name',
          'preferred_username',
          'email',
          'acr',
        ],
        scopes_supported: ['openid', 'offline_access', 'profile', 'email', 'roles', 'web-origins'],
        code_challenge_methods_supported: ['plain', 'S256'],
        // RFC 9207 (Keycloak >= 23): iss in every authorization response (OIDCWellKnownProvider).
        ...(kc.authorizationResponseIss ? { authorization_response_iss_parameter_supported: true } : {}),
      });
    };

  return { realmOf, logout, certs, revoke, userinfo, introspect, discovery, liveAccessToken };
}
