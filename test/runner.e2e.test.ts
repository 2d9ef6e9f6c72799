import type { FlavourName } from '../src/flavours/index.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { startMock, type StartMockOptions } from '../mocks/index.js';
import { replayCommand, runCommand } from '../src/cli/run.js';
import { Transport } from '../src/session/http.js';
import { formatConsole, writeReports } from '../src/runner/report.js';
import { fingerprint } from '../src/util/redact.js';
import { runConformance, type FinishedRun } from '../src/runner/run.js';
import { targetOfMock } from '../src/runner/target.js';
import type { Target } from '../src/vocabulary/types.js';

const dir = mkdtempSync(join(tmpdir(), 'idpc-run-'));
const quiet = () => {};

async function runAgainst(
  options: StartMockOptions,
  adjust: (t: Target) => Target = (t) => t,
  seed = 42,
): Promise<{ run: FinishedRun; transport: Transport; target: Target }> {
  const mock = await startMock(options);
  try {
    const target = adjust(await targetOfMock(mock, 'rfc6749'));
    const transport = new Transport(target.budget);
    const run = await runConformance({ target, seed, transport });
    return { run, transport, target };
  } finally {
    await mock.close();
  }
}

const failed = (run: FinishedRun) => run.results.filter((r) => r.status === 'fail').map((r) => `${r.suite}:${r.check}`);

