import { describe, expect, it } from 'vitest';
import type { Exchange } from '../runner/types.js';
import { basicChallenge, bearerChallenge, clientError, distinctStrongTokens, entropyBits, noRefreshToken, noServerError, noToken, oauthError, parallelRefreshes, refused, sameScope, scopeWithin, singleChallengeAttributes } from './rules.js';

const ex = (status: number, body: unknown = {}, headers: Record<string, string> = {}): Exchange => ({
  request: { method: 'POST', url: 'https://idp.example/token', headers: {} },
  response: { status, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])), body: typeof body === 'string' ? body : JSON.stringify(body) },
  durationMs: 1,
});
const noAnswer: Exchange = { request: { method: 'POST', url: 'https://idp.example/token', headers: {} }, error: 'ECONNRESET', durationMs: 1 };

describe('scenario rules (pure functions over exchanges)', () => {
  it('noServerError', () => {
    expect(noServerError(ex(400)).passed).toBe(true);
    expect(noServerError(ex(502))).toEqual({ passed: false, message: 'answered 502' });
    expect(noServerError(noAnswer).passed).toBe(false);
  });

  it('noToken, clientError, refused', () => {
    expect(noToken('GET')(ex(405)).passed).toBe(true);
    expect(noToken('GET')(ex(200, { access_token: 'x' })).passed).toBe(false);
    expect(clientError('json')(ex(415)).passed).toBe(true);
    expect(clientError('json')(ex(500)).passed).toBe(false);
    expect(clientError('json')(ex(200)).passed).toBe(false);
    expect(refused('query token')(ex(401)).passed).toBe(true);
    expect(refused('query token')(ex(200)).message).toBe('query token was accepted (200)');
  });

  it('oauthError: status and code together', () => {
    const rule = oauthError('wrong password', [400], ['invalid_grant']);
    expect(rule(ex(400, { error: 'invalid_grant' })).passed).toBe(true);
    expect(rule(ex(401, { error: 'invalid_grant' })).message).toBe('wrong password: got 401 invalid_grant, expected 400 invalid_grant');
    expect(rule(ex(400, 'not json')).passed).toBe(false);
  });

  it('challenges', () => {
    expect(basicChallenge(ex(401, {}, { 'www-authenticate': 'Basic realm="x"' })).passed).toBe(true);
    expect(basicChallenge(ex(401, {}, { 'www-authenticate': 'Bearer error="invalid_client"' })).passed).toBe(false);
    expect(basicChallenge(ex(400)).passed).toBe(true);
    expect(bearerChallenge(ex(401, {}, { 'www-authenticate': 'Bearer realm="api"' })).passed).toBe(true);
    expect(bearerChallenge(ex(403, '')).passed).toBe(false);
    expect(singleChallengeAttributes(ex(401, {}, { 'www-authenticate': 'Bearer realm="a", error="x", error="y"' })).passed).toBe(false);
    expect(singleChallengeAttributes(ex(401, {}, { 'www-authenticate': 'Bearer realm="a", error="x"' })).passed).toBe(true);
  });

  it('tokens: refresh token presence, distinctness and entropy', () => {
    expect(noRefreshToken(ex(200, { access_token: 'a' })).passed).toBe(true);
    expect(noRefreshToken(ex(200, { access_token: 'a', refresh_token: 'r' })).passed).toBe(false);
    expect(entropyBits('aaaa')).toBe(0);
    expect(entropyBits('tg31ied56fOo4axuhuZLHj5JpUYCEL')).toBeGreaterThan(120);
    expect(distinctStrongTokens(['tg31ied56fOo4axuhuZLHj5JpUYCEL', '1ryXhXbNA9RsTRuCE8fDAyZToJmp30']).passed).toBe(true);
    expect(distinctStrongTokens(['tg31ied56fOo4axuhuZLHj5JpUYCEL', 'tg31ied56fOo4axuhuZLHj5JpUYCEL']).message).toBe('two grants returned the same token');
    expect(distinctStrongTokens(['abcabcabcabc']).passed).toBe(false);
  });

  it('scopes and parallel refreshes', () => {
    expect(sameScope('a b', 'b a').passed).toBe(true);
    expect(sameScope('a b', 'a').passed).toBe(false);
    expect(scopeWithin('a', 'a b').passed).toBe(true);
    expect(scopeWithin('c', 'a b').passed).toBe(false);
    expect(parallelRefreshes([ex(200), ex(400), ex(400)], 1).passed).toBe(true);
    expect(parallelRefreshes([ex(200), ex(200)], 1).passed).toBe(false);
    expect(parallelRefreshes([ex(200), ex(503)], 5).message).toBe('1 of 2 parallel refreshes got a 5xx');
  });
});
