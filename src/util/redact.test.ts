import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACT_RUN, Redactor, redactValue } from './redact.js';

/** Whether `text` holds REDACT_RUN or more consecutive characters of `secret`. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + REDACT_RUN <= secret.length; i++) if (text.includes(secret.slice(i, i + REDACT_RUN))) return true;
  return false;
}

const token = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,80}$/);

/** Whether `text` holds 8 consecutive characters of `secret` anywhere but inside one of `words` standing alone. */
function leaksOutsideWords(text: string, secret: string, words: Set<string>): boolean {
  const grams = new Set<string>();
  for (let i = 0; i + REDACT_RUN <= secret.length; i++) grams.add(secret.slice(i, i + REDACT_RUN));
  for (let i = 0; i + REDACT_RUN <= text.length; i++) {
    if (!grams.has(text.slice(i, i + REDACT_RUN))) continue;
    let start = i;
    while (start > 0 && /\w/.test(text[start - 1]!)) start--;
    let end = i + REDACT_RUN;
    while (end < text.length && /\w/.test(text[end]!)) end++;
    if (!/^\w+$/.test(text.slice(i, i + REDACT_RUN)) || !words.has(text.slice(start, end).toLowerCase())) return true;
  }
  return false;
}

describe('Redactor', () => {
  it('a whole secret becomes its marker', () => {
    const r = new Redactor(['s3cr3t-value-123']);
    expect(r.text('a s3cr3t-value-123 b')).toBe(`a ${redactValue('s3cr3t-value-123')} b`);
  });

  it('no output holds 8 consecutive characters of any token, whatever the probes did to it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 5 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat(),
            fc.nat(),
            fc.string({ maxLength: 12 }),
            fc.constantFrom('truncate', 'prefix', 'suffix', 'middle', 'urlencode', 'twice'),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        fc.string({ maxLength: 40 }),
        (tokens, mutilations, filler) => {
          const r = new Redactor(tokens);
          const pieces = mutilations.map(([which, a, b, extra, how]) => {
            const t = tokens[which % tokens.length]!;
            const cut = REDACT_RUN + (a % Math.max(1, t.length - REDACT_RUN + 1));
            switch (how) {
              case 'truncate':
                return t.slice(0, cut);
              case 'prefix':
                return extra + t;
              case 'suffix':
                return t + extra;
              case 'middle':
                return t.slice(
                  b % Math.max(1, t.length - REDACT_RUN),
                  (b % Math.max(1, t.length - REDACT_RUN)) + REDACT_RUN,
                );
              case 'urlencode':
                return encodeURIComponent(t);
              default:
                return `${t}${filler}${t.slice(0, cut)}`;
            }
          });
          const out = r.text([filler, ...pieces, filler].join(' | '));
          for (const t of tokens) expect(leaks(out, t), `${t} leaked into ${out}`).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a configured password holding a protocol word leaves the word readable where it stands alone, and nowhere else', () => {
    const r = new Redactor([], { configured: ['mypassword'] });
    const m = redactValue('mypassword');
    expect(r.text('grant_type=password&username=u&password=mypassword')).toBe(
      `grant_type=password&username=u&password=${m}`,
    );
    expect(r.text('password=mypasswor')).toBe(`password=${m}`);
    expect(r.text('xpassword Password')).toBe(`x${m} Password`);
  });

  it('a secret that is itself a protocol word, and every issued token, are redacted wherever they appear', () => {
    expect(new Redactor([], { configured: ['password'] }).text('grant_type=password')).toBe(
      `grant_type=${redactValue('password')}`,
    );
    expect(new Redactor(['xxpasswordyy']).text('grant_type=password')).toBe(
      `grant_type=${redactValue('xxpasswordyy')}`,
    );
    // The same run in a token and in a configured secret: the token's rule holds.
    expect(new Redactor(['xxpasswordyy'], { configured: ['mypassword'] }).text('grant_type=password')).not.toContain(
      '=password',
    );
  });

  it("the target's own grant types are protocol words too", () => {
    const r = new Redactor([], { configured: ['my_operator_password'], protocolWords: ['operator_password'] });
    expect(r.text('grant_type=operator_password&password=my_operator_password')).toBe(
      `grant_type=operator_password&password=${redactValue('my_operator_password')}`,
    );
  });

  it('a public name (client id, username, check variant) that shares characters with a secret stays readable where it stands alone', () => {
    const r = new Redactor([], {
      configured: ['conformance-service-secret', 'qa-bot-password'],
      publicNames: ['conformance-app', 'missing-password', 'operator_password'],
    });
    const m = redactValue('conformance-service-secret');
    expect(r.text('client_id=conformance-app&x=1')).toBe('client_id=conformance-app&x=1');
    expect(r.text('grant:TE-E2:missing-password')).toBe('grant:TE-E2:missing-password');
    expect(r.text('grant_type=operator_password')).toBe('grant_type=operator_password');
    // The secret itself, a piece of it, or the name glued to more of the secret: redacted as before.
    expect(r.text('client_secret=conformance-service-secret')).toBe(`client_secret=${m}`);
    expect(r.text('conformance-service')).toBe(m);
    expect(r.text('conformance-app-x')).toBe(`${m}app-x`);
    expect(r.text('xqa-bot-password')).toBe(`x${redactValue('qa-bot-password')}`);
  });

  it('a public name that holds a whole secret, and every issued token, get no exemption', () => {
    expect(
      new Redactor([], { configured: ['s3cret-app'], publicNames: ['my-s3cret-app'] }).text('id=my-s3cret-app'),
    ).toBe(`id=my-${redactValue('s3cret-app')}`);
    expect(new Redactor(['conformance-token-xyz'], { publicNames: ['conformance-app'] }).text('conformance-app')).toBe(
      `${redactValue('conformance-token-xyz')}app`,
    );
  });

  it('short secrets are redacted too: 1..3 characters where they stand as a value, 4..7 anywhere but inside a protocol word standing alone', () => {
    const r = new Redactor([], { configured: ['ab', 'pass', 'x9'] });
    expect(r.text('username=bob&password=ab&scope=abc')).toBe(`username=bob&password=${redactValue('ab')}&scope=abc`);
    expect(r.text('{"client_secret":"x9"}')).toBe(`{"client_secret":"${redactValue('x9')}"}`);
    // The marker covers the secret and nothing else: "pass" in the grant type "password" is the protocol's.
    expect(r.text('grant_type=password&password=pass')).toBe(`grant_type=password&password=${redactValue('pass')}`);
    expect(r.text('bypass=1')).toBe(`by${redactValue('pass')}=1`);
    // A marker already written is never cut into by a short secret that its hex happens to hold.
    const dead = new Redactor(['a-token-of-some-length'], {
      configured: [redactValue('a-token-of-some-length').slice(10, 14)],
    });
    expect(dead.text('a-token-of-some-length')).toBe(redactValue('a-token-of-some-length'));
    expect(Redactor.weak(['ab', 'pass', 'long-enough-secret'])).toEqual(['ab', 'pass']);
  });

  it('a client id or username that shares a prefix with a secret is not covered by its marker (client_id=[redacted]id)', () => {
    const r = new Redactor([], {
      configured: ['qa-client-secret-123', 'alice-wonder-pw'],
      publicNames: ['qa-client-id', 'alice-wonder'],
    });
    expect(r.text('client_id=qa-client-id&client_secret=qa-client-secret-123')).toBe(
      `client_id=qa-client-id&client_secret=${redactValue('qa-client-secret-123')}`,
    );
    expect(r.text('username=alice-wonder&password=alice-wonder-pw')).toBe(
      `username=alice-wonder&password=${redactValue('alice-wonder-pw')}`,
    );
  });

  it('no output holds 8 consecutive characters of a configured secret but a protocol word standing alone (property)', () => {
    const words = ['password', 'client_credentials', 'refresh_token', 'username'];
    const piece = fc.oneof(fc.constantFrom(...words), fc.stringMatching(/^[A-Za-z0-9!@#-]{1,8}$/));
    const secret = fc
      .array(piece, { minLength: 1, maxLength: 4 })
      .map((p) => p.join(''))
      .filter((x) => x.length >= REDACT_RUN);
    fc.assert(
      fc.property(
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('whole', 'truncate', 'glued', 'form', 'encoded')), {
          minLength: 1,
          maxLength: 6,
        }),
        (secrets, uses) => {
          const r = new Redactor([], { configured: secrets });
          const pieces = uses.map(([which, cut, how]) => {
            const s = secrets[which % secrets.length]!;
            const at = REDACT_RUN + (cut % Math.max(1, s.length - REDACT_RUN + 1));
            switch (how) {
              case 'whole':
                return s;
              case 'truncate':
                return s.slice(0, at);
              case 'glued':
                return `x${s}y`;
              case 'encoded':
                return encodeURIComponent(s);
              default:
                return `grant_type=password&username=u&password=${encodeURIComponent(s)}&scope=refresh_token`;
            }
          });
          const out = r.text(pieces.join(' | '));
          for (const s of secrets)
            if (!words.includes(s.toLowerCase()))
              expect(leaksOutsideWords(out, s, new Set(words)), `${s} leaked into ${out}`).toBe(false);
          for (const s of secrets)
            if (words.includes(s.toLowerCase())) expect(out.includes(s), `${s} leaked into ${out}`).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keyed markers: one per secret within a redactor, unrelated to the plain hash and to another key', () => {
    const a = new Redactor(['s3cr3t-value-123'], { key: Buffer.alloc(16, 1) });
    const b = new Redactor(['s3cr3t-value-123'], { key: Buffer.alloc(16, 2) });
    const marker = a.text('s3cr3t-value-123');
    expect(marker).toMatch(/^\[redacted:[0-9a-f]{8}\]$/);
    expect(a.text('x s3cr3t-value-123 y s3cr3t-val')).toBe(`x ${marker} y ${marker}`);
    expect(a.authorization('Basic s3cr3t-value-123')).toBe(`Basic ${marker}`);
    expect(marker).not.toBe(redactValue('s3cr3t-value-123'));
    expect(b.text('s3cr3t-value-123')).not.toBe(marker);
  });

  it('text around the secrets survives', () => {
    const r = new Redactor(['abcdefghijklmnop']);
    expect(r.text('before xxabcdefghij after')).toBe(`before xx${redactValue('abcdefghijklmnop')} after`);
    expect(r.text('nothing secret here')).toBe('nothing secret here');
  });

  it('is linear: a large body with many tokens is redacted in one pass', () => {
    const tokens = Array.from({ length: 2000 }, (_, i) => `tok-${i}-${'x'.repeat(20)}-${i * 7919}`);
    const r = new Redactor(tokens);
    const body = Array.from({ length: 20_000 }, (_, i) => `entry ${i} ${tokens[i % 2000]!.slice(0, 12)}`).join('\n');
    const out = r.text(body);
    for (const t of tokens.slice(0, 50)) expect(leaks(out, t)).toBe(false);
  });
});
