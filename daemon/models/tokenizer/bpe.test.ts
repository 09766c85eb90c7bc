import { describe, expect, it } from 'vitest';
import { BpeModel, BpeConfigError } from './bpe.js';
import { BpeModelSchema, type BpeModelConfig } from './tokenizer-json.js';

const model = (over: Partial<BpeModelConfig> & Pick<BpeModelConfig, 'vocab'>) => new BpeModel(BpeModelSchema.parse({ type: 'BPE', ...over }));
const tokens = (m: BpeModel, word: string) => m.tokenize(word).map((id) => m.idToTokenString(id));

describe('BpeModel', () => {
  const vocab = { a: 0, b: 1, c: 2, ab: 3, bc: 4, abc: 5, aa: 6, aaaa: 7 };

  it('applies merges by rank, not left to right', () => {
    // "b c" outranks "a b", so abc is built as a + bc (the merge "a bc" must then exist).
    const m = model({ vocab: { ...vocab, abc: 5 }, merges: ['b c', 'a b', 'a bc'] });
    expect(tokens(m, 'abc')).toEqual(['abc']);
    const noFinal = model({ vocab, merges: ['b c', 'a b', 'ab c'] });
    expect(tokens(noFinal, 'abc')).toEqual(['a', 'bc']);
    const otherOrder = model({ vocab, merges: ['a b', 'b c', 'ab c'] });
    expect(tokens(otherOrder, 'abc')).toEqual(['abc']);
  });

  it('breaks rank ties leftmost and re-merges new pairs', () => {
    const m = model({ vocab, merges: ['a a', 'aa aa'] });
    expect(tokens(m, 'aaaaa')).toEqual(['aaaa', 'a']);
    expect(tokens(m, 'aaa')).toEqual(['aa', 'a']);
  });

  it('reads merges as "a b" strings or ["a", "b"] pairs alike', () => {
    const s = model({ vocab, merges: ['a b', 'ab c'] });
    const p = model({ vocab, merges: [['a', 'b'], ['ab', 'c']] });
    expect(p.tokenize('abcab')).toEqual(s.tokenize('abcab'));
    expect(tokens(p, 'abcab')).toEqual(['abc', 'ab']);
  });

  it('with ignore_merges emits a whole-vocabulary word directly, otherwise merges', () => {
    // "aaaa" is in the vocabulary but no merge chain reaches it from "a" merges alone.
    const plain = model({ vocab, merges: ['a a'] });
    expect(tokens(plain, 'aaaa')).toEqual(['aa', 'aa']);
    const ignoring = model({ vocab, merges: ['a a'], ignore_merges: true });
    expect(tokens(ignoring, 'aaaa')).toEqual(['aaaa']);
    expect(tokens(ignoring, 'aaa')).toEqual(['aa', 'a']);
  });

  it('adds the end-of-word suffix to the last character and the prefix to the others', () => {
    const clip = model({
      vocab: { h: 0, i: 1, 'i</w>': 2, 'h</w>': 3, 'hi</w>': 4, hi: 5 },
      merges: ['h i</w>'], end_of_word_suffix: '</w>', continuing_subword_prefix: '',
    });
    expect(tokens(clip, 'hi')).toEqual(['hi</w>']);
    expect(tokens(clip, 'h')).toEqual(['h</w>']);
    const wordpieceLike = model({ vocab: { h: 0, '##i': 1, hi: 2 }, merges: ['h ##i'], continuing_subword_prefix: '##' });
    expect(tokens(wordpieceLike, 'hi')).toEqual(['hi']);
  });

  it('maps unknown characters to unk (fused if asked), or drops them without one', () => {
    const v = { '<unk>': 0, a: 1 };
    expect(model({ vocab: v, unk_token: '<unk>' }).tokenize('axya')).toEqual([1, 0, 0, 1]);
    expect(model({ vocab: v, unk_token: '<unk>', fuse_unk: true }).tokenize('axya')).toEqual([1, 0, 1]);
    expect(model({ vocab: v }).tokenize('axya')).toEqual([1, 1]);
  });

  it('falls back to <0xXX> byte tokens when asked', () => {
    const m = model({ vocab: { a: 0, '<0xC3>': 1, '<0xA9>': 2 }, byte_fallback: true });
    expect(m.tokenize('aé')).toEqual([0, 1, 2]);
  });

  it('refuses merges whose parts or result are missing from the vocabulary', () => {
    expect(() => model({ vocab: { a: 0, b: 1 }, merges: ['a b'] })).toThrow(/"ab", which is not in the vocabulary/);
    expect(() => model({ vocab: { a: 0 }, merges: ['a b'] })).toThrow(BpeConfigError);
    expect(() => model({ vocab: { a: 0 }, merges: ['a b c'] })).toThrow(/not a pair/);
    expect(() => model({ vocab: { a: 0 }, unk_token: '<unk>' })).toThrow(/unk_token/);
  });
});
