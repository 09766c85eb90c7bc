// Fidelity against the real Llama 3 and CLIP tokenizers, using published encodings:
//  - openai/tiktoken tests/test_encoding.py (cl100k_base, whose ids 0..100255 Llama 3 reuses),
//  - meta-llama/llama3 llama/test_tokenizer.py (special token ids, chat-format encodings),
//  - belladoreai/llama3-tokenizer-js's built-in test suite (whitespace runs, "####\n", 镇, 🦙Ꙋ, ...),
//  - CLIP ids asserted by several independent projects for openai/clip-vit-* ("a photo of a cat",
//    "Hello, world!", "don't stop 42 times"; "cafe uber naive" and "hello-world, 3.14 (test)" from an
//    SDXL port whose parity test was generated with transformers' CLIPTokenizer).
// The real files (16 MB / 3.6 MB) are not available here, so each test builds an *excerpt* of the
// real tokenizer.json: the full component configuration, the 256 byte tokens (their ids follow
// from the GPT-2 byte order, which the vectors themselves confirm: " "=220, "\n"=198, "0"=15),
// and the vocabulary entries the vectors name, with their real ids. Llama 3 uses ignore_merges,
// so whole-word entries need no merges; the one merge it needs ("ð Ł", 👍's first two bytes) is
// the only pair that can make token 9468. CLIP applies merges, so its excerpt carries merge
// chains whose *intermediate* tokens are synthetic (ids ≥ 60000, never in the expected output);
// only the final ids are real.
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadTokenizer, Tokenizer } from './tokenizer.js';
import { BYTE_CHARS_IN_VOCAB_ORDER, bytesToChars } from './byte-level.js';
import { CLIP_SPLIT_PATTERN, LLAMA3_SPLIT_PATTERN } from './pre-tokenizers.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

function llama3Excerpt(): Tokenizer {
  const vocab: Record<string, number> = {};
  BYTE_CHARS_IN_VOCAB_ORDER.forEach((c, id) => { vocab[c] = id; });
  const words: [string, number][] = [
    ['hello', 15339], [' world', 1917], ['rer', 38149], ["'re", 2351], ['today', 31213],
    ['\n \n', 27907], ['\n  \n', 14211], ['This', 2028], [' is', 374], [' a', 264], [' test', 1296],
    [' sentence', 11914], ['user', 882], ['system', 9125], ['\n\n', 271], ['assistant', 78191], [' response', 2077],
    [' grabbed', 30418], ['          ', 1881], [' \n', 720], ['ax', 710], ['####\n', 71050], ['boo', 34093], ['镇', 104643],
    [' text', 1495], [' has', 706], [' special', 3361], [' tokens', 11460], [' in', 304], [' the', 279], [' middle', 6278],
    [' of', 315], [' it', 433],
  ];
  for (const [text, id] of words) vocab[bytesToChars(text)] = id;
  vocab['ðŁ'] = 9468; // bytes F0 9F
  const names = ['<|begin_of_text|>', '<|end_of_text|>', '<|reserved_special_token_0|>', '<|reserved_special_token_1|>',
    '<|reserved_special_token_2|>', '<|reserved_special_token_3|>', '<|start_header_id|>', '<|end_header_id|>',
    '<|reserved_special_token_4|>', '<|eot_id|>'];
  return Tokenizer.fromJson({
    version: '1.0', truncation: null, padding: null,
    added_tokens: names.map((n, i) => special(128000 + i, n)),
    normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ] },
    post_processor: { type: 'Sequence', processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      { type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } } },
    ] },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges: [['ð', 'Ł']] },
  }, 'llama3-excerpt');
}

