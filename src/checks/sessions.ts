/** Series M: sessions and logout (Keycloak's logout endpoint; any target with a logout endpoint or a declared session limit). */
import { defineCheck, describeAnswer, outcome, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

const KC_LOGOUT = 'https://www.keycloak.org/docs/latest/securing_apps/#logout';

export const logoutEndsSession = defineCheck({
  id: 'TE-M1',
  title: 'Logout with the refresh token ends the session: that refresh token is refused afterwards',
  level: 'MUST',
  requirement: 'Keycloak logout endpoint; seed 003',
  url: KC_LOGOUT,
  judge: (logout: Exchange, after: Exchange) =>
    outcome(
      (statusOf(logout) ?? 0) >= 200 && (statusOf(logout) ?? 0) < 300 && statusOf(after) !== 200,
      `logout answered ${describeAnswer(logout)}, then the refresh token ${statusOf(after) === 200 ? 'still worked' : `got ${describeAnswer(after)}`}`,
    ),
});

export const logoutAnswers = defineCheck({
  id: 'TE-M2',
  title: 'A configured logout endpoint answers (not 404 or 405)',
  level: 'MUST',
  requirement: 'derived (a logout that silently fails leaves sessions open)',
  url: KC_LOGOUT,
  judge: (logout: Exchange) =>
    outcome(![404, 405].includes(statusOf(logout) ?? 0), `the logout endpoint answered ${describeAnswer(logout)}`),
});

export const sessionLimit = defineCheck({
  id: 'TE-M3',
  title: "With a declared session limit N, login N+1 gets the flavour's documented refusal, and a logout frees a slot",
  level: 'MUST',
  requirement: "seed 003; Keycloak's user session limits",
  url: 'https://www.keycloak.org/docs/latest/server_admin/#_user-session-limits',
  judge: (extra: Exchange, afterLogout: Exchange, documentedStatus: number | undefined) => {
    const s = statusOf(extra) ?? 0;
    const refusedOk = documentedStatus !== undefined ? s === documentedStatus : s >= 400 && s < 500;
    return outcome(
      refusedOk && statusOf(afterLogout) === 200,
      `login beyond the limit got ${describeAnswer(extra)}${documentedStatus ? ` (the flavour documents ${documentedStatus})` : ''}; after a logout a login got ${describeAnswer(afterLogout)}`,
    );
  },
});
