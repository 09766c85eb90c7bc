import { describe, expect, it } from 'vitest';
import { compileTokenizerRegex, findMatches, UnsupportedRegexError } from './regex.js';

const matches = (pattern: string, text: string) => [...text.matchAll(compileTokenizerRegex(pattern))].map((m) => m[0]);

describe('compileTokenizerRegex', () => {
  it('expands (?i:...) groups, which JS lacks, without making the rest case-insensitive', () => {
    expect(matches("(?i:'s|'ll)|x", "'S 'Ll 'LL 's X x")).toEqual(["'S", "'Ll", "'LL", "'s", 'x']);
    // Unicode simple case folding: long s and the Kelvin sign fold to s and k.
    expect(matches('(?i:s|k)', '\u017f\u212a')).toEqual(['\u017f', '\u212a']);
    expect(matches('(?i:[ab])c', 'Ac aC')).toEqual(['Ac']);
  });

  it('uses Unicode White_Space for \\s: U+0085 counts, U+FEFF does not (JS differs on both)', () => {
    expect(matches('\\s+', 'a\u0085b\ufeffc\u3000d')).toEqual(['\u0085', '\u3000']);
    expect(matches('[^\\s]+', 'a\u0085b')).toEqual(['a', 'b']);
    expect(matches('\\S+', 'x\u0085y')).toEqual(['x', 'y']);
  });

  it('makes \\d and \\w Unicode-aware, as Oniguruma is', () => {
    expect(matches('\\d+', '12٣٤x')).toEqual(['12٣٤']);
    expect(matches('\\w+', 'héllo wörld_1')).toEqual(['héllo', 'wörld_1']);
  });

  it('keeps \\p{..} classes, quantifiers and lookaheads', () => {
    expect(matches('\\p{N}{1,3}', '12345')).toEqual(['123', '45']);
    expect(matches('\\s+(?!\\S)|\\s+', 'a   b')).toEqual(['  ', ' ']);
    expect(matches('\\p{^L}+', 'ab12cd')).toEqual(['12']);
  });

  it('accepts escapes that are identity escapes in Oniguruma but errors in u-mode', () => {
    expect(matches("<\\|endoftext\\|>|\\'", "<|endoftext|>'")).toEqual(['<|endoftext|>', "'"]);
  });

  it('gives . and ^/$ Oniguruma line semantics', () => {
    expect(matches('.+', 'ab\rcd\ne')).toEqual(['ab\rcd', 'e']);
    expect(matches('^a', 'a\na')).toEqual(['a', 'a']);
  });

  it('rejects what it cannot reproduce, naming the pattern', () => {
    expect(() => compileTokenizerRegex('(?>a)')).toThrow(UnsupportedRegexError);
    expect(() => compileTokenizerRegex('\\bword')).toThrow(/not supported: escape \\b/);
    expect(() => compileTokenizerRegex('[[:alpha:]]')).toThrow(/POSIX/);
    expect(() => compileTokenizerRegex('(?i:[a-z])')).toThrow(/range inside a case-insensitive group/);
    expect(() => compileTokenizerRegex('(a')).toThrow(/unbalanced/);
  });
});

describe('findMatches', () => {
  it('covers the text with alternating pieces, skipping empty matches', () => {
    expect(findMatches(compileTokenizerRegex('b*'), 'abba')).toEqual([
      { piece: 'a', isMatch: false }, { piece: 'bb', isMatch: true }, { piece: 'a', isMatch: false },
    ]);
    expect(findMatches(compileTokenizerRegex('x'), '')).toEqual([]);
  });
});
