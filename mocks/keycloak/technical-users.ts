/** Developer-portal technical users (seed 001): a confidential client with an offline refresh token, shown once. */
import { randomUUID } from 'node:crypto';
import { alphanumericToken } from '../core/random.js';
import type { minter } from './mint.js';
import type { KcClient, KcUser } from './model.js';
import type { KcState } from './state.js';

export function technicalUsers(s: KcState, { mint }: ReturnType<typeof minter>) {
  const { rel, realms, baseOf, issuerAt, oidcAt, newSession } = s;
  /** A developer-portal technical user: a confidential client plus an offline refresh token, shown once. */
  async function createTechnicalUser(input: { realm: string; name: string; clientId?: string; clientSecret?: string; userId?: string }) {
    const realm = realms.get(input.realm);
    if (!realm) throw new Error(`no realm "${input.realm}"`);
    const userId = input.userId ?? randomUUID();
    const user: KcUser = { username: randomUUID(), password: alphanumericToken(32), enabled: true, operator: false, groups: [], id: userId, firstName: undefined, lastName: input.name };
    realm.users.set(user.username, user);
    const client: KcClient = { clientId: input.clientId ?? randomUUID(), clientSecret: input.clientSecret ?? alphanumericToken(32), public: false, grants: ['refresh_token'], scopes: ['profile', 'email'], enabled: true, offlineAllowed: true };
    realm.clients.set(client.clientId, client);
    const session = newSession(realm, { id: userId, username: user.username }, client.clientId, true);
    const base = baseOf(undefined, rel);
    const { refreshToken } = await mint(issuerAt(realm, base), realm, client, { id: userId, user }, 'profile email offline_access', session, undefined, true, true);
    return { realm: realm.name, name: input.name, clientId: client.clientId, clientSecret: client.clientSecret, refreshToken, tokenEndpoint: oidcAt(realm, base, '/token') };
  }

  return { createTechnicalUser };
}
