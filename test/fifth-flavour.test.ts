/**
 * A flavour is registered once: the Zenith fixture (test/fixtures/fifth-flavour), added to a copy of this tree as
 * three homes and one list line, needs no other hand-written file and passes the typecheck, the layer check, a
 * conforming run at seeds 1-3 and the tests that enumerate flavours (scripts/fifth-flavour.mjs; --full: the whole suite).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/util/paths.js';

describe('a fifth built-in flavour', () => {
  // Inside the copy scripts/fifth-flavour.mjs --full makes, this test would copy the copy.
  it.skipIf(process.env.IDPC_FIFTH_FLAVOUR_COPY === '1')(
    'is 3 homes and 1 list line: the generators, typecheck, layers, run --mock zenith (seeds 1-3) and the flavour-enumerating tests pass in a copy',
    () => {
      const r = spawnSync(process.execPath, [join(packageRoot(), 'scripts/fifth-flavour.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, FORCE_COLOR: '0' },
      });
      expect(r.stderr.match(/fifth-flavour: .*/)?.[0] ?? '', r.stdout.slice(-3000)).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/added 3 files in 3 homes \(.*\) and 1 line to src\/vocabulary\/flavours\.ts/);
      expect(r.stdout.match(/zenith \(default\) .*: CONFORMS \(exit 0\)/g)).toHaveLength(3);
      expect(r.stdout).toMatch(/a fifth flavour: 3 homes, 1 list line, 0 other hand-written files/);
    },
    300_000,
  );
});
