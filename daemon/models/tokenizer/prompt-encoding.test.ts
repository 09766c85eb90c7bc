import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadTokenizer, Tokenizer } from './tokenizer.js';
import {
  CLIP_PROMPT_SPEC, encodeClipPrompt, encodeLlamaPrompt, HUNYUAN_VIDEO_CROP_START, HUNYUAN_VIDEO_PROMPT_TEMPLATE,
  LLAMA_MAX_USER_TOKENS, llamaCropStart, PromptTemplateError,
} from './prompt-encoding.js';
import { compileTokenizerRegex, findMatches } from './regex.js';
import { LLAMA3_SPLIT_PATTERN } from './pre-tokenizers.js';

const TINY_DIR = path.resolve(import.meta.dirname, '../../../models/tokenizers-src');
const llama = await loadTokenizer(path.join(TINY_DIR, 'llama', 'tokenizer.json'));
const clip = await loadTokenizer(path.join(TINY_DIR, 'clip', 'tokenizer.json'));
const spec = { template: HUNYUAN_VIDEO_PROMPT_TEMPLATE, maxUserTokens: LLAMA_MAX_USER_TOKENS };

describe('Llama prompt encoding', () => {
  it('keeps exactly the user prompt and the closing <|eot_id|>', () => {
    const prompt = 'a red circle moves left on a blue background';
    const enc = encodeLlamaPrompt(llama, prompt, spec);
    const cropStart = llamaCropStart(llama, HUNYUAN_VIDEO_PROMPT_TEMPLATE);
    expect(enc.keepStart).toBe(cropStart);
    expect(enc.keepEnd).toBe(enc.inputIds.length);
    expect(enc.inputIds[0]).toBe(llama.requireTokenId('<|begin_of_text|>'));
    const kept = enc.inputIds.slice(enc.keepStart, enc.keepEnd);
    expect(kept).toEqual([...llama.encode(prompt, { addSpecialTokens: false }), llama.requireTokenId('<|eot_id|>')]);
    // The prefix ids are the same whether or not a prompt follows.
    const [prefix] = HUNYUAN_VIDEO_PROMPT_TEMPLATE.split('{}');
    expect(enc.inputIds.slice(0, cropStart)).toEqual(llama.encode(prefix!));
  });

  it('truncates the whole sequence to crop start + max user tokens, dropping the closing token', () => {
    const long = Array.from({ length: 300 }, (_, i) => (i % 2 ? 'circle' : 'red')).join(' ');
    const enc = encodeLlamaPrompt(llama, long, spec);
    expect(enc.keepEnd - enc.keepStart).toBe(LLAMA_MAX_USER_TOKENS);
    expect(enc.inputIds.length).toBe(enc.keepStart + LLAMA_MAX_USER_TOKENS);
    expect(enc.inputIds.at(-1)).not.toBe(llama.requireTokenId('<|eot_id|>'));
    const short = encodeLlamaPrompt(llama, 'a star', { ...spec, maxUserTokens: 2 });
    expect(short.inputIds.slice(short.keepStart).map((id) => llama.idToToken(id))).toEqual(['a', 'Ġstar']);
  });

  it('adds BOS itself when a tokenizer.json post-processor does not (early Llama 3 files)', () => {
    const withoutBos = Tokenizer.fromJson({ ...llama.json, post_processor: { type: 'ByteLevel' } });
    const bosSpec = { ...spec, bosToken: '<|begin_of_text|>' };
    const reference = encodeLlamaPrompt(llama, 'a red ball', spec);
    expect(encodeLlamaPrompt(withoutBos, 'a red ball', bosSpec)).toEqual(reference);
    expect(encodeLlamaPrompt(llama, 'a red ball', bosSpec)).toEqual(reference);
    expect(encodeLlamaPrompt(withoutBos, 'a red ball', spec).keepStart).toBe(reference.keepStart - 1);
    const long = 'red '.repeat(300);
    expect(encodeLlamaPrompt(withoutBos, long, bosSpec)).toEqual(encodeLlamaPrompt(llama, long, spec));
  });

  it('handles an empty prompt and refuses malformed templates or a wrong crop start', () => {
    const empty = encodeLlamaPrompt(llama, '', spec);
    expect(empty.inputIds.slice(empty.keepStart)).toEqual([llama.requireTokenId('<|eot_id|>')]);
    expect(() => encodeLlamaPrompt(llama, 'x', { ...spec, template: 'no slot' })).toThrow(PromptTemplateError);
    expect(() => encodeLlamaPrompt(llama, 'x', { ...spec, template: '{} and {}' })).toThrow(/exactly one "\{\}" slot, found 2/);
    expect(() => encodeLlamaPrompt(llama, 'x', { ...spec, expectedCropStart: 95 })).toThrow(/manifest says crop_start 95/);
    expect(() => encodeLlamaPrompt(llama, 'x', { ...spec, expectedCropStart: empty.keepStart })).not.toThrow();
  });

  it('the official crop start, 95, is the template prefix split into Llama 3 pieces plus BOS', () => {
    // With the real vocabulary each piece here (" Describe", " detailing", "\n\n", ...) is one token,
    // so 95 = BOS + special tokens + regex pieces; a wrong regex or special-token split changes the count.
    const [prefix] = HUNYUAN_VIDEO_PROMPT_TEMPLATE.split('{}');
    const regex = compileTokenizerRegex(LLAMA3_SPLIT_PATTERN);
    const pieces = prefix!.split(/(<\|[a-z_]+\|>)/).filter(Boolean)
      .flatMap((part) => (part.startsWith('<|') ? [part] : findMatches(regex, part).map((p) => p.piece)));
    expect(1 + pieces.length).toBe(HUNYUAN_VIDEO_CROP_START);
    expect(pieces.slice(0, 6)).toEqual(['<|start_header_id|>', 'system', '<|end_header_id|>', '\n\n', 'Describe', ' the']);
  });
});

