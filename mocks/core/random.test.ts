import { expect, it } from 'vitest';
import { alphanumericToken, seededRandom } from './random.js';

it('makes oauthlib-style 30-character [A-Za-z0-9] tokens, all distinct, every character used', () => {
  const tokens = Array.from({ length: 2000 }, () => alphanumericToken());
  for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9]{30}$/);
  expect(new Set(tokens).size).toBe(tokens.length);
  expect(new Set(tokens.join('')).size).toBe(62);
});

it('repeats a seeded sequence', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
});