describe('idpc run against every mock and preset', () => {
  it.each([
    ['portal', 'educates'],
    ['portal', 'confidential'],
    ['keycloak', 'legacy'],
    ['keycloak', 'v12-23'],
    ['keycloak', 'current'],
    ['rator', 'default'],
    ['infolink', 'default'],
  ])('%s (%s): every applicable check holds', async (flavour, preset) => {
    const { run } = await runAgainst({ flavour: flavour as FlavourName, preset });
    expect(failed(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.results.filter((r) => r.status === 'pass').length).toBeGreaterThan(30);
    expect(run.results.find((r) => r.check === 'TE-S1')?.status).toBe('pass');
  });
});

describe('planted deviations make the matching check fail, with a reproducible curl and exit 1', () => {
  const cases: [string, StartMockOptions, string, ((t: Target) => Target)?][] = [
    ['no Cache-Control on tokens', { flavour: 'infolink', plantedDeviations: { noCacheControl: true } }, 'TE-C13'],
    ['500 for a bad password', { flavour: 'portal', plantedDeviations: { serverErrorOnBadPassword: true } }, 'TE-A11'],
    ['wrong error code', { flavour: 'rator', plantedDeviations: { wrongErrorCode: true } }, 'TE-FL'],
    [
      'refresh token not rotated while rotation was declared',
      { flavour: 'infolink', refresh: { rotate: false } },
      'TE-H3',
      (t) => ({ ...t, refreshMode: 'rotate-revoke' }),
    ],
    [
      'old refresh token still accepted after rotation',
      { flavour: 'portal', refresh: { revokeOldRefreshToken: false } },
      'TE-H3',
      (t) => ({ ...t, refreshMode: 'rotate-revoke' }),
    ],
    [
      'expired access token still accepted',
      { flavour: 'infolink', plantedDeviations: { acceptExpiredAccessTokens: true } },
      'TE-J3',
    ],
    ['brand key not enforced', { flavour: 'rator', plantedDeviations: { ignoreBrandKey: true } }, 'TE-A12'],
  ];
  it.each(cases)('%s', async (_name, options, check, adjust) => {
    const { run } = await runAgainst(options, adjust);
    const result = run.results.find((r) => r.check === check && r.status === 'fail');
    expect(result, `${check} should fail; failures: ${failed(run).join(', ')}`).toBeDefined();
    expect(run.exitCode).toBe(1);
    if (check !== 'TE-S1') {
      expect(result!.evidence?.length ?? 0).toBeGreaterThan(0);
      expect(result!.evidence![0]!.curl).toMatch(/^curl -i -X (POST|GET) '/);
    }
  });
});

describe('no secret reaches a report or the console', () => {
  it.each([
    ['portal', 'confidential'],
    ['keycloak', 'current'],
    ['rator', 'default'],
  ])(
    '%s (%s): json, junit, ndjson and console hold no client secret, password or issued token',
    async (flavour, preset) => {
      // A planted failure so that the reports carry evidence: requests with credentials, responses with tokens. The
      // mock run as a target nobody may see the secrets of (a mock's own reports show them: targetOfMock).
      const { run, transport, target } = await runAgainst(
        { flavour: flavour as FlavourName, preset, plantedDeviations: { noCacheControl: true } },
        (t) => ({ ...t, revealSecrets: false }),
        7,
      );
      expect(run.exitCode).toBe(1);
      const reportDir = join(dir, `secrets-${flavour}`);
      const files = writeReports([run], ['json', 'junit', 'ndjson'], reportDir);
      const outputs = [formatConsole(run, true), ...files.map((f) => readFileSync(f, 'utf8'))];
      const tokens = new Set<string>();
      for (const e of transport.log) {
        try {
          const body = JSON.parse(e.response?.body ?? '') as Record<string, unknown>;
          for (const k of ['access_token', 'refresh_token', 'id_token'])
            if (typeof body[k] === 'string') tokens.add(body[k] as string);
        } catch {
          // not JSON
        }
      }
      expect(tokens.size).toBeGreaterThan(5);
      const secrets = [...target.secrets, ...tokens];
      const encoded = secrets.flatMap((s) => [s, encodeURIComponent(s)]);
      const basic = [target.clients.user, target.clients.service]
        .filter((c) => c?.clientSecret)
        .map((c) => Buffer.from(`${c!.clientId}:${c!.clientSecret}`).toString('base64'));
      expect(outputs.join('')).toContain('[redacted:');
      for (const text of outputs)
        for (const s of [...encoded, ...basic])
          expect(text.includes(s), `a secret (${s.slice(0, 8)}...) leaked`).toBe(false);
      // Not even a part of a token: no run of 8 of its characters (TE-G3 sends truncated tokens, errors echo them).
      const all = outputs.join('\n');
      const grams = new Set<string>();
      for (const t of tokens) for (let i = 0; i + 8 <= t.length; i++) grams.add(t.slice(i, i + 8));
      const leaked: string[] = [];
      for (let i = 0; i + 8 <= all.length; i++)
        if (grams.has(all.slice(i, i + 8))) leaked.push(all.slice(Math.max(0, i - 30), i + 38));
      expect(leaked.slice(0, 3), '8 characters of a token leaked').toEqual([]);
      // Nor, in what was sent and received, of a configured secret, but for a grant type standing as a word of its own:
      // a seeded password that contains one ("mypassword", "qa-bot-password") leaves grant_type=password readable, so
      // that the curl lines still run. (The report's own words, a variant named missing-password, are no secret's.)
      const evidence = run.results
        .flatMap((r) => r.evidence ?? [])
        .map((e) => JSON.stringify(e))
        .join('\n');
      const grantWords = new Set(['password', 'client_credentials', 'refresh_token', 'operator_password']);
      // Public names (client ids, usernames, check variants) stay readable where they stand alone, though a secret may
      // share 8 characters with one ("conformance-app" and "conformance-app-secret").
      const names = [
        ...Object.values(target.clients).map((c) => c!.clientId),
        ...[target.user, target.operator].flatMap((u) => (u ? [u.username] : [])),
        ...ALL_CHECKS.flatMap((c) => c.variants ?? []),
      ].filter((n) => n.length >= 8 && !target.secrets.some((s) => n.includes(s)));
      const standingName = (text: string, i: number) =>
        names.some((n) => {
          for (
            let at = text.indexOf(n, Math.max(0, i + 8 - n.length));
            at >= 0 && at <= i;
            at = text.indexOf(n, at + 1)
          ) {
            if (
              at + n.length >= i + 8 &&
              !/[\w.@-]/.test(text[at - 1] ?? ' ') &&
              !/[\w.@-]/.test(text[at + n.length] ?? ' ')
            )
              return true;
          }
          return false;
        });
      const secretGrams = new Set<string>();
      for (const s of target.secrets) for (let i = 0; i + 8 <= s.length; i++) secretGrams.add(s.slice(i, i + 8));
      const secretLeaks: string[] = [];
      for (let i = 0; i + 8 <= evidence.length; i++) {
        if (!secretGrams.has(evidence.slice(i, i + 8))) continue;
        let start = i;
        while (start > 0 && /\w/.test(evidence[start - 1]!)) start--;
        let end = i + 8;
        while (end < evidence.length && /\w/.test(evidence[end]!)) end++;
        if (!grantWords.has(evidence.slice(start, end)) && !standingName(evidence, i))
          secretLeaks.push(evidence.slice(Math.max(0, i - 30), i + 38));
      }
      expect(secretLeaks.slice(0, 3), '8 characters of a configured secret leaked').toEqual([]);
      // And no marker inside a public name or a protocol word: "client_id=[redacted:…]lient", "operator_[redacted:…]".
      const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const n of [...names, ...grantWords]) {
        for (let k = 1; k < n.length; k++) {
          expect(all, `a marker inside ${n}`).not.toMatch(
            new RegExp(`\\[redacted:[0-9a-f]{8}\\]${esc(n.slice(k))}(?![\\w.@-])`),
          );
          expect(all, `a marker inside ${n}`).not.toMatch(new RegExp(`(?<![\\w.@-])${esc(n.slice(0, k))}\\[redacted:`));
        }
      }
      expect(evidence).toContain('grant_type=');
      if (target.secrets.some((s) => s.includes('password') && s !== 'password'))
        expect(evidence).toContain('grant_type=password');
      expect(all).not.toContain('grant_type=[redacted');
      // Markers are keyed per run: a plain sha256 prefix of a password would confirm a guess of it to any reader.
      for (const s of target.secrets)
        expect(all, 'a plain fingerprint of a configured secret').not.toContain(fingerprint(s));
    },
  );
});

describe("a mock run shows the mock's own credentials", () => {
  it('its failure curl lines carry the secrets the mock printed, unredacted, so that they run as printed', async () => {
    const { run, target } = await runAgainst(
      { flavour: 'portal', preset: 'confidential', plantedDeviations: { noCacheControl: true } },
      (t) => t,
      7,
    );
    const curls = run.results.flatMap((r) => (r.evidence ?? []).map((e) => e.curl)).join('\n');
    expect(curls).not.toContain('[redacted:');
    const secret = target.clients.user!.clientSecret!;
    expect(
      curls.includes(secret) ||
        curls.includes(Buffer.from(`${target.clients.user!.clientId}:${secret}`).toString('base64')),
    ).toBe(true);
  });
});

describe('unreachable and hanging targets', () => {
  let hanging: Server;
  afterAll(() => hanging?.close());

  function targetFile(port: number, timeoutMs = 500): string {
    const file = join(dir, `target-${port}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        flavour: 'rfc6749',
        endpoints: { token: `http://127.0.0.1:${port}/token` },
        allowHttp: true,
        clients: [{ clientId: 'c', clientSecret: 's' }],
        users: [{ username: 'u', password: 'p' }],
        grants: ['password'],
        budget: { timeoutMs },
      }),
    );
    return file;
  }

  it('a closed port: exit 3 with a clear message', async () => {
    const probe = createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)),
    );
    await new Promise((r) => probe.close(r));
    const lines: string[] = [];
    expect(await runCommand({ target: targetFile(port), reportDir: join(dir, 'r1') }, (l) => lines.push(l))).toBe(3);
    expect(lines.join('\n')).toMatch(/TARGET UNREACHABLE: http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)/);
  });

  it('a server that never answers: exit 3 within the configured timeout', async () => {
    hanging = createServer(() => {}); // accepts, never answers
    const port = await new Promise<number>((r) =>
      hanging.listen(0, '127.0.0.1', () => r((hanging.address() as { port: number }).port)),
    );
    const lines: string[] = [];
    const t0 = performance.now();
    expect(await runCommand({ target: targetFile(port, 400), reportDir: join(dir, 'r2') }, (l) => lines.push(l))).toBe(
      3,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(lines.join('\n')).toMatch(/did not answer within 400 ms/);
  });

  it('refuses an http: token endpoint that is not local (TE-A1), as a usage error', async () => {
    const file = join(dir, 'remote-http.json');
    writeFileSync(
      file,
      JSON.stringify({ flavour: 'rfc6749', endpoints: { token: 'http://idp.example.com/token' }, allowHttp: true }),
    );
    await expect(runCommand({ target: file, reportDir: dir }, quiet)).rejects.toThrow(
      /TE-A1: the token endpoint must be https/,
    );
  });
});

