import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadTokenizer, Tokenizer } from './tokenizer.js';
import { TokenizerFileError } from './tokenizer-json.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';

const TINY_DIR = path.resolve(import.meta.dirname, '../../../models/tokenizers-src');

function minimal(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '<s>': 3 }, merges: ['a b'] },
    ...over,
  };
}
const added = (id: number, content: string, opts: Record<string, boolean> = {}) =>
  ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...opts });

describe('Tokenizer: added and special tokens', () => {
  it('cuts special tokens out of the text, leftmost-longest', () => {
    const tok = Tokenizer.fromJson(minimal({ added_tokens: [added(10, '<x>'), added(11, '<x>>')], pre_tokenizer: null }));
    expect(tok.encode('ab<x>>a<x>b')).toEqual([2, 11, 0, 10, 1]);
  });

  it('matches normalized:false tokens in raw text and normalized:true ones after the normalizer', () => {
    const json = minimal({
      normalizer: { type: 'Lowercase' },
      added_tokens: [added(10, '<RAW>'), added(11, '<norm>', { normalized: true })],
    });
    const tok = Tokenizer.fromJson(json);
    expect(tok.encode('AB<RAW>a<NORM>b')).toEqual([2, 10, 0, 11, 1]);
    // Raw matching is case-sensitive: "<raw>" is plain text, of which only "a" is in the vocabulary.
    expect(tok.encode('<raw>')).toEqual([0]);
  });

  it('honours lstrip, rstrip and single_word', () => {
    const tok = Tokenizer.fromJson(minimal({
      pre_tokenizer: null,
      model: { type: 'BPE', vocab: { a: 0, ' ': 1, b: 2 }, merges: [] },
      added_tokens: [added(10, '<l>', { lstrip: true }), added(11, '<r>', { rstrip: true }), added(12, 'ab', { single_word: true })],
    }));
    expect(tok.encode('a  <l>a')).toEqual([0, 10, 0]);
    expect(tok.encode('a<r>  a')).toEqual([0, 11, 0]);
    expect(tok.encode('ab a ab')).toEqual([12, 1, 0, 1, 12]);
    expect(tok.encode('aab')).toEqual([0, 0, 2]); // inside a word: not the added token
    expect(tok.encode('ab𝐱')).toEqual([0, 2]); // 𝐱 (astral) is a word character too; it has no vocab entry
  });

  it('adds template tokens only when asked, and truncates leaving room for them', () => {
    const tok = Tokenizer.fromJson(minimal({
      post_processor: { type: 'TemplateProcessing', single: ['<s>:0', '$A:0', '<s>:0'], pair: [],
        special_tokens: { '<s>': { id: '<s>', ids: [3], tokens: ['<s>'] } } },
    }));
    expect(tok.encode('ab a b')).toEqual([3, 2, 0, 1, 3]);
    expect(tok.encode('ab a b', { addSpecialTokens: false })).toEqual([2, 0, 1]);
    expect(tok.encode('ab a b', { maxLength: 3 })).toEqual([3, 2, 3]);
    expect(tok.specialTokensAdded).toBe(2);
    expect(() => tok.encode('a', { maxLength: 1 })).toThrow(RangeError);
  });
});

describe('Tokenizer: validation names what is unsupported', () => {
  it.each([
    ['pre_tokenizer', { pre_tokenizer: { type: 'Metaspace', replacement: '▁' } }, /pre_tokenizer type "Metaspace" is not supported/],
    ['normalizer', { normalizer: { type: 'BertNormalizer' } }, /normalizer type "BertNormalizer" is not supported/],
    ['nested', { normalizer: { type: 'Sequence', normalizers: [{ type: 'Precompiled' }] } }, /normalizer type "Precompiled".*\n.*normalizers\[0\]/],
    ['decoder', { decoder: { type: 'Metaspace' } }, /decoder type "Metaspace" is not supported/],
    ['post_processor', { post_processor: { type: 'Weird' } }, /post_processor type "Weird" is not supported/],
    ['model', { model: { type: 'Unigram', vocab: [] } }, /model type "Unigram" is not supported/],
    ['dropout', { model: { type: 'BPE', dropout: 0.1, vocab: {}, merges: [] } }, /dropout is not supported/],
    ['regex', { pre_tokenizer: { type: 'Split', pattern: { Regex: '(?>a)' }, behavior: 'Isolated', invert: false } }, /regex "\(\?>a\)" is not supported/],
  ])('%s', (_name, over, message) => {
    let caught: unknown;
    try { Tokenizer.fromJson(minimal(over), 'x/tokenizer.json'); } catch (err: unknown) { caught = err; }
    expect(caught).toBeInstanceOf(TokenizerFileError);
    expect((caught as Error).message).toMatch(/^x\/tokenizer\.json: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('loadTokenizer reports unreadable files with their path', async () => {
    const dir = testTempDir('fp-tok-');
    const file = path.join(dir, 'tokenizer.json');
    await writeFile(file, '{ not json');
    await expect(loadTokenizer(file)).rejects.toThrow(`${file}: cannot read JSON`);
    await expect(loadTokenizer(path.join(dir, 'missing.json'))).rejects.toThrow(/cannot read JSON/);
  });
});

describe('the default bundle tokenizers', async () => {
  const llama = await loadTokenizer(path.join(TINY_DIR, 'llama', 'tokenizer.json'));
  const clip = await loadTokenizer(path.join(TINY_DIR, 'clip', 'tokenizer.json'));

  it('fit a 512-entry embedding', () => {
    expect(llama.vocabSize).toBeLessThanOrEqual(512);
    expect(clip.vocabSize).toBeLessThanOrEqual(512);
  });

  it('Llama: BOS first, special tokens recognised inside the text, lossless round trip', () => {
    const bos = llama.requireTokenId('<|begin_of_text|>');
    const ids = llama.encode('<|start_header_id|>user<|end_header_id|>\n\nA red circle bounces.<|eot_id|>');
    expect(ids[0]).toBe(bos);
    expect(ids[1]).toBe(llama.requireTokenId('<|start_header_id|>'));
    expect(ids.at(-1)).toBe(llama.requireTokenId('<|eot_id|>'));
    for (const text of ['a red circle moves left on a blue background', 'Ünïcödé 👍 12345\n\n  x', "it's THEY'RE"]) {
      const plain = llama.encode(text, { addSpecialTokens: false });
      expect(llama.decode(plain)).toBe(text);
      expect(plain.every((id) => id < 512)).toBe(true);
    }
    expect(llama.decode(ids, { skipSpecialTokens: true })).toBe('user\n\nA red circle bounces.');
  });

  it('CLIP: lowercases, ends words with </w>, wraps in BOS/EOS, decodes to spaced words', () => {
    const ids = clip.encode('A RED   Circle!');
    expect(ids[0]).toBe(clip.requireTokenId('<|startoftext|>'));
    expect(ids.at(-1)).toBe(clip.requireTokenId('<|endoftext|>'));
    expect(ids.slice(1, -1).map((id) => clip.idToToken(id))).toEqual(['a</w>', 'red</w>', 'circle</w>', '!</w>']);
    expect(clip.decode(ids, { skipSpecialTokens: true })).toBe('a red circle !');
    // The two specials are the highest ids, so argmax pooling (transformers' legacy rule) finds the first EOS.
    expect(clip.requireTokenId('<|endoftext|>')).toBe(clip.vocabSize - 1);
    expect(clip.requireTokenId('<|startoftext|>')).toBe(clip.vocabSize - 2);
  });
});
