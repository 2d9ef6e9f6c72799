/**
 * The package as a consumer gets it: packed into a tarball, installed into a fresh project (whose own version is not
 * ours), used through npx and through its types.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../src/checks/registry.js';
import { packageRoot } from '../src/util/paths.js';

const root = packageRoot();
const project = mkdtempSync(join(tmpdir(), 'idpc-consumer-'));
const ours = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });

beforeAll(() => {
  // --ignore-scripts: dist/ is already built by `npm test`; prepare would rebuild it under the other tests' feet.
  const tarball = npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', project], root)
    .trim()
    .split('\n')
    .pop()!;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  npm(['install', '--ignore-scripts', '--prefer-offline', '--no-save', join(project, tarball)], project);
}, 180_000);

const npx = (args: string[]) => spawnSync('npx', ['--no-install', 'idpc', ...args], { cwd: project, encoding: 'utf8' });

describe('installed from its tarball into a fresh project', () => {
  it("npx idpc --version prints the package's version, not the project's", () => {
    const r = npx(['--version']);
    expect(r.stdout.trim()).toBe(ours);
    expect(ours).not.toBe('1.0.0');
  });

  it('npx idpc checks --json lists every registered check', () => {
    const r = npx(['checks', '--json']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }[]).map((c) => c.id)).toEqual(ALL_CHECKS.map((c) => c.id));
  });

  it("types: startMock({ flavour: 'okta' }) does not compile, startMock({ flavour: 'portal' }) does", () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          skipLibCheck: true,
          types: [],
        },
        include: ['*.ts'],
      }),
    );
    writeFileSync(
      join(project, 'good.ts'),
      "import { startMock } from 'idp-conformance/mocks';\nexport const start = () => startMock({ flavour: 'portal', port: 0 });\n",
    );
    writeFileSync(
      join(project, 'bad.ts'),
      "import { startMock } from 'idp-conformance/mocks';\nexport const start = () => startMock({ flavour: 'okta' });\n",
    );
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      encoding: 'utf8',
    });
    const errors = tsc.stdout.split('\n').filter((l) => /error TS/.test(l));
    expect(errors, tsc.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/^bad\.ts\(2,\d+\): error TS2322: Type '"okta"' is not assignable to type/);
  });
});