describe('baselines and replay', () => {
  const planted = () => {
    const file = join(dir, 'no-cache.json');
    writeFileSync(file, JSON.stringify({ flavour: 'infolink', plantedDeviations: { noCacheControl: true } }));
    return file;
  };

  it('expected failures in the baseline pass the run; a baseline entry that passes is stale and fails it', async () => {
    const mockConfig = planted();
    const first = await runCommand({ mock: 'infolink', mockConfig, seed: 1, reportDir: join(dir, 'b0') }, quiet);
    expect(first).toBe(1);
    const failures = (
      JSON.parse(readFileSync(join(dir, 'b0', 'idpc-failures.json'), 'utf8')) as { failures: { check: string }[] }
    ).failures.map((f) => f.check);
    expect(failures).toContain('grant:TE-C13');
    const baseline = join(dir, 'baseline.json');
    writeFileSync(
      baseline,
      JSON.stringify({ expectedFailures: failures.map((check) => ({ check, reason: 'vendor ticket 123' })) }),
    );
    const lines: string[] = [];
    expect(
      await runCommand({ mock: 'infolink', mockConfig, seed: 1, baseline, reportDir: join(dir, 'b1') }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines.join('\n')).toContain('[baseline: vendor ticket 123]');
    writeFileSync(
      baseline,
      JSON.stringify({
        expectedFailures: [
          ...failures.map((check) => ({ check, reason: 'vendor ticket 123' })),
          { check: 'grant:TE-A7', reason: 'fixed long ago' },
        ],
      }),
    );
    const lines2: string[] = [];
    expect(
      await runCommand({ mock: 'infolink', mockConfig, seed: 1, baseline, reportDir: join(dir, 'b2') }, (l) =>
        lines2.push(l),
      ),
    ).toBe(1);
    expect(lines2.join('\n')).toContain('STALE BASELINE: grant:TE-A7 no longer fails');
  });

  it('the console ends a failing run with the failed checks once more and the command that repeats the run', async () => {
    const lines: string[] = [];
    expect(
      await runCommand(
        { mock: 'infolink', mockConfig: planted(), seed: 3, report: 'junit', reportDir: join(dir, 'console') },
        (l) => lines.push(l),
      ),
    ).toBe(1);
    const tail = lines.join('\n').split('\n').slice(-5);
    const reproduce = `idpc run --mock infolink --mock-config ${join(dir, 'no-cache.json')} --seed 3`;
    expect(tail[0]).toMatch(/^ {2}failed: (grant|refresh):TE-C13, .*grant:TE-C14/);
    expect(tail[1]).toBe(`  reproduce: ${reproduce}`);
    expect(tail[2]).toBe('  verdict: DOES NOT CONFORM (exit 1)');
    // JUnit consumers show a failure's text: it ends with the same command.
    const junit = readFileSync(join(dir, 'console', 'idpc-junit.xml'), 'utf8');
    expect(junit).toMatch(
      new RegExp(`<failure [^>]*>[^<]*reproduce: ${reproduce.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</failure>`),
    );
  });

  it('replay re-runs recorded failures with their seed: still failing, then fixed', async () => {
    const mockConfig = planted();
    const reportDir = join(dir, 'replay-run');
    // A budget flag changes the plan: the reproduce line and the failure file carry it, and the replay runs with it.
    expect(
      await runCommand({ mock: 'infolink', mockConfig, seed: 5, maxRequests: 400, report: 'json', reportDir }, quiet),
    ).toBe(1);
    const original = JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8')) as { runs: FinishedRun[] };
    expect(original.runs[0]!.reproduce).toBe(
      `idpc run --mock infolink --mock-config ${mockConfig} --seed 5 --max-requests 400`,
    );
    const file = join(reportDir, 'idpc-failures.json');
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as {
      failures: { check: string; seed: number }[];
      budget: { maxRequests?: number };
    };
    expect(recorded.failures.map((f) => f.check)).toContain('grant:TE-C13');
    expect(recorded.failures[0]!.seed).toBe(5);
    expect(recorded.budget.maxRequests).toBe(400);
    const lines: string[] = [];
    expect(await replayCommand(file, reportDir, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain('x STILL FAILING  infolink grant:TE-C13');
    const replayed = JSON.parse(readFileSync(join(reportDir, 'replay', 'idpc-report.json'), 'utf8')) as {
      runs: FinishedRun[];
    };
    expect(replayed.runs[0]!.plan.budget.maxRequests).toBe(400);
    writeFileSync(mockConfig, JSON.stringify({ flavour: 'infolink' })); // the vendor fixed it
    const after: string[] = [];
    expect(await replayCommand(file, reportDir, (l) => after.push(l))).toBe(0);
    expect(after.join('\n')).toContain('+ FIXED  infolink grant:TE-C13');
  });

  it('replay says FIXED only for a check that ran: an unknown check, a budget cut or a throttled target is NOT RUN, exit 4', async () => {
    const mockConfig = planted();
    const reportDir = join(dir, 'replay-not-run');
    expect(await runCommand({ mock: 'infolink', mockConfig, seed: 5, report: 'json', reportDir }, quiet)).toBe(1);
    const file = join(reportDir, 'idpc-failures.json');
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as {
      failures: { check: string }[];
      budget?: Record<string, number>;
    };
    // Names that are no check, and a budget of one request: nothing the replay reports may read as fixed.
    recorded.failures.push(
      { ...recorded.failures[0]!, check: 'grant:TE-NOPE' },
      { ...recorded.failures[0]!, check: '../../etc/passwd' },
    );
    recorded.budget = { ...recorded.budget, maxRequests: 1 };
    writeFileSync(file, JSON.stringify(recorded));
    writeFileSync(mockConfig, JSON.stringify({ flavour: 'infolink' }));
    const lines: string[] = [];
    expect(await replayCommand(file, reportDir, (l) => lines.push(l))).toBe(4);
    const out = lines.join('\n');
    expect(out).not.toContain('+ FIXED');
    expect(out).toMatch(/\? NOT RUN {2}infolink grant:TE-NOPE: TE-NOPE is no check of this idpc/);
    expect(out).toMatch(/\? NOT RUN {2}infolink \.\.\/\.\.\/etc\/passwd: /);
    expect(out).toMatch(/\? NOT RUN {2}infolink grant:TE-C13: /);
  });
});

describe('a stateful failure is found in every run, as its minimal sequence', () => {
  it('expired access token accepted: [grant, advance-clock, use-access] whatever the seed, with seed, path and a curl per request', async () => {
    for (const seed of [8, 1, 23]) {
      const { run } = await runAgainst(
        { flavour: 'infolink', plantedDeviations: { acceptExpiredAccessTokens: true } },
        (t) => t,
        seed,
      );
      const r = run.results.find((x) => x.suite === 'stateful' && x.status === 'fail')!;
      // The model's finding is TE-S1's; the message names TE-J3. A fixed sequence of the model run finds it, so that no
      // seed misses it (generated sequences follow, and shrink what they find).
      expect(r?.check, `seed ${seed}`).toBe('TE-S1');
      expect(r.message).toMatch(/^TE-J3: the access token worked/);
      expect(r.counterexample).toMatchObject({ seed, path: expect.any(String) });
      expect(r.counterexample!.shrunk).toBe('[grant,advance-clock(1801s),use-access(#0)]');
      expect(r.evidence!.map((e) => new URL(e.request.url).pathname)).toEqual([
        '/api/v1/oauth2/token',
        '/api/v1/executeJob',
      ]);
      for (const e of r.evidence!) expect(e.curl).toMatch(/^curl -i -X POST/);
    }
  });

  it('the model run goes on to generated sequences after its fixed ones', async () => {
    const { run } = await runAgainst({ flavour: 'infolink' }, (t) => t, 5);
    const model = run.plan.scenarios.find((x) => x.suite === 'stateful' && x.name === 'model')!;
    // Four fixed sequences on this target (it has a resource and a mock clock, no logout endpoint): 10 requests at
    // most, and one probe grant; 12 generated sequences of up to 10 commands add to them.
    expect(model.sent).toBeGreaterThan(11);
    expect(run.results.find((x) => x.check === 'TE-S1')?.status).toBe('pass');
  });
});

describe('--seed repeats a run', () => {
  it('the same seed sends the same requests (concurrent ones in any order)', async () => {
    const a = await runAgainst({ flavour: 'infolink' }, (t) => t, 99);
    const b = await runAgainst({ flavour: 'infolink' }, (t) => t, 99);
    // Token values differ from run to run; their places and lengths (truncations included) do not.
    const mask = (body: string) =>
      body
        .replace(/(refresh_token|token)=([^&]*)/g, (_m, k: string, v: string) => `${k}=<${v.length}>`)
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'UUID');
    const shape = (t: Transport) =>
      t.log.map((e) => `${e.request.method} ${new URL(e.request.url).pathname} ${mask(e.request.body ?? '')}`).sort();
    expect(shape(b.transport)).toEqual(shape(a.transport));
  });
});
