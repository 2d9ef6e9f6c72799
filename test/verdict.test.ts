import type { FlavourName } from '../src/flavours/index.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../src/checks/define.js';
import { severityOf } from '../src/verdict/index.js';
import { runCommand } from '../src/cli/run.js';
import { UsageError } from '../src/cli/errors.js';
import { validateCapture } from '../src/validate/capture.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-verdict-'));
const quiet = () => {};

describe('severities per profile', () => {
  it.each(PROFILES)('%s: TE-H4 binds public clients only; TE-H1 is a failure; TE-E8 per RFC 9700', (profile) => {
    expect(severityOf('TE-H4', profile, { publicClient: false })).toBe('info');
    expect(severityOf('TE-H4', profile, { publicClient: true })).toBe(profile === 'rfc6749' ? 'info' : 'error');
    expect(severityOf('TE-H1', profile)).toBe('error');
    expect(severityOf('TE-E8', profile)).toBe({ rfc6749: 'info', bcp9700: 'error', oauth21: 'error' }[profile]);
  });

  const response = (tokenType: string) => ({
    status: 200,
    headers: { 'content-type': ['application/json'], 'cache-control': ['no-store'], pragma: ['no-cache'] },
    body: JSON.stringify({ access_token: 'a'.repeat(40), token_type: tokenType, expires_in: 300 }),
  });
  it.each(PROFILES)(
    '%s: TE-C5 rejects "mac", accepts bearer in any case; a flavour-case difference only warns',
    (profile) => {
      const mac = validateCapture({ flavour: 'rfc6749', kind: 'token-response', response: response('mac'), profile });
      expect(mac.findings.find((f) => f.rule === 'TE-C5')?.severity).toBe('error');
      for (const t of ['bearer', 'BEARER', 'DPoP', 'N_A'])
        expect(
          validateCapture({
            flavour: 'rfc6749',
            kind: 'token-response',
            response: response(t),
            profile,
          }).findings.filter((f) => f.rule === 'TE-C5'),
        ).toEqual([]);
      const portal = validateCapture({
        flavour: 'portal',
        kind: 'token-response',
        body: JSON.stringify({
          access_token: 'a'.repeat(30),
          expires_in: 36000,
          token_type: 'bearer',
          scope: 'user:info',
          refresh_token: 'b'.repeat(30),
        }),
        profile,
      });
      expect(portal.findings.find((f) => f.rule === 'TE-C17')?.severity).toBe('warning');
      expect(portal.valid).toBe(true);
    },
  );
});

describe('documented deviations', () => {
  it('every deviation of every flavour names registered checks', async () => {
    const { FLAVOURS } = await import('../src/flavours/index.js');
    const { isRegistered } = await import('../src/checks/registry.js');
    for (const d of Object.values(FLAVOURS).flatMap((f) => f.deviations)) {
      expect(d.checks.length).toBeGreaterThan(0);
      for (const id of d.checks) expect(isRegistered(id), `${id} (${d.reason})`).toBe(true);
    }
  });
});

