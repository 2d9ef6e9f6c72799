/**
 * Keycloak's authorization codes and login state: the code `{uuid}.{userSessionId}.{client internal id}` with its
 * single-use entry that lives "Client login timeout" (accessCodeLifespan, 60 s), the authentication session behind a
 * login page ("Login timeout", 1800 s), and the SSO cookie's session. All are documents in the mock's store, so
 * replicas sharing one see the same codes and a code is taken once, whichever replica is asked.
 * Source: keycloak/keycloak services/.../protocol/oidc/utils/OAuth2CodeParser.java (persistCode, parseCode: the entry
 * is removed when it is read), protocol/oidc/OIDCLoginProtocol.java (authenticated: the code's parts),
 * services/managers/AuthenticationSessionManager.java (the root authentication session and its tabs).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Realm } from '../model.js';
import type { KcState } from '../state.js';

/** What a code is bound to (OIDCLoginProtocol.authenticated: the code data). */
export interface CodeData {
  sessionId: string;
  userId: string;
  clientId: string;
  /** The redirect_uri parameter as the authorization request sent it; null when it was left out. */
  redirectUriParam: string | null;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** One login page's state: the request it continues (an authentication session tab). */
export interface AuthSession {
  rootId: string;
  tabId: string;
  clientId: string;
  redirectUri: string;
  redirectUriParam: string | null;
  responseMode: 'query' | 'fragment' | 'form_post';
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  loginHint?: string;
  /** prompt=login or max_age: the user of the SSO session logs in again, its username pre-set. */
  reauthenticate?: string;
  /** Logged in (this user session), waiting for the user's consent to the client. */
  awaitingConsent?: string;
  expiresAt: number;
}

/** The client's database id, the third part of a code (a stable UUID per realm and client id here). */
export function clientInternalId(realm: Realm, clientId: string): string {
  const h = createHash('sha256').update(`client\0${realm.name}\0${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function browserState(s: KcState) {
  const store = s.ctx.grants.store;
  const codeKey = (realm: Realm, id: string) => `kc:${realm.name}:code:${id}`;
  const tabKey = (realm: Realm, root: string, tab: string) => `kc:${realm.name}:auth:${root}:${tab}`;

  return {
    /** Persists a code for this session and client; its value is what the redirect carries. */
    async issueCode(realm: Realm, data: Omit<CodeData, 'expiresAt'>, lifetime: number): Promise<string> {
      const id = randomUUID();
      const expiresAt = s.now() + lifetime;
      await store.putDoc(codeKey(realm, id), { ...data, expiresAt }, expiresAt, s.now());
      return `${id}.${data.sessionId}.${clientInternalId(realm, data.clientId)}`;
    },

    /**
     * The code's data, removed as it is read (single use) unless `keep` (a planted defect); undefined for an
     * unknown, already used or evicted code. Atomic across replicas: two exchanges at once get it once.
     */
    async takeCode(realm: Realm, code: string, keep: boolean): Promise<CodeData | undefined> {
      const [id, sessionId, clientPart] = code.split('.');
      if (!id || !sessionId || !clientPart || code.split('.').length !== 3) return undefined;
      const key = codeKey(realm, id);
      return store.exclusive(key, async () => {
        const data = await store.getDoc<CodeData>(key);
        if (!data || data.sessionId !== sessionId || clientInternalId(realm, data.clientId) !== clientPart)
          return undefined;
        if (!keep) await store.deleteDoc(key);
        return data;
      });
    },

    /** The session and client a code names, readable without the code's entry (to detach a replayed code's client session). */
    partsOf(code: string): { sessionId?: string; clientPart?: string } {
      const [, sessionId, clientPart] = code.split('.');
      return { ...(sessionId ? { sessionId } : {}), ...(clientPart ? { clientPart } : {}) };
    },

    async saveAuthSession(realm: Realm, a: AuthSession): Promise<void> {
      await store.putDoc(tabKey(realm, a.rootId, a.tabId), a, a.expiresAt, s.now());
    },
    async authSession(realm: Realm, root: string, tab: string): Promise<AuthSession | undefined> {
      const a = await store.getDoc<AuthSession>(tabKey(realm, root, tab));
      return a && a.expiresAt > s.now() ? a : undefined;
    },
    async endAuthSession(realm: Realm, a: AuthSession): Promise<void> {
      await store.deleteDoc(tabKey(realm, a.rootId, a.tabId));
    },

    /** The user's consent to a client (the account console lists it; the mock keeps it until a reset). */
    async consented(realm: Realm, userId: string, clientId: string): Promise<boolean> {
      return (await store.getDoc(`kc:${realm.name}:consent:${userId}:${clientId}`)) !== undefined;
    },
    async grantConsent(realm: Realm, userId: string, clientId: string): Promise<void> {
      await store.putDoc(`kc:${realm.name}:consent:${userId}:${clientId}`, 1, Number.POSITIVE_INFINITY, s.now());
    },
  };
}

export type BrowserState = ReturnType<typeof browserState>;
