import { describe, expect, it } from 'vitest';
import { shellWords, shownRequest } from './support/command-line.js';

describe('reading a document’s command line', () => {
  it('shell words: quotes, escapes, continuations, a pipeline ends the command', () => {
    expect(shellWords(`curl -d "a=1&b=\\$x \\c" 'it''s' one\\ word \\\n next | jq .`)).toEqual([
      'curl',
      '-d',
      'a=1&b=$x \\c',
      'its',
      'one word',
      'next',
    ]);
    expect(() => shellWords(`curl 'open`)).toThrow(/unterminated/);
  });

  it('curl: -u is Basic of the text as given, --data-urlencode encodes the value, data means a POST form', () => {
    const r = shownRequest(
      `curl --location 'http://h/t' -u 'id:s e' --data-urlencode 'x=a b/é' -d 'y=1' -H 'Accept: application/json'`,
    );
    expect(r).toEqual({
      method: 'POST',
      url: 'http://h/t',
      headers: [
        ['Authorization', `Basic ${Buffer.from('id:s e').toString('base64')}`],
        ['Accept', 'application/json'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      body: 'x=a%20b%2F%C3%A9&y=1',
    });
    expect(shownRequest('curl -X GET http://h/r').method).toBe('GET');
    expect(() => shownRequest('curl --form a=b http://h')).toThrow(/not read here/);
  });

  it('Invoke-WebRequest: -Method, -ContentType, -Body, -Headers @{ }', () => {
    const r = shownRequest(
      `Invoke-WebRequest -UseBasicParsing http://h/api -ContentType "application/json" -Method POST -Headers @{ 'Authorization' = 'Bearer t' } -Body "{'a': 1}" | Select-Object -Expand Content`,
    );
    expect(r).toEqual({
      method: 'POST',
      url: 'http://h/api',
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', 'Bearer t'],
      ],
      body: "{'a': 1}",
    });
  });
});
