// Assembles the default bundle's two tokenizer.json files: a Llama-3-format byte-level BPE
// (ignore_merges, Llama 3's special tokens and their order, BOS template) and a CLIP-format BPE
// ("</w>" suffix, NFC + whitespace + lowercase normalizer, <|startoftext|>/<|endoftext|> as the
// two highest ids so argmax pooling finds the first EOS). Merges come from trainBpe over the corpus.
import { BYTE_CHARS_IN_VOCAB_ORDER } from '../../daemon/models/tokenizer/byte-level.js';
import { AddedVocabulary } from '../../daemon/models/tokenizer/added-tokens.js';
import { buildNormalizer } from '../../daemon/models/tokenizer/normalizers.js';
import { buildPreTokenizer, CLIP_SPLIT_PATTERN, LLAMA3_SPLIT_PATTERN } from '../../daemon/models/tokenizer/pre-tokenizers.js';
import { NormalizerSchema, PreTokenizerSchema, type AddedTokenConfig } from '../../daemon/models/tokenizer/tokenizer-json.js';
import { trainBpe } from './bpe-trainer.js';

/** Both tiny tokenizers fill exactly this many ids (the tiny text encoders' default vocab). */
export const TINY_VOCAB_SIZE = 512;

// Llama 3's first ten special tokens, in its order (ids 128000–128009 there).
const LLAMA_SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|reserved_special_token_0|>', '<|reserved_special_token_1|>',
  '<|reserved_special_token_2|>', '<|reserved_special_token_3|>', '<|start_header_id|>', '<|end_header_id|>',
  '<|reserved_special_token_4|>', '<|eot_id|>'];

const LLAMA_PRE_TOKENIZER = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'Split', pattern: { Regex: LLAMA3_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
} as const;

const CLIP_NORMALIZER = {
  type: 'Sequence',
  normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
} as const;

const CLIP_PRE_TOKENIZER = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  ],
} as const;

// Word-final forms ("x</w>") exist for printable ASCII except upper case (CLIP lowercases), to
// stay within 512 ids; a word ending in any other byte gets <|unk|> for that byte.
const CLIP_SUFFIXED = BYTE_CHARS_IN_VOCAB_ORDER.filter((c) => {
  const code = c.codePointAt(0)!;
  return code >= 0x21 && code <= 0x7e && !(code >= 0x41 && code <= 0x5a);
});

function addedToken(id: number, content: string, normalized: boolean): AddedTokenConfig {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true };
}

/** Pre-token counts of `texts`, as the tokenizer itself would split them. */
function countWords(texts: readonly string[], added: readonly AddedTokenConfig[], normalizer: unknown, preTokenizer: unknown): Map<string, number> {
  // Through the schemas, so the counts use exactly what the written file will configure.
  const normalize = normalizer === null ? null : buildNormalizer(NormalizerSchema.parse(normalizer));
  const vocabulary = new AddedVocabulary(added, normalize);
  const split = buildPreTokenizer(PreTokenizerSchema.parse(preTokenizer));
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const segment of vocabulary.extract(text)) {
      if ('id' in segment) continue;
      for (const word of split([segment.text])) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

const mergeStrings = (merges: [string, string][]) => merges.map(([a, b]) => `${a} ${b}`);

export function buildTinyLlamaTokenizer(texts: readonly string[]): Record<string, unknown> {
  const firstSpecial = TINY_VOCAB_SIZE - LLAMA_SPECIALS.length;
  const added = LLAMA_SPECIALS.map((content, i) => addedToken(firstSpecial + i, content, false));
  const counts = countWords(texts, added, null, LLAMA_PRE_TOKENIZER);
  const { merges, newTokens } = trainBpe(counts, (w) => [...w], { maxNewTokens: firstSpecial - 256, minPairCount: 2 });
  const vocab: Record<string, number> = {};
  [...BYTE_CHARS_IN_VOCAB_ORDER, ...newTokens].forEach((t, id) => { vocab[t] = id; });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: LLAMA_PRE_TOKENIZER,
    post_processor: {
      type: 'Sequence',
      processors: [
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
        {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
          pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
          special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [firstSpecial], tokens: ['<|begin_of_text|>'] } },
        },
      ],
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges: mergeStrings(merges),
    },
  };
}

export function buildTinyClipTokenizer(texts: readonly string[]): Record<string, unknown> {
  const [unkId, bosId, eosId] = [TINY_VOCAB_SIZE - 3, TINY_VOCAB_SIZE - 2, TINY_VOCAB_SIZE - 1];
  const added = [addedToken(unkId, '<|unk|>', true), addedToken(bosId, '<|startoftext|>', true), addedToken(eosId, '<|endoftext|>', true)];
  const counts = countWords(texts, added, CLIP_NORMALIZER, CLIP_PRE_TOKENIZER);
  const suffixed = new Set(CLIP_SUFFIXED);
  const initial = (w: string) => {
    const chars = [...w];
    chars[chars.length - 1] += '</w>';
    return chars;
  };
  // Words whose last character has no "</w>" form cannot be learned from; leave them out.
  const learnable = new Map([...counts].filter(([w]) => suffixed.has([...w].at(-1)!)));
  const base = [...BYTE_CHARS_IN_VOCAB_ORDER, ...CLIP_SUFFIXED.map((c) => `${c}</w>`)];
  const { merges, newTokens } = trainBpe(learnable, initial, { maxNewTokens: unkId - base.length, minPairCount: 2 });
  const vocab: Record<string, number> = {};
  [...base, ...newTokens].forEach((t, id) => { vocab[t] = id; });
  vocab['<|unk|>'] = unkId;
  vocab['<|startoftext|>'] = bosId;
  vocab['<|endoftext|>'] = eosId;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: CLIP_NORMALIZER,
    pre_tokenizer: CLIP_PRE_TOKENIZER,
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', eosId], cls: ['<|startoftext|>', bosId], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: '<|unk|>', continuing_subword_prefix: '', end_of_word_suffix: '</w>',
      fuse_unk: false, byte_fallback: false, vocab, merges: mergeStrings(merges),
    },
  };
}
