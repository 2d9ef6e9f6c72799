import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { generatedDefaults, generatedTypes, generatedValidators } from '../src/schemas/generate.js';
import { packageRoot } from '../src/util/paths.js';

const generatedDir = join(packageRoot(), 'src', 'generated');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(join(dir, d.name)) : [relative(generatedDir, join(dir, d.name))],
  );
}

it('src/generated/ (types and precompiled validators) is what npm run gen:types makes of schemas/ (run it after changing a schema)', async () => {
  const files = [...(await generatedTypes()), ...(await generatedValidators()), ...generatedDefaults()];
  expect(files.map((f) => f.file).sort()).toEqual([
    'defaults.ts',
    'schemas.ts',
    'validators/mock-config.ts',
    'validators/schemas.ts',
  ]);
  for (const { file, source } of files) {
    const path = join(generatedDir, file);
    expect(existsSync(path), `src/generated/${file} is missing`).toBe(true);
    expect(readFileSync(path, 'utf8'), `src/generated/${file} is stale`).toBe(source);
  }
  // Nothing left over from an older generation.
  expect(listFiles(generatedDir).sort()).toEqual(files.map((f) => f.file).sort());
}, 60_000);

it('declares every public schema as a type, and the shared ones once', async () => {
  const [types] = await generatedTypes();
  for (const name of [
    'PortalTokenResponse',
    'KeycloakTokenResponse',
    'KeycloakOfflineClaims',
    'RatorTokenError',
    'InfolinkResourceError',
    'ConfigMockConfig',
    'ConfigTargetConfig',
  ]) {
    expect(types!.source).toMatch(new RegExp(`export (type|interface) ${name}\\b`));
  }
  expect(types!.source.match(/export interface Rfc6749TokenResponse\b/g)).toHaveLength(1);
});

it("the precompiled validator's local helpers: structural JSON equality, and code-point length as ajv's", async () => {
  const fc = (await import('fast-check')).default;
  const { RUNTIME_HELPERS } = await import('../src/schemas/generate.js');
  const local = Object.fromEntries(
    Object.entries(RUNTIME_HELPERS).map(([k, v]) => [
      k,
      // biome-ignore lint/security/noGlobalEval: the generated helpers' source is what is under test; indirect eval runs it in the global scope
      globalThis.eval(v) as (...a: unknown[]) => unknown,
    ]),
  );
  // The oracle for equality is canonical JSON (sorted keys), not ajv's fast-deep-equal: that one throws on
  // objects with an own "toString" or "valueOf" member, which are ordinary JSON.
  const canonical = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : v && typeof v === 'object'
        ? `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  const equal = local['ajv/dist/runtime/equal']!;
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
      expect(equal(a, b)).toBe(canonical(a) === canonical(b));
      expect(equal(a, structuredClone(a))).toBe(true);
    }),
  );
  expect(equal({ toString: [] }, {})).toBe(false);
  expect(equal({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
  const ajvLen = ((await import('ajv/dist/runtime/ucs2length.js')) as unknown as { default: { default?: unknown } })
    .default;
  const ucs2length = (typeof ajvLen === 'function' ? ajvLen : ajvLen.default) as (s: string) => number;
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(local['ajv/dist/runtime/ucs2length']!(s)).toBe(ucs2length(s));
    }),
  );
});

it('the precompiled validators judge as ajv compiling the schemas at run time: every fixture body and schema example, against every schema (plain and strict)', async () => {
  const { SchemaRegistry } = await import('../src/schemas/registry.js');
  const { loadManifest } = await import('../src/validate/fixtures.js');
  const { looksLikeHttpResponse, parseHttpResponse } = await import('../src/http/capture.js');
  const { publicSchemaEntries } = await import('../src/schemas/catalog.js');
  const { fixturesDir } = await import('../src/util/paths.js');
  const precompiled = new SchemaRegistry();
  const runtime = new SchemaRegistry(undefined, {});
  const values: unknown[] = [];
  for (const f of loadManifest()) {
    const text = readFileSync(join(fixturesDir(), f.file), 'utf8');
    const body = looksLikeHttpResponse(text) ? parseHttpResponse(text).body : text;
    try {
      values.push(JSON.parse(body));
    } catch {
      values.push(body);
    }
  }
  for (const e of publicSchemaEntries()) values.push(...((e.schema.examples as unknown[] | undefined) ?? []));
  expect(values.length).toBeGreaterThan(40);
  let invalid = 0;
  for (const e of publicSchemaEntries()) {
    for (const strict of [false, true]) {
      if (!precompiled.has(e.group, e.kind, strict)) continue;
      for (const v of values) {
        const a = precompiled.validate(e.group, e.kind, v, { strict });
        expect(a, `${e.file}${strict ? ' (strict)' : ''}`).toEqual(runtime.validate(e.group, e.kind, v, { strict }));
        if (!a.valid) invalid++;
      }
    }
  }
  // Both verdicts occur: the comparison is not of validators that accept everything.
  expect(invalid).toBeGreaterThan(100);
}, 60_000);