function clipExcerpt(): Tokenizer {
  const vocab: Record<string, number> = {};
  BYTE_CHARS_IN_VOCAB_ORDER.forEach((c, id) => { vocab[c] = id; vocab[`${c}</w>`] = 256 + id; });
  const merges: [string, string][] = [];
  let synthetic = 60000;
  // Builds the word left to right: "p h", "ph o", "pho t", "phot o</w>".
  const chain = (word: string, finalId: number) => {
    const chars = [...word];
    let left = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const last = i === chars.length - 1;
      const right = last ? `${chars[i]}</w>` : chars[i]!;
      merges.push([left, right]);
      left += right;
      vocab[left] ??= last ? finalId : synthetic++;
    }
    vocab[left] = finalId;
  };
  for (const [word, id] of [['photo', 1125], ['of', 539], ['cat', 2368], ['dog', 1929], ['hello', 3306], ['world', 1002],
    ['don', 847], ["'t", 713], ['stop', 1691], ['times', 1661], ['cafe', 4979], ['uber', 10668], ['naive', 43362],
    ['test', 1628]] as [string, number][]) chain(word, id);
  vocab['<|startoftext|>'] = 49406; // CLIP's vocab.json lists both specials, as the last two ids
  vocab['<|endoftext|>'] = 49407;
  const token = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  return Tokenizer.fromJson({
    version: '1.0', truncation: null, padding: null,
    added_tokens: [token(49406, '<|startoftext|>'), token(49407, '<|endoftext|>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
    ] },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', 49407], cls: ['<|startoftext|>', 49406], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true },
    model: { type: 'BPE', dropout: null, unk_token: '<|endoftext|>', continuing_subword_prefix: '', end_of_word_suffix: '</w>',
      fuse_unk: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`) },
  }, 'clip-excerpt');
}

describe('Llama 3 excerpt against published encodings', () => {
  const tok = llama3Excerpt();
  const plain = (s: string) => tok.encode(s, { addSpecialTokens: false });

  it('matches tiktoken cl100k_base vectors (shared with Llama 3)', () => {
    expect(plain('hello world')).toEqual([15339, 1917]);
    expect(plain('rer')).toEqual([38149]);
    expect(plain("'rer")).toEqual([2351, 81]);
    expect(plain('today\n ')).toEqual([31213, 198, 220]);
    expect(plain('today\n \n')).toEqual([31213, 27907]);
    expect(plain('today\n  \n')).toEqual([31213, 14211]);
    expect(plain(' \x850')).toEqual([220, 126, 227, 15]); // U+0085 counts as whitespace
    expect(plain('👍')).toEqual([9468, 239, 235]);
    expect(plain('')).toEqual([]);
  });

  it('matches llama3-tokenizer-js test vectors', () => {
    expect(plain(' grabbed')).toEqual([30418]);
    expect(plain('           grabbed')).toEqual([1881, 30418]); // 10 spaces, then " grabbed"
    expect(plain('\n')).toEqual([198]);
    expect(plain(' \n')).toEqual([720]);
    expect(plain('ax\n####\nboo')).toEqual([710, 198, 71050, 34093]);
    expect(plain('镇')).toEqual([104643]);
    expect(plain('🦙')).toEqual([9468, 99, 247]);
    expect(plain('🦙Ꙋ')).toEqual([9468, 99, 247, 166, 247, 232]); // one piece: a non-letter may lead a letter run
    expect(plain('Ꙋ🦙')).toEqual([166, 247, 232, 9468, 99, 247]);
    expect(plain('I')).toEqual([40]);
    expect(tok.encode('')).toEqual([128000]);
    // Their vector uses Llama 3.1's name <|eom_id|> for id 128008; Llama 3.0 (HunyuanVideo's) calls it reserved_special_token_4.
    const text = '<|start_header_id|>This text has special tokens<|reserved_special_token_4|> in the middle of it.<|end_header_id|><|eot_id|>';
    const ids = [128006, 2028, 1495, 706, 3361, 11460, 128008, 304, 279, 6278, 315, 433, 13, 128007, 128009];
    expect(plain(text)).toEqual(ids);
    expect(tok.decode(ids)).toBe(text);
  });

  it('matches meta-llama/llama3 test_tokenizer.py', () => {
    expect(tok.encode('This is a test sentence.')).toEqual([128000, 2028, 374, 264, 1296, 11914, 13]);
    expect(tok.encode('This is a test sentence.<|end_of_text|>')).toEqual([128000, 2028, 374, 264, 1296, 11914, 13, 128001]);
    expect(tok.decode([128000, 2028, 374, 264, 1296, 11914, 13, 128001])).toBe('<|begin_of_text|>This is a test sentence.<|end_of_text|>');
    const dialog = '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nThis is a test sentence.<|eot_id|>'
      + '<|start_header_id|>user<|end_header_id|>\n\nThis is a response.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(plain(dialog)).toEqual([128000, 128006, 9125, 128007, 271, 2028, 374, 264, 1296, 11914, 13, 128009,
      128006, 882, 128007, 271, 2028, 374, 264, 2077, 13, 128009, 128006, 78191, 128007, 271]);
  });

  it('round-trips and skips special tokens on request', () => {
    expect(tok.decode(plain('today\n  \n 👍 \x850'))).toBe('today\n  \n 👍 \x850');
    expect(tok.decode(tok.encode('hello world'), { skipSpecialTokens: true })).toBe('hello world');
  });
});

describe('CLIP excerpt against published encodings', () => {
  const tok = clipExcerpt();

  it('matches the ids of openai/clip-vit-* tokenizers', () => {
    expect(tok.encode('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(tok.encode('a photo of a dog')).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
    expect(tok.encode('Hello, world!')).toEqual([49406, 3306, 267, 1002, 256, 49407]);
    expect(tok.encode('A PHOTO of  a Cat!')).toEqual([49406, 320, 1125, 539, 320, 2368, 256, 49407]);
    expect(tok.encode("don't stop 42 times")).toEqual([49406, 847, 713, 1691, 275, 273, 1661, 49407]);
    expect(tok.encode('')).toEqual([49406, 49407]);
    expect(tok.encode('    \t\n')).toEqual([49406, 49407]);
    expect(tok.encode('    a    photo  of  a cat    ')).toEqual(tok.encode('a photo of a cat'));
    expect(tok.encode('cafe uber naive')).toEqual([49406, 4979, 10668, 43362, 49407]);
    expect(tok.encode('hello-world, 3.14 (test)')).toEqual([49406, 3306, 268, 1002, 267, 274, 269, 272, 275, 263, 1628, 264, 49407]);
  });

  it('truncates keeping the final EOS, and decodes without </w>', () => {
    expect(tok.encode('a photo of a cat', { maxLength: 5 })).toEqual([49406, 320, 1125, 539, 49407]);
    const long = tok.encode(Array.from({ length: 200 }, () => 'cat').join(' '), { maxLength: 77 });
    expect(long).toEqual([49406, ...new Array<number>(75).fill(2368), 49407]);
    expect(tok.decode(tok.encode('Hello, world!'), { skipSpecialTokens: true })).toBe('hello , world !');
  });

  it('loads the same tokenizer from a vocab.json + merges.txt folder (HunyuanVideo tokenizer_2 layout)', async () => {
    const dir = testTempDir('fp-clip-');
    await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(tok.json.model.vocab));
    await writeFile(path.join(dir, 'merges.txt'), `#version: 0.2\n${tok.json.model.merges.map((m) => (typeof m === 'string' ? m : m.join(' '))).join('\n')}\n`);
    await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({
      tokenizer_class: 'CLIPTokenizer', bos_token: { __type: 'AddedToken', content: '<|startoftext|>' }, eos_token: '<|endoftext|>', unk_token: '<|endoftext|>',
    }));
    const fromFolder = await loadTokenizer(dir);
    for (const text of ['a photo of a cat', 'Hello, world!', "don't stop 42 times", 'hello-world, 3.14 (test)', '']) {
      expect(fromFolder.encode(text)).toEqual(tok.encode(text));
    }
    await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'GPT2Tokenizer' }));
    await expect(loadTokenizer(dir)).rejects.toThrow(/tokenizer_class "GPT2Tokenizer" cannot be rebuilt/);
  });
});
