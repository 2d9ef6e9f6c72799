import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACT_RUN, Redactor, redactValue } from './redact.js';

/** Whether `text` holds REDACT_RUN or more consecutive characters of `secret`. */
function leaks(text: string, secret: string): boolean {
  for (let i = 0; i + REDACT_RUN <= secret.length; i++) if (text.includes(secret.slice(i, i + REDACT_RUN))) return true;
  return false;
}

const token = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,80}$/);

describe('Redactor', () => {
  it('a whole secret becomes its marker', () => {
    const r = new Redactor(['s3cr3t-value-123']);
    expect(r.text('a s3cr3t-value-123 b')).toBe(`a ${redactValue('s3cr3t-value-123')} b`);
  });

  it('no output holds 8 consecutive characters of any token, whatever the probes did to it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.string({ maxLength: 12 }), fc.constantFrom('truncate', 'prefix', 'suffix', 'middle', 'urlencode', 'twice')), { minLength: 1, maxLength: 6 }),
        fc.string({ maxLength: 40 }),
        (tokens, mutilations, filler) => {
          const r = new Redactor(tokens);
          const pieces = mutilations.map(([which, a, b, extra, how]) => {
            const t = tokens[which % tokens.length]!;
            const cut = REDACT_RUN + (a % Math.max(1, t.length - REDACT_RUN + 1));
            switch (how) {
              case 'truncate': return t.slice(0, cut);
              case 'prefix': return extra + t;
              case 'suffix': return t + extra;
              case 'middle': return t.slice(b % Math.max(1, t.length - REDACT_RUN), (b % Math.max(1, t.length - REDACT_RUN)) + REDACT_RUN);
              case 'urlencode': return encodeURIComponent(t);
              default: return `${t}${filler}${t.slice(0, cut)}`;
            }
          });
          const out = r.text([filler, ...pieces, filler].join(' | '));
          for (const t of tokens) expect(leaks(out, t), `${t} leaked into ${out}`).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
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
