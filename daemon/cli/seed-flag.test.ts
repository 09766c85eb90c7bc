import { describe, expect, it } from 'vitest';
import { jobInputFromFlags, parseNumberFlag } from './job-args.js';
import { parseSeedFlag } from './seed-flag.js';
import { SeededNoise } from '../engine/seeded-noise.js';

describe('--seed takes what torch.Generator.manual_seed takes (the official demo\'s seed)', () => {
  it('0 … 2^53-1 are kept as typed', () => {
    expect(parseSeedFlag('0')).toBe(0);
    expect(parseSeedFlag('31337')).toBe(31337);
    expect(parseSeedFlag(' 9007199254740991 ')).toBe(9007199254740991);
  });

  it('a negative seed is its two\'s complement and a large one its low 32 bits: the same noise torch draws', () => {
    expect(parseSeedFlag('-1')).toBe(4294967295);
    expect(parseSeedFlag('-4294967296')).toBe(0);
    expect(parseSeedFlag('18446744073709551615')).toBe(4294967295);
    // Read exactly: 2^53+1 as a double would be 2^53 and lose its low bit.
    expect(parseSeedFlag('9007199254740993')).toBe(1);
    expect(parseSeedFlag('-9223372036854775808')).toBe(0);
    // Same noise as the low 32 bits (mt19937 is seeded with them, seeded-noise.ts).
    expect(SeededNoise.fromSeed(parseSeedFlag('-1')!).randn(16)).toEqual(SeededNoise.fromSeed(4294967295).randn(16));
  });

  it('outside torch\'s range, or not an integer: one line naming the flag', () => {
    expect(() => parseSeedFlag('18446744073709551616')).toThrow(/^--seed must be an integer from -2\^63 to 2\^64-1, torch's manual_seed range \(got 18446744073709551616\)$/);
    expect(() => parseSeedFlag('-9223372036854775809')).toThrow(/torch's manual_seed range/);
    expect(() => parseSeedFlag('abc')).toThrow(/^--seed must be a number \(got "abc"\)$/);
    expect(jobInputFromFlags({ seed: '-1' }).seed).toBe(4294967295);
    expect(parseSeedFlag('1.5')).toBe(1.5); // refused by the spec's integer check, as before
  });
});

describe('number flags are decimal only', () => {
  it('0x10, 0b1, 0o7 are refused (Number() would read them as 16, 1, 7)', () => {
    for (const text of ['0x10', '0b1', '0o7', '1_000', '.', '1e', '+-1']) {
      expect(() => parseNumberFlag('--seconds', text), text).toThrow(/^--seconds must be a number/);
    }
    expect(parseNumberFlag('--seconds', ' 1.3 ')).toBe(1.3);
    expect(parseNumberFlag('--seconds', '.5')).toBe(0.5);
    expect(parseNumberFlag('--seconds', '5.')).toBe(5);
    expect(parseNumberFlag('--seconds', '1e1')).toBe(10);
    expect(parseNumberFlag('--seconds', '-2')).toBe(-2);
  });
});
