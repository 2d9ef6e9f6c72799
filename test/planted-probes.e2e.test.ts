/**
 * The probes of servers' less familiar bugs, each against a mock with that bug planted (plantedDeviations), at seeds
 * 1-3, in both ways a user runs: `idpc run --mock F --mock-config` (in-process) and `idpc mock F --config` with
 * `idpc run --target` on the shipped target config (the mock as a real target). The planted check must fail (or,
 * for a SHOULD, warn) at every seed; the clean mocks conforming is test/target-determinism's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';
import { runCli, startCli, type CliProcess } from './support/cli.js';
import { TARGET_SECRETS } from './support/target-env.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-planted-'));
const mocks: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(mocks.map((m) => m.stop()));
});

interface Reported {
  exitCode: number;
  results: { suite: string; check: string; variant?: string; status: string }[];
}

/** [what, flavour, plantedDeviations, suite, the result that must fail, its status on the target (default fail)] */
const CASES: [string, string, Record<string, unknown>, string, string, string?][] = [
  // The shipped config declares no lifetime: against the flavour's documented one the mismatch warns (TE-C18).
  [
    'expires_in an hour longer than the tokens live',
    'portal',
    { wrongExpiresIn: true },
    'grant',
    'grant:TE-C18',
    'warn',
  ],
  ['a request naming no client gets a token', 'portal', { anonymousClient: true }, 'grant', 'grant:TE-B11'],
  ['secrets and passwords compared loosely', 'rator', { looseCredentials: true }, 'grant', 'grant:TE-B12:secret'],
  ['a GET with the secret in its URI is served', 'infolink', { getWithSecret: true }, 'grant', 'grant:TE-A9'],
  [
    'the resource refuses the scheme written "bearer"',
    'keycloak',
    { caseSensitiveBearer: true },
    'grant',
    'grant:TE-J1',
  ],
  ['a 401 to Basic credentials without its challenge', 'rator', { noBasicChallenge: true }, 'grant', 'grant:TE-B13'],
  ['unauthorized_client with 401', 'keycloak', { unauthorizedClient401: true }, 'grant', 'grant:TE-E6:password'],
  ['a JWT exp in milliseconds', 'keycloak', { jwtDefect: 'exp-in-milliseconds' }, 'grant', 'grant:TE-L2'],
  ['a refresh token accepted from another client', 'keycloak', { refreshAnyClient: true }, 'refresh', 'refresh:TE-G5'],
  ['an unknown scope dropped silently', 'keycloak', { dropUnknownScopeSilently: true }, 'grant', 'grant:TE-C9'],
  // A scope widened to what was asked, on every flavour that uses scopes (InfoLink documents none).
  ['a scope widened (keycloak)', 'keycloak', { widenScope: true }, 'grant', 'grant:TE-F4'],
  ['a scope widened (portal)', 'portal', { widenScope: true }, 'grant', 'grant:TE-F4'],
  ['a scope widened (rator)', 'rator', { widenScope: true }, 'grant', 'grant:TE-F4'],
];

const key = (r: Reported['results'][number]) => `${r.suite}:${r.check}${r.variant ? `:${r.variant}` : ''}`;
const presetOf = (flavour: string) =>
  /^preset:\s*(\S+)/m.exec(
    readFileSync(join(packageRoot(), 'fixtures/targets', `${flavour}.target.yaml`), 'utf8'),
  )?.[1];

async function report(args: string[], env: Record<string, string>, tag: string): Promise<Reported> {
  const reportDir = join(dir, tag);
  const r = await runCli(['run', ...args, '--runs', '2', '--report', 'json', '--report-dir', reportDir], {
    ...process.env,
    ...env,
  });
  const run = (JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs: Reported[] }).runs[0]!;
  expect(run.exitCode, r.stderr).toBe(r.code);
  return run;
}

describe.concurrent('each planted bug fails its probe at seeds 1-3, as a mock and as a target', () => {
  it.each(CASES)(
    '%s (%s)',
    { timeout: 240_000 },
    async (what, flavour, planted, suite, expected, onTarget = 'fail') => {
      const preset = presetOf(flavour);
      const file = join(dir, `${flavour}-${Object.keys(planted).join('-')}.mock.json`);
      writeFileSync(file, JSON.stringify({ flavour, ...(preset ? { preset } : {}), plantedDeviations: planted }));
      const mock = await startCli(['mock', flavour, '--config', file, '--json']);
      mocks.push(mock);
      const target = join(packageRoot(), 'fixtures/targets', `${flavour}.target.yaml`);
      for (const seed of ['1', '2', '3']) {
        const asMock = await report(
          [
            '--mock',
            flavour,
            ...(preset ? ['--preset', preset] : []),
            '--mock-config',
            file,
            '--suites',
            suite,
            '--seed',
            seed,
          ],
          {},
          `${flavour}-${expected}-mock-${seed}`,
        );
        const asTarget = await report(
          ['--target', target, '--suites', suite, '--seed', seed],
          { IDPC_BASE_URL: String(mock.info.url), ...TARGET_SECRETS[flavour] },
          `${flavour}-${expected}-target-${seed}`,
        );
        for (const [how, run, status] of [
          ['mock', asMock, 'fail'],
          ['target', asTarget, onTarget],
        ] as const) {
          const found = run.results.filter((r) => r.status === status).map(key);
          expect(found, `${what}: ${how} at seed ${seed}`).toContain(expected);
          if (status === 'fail') expect(run.exitCode).toBe(1);
        }
      }
    },
  );
});
