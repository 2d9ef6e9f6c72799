/** Series J: using the access token at a bearer-protected resource (RFC 6750). */
import { defineCheck, describeAnswer, outcome, RFC6750, statusOf } from './define.js';
import type { Exchange } from '../vocabulary/types.js';

export const freshAccessWorks = defineCheck({
  id: 'TE-J1',
  title: 'A fresh access token works at the resource',
  level: 'MUST',
  requirement: 'RFC 6750 §2.1',
  url: `${RFC6750}#section-2.1`,
  judge: (e: Exchange, how = '') =>
    outcome(
      (statusOf(e) ?? 500) < 400,
      `a fresh access token${how ? ` ${how}` : ''} was refused: ${describeAnswer(e)}`,
    ),
});

export const noCredentialsChallenge = defineCheck({
  id: 'TE-J2',
  title: 'No credentials at the resource: 401 with a Bearer challenge',
  level: 'MUST',
  requirement: 'RFC 6750 §3',
  url: `${RFC6750}#section-3`,
  judge: (e: Exchange) => {
    const c = e.response?.headers['www-authenticate']?.[0] ?? '';
    return outcome(
      statusOf(e) === 401 && /^Bearer\b/i.test(c),
      `no credentials: ${describeAnswer(e)}${c ? ` with "${c}"` : ' without a WWW-Authenticate challenge'}`,
    );
  },
});

export const badAccessRefused = defineCheck({
  id: 'TE-J3',
  title: 'A revoked, garbage or expired access token is refused at the resource',
  level: 'MUST',
  requirement: 'RFC 6750 §3, §3.1',
  url: `${RFC6750}#section-3.1`,
  variants: ['garbage', 'revoked', 'expired'],
  judge: (e: Exchange, what: string) => {
    const s = statusOf(e) ?? 0;
    return outcome(s >= 400 && s < 500, `${what} access token at the resource: ${describeAnswer(e)}`);
  },
});

export const singleChallengeAttributes = defineCheck({
  id: 'TE-J5',
  title: 'Bearer challenge attributes appear at most once',
  level: 'MUST',
  requirement: 'RFC 6750 §3',
  url: `${RFC6750}#section-3`,
  judge: (e: Exchange) => {
    const c = e.response?.headers['www-authenticate']?.[0] ?? '';
    const names = [...c.matchAll(/([a-z_]+)=/gi)].map((m) => m[1]!.toLowerCase());
    return outcome(names.length === new Set(names).size, `a challenge attribute repeats: ${c}`);
  },
});

export const tokenInQuery = defineCheck({
  id: 'TE-J6',
  title: 'An access token in the URI query is not accepted',
  level: 'SHOULD',
  requirement: 'RFC 6750 §2.3 (SHOULD NOT); OAuth 2.1 omits it',
  url: `${RFC6750}#section-2.3`,
  profiles: { oauth21: 'error' },
  judge: (e: Exchange) =>
    outcome((statusOf(e) ?? 0) >= 400, `an access token in the URI query was accepted (${describeAnswer(e)})`),
});
