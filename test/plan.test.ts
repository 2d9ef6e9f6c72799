/**
 * The registry, the scenarios and the plan agree: every registered check is exercised by some suite, every
 * scenario names registered checks and variants, every planned result is reported and nothing else is, no
 * scenario sends more than the plan allowed it, and the budget is compared with the plan before any request.
 */
import type { FlavourName } from '../src/flavours/index.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../mocks/index.js';
import { SUITE_NAMES } from '../src/checks/define.js';
import { ALL_CHECKS, isRegistered } from '../src/checks/registry.js';
import { runCommand } from '../src/cli/run.js';
import { refsOf } from '../src/runner/plan.js';
import { planRun, runConformance, SUITES, type FinishedRun } from '../src/runner/run.js';
import type { Target } from '../src/vocabulary/types.js';
import { loadTargetConfig, targetOfConfig, targetOfMock } from '../src/runner/target.js';
import { packageRoot } from '../src/util/paths.js';
import { runCli } from './support/cli.js';

const name = (r: { check: { id: string } | string; variant?: string }) =>
  `${typeof r.check === 'string' ? r.check : r.check.id}${r.variant ? `:${r.variant}` : ''}`;

describe('registry and scenarios', () => {
  it('the suites run in the order SUITE_NAMES gives (the names help and validation use)', () => {
    expect(SUITES.map((s) => s.name)).toEqual([...SUITE_NAMES]);
  });

  it('every scenario names registered checks with registered variants; names are unique per suite', () => {
    for (const suite of SUITES) {
      const names = suite.scenarios.map((s) => s.name);
      expect(new Set(names).size, suite.name).toBe(names.length);
      for (const s of suite.scenarios) {
        for (const r of refsOf(s)) {
          expect(isRegistered(r.check.id), `${suite.name}/${s.name}: ${r.check.id}`).toBe(true);
          if (r.check.variants) expect(r.check.variants, `${suite.name}/${s.name}: ${name(r)}`).toContain(r.variant);
          else expect(r.variant, `${suite.name}/${s.name}: ${name(r)}`).toBeUndefined();
        }
      }
    }
  });

  it('every registered check, and each of its variants, is exercised by a systematic scenario of some suite', () => {
    const exercised = new Set(
      SUITES.flatMap((s) => s.scenarios.filter((x) => !x.generated).flatMap((x) => refsOf(x).map(name))),
    );
    const expected = ALL_CHECKS.filter((c) => !c.validateOnly).flatMap((c) =>
      (c.variants ?? [undefined]).map((v) => name({ check: c, ...(v ? { variant: v } : {}) })),
    );
    expect(expected.filter((k) => !exercised.has(k))).toEqual([]);
  });

  it('generated examples only add to what the systematic pass of their suite reports', () => {
    for (const suite of SUITES) {
      const systematic = new Set(suite.scenarios.filter((x) => !x.generated).flatMap((x) => refsOf(x).map(name)));
      for (const g of suite.scenarios.filter((x) => x.generated))
        for (const r of refsOf(g)) expect(systematic.has(name(r)), `${suite.name}/${g.name}: ${name(r)}`).toBe(true);
    }
  });
});

