/** Client authentication (ClientIdAndSecretAuthenticator) and the granted scope. */
import { basicCredentials, header, type MockRequest, type Params } from '../core/http.js';
import { empty, KcError, NO_CACHE, oauthError, REALM_SCOPES, type KcClient, type Realm } from './model.js';
import type { KcState } from './state.js';

export function clientAuthentication(s: KcState) {
  const { ctx, kc } = s;
  // ---- client authentication ----------------------------------------------------------------------------
  async function authenticateClient(
    realm: Realm,
    req: MockRequest,
    p: Params,
  ): Promise<{ client: KcClient; auth: 'basic' | 'post' | 'none' }> {
    const authz = header(req, 'authorization');
    const basic = authz?.startsWith('Basic ')
      ? basicCredentials(req, !ctx.config.plantedDeviations.noBasicDecoding)
      : undefined;
    const bodyId = p.first('client_id');
    if (authz && !authz.startsWith('Basic ') && bodyId === undefined) {
      throw new KcError(empty(401, { ...NO_CACHE, 'WWW-Authenticate': `Basic realm="${realm.name}"` }));
    }
    const creds = basic && basic !== 'malformed' ? basic : undefined;
    // Body client_id / client_secret override the Basic values (ClientIdAndSecretAuthenticator).
    const clientId = bodyId ?? creds?.id;
    const secret = p.first('client_secret') ?? creds?.secret;
    const auth = bodyId !== undefined || p.has('client_secret') ? 'post' : creds ? 'basic' : 'none';
    if (!clientId) {
      throw new KcError(
        kc.clientErrors === 'v20'
          ? oauthError(400, 'invalid_client', 'Missing client_id parameter')
          : oauthError(
              400,
              'unauthorized_client',
              'UNKNOWN_CLIENT: Client was not identified by any client authenticator',
            ),
      );
    }
    const client = realm.clients.get(clientId) ?? (await s.adoptSharedClient(realm, clientId));
    const v20 = kc.clientErrors === 'v20';
    if (!client)
      throw new KcError(
        v20
          ? oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials')
          : oauthError(400, 'invalid_client', 'Invalid client credentials'),
      );
    if (!client.enabled)
      throw new KcError(
        v20
          ? oauthError(401, 'invalid_client', 'Invalid client or Invalid client credentials')
          : oauthError(400, 'unauthorized_client', 'Invalid client credentials'),
      );
    if (!client.public) {
      if (secret === undefined || secret === '')
        throw new KcError(
          v20
            ? oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials')
            : oauthError(401, 'unauthorized_client', 'Client secret not provided in request'),
        );
      if (secret !== client.clientSecret)
        throw new KcError(
          v20
            ? oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials')
            : oauthError(401, 'unauthorized_client', 'Invalid client secret'),
        );
    }
    if (client.bearerOnly) throw new KcError(oauthError(400, 'invalid_client', 'Bearer-only not allowed'));
    return { client, auth };
  }

  /** The client's scope string: requested openid first, then the client's default scopes, then other requested scopes. */
  function grantedScope(client: KcClient, requested: string | undefined): string {
    const req = (requested ?? '').split(' ').filter(Boolean);
    const unknown = req.filter((s) => !REALM_SCOPES.has(s) && !client.scopes.includes(s));
    if (unknown.length) throw new KcError(oauthError(400, 'invalid_scope', `Invalid scopes: ${requested}`));
    const out: string[] = [];
    if (req.includes('openid')) out.push('openid');
    for (const s of client.scopes) if (!out.includes(s)) out.push(s);
    for (const s of req) if (!out.includes(s)) out.push(s);
    return out.join(' ');
  }

  return { authenticateClient, grantedScope };
}
