/** Minting: Keycloak's access, refresh and ID tokens and its token response (TokenManager, AccessTokenResponseBuilder). */
import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { signHmac, signRs256 } from './jwt.js';
import type { KcClient, KcUser, Realm, UserSession } from './model.js';
import { effectiveRoles } from './roles.js';
import type { KcState } from './state.js';

/**
 * The client's User Attribute mappers applied to a user: the first value, or all of them when multivalued; a dotted
 * claim name nests (OIDCAttributeMapperHelper.mapClaim splits on unescaped dots).
 */
function attributeClaims(client: KcClient, user: KcUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of client.attributeClaims ?? []) {
    const values = user.attributes?.[m.attribute];
    if (!values?.length) continue;
    const path = m.claim.split('.');
    let at = out;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = m.multivalued ? values : values[0];
  }
  return out;
}

export function minter(s: KcState) {
  const { ctx, kc, now, tokenTypeFor } = s;
  async function mint(
    iss: string,
    realm: Realm,
    client: KcClient,
    subject: { id: string; user?: KcUser; serviceAccount?: boolean },
    scope: string,
    session: UserSession | undefined,
    requestedScope: string | undefined,
    withRefresh: boolean,
    refreshOnly = false,
    /** What the authorization request asked the ID token to carry back (its nonce). */
    idTokenRequest: { nonce?: string } = {},
  ) {
    const keys = await realm.keys();
    const t = now();
    const sessionEnd =
      session && !session.offline ? session.started + realm.config.ssoSessionMaxLifespan : Number.POSITIVE_INFINITY;
    const exp = Math.min(t + (client.accessTokenLifespan ?? realm.config.accessTokenLifespan), sessionEnd);
    const user = subject.user;
    // Roles through the user's groups too (mocks/keycloak/roles.ts); claims of the realm, the client, the user, in that order.
    const roles = user ? effectiveRoles(realm, user) : { realm: [], clients: {} };
    const claims = {
      ...(realm.config.claims ?? {}),
      ...(client.claims ?? {}),
      ...(user ? attributeClaims(client, user) : {}),
      ...(user?.claims ?? {}),
    };
    // An Audience mapper adds its audiences before "account" (the audience resolve of the account client's roles).
    const audiences = [...(client.audience ?? []), ...(user ? ['account'] : [])];
    const profile = user
      ? {
          email_verified: !!user.email,
          ...(user.firstName || user.lastName
            ? { name: [user.firstName, user.lastName].filter(Boolean).join(' ') }
            : {}),
          preferred_username: user.username,
          ...(user.firstName ? { given_name: user.firstName } : {}),
          ...(user.lastName ? { family_name: user.lastName } : {}),
          ...(user.email ? { email: user.email } : {}),
        }
      : { preferred_username: `service-account-${client.clientId}`, client_id: client.clientId };
    const sessionClaims = (s: UserSession | undefined) => ({
      ...(s && kc.sessionStateClaim ? { session_state: s.id } : {}),
    });
    // Claim order as Keycloak serialises an AccessToken.
    const defect = ctx.config.plantedDeviations.jwtDefect;
    const access = {
      exp: defect === 'exp-in-milliseconds' ? exp * 1000 : exp,
      iat: defect === 'iat-equals-exp' ? exp : t,
      ...(session && !subject.serviceAccount ? { auth_time: session.started } : {}),
      jti: randomUUID(),
      iss: defect === 'wrong-issuer' ? `${iss}-elsewhere` : iss,
      ...(audiences.length ? { aud: audiences.length === 1 ? audiences[0] : audiences } : {}),
      sub: subject.id,
      typ: 'Bearer',
      azp: client.clientId,
      ...sessionClaims(session),
      acr: '1',
      realm_access: {
        roles: [...new Set(['offline_access', `default-roles-${realm.name}`, 'uma_authorization', ...roles.realm])],
      },
      // Client roles as Keycloak's role mapper writes them: resource_access.<client id>.roles.
      ...(Object.keys(roles.clients).length
        ? {
            resource_access: Object.fromEntries(
              Object.entries(roles.clients).map(([clientId, list]) => [clientId, { roles: list }]),
            ),
          }
        : {}),
      scope,
      ...(session && kc.sidClaim ? { sid: session.id } : {}),
      ...profile,
      ...claims,
    };
    // A technical user's offline token needs no access token: no RS256 work (nor key import) at start-up then.
    let accessToken = '';
    if (!refreshOnly) {
      const rsa = await keys.rsa();
      accessToken = await signRs256(access, rsa.kid, defect === 'foreign-key' ? foreignSigningKey() : rsa);
    }
    let refreshToken: string | undefined;
    let refreshExp = 0;
    if (withRefresh && session) {
      const offline = session.offline;
      refreshExp = offline ? 0 : Math.min(t + realm.config.ssoSessionIdleTimeout, sessionEnd);
      const refresh = {
        ...(offline ? {} : { exp: refreshExp }),
        iat: t,
        jti: randomUUID(),
        iss,
        aud: iss,
        sub: subject.id,
        typ: offline && defect !== 'offline-typed-refresh' ? 'Offline' : 'Refresh',
        azp: client.clientId,
        ...sessionClaims(session),
        scope,
        ...(kc.sidClaim ? { sid: session.id } : {}),
      };
      refreshToken = signHmac(refresh, kc.refreshAlg, keys.hmacKid, keys.hmacSecret);
    }
    let idToken: string | undefined;
    if (user && (requestedScope ?? '').split(' ').includes('openid')) {
      const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
      const rsa = await keys.rsa();
      idToken = await signRs256(
        {
          exp,
          iat: t,
          auth_time: session?.started ?? t,
          jti: randomUUID(),
          iss,
          aud: defect === 'foreign-audience' ? 'idpc-another-client' : client.clientId,
          sub: subject.id,
          typ: 'ID',
          azp: client.clientId,
          ...(idTokenRequest.nonce !== undefined ? { nonce: idTokenRequest.nonce } : {}),
          ...sessionClaims(session),
          at_hash: atHash,
          acr: '1',
          ...(session && kc.sidClaim ? { sid: session.id } : {}),
          ...profile,
          ...claims,
        },
        rsa.kid,
        rsa,
      );
    }
    // AccessTokenResponse field order; refresh_expires_in 0 without a refresh token or for offline tokens.
    const body = {
      access_token: accessToken,
      expires_in: exp - t,
      refresh_expires_in:
        refreshToken && refreshExp > 0
          ? refreshExp - t
          : refreshToken && defect === 'offline-expires'
            ? realm.config.ssoSessionIdleTimeout
            : 0,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      token_type: tokenTypeFor(client),
      ...(idToken ? { id_token: idToken } : {}),
      'not-before-policy': 0,
      ...(session ? { session_state: session.id } : {}),
      scope,
    };
    return { body, refreshToken };
  }

  return { mint };
}

/** A key that is in no realm's JWKS (plantedDeviations.jwtDefect foreign-key), made once. */
let foreign: { privateKey: KeyObject } | undefined;
function foreignSigningKey(): { privateKey: KeyObject } {
  foreign ??= { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
  return foreign;
}
