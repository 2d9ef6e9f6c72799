import { describe, expect, it } from 'vitest';
import { checkFixture, loadManifest } from '../src/validate/fixtures.js';
import { FLAVOURS } from '../src/flavours/index.js';

const fixtures = loadManifest();

describe('bundled fixtures behave as labelled', () => {
  it('cover RFC 6749 and every flavour with schemas of its own, positive and negative', () => {
    for (const flavour of [
      'rfc6749',
      ...Object.values(FLAVOURS)
        .filter((f) => !f.rfcBaseline)
        .map((f) => f.name),
    ]) {
      expect(fixtures.some((f) => f.flavour === flavour && f.expect.valid)).toBe(true);
      expect(fixtures.some((f) => f.flavour === flavour && !f.expect.valid)).toBe(true);
    }
    for (const seed of ['000', '001', '002', '003', '004'])
      expect(fixtures.some((f) => f.source.includes(`seeds/${seed}`))).toBe(true);
  });

  it('label every negative fixture with the finding it must produce', () => {
    for (const f of fixtures.filter((x) => !x.expect.valid))
      expect(f.expect.findings.length, f.file).toBeGreaterThan(0);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, fixture) => {
    const result = checkFixture(fixture);
    expect(result.problems).toEqual([]);
  });
});
