import { describe, expect, it } from 'vitest';
import { buildPreTokenizer, CLIP_SPLIT_PATTERN, LLAMA3_SPLIT_PATTERN } from './pre-tokenizers.js';
import { BYTE_CHARS_IN_VOCAB_ORDER, BYTE_TO_CHAR, bytesToChars, charsToText } from './byte-level.js';
import type { SplitBehavior } from './tokenizer-json.js';

const llamaSplit = buildPreTokenizer({ type: 'Split', pattern: { Regex: LLAMA3_SPLIT_PATTERN }, behavior: 'Isolated', invert: false });
const split = (text: string) => llamaSplit([text]);

describe('Llama 3 split pattern', () => {
  it('splits contractions case-insensitively', () => {
    expect(split("don't")).toEqual(['don', "'t"]);
    expect(split("I'M HE'LL they'RE")).toEqual(['I', "'M", ' HE', "'LL", ' they', "'RE"]);
    expect(split("'rer")).toEqual(["'re", 'r']);
  });

  it('groups digits in runs of 1 to 3', () => {
    expect(split('12345')).toEqual(['123', '45']);
    expect(split('1,000,000 x2')).toEqual(['1', ',', '000', ',', '000', ' x', '2']);
    expect(split('٣٤٥٦')).toEqual(['٣٤٥', '٦']);
  });

  it('keeps one leading non-letter with a letter run, and handles Unicode letters and symbols', () => {
    expect(split('hello world')).toEqual(['hello', ' world']);
    expect(split('café naïve 日本語')).toEqual(['café', ' naïve', ' 日本語']);
    expect(split('$hello (ok)')).toEqual(['$hello', ' (', 'ok', ')']);
    expect(split('👍👍 ok')).toEqual(['👍👍', ' ok']);
  });

  it('handles runs of whitespace and newlines as tiktoken does', () => {
    expect(split('a  b')).toEqual(['a', ' ', ' b']);
    expect(split('a \n\n b ')).toEqual(['a', ' \n\n', ' b', ' ']);
    expect(split('today\n \n')).toEqual(['today', '\n \n']);
    expect(split('x.\n\ny')).toEqual(['x', '.\n\n', 'y']);
    expect(split(' \u00850')).toEqual([' ', '\u0085', '0']);
  });
});

describe('Split behaviours (HF tokenizers split.rs vectors, inverted \\w+|[^\\w\\s]+)', () => {
  const run = (behavior: SplitBehavior) => buildPreTokenizer({ type: 'Split', pattern: { Regex: '\\w+|[^\\w\\s]+' }, behavior, invert: true })(['How are you doing?']);
  it('matches each behaviour', () => {
    expect(run('Removed')).toEqual(['How', 'are', 'you', 'doing', '?']);
    expect(run('Isolated')).toEqual(['How', ' ', 'are', ' ', 'you', ' ', 'doing', '?']);
    expect(run('MergedWithPrevious')).toEqual(['How ', 'are ', 'you ', 'doing', '?']);
    expect(run('MergedWithNext')).toEqual(['How', ' are', ' you', ' doing', '?']);
    expect(run('Contiguous')).toEqual(['How', ' ', 'are', ' ', 'you', ' ', 'doing?']);
  });

  it('treats a String pattern literally', () => {
    const literal = buildPreTokenizer({ type: 'Split', pattern: { String: '.*' }, behavior: 'Removed', invert: false });
    expect(literal(['a.*b.c'])).toEqual(['a', 'b.c']);
  });
});

describe('byte-level mapping', () => {
  it('maps bytes to GPT-2 characters and back', () => {
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(BYTE_TO_CHAR[0x21]).toBe('!');
    expect(bytesToChars(' é')).toBe('ĠÃ©');
    expect(BYTE_CHARS_IN_VOCAB_ORDER.indexOf('Ġ')).toBe(220);
    expect(BYTE_CHARS_IN_VOCAB_ORDER.indexOf('Ċ')).toBe(198);
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    const text = 'héllo\t\u0000 👍 日本';
    expect(charsToText([bytesToChars(text)])).toBe(text);
  });

  it('decodes an unmappable token from its own UTF-8 and invalid UTF-8 to U+FFFD', () => {
    expect(charsToText(['a', 'b c'])).toBe('ab c');
    expect(charsToText([bytesToChars('👍').slice(0, 2)])).toBe('\ufffd');
  });

  it('ByteLevel applies GPT-2 splitting and prefix space when configured', () => {
    const withRegex = buildPreTokenizer({ type: 'ByteLevel', add_prefix_space: true, use_regex: true });
    expect(withRegex(["hello world's 42"])).toEqual(['Ġhello', 'Ġworld', "'s", 'Ġ42']);
    const noRegex = buildPreTokenizer({ type: 'ByteLevel', add_prefix_space: false, use_regex: false });
    expect(noRegex(['a b'])).toEqual(['aĠb']);
  });
});

describe('CLIP pre-tokenizer', () => {
  const clip = buildPreTokenizer({ type: 'Sequence', pretokenizers: [
    { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
    { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
  ] });
  it('drops whitespace, keeps letter runs, single digits and punctuation runs', () => {
    expect(clip(["don't stop 42 times!!"])).toEqual(['don', "'t", 'stop', '4', '2', 'times', '!!']);
    expect(clip(['  a\tb '])).toEqual(['a', 'b']);
  });

  it('Digits and whitespace pre-tokenizers', () => {
    expect(buildPreTokenizer({ type: 'Digits', individual_digits: true })(['a12'])).toEqual(['a', '1', '2']);
    expect(buildPreTokenizer({ type: 'Digits', individual_digits: false })(['a12b'])).toEqual(['a', '12', 'b']);
    expect(buildPreTokenizer({ type: 'WhitespaceSplit' })(['a  b\nc'])).toEqual(['a', 'b', 'c']);
    expect(buildPreTokenizer({ type: 'Whitespace' })(['Hey, man!'])).toEqual(['Hey', ',', 'man', '!']);
  });
});
