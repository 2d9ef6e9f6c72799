#!/usr/bin/env node
/**
 * Per-check statuses of `idpc run --mock all` and of every shipped target config (fixtures/targets, against its mock
 * run as a real target) at seeds 1-3, one line each: `<target> seed=<n> <suite:check[:variant]> <status>`, sorted.
 * For a refactoring that must not change behaviour: run it on the tree before and after and diff the two outputs.
 *   node scripts/per-check-statuses.mjs [ROOT]   (ROOT: a built checkout, default this one)
 * Secrets come from the environment a test gives the targets (IDPC_* below), the mocks' own seed-document credentials.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname);
const cli = join(root, 'dist/bin/main.js');
const dir = mkdtempSync(join(tmpdir(), 'idpc-statuses-'));
const SEEDS = [1, 2, 3];
// The seed documents' credentials the mocks are started with (as in test/support/target-env.ts).
const SECRETS = {
  portal: {
    IDPC_PORTAL_ROBOT_PASSWORD: 'QrnY67ME9yGasNhq2OTbgWA4RzipUvo5',
    IDPC_PORTAL_CLIENT_SECRET: 't5IfXbGZQThAKR43apoc9usOFVDv2BLE',
  },
  keycloak: {
    IDPC_KEYCLOAK_APP_SECRET: 'conformance-app-secret',
    IDPC_KEYCLOAK_SERVICE_SECRET: 'conformance-service-secret',
    IDPC_KEYCLOAK_USER_PASSWORD: 'qa-bot-password',
  },
  'keycloak-ocp': { IDPC_OCP_PASSWORD: 'ocp-password' },
  rator: {
    IDPC_RATOR_CLIENT_SECRET: 'myclientsecret',
    IDPC_RATOR_USER_PASSWORD: 'mypassword',
    IDPC_RATOR_OPERATOR_PASSWORD: 'myoperatorpassword',
  },
  infolink: {
    IDPC_INFOLINK_CLIENT_SECRET: 'eebb17b2-9ce4-4c73-a23f-d23739bf99b4',
    IDPC_INFOLINK_USER_PASSWORD: 'mypassword',
  },
};

const lines = [];
const record = (name, seed, reportDir) => {
  const report = JSON.parse(readFileSync(join(reportDir, 'idpc-report.json'), 'utf8'));
  for (const run of report.runs) {
    const target = run.target?.flavour ? `${name}:${run.target.flavour}` : name;
    lines.push(`${target} seed=${seed} verdict ${run.verdict}`);
    for (const r of run.results)
      lines.push(`${target} seed=${seed} ${r.suite}:${r.check}${r.variant ? `:${r.variant}` : ''} ${r.status}`);
  }
};

for (const seed of SEEDS) {
  const reportDir = join(dir, `mock-all-${seed}`);
  spawnSync(
    process.execPath,
    [cli, 'run', '--mock', 'all', '--seed', String(seed), '--report', 'json', '--report-dir', reportDir, '--quiet'],
    { encoding: 'utf8', env: { ...process.env, CI: 'true' } },
  );
  record('mock-all', seed, reportDir);
}

for (const file of readdirSync(join(root, 'fixtures/targets'))
  .filter((f) => f.endsWith('.target.yaml'))
  .sort()) {
  const config = file.replace('.target.yaml', '');
  const preset = /^preset:\s*(\S+)/m.exec(readFileSync(join(root, 'fixtures/targets', file), 'utf8'))?.[1];
  const mock = spawn(
    process.execPath,
    [cli, 'mock', config.split('-')[0], '--json', ...(preset ? ['--preset', preset] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((ok) => {
    let out = '';
    mock.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) ok(JSON.parse(out.split('\n')[0]).url);
    });
  });
  for (const seed of SEEDS) {
    const reportDir = join(dir, `${config}-${seed}`);
    spawnSync(
      process.execPath,
      [
        cli,
        'run',
        '--target',
        join(root, 'fixtures/targets', file),
        '--seed',
        String(seed),
        '--report',
        'json',
        '--report-dir',
        reportDir,
        '--quiet',
      ],
      { encoding: 'utf8', env: { ...process.env, CI: 'true', IDPC_BASE_URL: url, ...SECRETS[config] } },
    );
    record(config, seed, reportDir);
  }
  mock.kill('SIGTERM');
}
process.stdout.write(`${lines.sort().join('\n')}\n`);
