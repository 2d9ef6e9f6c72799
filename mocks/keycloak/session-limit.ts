/**
 * The User Session Count Limiter, in the direct-grant flow and in the browser flow: deny a new session, or end the
 * oldest ones. Source: keycloak/keycloak services/.../authentication/authenticators/sessionlimits/
 * UserSessionLimitsAuthenticator.java (counts the user's online sessions in the realm, and per client when a client
 * limit is set; "exceeded" is count >= limit). A browser login counts like a password grant; an SSO re-use does not.
 */
import { header, type MockRequest, type MockResponse } from '../core/http.js';
import { errorPage, json, NO_CACHE, userIdOf, type KcClient, type KcUser, type Realm } from './model.js';
import type { KcState } from './state.js';

export type LimitedFlow = { flow: 'direct'; req: MockRequest } | { flow: 'browser' };

export function sessionLimiter(s: KcState) {
  const { kc, sessions } = s;
  /** Undefined to go on (room, or the oldest sessions ended); otherwise the refusal in the flow's format. */
  return async function enforceSessionLimit(
    realm: Realm,
    client: KcClient,
    user: KcUser,
    flow: LimitedFlow,
  ): Promise<MockResponse | undefined> {
    const limit = realm.config.sessionLimit;
    if (kc.sessionLimitDeny === 'no-limiter') return undefined; // Keycloak <= 16 had none (init says so)
    if (!limit || (!limit.realmLimit && !limit.clientLimit)) return undefined;
    if (limit.clients && !limit.clients.includes(client.clientId)) return undefined; // a flow override for other clients
    // Bound to the flows that use it (a limiter only in the browser flow leaves password grants alone).
    if (limit.flows && !limit.flows.includes(flow.flow === 'direct' ? 'direct-grant' : 'browser')) return undefined;
    const userId = userIdOf(realm.name, user);
    // The user's own sessions only (UserSessionLimitsAuthenticator counts per user): O(sessions of the user), not of the realm.
    const live = async () => (await sessions.ofUser(realm, userId)).filter((x) => !x.offline);
    const exceeded = (online: Awaited<ReturnType<typeof live>>) =>
      (limit.realmLimit !== undefined && online.length >= limit.realmLimit) ||
      (limit.clientLimit !== undefined &&
        online.filter((x) => Object.hasOwn(x.clients, client.clientId)).length >= limit.clientLimit);
    let online = await live();
    if (!exceeded(online)) return undefined;
    if (limit.behavior === 'terminate-oldest') {
      while (exceeded(online)) {
        const oldest = online.sort((a, b) => a.lastRefresh - b.lastRefresh)[0];
        if (!oldest) break;
        await sessions.drop(realm, oldest.id);
        online = await live();
      }
      return undefined;
    }
    const message = limit.errorMessage ?? 'There are too many sessions';
    // The browser flow has shown the 403 error page since the limiter arrived (17); the direct grant was a 500
    // unknown_error until Keycloak 23's JSON error handler.
    if (flow.flow === 'browser') return errorPage(realm, 403, message);
    if (kc.sessionLimitDeny === 'unknown-error-500') return json(500, { error: 'unknown_error' }, NO_CACHE);
    // FreeMarkerLoginFormsProvider.createErrorPage: JSON for a JSON request, otherwise the HTML error page.
    if ((header(flow.req, 'accept') ?? '').includes('application/json')) return json(403, { error: message }, NO_CACHE);
    return errorPage(realm, 403, message, NO_CACHE);
  };
}
