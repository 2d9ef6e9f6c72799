import fc from 'fast-check';
import { expect, it } from 'vitest';
import { pythonJson } from './json.js';

it('writes Python json.dumps defaults: spaced separators, ensure_ascii', () => {
  expect(
    pythonJson({ access_token: 'x', expires_in: 36000, scope: 'user:info', ok: true, none: null, list: [1, 'a'] }),
  ).toBe(
    '{"access_token": "x", "expires_in": 36000, "scope": "user:info", "ok": true, "none": null, "list": [1, "a"]}',
  );
  expect(pythonJson('é"\\\n\u0001\u2028')).toBe('"\\u00e9\\"\\\\\\n\\u0001\\u2028"');
});

it('always parses back to the same value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      expect(JSON.parse(pythonJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }),
  );
});
