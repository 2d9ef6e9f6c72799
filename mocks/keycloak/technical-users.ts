/** Developer-portal technical users (seed 001): a confidential client with an offline refresh token, shown once. */
import { randomUUID } from 'node:crypto';
import { sealUser } from '../core/passwords.js';
import { alphanumericToken } from '../core/random.js';
import type { minter } from './mint.js';
import type { KcClient, KcUser } from './model.js';
import type { KcState } from './state.js';

export function technicalUsers(s: KcState, { mint }: ReturnType<typeof minter>) {
  const { rel, realms, baseOf, issuerAt, oidcAt, sessions } = s;
  /** A developer-portal technical user: a confidential client plus an offline refresh token, shown once. */
  async function createTechnicalUser(input: {
    realm: string;
    name: string;
    clientId?: string;
    clientSecret?: string;
    userId?: string;
  }) {
    const realm = realms.get(input.realm);
    if (!realm) throw new Error(`no realm "${input.realm}"`);
    const store = s.ctx.grants.store;
    if (!store.shared) return (await createIn(realm, input)).shown;
    // Replicas on a shared store have one technical user per realm and name: the first creates it (its user, client
    // and offline session), every other one takes the same user and client into its maps and shows the same.
    const key = `kc:${realm.name}:technical-user:${input.name}`;
    return store.exclusive(key, async () => {
      const held = await store.getDoc<{
        user: KcUser;
        client: KcClient;
        shown: Awaited<ReturnType<typeof createIn>>['shown'];
      }>(key);
      if (held) {
        realm.users.set(held.user.username, held.user);
        realm.clients.set(held.client.clientId, held.client);
        return held.shown;
      }
      const created = await createIn(realm, input);
      // Its user's (never used) password goes in as a hash only, like every password in the shared store.
      const user = sealUser(created.user);
      await store.putDoc(key, { ...created, user }, Number.POSITIVE_INFINITY, s.now());
      // Replicas that never create it take its client in when a request names it (KcState.adoptSharedClient).
      await store.putDoc(
        s.sharedClientKey(realm, created.client.clientId),
        { user, client: created.client },
        Number.POSITIVE_INFINITY,
        s.now(),
      );
      return created.shown;
    });
  }

  async function createIn(
    realm: NonNullable<ReturnType<typeof realms.get>>,
    input: { realm: string; name: string; clientId?: string; clientSecret?: string; userId?: string },
  ) {
    const userId = input.userId ?? randomUUID();
    const user: KcUser = {
      username: randomUUID(),
      password: alphanumericToken(32),
      enabled: true,
      operator: false,
      groups: [],
      id: userId,
      firstName: undefined,
      lastName: input.name,
    };
    realm.users.set(user.username, user);
    const client: KcClient = {
      clientId: input.clientId ?? randomUUID(),
      clientSecret: input.clientSecret ?? alphanumericToken(32),
      public: false,
      grants: ['refresh_token'],
      scopes: ['profile', 'email'],
      enabled: true,
      offlineAllowed: true,
    };
    realm.clients.set(client.clientId, client);
    const session = await sessions.create(realm, { id: userId, username: user.username }, client.clientId, true);
    const base = baseOf(undefined, rel);
    const { refreshToken } = await mint(
      issuerAt(realm, base),
      realm,
      client,
      { id: userId, user },
      'profile email offline_access',
      session,
      undefined,
      true,
      true,
    );
    return {
      user,
      client,
      shown: {
        realm: realm.name,
        name: input.name,
        clientId: client.clientId,
        clientSecret: client.clientSecret!,
        refreshToken,
        tokenEndpoint: oidcAt(realm, base, '/token'),
      },
    };
  }

  return { createTechnicalUser };
}