describe('runs on every mock: the plan is what gets reported, and what it costs', () => {
  const runs: [string, FinishedRun, Target][] = [];
  const mocks: RunningMock[] = [];
  beforeAll(async () => {
    for (const [flavour, preset] of [
      ['portal'],
      ['portal', 'confidential'],
      ['keycloak'],
      ['keycloak', 'current'],
      ['keycloak', 'legacy'],
      ['rator'],
      ['infolink'],
    ] as [string, string?][]) {
      const mock = await startMock({
        flavour: flavour as FlavourName,
        ...(preset ? { preset } : {}),
        journal: { enabled: false },
      });
      mocks.push(mock);
      const target = await targetOfMock(mock, 'rfc6749');
      runs.push([
        `${flavour}${preset ? ` (${preset})` : ''}`,
        await runConformance({ target, seed: 3, numRuns: 2 }),
        target,
      ]);
    }
    // Keycloak as a user configures it (fixtures/targets): its public ocp client is the other client (TE-F5).
    const kc = await startMock({ flavour: 'keycloak', journal: { enabled: false } });
    mocks.push(kc);
    Object.assign(process.env, {
      IDPC_BASE_URL: kc.url,
      IDPC_KEYCLOAK_APP_SECRET: 'conformance-app-secret',
      IDPC_KEYCLOAK_SERVICE_SECRET: 'conformance-service-secret',
      IDPC_KEYCLOAK_USER_PASSWORD: 'qa-bot-password',
    });
    const { config, secrets } = await loadTargetConfig(join(packageRoot(), 'fixtures/targets/keycloak.target.yaml'));
    const target = targetOfConfig(config, secrets);
    runs.push(['keycloak (target config)', await runConformance({ target, seed: 3, numRuns: 2 }), target]);
    // Seed 003's OCP IAM: the public ocp client with its declared limit of five sessions (TE-M3).
    const ocpMock = await startMock({ flavour: 'keycloak', preset: 'ocp-iam', journal: { enabled: false } });
    mocks.push(ocpMock);
    Object.assign(process.env, { IDPC_BASE_URL: ocpMock.url, IDPC_OCP_PASSWORD: 'ocp-password' });
    const ocp = await loadTargetConfig(join(packageRoot(), 'fixtures/targets/keycloak-ocp.target.yaml'));
    const ocpTarget = targetOfConfig(ocp.config, ocp.secrets);
    runs.push([
      'keycloak ocp (target config)',
      await runConformance({ target: ocpTarget, seed: 3, numRuns: 2 }),
      ocpTarget,
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(mocks.map((m) => m.close()));
  });

  it('each run reports exactly the planned (suite, check, variant) results, and a reason for each that did not run', () => {
    for (const [label, run, target] of runs) {
      const planned = planRun({ target, numRuns: 2 })
        .entries.map((e) => `${e.suite}:${name(e)}`)
        .sort();
      expect(run.results.map((r) => `${r.suite}:${name(r)}`).sort(), label).toEqual(planned);
      for (const r of run.results)
        if (r.status === 'skip') expect(r.message, `${label} ${r.suite}:${name(r)}`).toBeTruthy();
      // On our own mocks, nothing the plan promised goes unjudged.
      const unjudged = run.results.filter(
        (r) => r.status === 'skip' && /planned, but|ended before judging/.test(r.message ?? ''),
      );
      expect(
        unjudged.map((r) => `${r.suite}:${name(r)} ${r.message}`),
        label,
      ).toEqual([]);
    }
  });

  it('no scenario sends more requests than the plan allowed it', () => {
    for (const [label, run] of runs) {
      const over = run.plan.scenarios
        .filter((s) => s.sent > s.planned)
        .map((s) => `${s.suite}/${s.name}: ${s.sent} > ${s.planned}`);
      expect(over, label).toEqual([]);
      expect(run.plan.leftOut, label).toEqual([]);
    }
  });

  /** Checks whose condition no modelled flavour meets, each judged on the servers of test/unseen-servers.e2e.test.ts instead. */
  const ONLY_ON_OTHER_SERVERS: Record<string, string> = {
    'TE-C9':
      'every modelled flavour refuses an unknown scope; a server that drops one is judged in test/unseen-servers.e2e.test.ts',
  };

  it('every registered check gets a verdict (not a skip) on at least one of the mocks', () => {
    const judged = new Set(
      runs.flatMap(([, run]) => run.results.filter((r) => r.status !== 'skip').map((r) => name(r))),
    );
    const all = ALL_CHECKS.filter((c) => !c.validateOnly && !(c.id in ONLY_ON_OTHER_SERVERS)).flatMap((c) =>
      (c.variants ?? [undefined]).map((v) => name({ check: c, ...(v ? { variant: v } : {}) })),
    );
    expect(all.filter((k) => !judged.has(k))).toEqual([]);
  });

  it('the clean mocks, run in-process (their clock moves, users and clients are added), conform', () => {
    for (const [label, run] of runs.filter(([l]) => !l.includes('target config')))
      expect(`${label}: ${run.verdict}`).toBe(`${label}: CONFORMS`);
  });
});

describe('the plan before the first request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idpc-plan-'));

  it('--plan prints the plan and what the budget leaves out, and sends nothing (an unreachable target still exits 0)', async () => {
    const file = join(dir, 'nowhere.json');
    writeFileSync(
      file,
      JSON.stringify({
        flavour: 'rfc6749',
        endpoints: { token: 'http://127.0.0.1:9/token', resource: 'http://127.0.0.1:9/me' },
        allowHttp: true,
        clients: [{ name: 'user', clientId: 'c', clientSecret: 's' }],
        users: [{ username: 'u', password: 'p' }],
        grants: ['password', 'refresh_token'],
      }),
    );
    const lines: string[] = [];
    expect(await runCommand({ target: file, plan: true, maxRequests: 20, reportDir: dir }, (l) => lines.push(l))).toBe(
      0,
    );
    const out = lines.join('\n');
    expect(out).toMatch(/^plan: \d+ systematic scenarios, \d+ requests/m);
    expect(out).toMatch(/grant\/password-grant +\d+ requests/);
    expect(out).toMatch(/the budget cannot cover the plan: left out .*refresh\/rotation/);
    expect(out).toMatch(/UNTESTED refresh:TE-G1:user +left out: the plan needs \d+ requests, the request budget/);
    expect(out).not.toMatch(/is unreachable|TARGET UNREACHABLE|verdict:/);
  });

  it('a budget too small for the plan is said before sending: the run sends only what the plan kept', async () => {
    const mock = await startMock({ flavour: 'infolink', journal: { enabled: false } });
    try {
      const target = { ...(await await targetOfMock(mock, 'rfc6749')) };
      target.budget = { ...target.budget, maxRequests: 30 };
      const lines: string[] = [];
      const run = await runConformance({ target, seed: 1, numRuns: 2, progress: (l) => lines.push(l) });
      expect(lines[0]).toMatch(/plan: \d+ requests for the systematic pass \(budget 30\)/);
      expect(lines[1]).toMatch(/the budget cannot cover the plan \(\d+ requests\): left out /);
      expect(run.requests).toBeLessThanOrEqual(30);
      expect(run.exitCode).toBe(4);
      expect(run.verdict).toBe('INCOMPLETE');
      expect(run.interrupted).toBeUndefined();
    } finally {
      await mock.close();
    }
  });
});

