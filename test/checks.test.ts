import { describe, expect, it } from 'vitest';
import { badAccessRefused, noCredentialsChallenge, singleChallengeAttributes } from '../src/checks/bearer.js';
import { basicChallenge } from '../src/checks/client-auth.js';
import { isExpectedError } from '../src/checks/define.js';
import {
  clientCredentials,
  noEnumeration,
  noRefreshForClientCredentials,
  scopeBeyondAllowance,
} from '../src/checks/grants.js';
import { accessTokenSignature } from '../src/checks/jwt.js';
import { answeredInTime, boundedAnswer, flavourErrors, modelAgrees } from '../src/checks/model.js';
import { narrowerScope, originalScopeKept, scopeKept, widerScope } from '../src/checks/refresh.js';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { getRequest, jsonBody, noServerError, unknownGrantType, validGrant } from '../src/checks/requests.js';
import { declaredRotation, parallelRefreshes } from '../src/checks/rotation.js';
import { errorCharset, errorStatus } from '../src/checks/token-error.js';
import {
  distinctStrongTokens,
  entropyBits,
  pragmaNoCache,
  scopeOmittedHandled,
  scopeStatedWhenChanged,
  scopeWithinRequest,
} from '../src/checks/token-response.js';
import type { Exchange } from '../src/vocabulary/types.js';

const ex = (status: number, body: unknown = {}, headers: Record<string, string> = {}): Exchange => ({
  request: { method: 'POST', url: 'https://idp.example/token', headers: {} },
  response: {
    status,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  },
  durationMs: 1,
});
const noAnswer: Exchange = {
  request: { method: 'POST', url: 'https://idp.example/token', headers: {} },
  error: 'ECONNRESET',
  durationMs: 1,
};

describe('the registry', () => {
  it('every check has an id, a title, a level, a requirement and a url; ids are unique', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_CHECKS) {
      expect(c.id).toMatch(/^(TE-[A-Z]+\d*|SCHEMA)$/);
      expect(c.title.length, c.id).toBeGreaterThan(5);
      expect(c.requirement.length, c.id).toBeGreaterThan(3);
      expect(c.url, c.id).toMatch(/^https:\/\//);
      if (c.variants) expect(new Set(c.variants).size, c.id).toBe(c.variants.length);
    }
  });

  it('every check carries its logic in its definition: a judge, an inspect rule, an expected error, or the validator', () => {
    const withoutLogic = ALL_CHECKS.filter((c) => !c.judge && !c.inspect && !c.expects && !c.byValidator).map(
      (c) => c.id,
    );
    expect(withoutLogic).toEqual([]);
  });
});