describe('INCOMPLETE (exit 4): CONFORMS only when the required checks ran', () => {
  it('a config with no clients: exit 4, the untested checks listed', async () => {
    const file = join(dir, 'no-clients.json');
    writeFileSync(
      file,
      JSON.stringify({ flavour: 'rfc6749', endpoints: { token: 'http://127.0.0.1:9/token' }, allowHttp: true }),
    );
    const lines: string[] = [];
    expect(await runCommand({ target: file, reportDir: join(dir, 'r') }, (l) => lines.push(l))).toBe(4);
    const out = lines.join('\n');
    expect(out).toContain('verdict: INCOMPLETE (exit 4)');
    expect(out).toMatch(
      /UNTESTED: grant:TE-A2:password, .*not tested: needs a client and a user for the password grant/,
    );
    expect(out).not.toContain('CONFORMS');
  });

  it('--max-requests 20 on a mock: exit 4 naming the suites not run', async () => {
    const lines: string[] = [];
    expect(
      await runCommand({ mock: 'portal', maxRequests: 20, seed: 1, reportDir: join(dir, 'r2') }, (l) => lines.push(l)),
    ).toBe(4);
    const out = lines.join('\n');
    expect(out).toMatch(/the budget cannot cover the plan \(\d+ requests\): left out grant\//);
    expect(out).toMatch(
      /UNTESTED: .*refresh:TE-G1:user.* not tested: left out: the plan needs \d+ requests, the request budget/,
    );
  });

  it.each([
    [{ maxRequests: -1 }, /--max-requests must be a whole number >= 1/],
    [{ maxRequests: 0 }, /--max-requests/],
    [{ maxRequests: Number.NaN }, /--max-requests/],
    [{ timeout: -100 }, /--timeout/],
    [{ runs: -3 }, /--runs/],
    [{ seed: Number.NaN }, /--seed/],
    [{ rate: '0/s' }, /--rate/],
    [{ rate: '-5/s' }, /--rate/],
  ])('bad number %o: a usage error before any request', async (bad, message) => {
    await expect(runCommand({ mock: 'portal', reportDir: dir, ...bad }, quiet)).rejects.toThrow(UsageError);
    await expect(runCommand({ mock: 'portal', reportDir: dir, ...bad }, quiet)).rejects.toThrow(message);
  });
});

describe('the coverage does not depend on the seed', () => {
  it.each(['portal', 'rator', 'infolink', 'keycloak'])(
    '%s: seeds 1..5 report the same (check, variant) results with the same statuses, and the same verdict',
    async (flavour) => {
      const { startMock } = await import('../mocks/index.js');
      const { runConformance } = await import('../src/runner/run.js');
      const { targetOfMock } = await import('../src/runner/target.js');
      const sets: string[] = [];
      const codes: number[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        const mock = await startMock({ flavour: flavour as FlavourName, journal: { enabled: false } });
        try {
          const run = await runConformance({ target: await targetOfMock(mock, 'rfc6749'), seed, numRuns: 3 });
          sets.push(
            run.results
              .map((r) => `${r.suite}:${r.check}:${r.variant ?? ''}=${r.status}`)
              .sort()
              .join(' '),
          );
          codes.push(run.exitCode);
        } finally {
          await mock.close();
        }
      }
      expect(new Set(sets).size).toBe(1);
      expect(new Set(codes).size).toBe(1);
    },
  );

  const planted: [string, string, Record<string, unknown>, string][] = [
    ['noCacheControl', 'infolink', { plantedDeviations: { noCacheControl: true } }, 'TE-C13'],
    ['serverErrorOnBadPassword', 'portal', { plantedDeviations: { serverErrorOnBadPassword: true } }, 'TE-A11'],
    ['wrongErrorCode', 'rator', { plantedDeviations: { wrongErrorCode: true } }, 'TE-FL'],
    ['acceptExpiredAccessTokens', 'infolink', { plantedDeviations: { acceptExpiredAccessTokens: true } }, 'TE-J3'],
    ['ignoreBrandKey', 'rator', { plantedDeviations: { ignoreBrandKey: true } }, 'TE-A12'],
  ];
  it.each(planted)('planted %s (%s) fails %s at seeds 1..5, in-process', async (_name, flavour, options, check) => {
    const { startMock } = await import('../mocks/index.js');
    const { runConformance } = await import('../src/runner/run.js');
    const { targetOfMock } = await import('../src/runner/target.js');
    for (const seed of [1, 2, 3, 4, 5]) {
      const mock = await startMock({ flavour: flavour as FlavourName, ...options, journal: { enabled: false } });
      try {
        const run = await runConformance({ target: await targetOfMock(mock, 'rfc6749'), seed, numRuns: 2 });
        expect(
          run.results.some((r) => r.check === check && r.status === 'fail'),
          `seed ${seed}`,
        ).toBe(true);
        expect(run.exitCode).toBe(1);
      } finally {
        await mock.close();
      }
    }
  });
});

describe('a documented deviation accepts exactly the documented answer of its case', () => {
  it("Keycloak's TE-E2: a missing username is 401 invalid_request, a missing password 401 invalid_grant, never the other way", async () => {
    const { FLAVOURS } = await import('../src/flavours/index.js');
    const { documentedDeviation } = await import('../src/verdict/index.js');
    const answer = (error: string) => ({
      response: { status: 401, headers: {}, body: JSON.stringify({ error }) },
      body: { error },
    });
    const kc = FLAVOURS.keycloak;
    expect(
      documentedDeviation(kc, 'TE-E2', { ...answer('invalid_request'), variant: 'missing-username' }),
    ).toBeDefined();
    expect(documentedDeviation(kc, 'TE-E2', { ...answer('invalid_grant'), variant: 'missing-password' })).toBeDefined();
    expect(
      documentedDeviation(kc, 'TE-E2', { ...answer('invalid_grant'), variant: 'missing-username' }),
    ).toBeUndefined();
    expect(
      documentedDeviation(kc, 'TE-E2', { ...answer('invalid_request'), variant: 'missing-password' }),
    ).toBeUndefined();
  });
});
