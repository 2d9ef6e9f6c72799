/** Series H: refresh token rotation and replay (RFC 9700 §4.14.2; OAuth 2.1 §4.3.1). */
import { defineCheck, describeAnswer, outcome, RFC9700, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';
import type { RefreshMode } from '../vocabulary/types.js';

const S4142 = `${RFC9700}#section-4.14.2`;

export const declaredRotation = defineCheck({
  id: 'TE-H1',
  title: 'Refresh token mode (rotating, non-rotating) matches the declared policy',
  level: 'MUST',
  requirement: 'RFC 9700 §4.14.2 (the declared policy)',
  url: S4142,
  judge: (declared: RefreshMode, rotated: boolean) => {
    if (declared === 'reuse') return outcome(!rotated, 'declared non-rotating, but a new refresh token came back');
    if (declared === 'rotate' || declared === 'rotate-revoke')
      return outcome(rotated, 'declared rotating, but the same refresh token came back');
    return outcome(true, `not declared: the target ${rotated ? 'rotates' : 'keeps'} its refresh tokens`);
  },
});

export const publicClientRotation = defineCheck({
  id: 'TE-H2',
  title: "A public client's refresh tokens are rotated",
  level: 'MUST',
  requirement: 'RFC 9700 §2.2.2, §4.14.2; OAuth 2.1 §4.3.1',
  url: S4142,
  profiles: { rfc6749: 'info' },
  judge: (rotated: boolean) =>
    outcome(rotated, 'a public client keeps its refresh token: neither rotated nor sender-constrained'),
});

export const supersededRefused = defineCheck({
  id: 'TE-H3',
  title: 'A superseded refresh token is refused (declared rotation)',
  level: 'MUST',
  requirement: 'RFC 9700 §4.14.2',
  url: S4142,
  judge: (replay: Exchange) =>
    outcome(
      statusOf(replay) !== 200,
      `a superseded refresh token still works (rotation declared): ${describeAnswer(replay)}`,
    ),
});

export const familyRevocation = defineCheck({
  id: 'TE-H4',
  title: 'Replaying a superseded refresh token revokes the active one of the family',
  level: 'MUST',
  requirement: 'RFC 9700 §4.14.2; OAuth 2.1 §4.3.1',
  url: S4142,
  profiles: { rfc6749: 'info' },
  publicClientsOnly: true,
  judge: (active: Exchange) =>
    outcome(statusOf(active) !== 200, 'after the replay of a superseded refresh token, the active one still works'),
});

export const parallelRefreshes = defineCheck({
  id: 'TE-H7',
  title: 'Parallel refreshes with one refresh token: no 5xx, at most the allowed successes',
  level: 'MUST',
  requirement: 'RFC 9700 §4.14.2 (derived)',
  url: S4142,
  judge: (exchanges: Exchange[], allowed: number) => {
    const errors = exchanges.filter((e) => (statusOf(e) ?? 500) >= 500).length;
    const successes = exchanges.filter((e) => statusOf(e) === 200).length;
    return outcome(
      errors === 0 && successes <= allowed,
      errors
        ? `${errors} of ${exchanges.length} parallel refreshes got a 5xx`
        : `${successes} of ${exchanges.length} parallel refreshes with one refresh token succeeded (at most ${allowed} allowed)`,
    );
  },
});