describe('check rules (pure functions over exchanges)', () => {
  it('TE-A2 and TE-F1: a request that must succeed holds on a 200 only', () => {
    expect(validGrant.judge(ex(200, { access_token: 'a' })).passed).toBe(true);
    expect(clientCredentials.judge(ex(401, { error: 'invalid_client' }))).toMatchObject({ passed: false });
    expect(clientCredentials.judge(noAnswer).message).toContain('ECONNRESET');
  });

  it("TE-FL: status, code and description against the flavour's documented answer (a trailing ... is a prefix)", () => {
    const documented = { status: 400, error: 'invalid_grant', description: 'Invalid user credentials' };
    const answer = (body: unknown, status = 400) => flavourErrors.judge('bad-password', documented, ex(status, body));
    expect(answer({ error: 'invalid_grant', error_description: 'Invalid user credentials' }).passed).toBe(true);
    expect(answer({ error: 'invalid_grant', error_description: 'Bad credentials' }).passed).toBe(false);
    expect(answer({ error: 'invalid_grant', error_description: 'Invalid user credentials' }, 401).passed).toBe(false);
    const prefix = { status: 400, error: 'invalid_grant', description: 'Invalid refresh token: ...' };
    expect(
      flavourErrors.judge(
        'bad-refresh-token',
        prefix,
        ex(400, { error: 'invalid_grant', error_description: 'Invalid refresh token: x' }),
      ).passed,
    ).toBe(true);
  });

  it('TE-N1 and TE-N3: a timed-out answer, an answer cut at the size limit', () => {
    expect(answeredInTime.judge(ex(200), 1000).passed).toBe(true);
    expect(answeredInTime.judge({ ...noAnswer, timedOut: true }, 1000).message).toMatch(
      /^no answer within 1000 ms: POST /,
    );
    expect(boundedAnswer.judge(ex(200)).passed).toBe(true);
    expect(boundedAnswer.judge({ ...ex(200), bodyExceeded: 1024 }).passed).toBe(false);
  });

  it('TE-S1: the target agrees with the model, or the message says which way it did not', () => {
    const seen = { what: 'refresh with a valid refresh token', answer: '400' };
    expect(modelAgrees.judge({ ...seen, expectedToWork: true, worked: true }).passed).toBe(true);
    expect(modelAgrees.judge({ ...seen, expectedToWork: false, worked: false }).passed).toBe(true);
    expect(modelAgrees.judge({ ...seen, expectedToWork: true, worked: false }).message).toBe(
      'refresh with a valid refresh token was refused (400); the model expected it to work',
    );
  });

  it('TE-L1: an unsigned token, a JWKS without keys, and a signature that verifies', async () => {
    const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };
    expect((await accessTokenSignature.judge(token, jwks)).passed).toBe(true);
    expect(await accessTokenSignature.judge(token, { nokeys: true })).toMatchObject({ passed: false });
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect((await accessTokenSignature.judge(unsigned, jwks)).message).toMatch(/unsigned/);
  });

  it('TE-A11 no server error, and no answer is no conformance either', () => {
    expect(noServerError.judge(ex(400)).passed).toBe(true);
    expect(noServerError.judge(ex(502))).toEqual({ passed: false, message: 'answered 502' });
    expect(noServerError.judge(noAnswer).passed).toBe(false);
  });

  it('requests that must not yield a token, or must get a 4xx', () => {
    expect(getRequest.judge(ex(405)).passed).toBe(true);
    expect(getRequest.judge(ex(200, { access_token: 'x' })).passed).toBe(false);
    expect(jsonBody.judge(ex(415)).passed).toBe(true);
    expect(jsonBody.judge(ex(500)).passed).toBe(false);
    expect(jsonBody.judge(ex(200)).passed).toBe(false);
  });

  it('expected errors: status and code together', () => {
    expect(isExpectedError(unknownGrantType, ex(400, { error: 'unsupported_grant_type' })).passed).toBe(true);
    expect(isExpectedError(unknownGrantType, ex(401, { error: 'unsupported_grant_type' })).message).toBe(
      'got 401 unsupported_grant_type, expected 400 unsupported_grant_type',
    );
    expect(isExpectedError(unknownGrantType, ex(400, 'not json')).passed).toBe(false);
  });

  it('per-answer rules: TE-D1, TE-D4, TE-C14', () => {
    expect(errorStatus.inspect(ex(401).response!, { error: 'invalid_client' }).passed).toBe(true);
    expect(errorStatus.inspect(ex(401).response!, { error: 'invalid_grant' }).passed).toBe(false);
    expect(errorCharset.inspect(ex(400).response!, { error: 'custom_code' }).passed).toBe(true);
    expect(errorCharset.inspect(ex(400).response!, { error: 'bad"code' }).passed).toBe(false);
    expect(pragmaNoCache.inspect(ex(200, {}, { pragma: 'no-cache' }).response!).passed).toBe(true);
    expect(pragmaNoCache.inspect(ex(200).response!).message).toBe('no Pragma: no-cache header');
  });

  it('challenges', () => {
    expect(basicChallenge.judge(ex(401, {}, { 'www-authenticate': 'Basic realm="x"' })).passed).toBe(true);
    expect(basicChallenge.judge(ex(401, {}, { 'www-authenticate': 'Bearer error="invalid_client"' })).passed).toBe(
      false,
    );
    expect(basicChallenge.judge(ex(400)).passed).toBe(true);
    expect(noCredentialsChallenge.judge(ex(401, {}, { 'www-authenticate': 'Bearer realm="api"' })).passed).toBe(true);
    expect(noCredentialsChallenge.judge(ex(403, '')).passed).toBe(false);
    expect(
      singleChallengeAttributes.judge(ex(401, {}, { 'www-authenticate': 'Bearer realm="a", error="x", error="y"' }))
        .passed,
    ).toBe(false);
    expect(
      singleChallengeAttributes.judge(ex(401, {}, { 'www-authenticate': 'Bearer realm="a", error="x"' })).passed,
    ).toBe(true);
    expect(badAccessRefused.judge(ex(401), 'a garbage').passed).toBe(true);
    expect(badAccessRefused.judge(ex(502), 'a garbage').passed).toBe(false);
  });

  it('tokens: refresh token presence, distinctness and entropy', () => {
    expect(noRefreshForClientCredentials.judge(ex(200, { access_token: 'a' })).passed).toBe(true);
    expect(noRefreshForClientCredentials.judge(ex(200, { access_token: 'a', refresh_token: 'r' })).passed).toBe(false);
    expect(entropyBits('aaaa')).toBe(0);
    expect(entropyBits('tg31ied56fOo4axuhuZLHj5JpUYCEL')).toBeGreaterThan(120);
    expect(
      distinctStrongTokens.judge(['tg31ied56fOo4axuhuZLHj5JpUYCEL', '1ryXhXbNA9RsTRuCE8fDAyZToJmp30']).passed,
    ).toBe(true);
    expect(
      distinctStrongTokens.judge(['tg31ied56fOo4axuhuZLHj5JpUYCEL', 'tg31ied56fOo4axuhuZLHj5JpUYCEL']).message,
    ).toBe('two grants returned the same token');
    expect(distinctStrongTokens.judge(['abcabcabcabc']).passed).toBe(false);
  });

  it('scopes, enumeration, rotation and parallel refreshes', () => {
    expect(scopeKept.judge('a b', 'b a').passed).toBe(true);
    expect(scopeKept.judge('a b', 'a').passed).toBe(false);
    expect(narrowerScope.judge(ex(200), 'a', 'a b').passed).toBe(true);
    expect(narrowerScope.judge(ex(200, { scope: 'a' }), 'a', 'a b').passed).toBe(true);
    // The narrowing ignored: the full scope again.
    expect(narrowerScope.judge(ex(200, { scope: 'a b' }), 'a', 'a b').passed).toBe(false);
    expect(narrowerScope.judge(ex(400, { error: 'invalid_scope' }), 'a', 'a b').passed).toBe(false);
    expect(originalScopeKept.judge(ex(200, { scope: 'b a' }), 'a b').passed).toBe(true);
    expect(originalScopeKept.judge(ex(200, { scope: 'a' }), 'a b').passed).toBe(false);
    expect(widerScope.judge(ex(200, { scope: 'a' }), 'a b', 'a').passed).toBe(true);
    expect(widerScope.judge(ex(200), 'a b', 'a').passed).toBe(false);
    expect(scopeStatedWhenChanged.judge(ex(200, { scope: 'a' }), 'a x', 'x').passed).toBe(true);
    expect(scopeStatedWhenChanged.judge(ex(200), 'a x', 'x').passed).toBe(false);
    expect(scopeStatedWhenChanged.judge(ex(200, { scope: 'a x' }), 'a x', 'x').passed).toBe(false);
    expect(scopeOmittedHandled.judge(ex(400, { error: 'invalid_scope' })).passed).toBe(true);
    expect(scopeOmittedHandled.judge(ex(400, { error: 'invalid_request' })).passed).toBe(false);
    expect(scopeWithinRequest.judge('a b', 'a').passed).toBe(true);
    expect(scopeWithinRequest.judge('a', 'a admin').passed).toBe(false);
    expect(scopeBeyondAllowance.judge(ex(400, { error: 'invalid_scope' }), 'x').passed).toBe(true);
    expect(scopeBeyondAllowance.judge(ex(200, { scope: 'a x' }), 'x').passed).toBe(false);
    expect(noEnumeration.judge(ex(400, { error: 'invalid_grant' }), ex(400, { error: 'invalid_grant' })).passed).toBe(
      true,
    );
    expect(noEnumeration.judge(ex(400, { error: 'invalid_grant' }), ex(404, { error: 'user_not_found' })).passed).toBe(
      false,
    );
    expect(declaredRotation.judge('rotate', false).passed).toBe(false);
    expect(declaredRotation.judge('reuse', true).passed).toBe(false);
    expect(declaredRotation.judge('unknown', true).passed).toBe(true);
    expect(parallelRefreshes.judge([ex(200), ex(400), ex(400)], 1).passed).toBe(true);
    expect(parallelRefreshes.judge([ex(200), ex(200)], 1).passed).toBe(false);
    expect(parallelRefreshes.judge([ex(200), ex(503)], 5).message).toBe('1 of 2 parallel refreshes got a 5xx');
  });
});
