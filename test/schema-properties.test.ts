import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publicSchemaEntries } from '../src/schemas/catalog.js';
import { registry } from '../src/schemas/registry.js';
import {
  arbitraryFor,
  memberSchemas,
  memberTypes,
  requiredMembers,
  SAMPLE_OF_TYPE,
  type Located,
} from './support/schema-arbitrary.js';

const reg = registry();
// Config schemas describe our own files; the response schemas are what these properties are about.
// The IdPs' bodies: our own files (config, report) are not what a token endpoint answers.
const responseSchemas = publicSchemaEntries().filter((e) => e.group !== 'config' && e.group !== 'report');
const CONTROL_CHARS = ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f'];

describe.each(responseSchemas.map((e) => [`${e.group}/${e.kind}`, e] as const))('%s', (_name, entry) => {
  const root: Located = { schema: entry.schema, base: entry.schema.$id };
  const valid = arbitraryFor(reg, root);
  const isObject = entry.schema.type === 'object';

  it('accepts every value generated from its constraints', () => {
    fc.assert(
      fc.property(valid, (value) => {
        const result = reg.validate(entry.group, entry.kind, value);
        expect(result.errors).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it.runIf(isObject && requiredMembers(reg, root).length > 0)(
    'rejects the value with any one required member dropped',
    () => {
      const required = requiredMembers(reg, root);
      fc.assert(
        fc.property(valid, fc.constantFrom(...required), (value, member) => {
          const mutated = { ...(value as Record<string, unknown>) };
          delete mutated[member];
          const result = reg.validate(entry.group, entry.kind, mutated);
          expect(result.valid).toBe(false);
          expect(result.errors.map((e) => e.path)).toContain(`/${member}`);
        }),
        { numRuns: 100 },
      );
    },
  );

  // Members whose type is restricted, with a type they do not admit.
  const members = isObject ? memberSchemas(reg, root) : new Map<string, Located[]>();
  const retypable = [...members.entries()]
    .map(([name, subs]) => [name, memberTypes(reg, subs)] as const)
    .filter((pair): pair is readonly [string, Set<string>] => pair[1] !== undefined)
    .flatMap(([name, types]) =>
      Object.keys(SAMPLE_OF_TYPE)
        .filter((t) => !types.has(t) && !(t === 'integer' && types.has('number')))
        .map((t) => [name, t] as const),
    );

  it.runIf(retypable.length > 0)("rejects the value with a member's type changed", () => {
    fc.assert(
      fc.property(valid, fc.constantFrom(...retypable), (value, [member, type]) => {
        const mutated = { ...(value as Record<string, unknown>), [member]: SAMPLE_OF_TYPE[type] };
        const result = reg.validate(entry.group, entry.kind, mutated);
        expect(result.valid).toBe(false);
        expect(result.errors.some((e) => e.path === `/${member}` || e.path.startsWith(`/${member}/`))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a control character put into any string', () => {
    const withString = valid.filter((v) =>
      typeof v === 'string' ? true : Object.values(v as object).some((x) => typeof x === 'string'),
    );
    fc.assert(
      fc.property(withString, fc.constantFrom(...CONTROL_CHARS), fc.nat(), fc.nat(), (value, ctl, which, at) => {
        let mutated: unknown;
        let path = '';
        if (typeof value === 'string') {
          mutated = value.slice(0, at % (value.length + 1)) + ctl + value.slice(at % (value.length + 1));
        } else {
          const keys = Object.keys(value as object).filter(
            (k) => typeof (value as Record<string, unknown>)[k] === 'string',
          );
          const key = keys[which % keys.length]!;
          const s = (value as Record<string, string>)[key]!;
          const i = at % (s.length + 1);
          mutated = { ...(value as object), [key]: s.slice(0, i) + ctl + s.slice(i) };
          path = `/${key}`;
        }
        const result = reg.validate(entry.group, entry.kind, mutated);
        expect(result.valid).toBe(false);
        if (path) expect(result.errors.some((e) => e.path === path)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