describe('idpc checks', () => {
  it("names checks (any case) to show them in full, with each flavour's documented deviation; an unknown id is exit 2 with its series", async () => {
    const r = await runCli(['checks', 'te-c13', 'TE-D3'], process.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^TE-C13 +MUST +error\/error\/error +Cache-Control includes no-store$/m);
    expect(r.stdout).toContain('docs/checks.md#te-c13');
    expect(r.stdout).toMatch(/documented deviation \(portal\): .+\[oauthlib\/oauthlib /);
    expect(r.stdout).toMatch(/^TE-D3 /m);
    expect(r.stdout).toMatch(/documented deviation \(rator\): Spring Security OAuth2 error codes/);
    const json = await runCli(['checks', 'TE-C13', '--json'], process.env);
    expect((JSON.parse(json.stdout) as { id: string }[]).map((c) => c.id)).toEqual(['TE-C13']);
    const unknown = await runCli(['checks', 'TE-C99'], process.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^idpc: unknown check TE-C99; series TE-C: TE-C1, .*TE-C13/);
  });

  it('--json lists every registered check with its metadata, severities per profile, variants and suites', async () => {
    const r = await runCli(['checks', '--json'], process.env);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as {
      id: string;
      title: string;
      level: string;
      requirement: string;
      url: string;
      severities: Record<string, string>;
      variants: string[];
      suites: string[];
      confidentialClients?: string;
    }[];
    expect(list.map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
    for (const c of list) {
      expect(Object.keys(c.severities).sort()).toEqual(['bcp9700', 'oauth21', 'rfc6749']);
      expect(c.title && c.requirement && c.url).toBeTruthy();
    }
    const byId = new Map(list.map((c) => [c.id, c]));
    expect(byId.get('TE-G3')!.variants).toEqual(['garbage', 'truncated', 'unknown', 'superseded']);
    expect(byId.get('TE-H4')).toMatchObject({
      severities: { rfc6749: 'info', bcp9700: 'error', oauth21: 'error' },
      confidentialClients: 'info',
    });
    expect(byId.get('TE-C14')!.suites).toEqual(['grant', 'refresh', 'authorization-code']);
    expect(byId.get('TE-A11')!.suites).toEqual([
      'grant',
      'refresh',
      'revocation',
      'sessions',
      'authorization-code',
      'stateful',
    ]);
    // docs/checks.md is the same registry for readers, and current.
    const { checksMarkdown, listChecks } = await import('../src/cli/checks.js');
    expect(
      readFileSync(join(packageRoot(), 'docs/checks.md'), 'utf8'),
      'docs/checks.md is stale: npm run gen:docs',
    ).toBe(checksMarkdown(listChecks()));
    // docs/flavours.md likewise, from the descriptors and the mocks' presets; every check it links to has its anchor.
    const { flavoursMarkdown } = await import('../src/cli/flavour-docs.js');
    const { MOCK_FLAVOURS, loadMock } = await import('../mocks/index.js');
    const mocks = Object.fromEntries(
      await Promise.all(MOCK_FLAVOURS.map(async (f) => [f, await loadMock(f)] as const)),
    );
    const flavoursDoc = readFileSync(join(packageRoot(), 'docs/flavours.md'), 'utf8');
    expect(flavoursDoc, 'docs/flavours.md is stale: npm run gen:docs').toBe(flavoursMarkdown(mocks));
    const checksDoc = readFileSync(join(packageRoot(), 'docs/checks.md'), 'utf8');
    for (const [, anchor] of flavoursDoc.matchAll(/\(checks\.md#([a-z0-9-]+)\)/g))
      expect(checksDoc, anchor).toContain(`<a id="${anchor}"></a>`);
    for (const c of listChecks()) expect(checksDoc).toContain(`<a id="${c.id.toLowerCase()}"></a>${c.id} |`);
    const text = await runCli(['checks'], process.env);
    expect(text.stdout).toMatch(/^TE-C14 +MUST +error\/error\/info +Pragma: no-cache present$/m);
  });
});
