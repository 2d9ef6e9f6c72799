#!/usr/bin/env node
/**
 * Proves that a flavour is registered once: copies this tree (the files git knows, node_modules linked), adds the
 * Zenith fixture (test/fixtures/fifth-flavour: its three homes, src/flavours/zenith.ts, schemas/zenith/,
 * mocks/zenith/, plus one line of src/vocabulary/flavours.ts), runs the generators (gen:types, gen:docs), then
 *   default: the typecheck, the layer check, `idpc run --mock zenith` at seeds 1-3 and the test files that
 *            enumerate the flavours (what test/fifth-flavour.test.ts runs in npm test);
 *   --full:  npm test, the whole suite, in the copy.
 * It fails when any other hand-written file would have to change. --keep leaves the copy for a look.
 * Usage: node scripts/fifth-flavour.mjs [--full] [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'test/fixtures/fifth-flavour');
const full = process.argv.includes('--full');
const keep = process.argv.includes('--keep');
const LIST = 'src/vocabulary/flavours.ts';
/** What the generators write: never edited by hand. */
const GENERATED = [
  /^src\/generated\//,
  /^schemas\/config\/mock-config\.schema\.json$/,
  /^docs\/(checks|flavours)\.md$/,
];

const copy = mkdtempSync(join(tmpdir(), 'idpc-fifth-'));
const say = (line) => process.stdout.write(`${line}\n`);
const run = (cmd, args, extraEnv = {}) => {
  say(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: copy, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
};

try {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)));
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    cpSync(join(root, f), join(copy, f));
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

  // The three homes.
  const homes = [];
  const walk = (dir) =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const file of walk(fixture)) {
    const rel = relative(fixture, file);
    if (rel === 'list-line.txt') continue;
    if (existsSync(join(copy, rel))) throw new Error(`${rel} exists already: a home must be new`);
    mkdirSync(dirname(join(copy, rel)), { recursive: true });
    cpSync(file, join(copy, rel));
    homes.push(rel);
  }
  // The one list line, before the list's end.
  const line = readFileSync(join(fixture, 'list-line.txt'), 'utf8');
  const list = readFileSync(join(copy, LIST), 'utf8');
  const end = list.indexOf('} as const');
  if (end < 0) throw new Error(`${LIST}: the list's end (} as const) is not found`);
  writeFileSync(join(copy, LIST), list.slice(0, end) + line + list.slice(end));
  say(`added ${homes.length} files in 3 homes (${homes.join(', ')}) and 1 line to ${LIST}`);

  // A repository of its own, so that the tests that ask git (which files exist, git grep) see the copy.
  execFileSync('git', ['init', '-q'], { cwd: copy });
  execFileSync('git', ['add', '-A'], { cwd: copy });

  run('npm', ['run', '--silent', 'gen:types']);
  run('npm', ['run', '--silent', 'gen:docs']);

  // Nothing hand-written but the list changed.
  const changed = files.filter((f) => !readFileSync(join(root, f)).equals(readFileSync(join(copy, f))));
  const byHand = changed.filter((f) => f !== LIST && !GENERATED.some((re) => re.test(f)));
  say(`changed beside the homes: ${changed.join(', ')}`);
  if (byHand.length) throw new Error(`a fifth flavour needed hand edits of ${byHand.join(', ')}`);

  // In the copy, test/fifth-flavour.test.ts would copy the copy: it says so and skips (IDPC_FIFTH_FLAVOUR_COPY).
  if (full) run('npm', ['test'], { IDPC_FIFTH_FLAVOUR_COPY: '1' });
  else {
    run('npm', ['run', '--silent', 'typecheck']);
    run('npm', ['run', '--silent', 'check:layers']);
    // The CLI tests run the built idpc (dist/), as npm test builds it.
    run('npm', ['run', '--silent', 'build']);
    for (const seed of ['1', '2', '3'])
      run(process.execPath, [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'run',
        '--mock',
        'zenith',
        '--seed',
        seed,
        '--quiet',
        '--report-dir',
        join(copy, 'reports', `zenith-${seed}`),
      ]);
    run(process.execPath, [
      'node_modules/vitest/vitest.mjs',
      'run',
      'test/schemas.test.ts',
      'test/fixtures.test.ts',
      'test/plan.test.ts',
      'test/mocks/core.e2e.test.ts',
      'test/cli.test.ts',
      'test/report-html.e2e.test.ts',
    ]);
  }
  say(
    `a fifth flavour: 3 homes, 1 list line, 0 other hand-written files; ${full ? 'the whole suite' : 'typecheck, layers, run --mock zenith at seeds 1-3 and the flavour-enumerating tests'} green`,
  );
} catch (e) {
  process.stderr.write(`fifth-flavour: ${e.message}\n`);
  process.exitCode = 1;
} finally {
  if (keep) say(`the copy: ${copy}`);
  else rmSync(copy, { recursive: true, force: true });
}