describe('CLIP prompt encoding', () => {
  const eos = clip.requireTokenId('<|endoftext|>');
  const bos = clip.requireTokenId('<|startoftext|>');

  it('pads to 77 with the pad token and reports the first EOS', () => {
    const enc = encodeClipPrompt(clip, 'A red circle bounces');
    expect(enc.inputIds).toHaveLength(77);
    expect(enc.validLength).toBe(6);
    expect(enc.eosIndex).toBe(5);
    expect(enc.inputIds.slice(0, 6).map((id) => clip.idToToken(id))).toEqual(['<|startoftext|>', 'a</w>', 'red</w>', 'circle</w>', 'bounces</w>', '<|endoftext|>']);
    expect(enc.inputIds.slice(6).every((id) => id === eos)).toBe(true);
  });

  it('truncates a long prompt to 77 keeping BOS first and EOS last', () => {
    const enc = encodeClipPrompt(clip, Array.from({ length: 100 }, () => 'red').join(' '));
    expect(enc.inputIds).toHaveLength(77);
    expect(enc.validLength).toBe(77);
    expect(enc.inputIds[0]).toBe(bos);
    expect(enc.eosIndex).toBe(76);
    expect(enc.inputIds.slice(1, 76).every((id) => id === clip.requireTokenId('red</w>'))).toBe(true);
  });

  it("cleans text like the slow CLIPTokenizer: control characters dropped, CJK ideographs apart", () => {
    const tokens = (p: string, slow: boolean) => {
      const enc = encodeClipPrompt(clip, p, { ...CLIP_PROMPT_SPEC, slowTokenizerCleanup: slow });
      return enc.inputIds.slice(1, enc.eosIndex).map((id) => clip.idToToken(id));
    };
    // U+200B (category Cf) is dropped by the slow tokenizer; the fast pipeline keeps its bytes.
    expect(tokens('red\u200bball', true)).toEqual(tokens('redball', false));
    expect(tokens('red\u200bball', false)).toEqual(['red</w>', ...tokens('\u200b', false), 'ball</w>']);
    expect(tokens('a\u00a0red\u3000ball', true)).toEqual(['a</w>', 'red</w>', 'ball</w>']);
    // 日本 is one letter run for the fast pipeline but two words for the slow tokenizer. The tiny
    // vocabulary has no word-final form for these bytes, so each word ends in <|unk|>.
    expect(tokens('日本', true).filter((t) => t === '<|unk|>')).toHaveLength(2);
    expect(tokens('日本', false).filter((t) => t === '<|unk|>')).toHaveLength(1);
    expect(tokens('a red circle bounces', true)).toEqual(tokens('a red circle bounces', false));
  });

  it('an empty prompt is BOS, EOS and padding', () => {
    const enc = encodeClipPrompt(clip, '');
    expect(enc.inputIds.slice(0, 3)).toEqual([bos, eos, eos]);
    expect(enc.eosIndex).toBe(1);
    expect(CLIP_PROMPT_SPEC.maxLength).toBe(77);
  });
});
