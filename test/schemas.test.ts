import { describe, expect, it } from 'vitest';
import { publicSchemaEntries, schemaEntries } from '../src/schemas/catalog.js';
import { registry, validate } from '../src/schemas/registry.js';
import { FLAVOURS } from '../src/flavours/index.js';

describe('schema catalogue', () => {
  it('every schema and strict variant compiles', () => {
    expect(() => registry().compileAll()).not.toThrow();
  });

  it('has token-response, token-error and resource-error for every flavour', () => {
    // A flavour judged by its own schemas (not RFC 6749's alone) has all three.
    for (const flavour of Object.values(FLAVOURS)
      .filter((f) => !f.rfcBaseline)
      .map((f) => f.name)) {
      expect(registry().kinds(flavour), flavour).toEqual(
        expect.arrayContaining(['token-response', 'token-error', 'resource-error']),
      );
    }
    expect(registry().kinds('keycloak')).toEqual(
      expect.arrayContaining(['access-claims', 'refresh-claims', 'offline-claims', 'id-claims', 'session-limit-error']),
    );
    expect(registry().kinds('config')).toEqual(['mock-config', 'target-config']);
  });

  it.each(schemaEntries().map((e) => [e.file, e] as const))(
    '%s is a 2020-12 schema with $id, title and description',
    (_f, e) => {
      expect(e.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(e.schema.title).toBeTruthy();
      expect(e.schema.description).toBeTruthy();
    },
  );

  it.each(publicSchemaEntries().map((e) => [e.file, e] as const))('%s: every example validates', (_f, e) => {
    expect(e.schema.examples?.length).toBeGreaterThan(0);
    for (const example of e.schema.examples ?? []) expect(validate(e.group, e.kind, example).errors).toEqual([]);
  });

  it('strict variants list unknown members that the lax schema allows', () => {
    const body = { access_token: 'a', token_type: 'bearer', expires_in: 60, mapper_claim: 'x' };
    expect(validate('rator', 'token-response', body).valid).toBe(true);
    const strict = validate('rator', 'token-response', body, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.errors).toEqual([
      expect.objectContaining({ path: '/mapper_claim', keyword: 'unevaluatedProperties' }),
    ]);
  });

  it('reports JSON pointers and readable messages', () => {
    const r = validate('portal', 'token-response', {
      access_token: 'tg31ied56fOo4axuhuZLHj5JpUYCEL',
      expires_in: '36000',
      token_type: 'Bearer',
      scope: 'user:info',
    });
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/expires_in', message: 'must be integer, got string "36000"' }),
        expect.objectContaining({ path: '/refresh_token', message: 'required member "refresh_token" is missing' }),
      ]),
    );
    const crlf = validate('rfc6749', 'token-error', { error: 'invalid_grant', error_description: 'a\r\nb' });
    expect(crlf.errors[0]?.message).toMatch(/outside NQSCHAR .*: U\+000D at index 1/);
  });

  it('rejects a config file with the path of the problem', () => {
    const r = validate('config', 'mock-config', { flavour: 'portal', clients: [{ clientSecret: 'x' }], port: 70000 });
    expect(r.errors.map((e) => e.path).sort()).toEqual(['/clients/0/clientId', '/port']);
  });
});
