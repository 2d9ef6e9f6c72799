import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateMembers } from '../src/checks/json.js';
import { cacheDirectives, header, looksLikeHttpResponse, mediaType, parseHttpResponse } from '../src/http/capture.js';

describe('HTTP capture parsing', () => {
  it('reads status, repeated headers and body with CRLF or LF line ends', () => {
    for (const eol of ['\r\n', '\n']) {
      const r = parseHttpResponse(
        [
          'HTTP/1.1 401 Unauthorized',
          'Set-Cookie: a=1',
          'set-cookie: b=2',
          'Content-Type: application/json',
          '',
          '{"error":"x"}',
        ].join(eol),
      );
      expect(r.status).toBe(401);
      expect(r.statusText).toBe('Unauthorized');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(header(r, 'CONTENT-TYPE')).toBe('application/json');
      expect(r.body).toBe('{"error":"x"}');
    }
    expect(parseHttpResponse('HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n').status).toBe(200);
  });

  it('tells a capture from a body', () => {
    expect(looksLikeHttpResponse('HTTP/1.1 200 OK\r\n\r\n{}')).toBe(true);
    expect(looksLikeHttpResponse('{"access_token":"x"}')).toBe(false);
  });

  it('rejects a header line without a name', () => {
    expect(() => parseHttpResponse('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')).toThrow(/no name/);
  });

  it('parses media types and cache directives', () => {
    expect(mediaType('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(cacheDirectives('private, No-Store, max-age=0')).toEqual(['private', 'no-store', 'max-age']);
  });
});

describe('duplicate member detection', () => {
  it('finds duplicates at any depth and nothing in JSON without them', () => {
    expect(findDuplicateMembers('{"a":1,"b":{"c":[1,{"d":1,"d":2}]},"a":"x\\"y"}')).toEqual([
      { pointer: '/b/c/1', member: 'd' },
      { pointer: '', member: 'a' },
    ]);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findDuplicateMembers(JSON.stringify(value))).toEqual([]);
        expect(findDuplicateMembers(JSON.stringify(value, null, 2))).toEqual([]);
      }),
    );
  });
});
