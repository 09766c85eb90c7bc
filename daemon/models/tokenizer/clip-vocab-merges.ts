// Builds the tokenizer.json equivalent of a CLIP tokenizer stored as vocab.json + merges.txt
// (HunyuanVideo's tokenizer_2 folder has no tokenizer.json), following transformers'
// CLIPConverter: NFC + whitespace collapse + lowercase, CLIP's split regex, byte-level BPE with
// "</w>", <|startoftext|> … <|endoftext|> around the text.
// The slow CLIPTokenizer that FramePack calls also cleans the text first; clip-text-cleanup.ts
// reproduces that, and prompt-encoding.ts applies it.
import { CLIP_SPLIT_PATTERN } from './pre-tokenizers.js';

// CLIPTokenizer reads only the first 49152 − 256 − 2 merges of merges.txt (after its #version line).
const CLIP_MERGE_LIMIT = 49152 - 256 - 2;

/** Special-token names as tokenizer_config.json stores them: a string or {"content": ...}. */
export type TokenName = string | { content: string } | null | undefined;

export interface ClipSpecialTokens {
  bos_token?: TokenName;
  eos_token?: TokenName;
  unk_token?: TokenName;
}

const tokenName = (t: TokenName, fallback: string) => (typeof t === 'string' ? t : t?.content ?? fallback);

/** The tokenizer.json content transformers would produce for this CLIP vocabulary. */
export function clipTokenizerJson(vocab: Record<string, number>, mergesTxt: string, special: ClipSpecialTokens = {}): Record<string, unknown> {
  const merges = mergesTxt.replace(/\s+$/, '').split('\n').slice(1, CLIP_MERGE_LIMIT + 1).map((line) => line.replace(/\r$/, ''));
  const bos = tokenName(special.bos_token, '<|startoftext|>');
  const eos = tokenName(special.eos_token, '<|endoftext|>');
  const unk = tokenName(special.unk_token, '<|endoftext|>');
  const idOf = (token: string) => {
    const id = vocab[token];
    if (id === undefined) throw new Error(`CLIP vocab.json has no ${JSON.stringify(token)}`);
    return id;
  };
  const added = [...new Set([bos, eos, unk])].map((content) => ({
    id: idOf(content), content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
  })).sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    ] },
    post_processor: { type: 'RobertaProcessing', sep: [eos, idOf(eos)], cls: [bos, idOf(bos)], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: unk, continuing_subword_prefix: '', end_of_word_suffix: '</w>',
      fuse_unk: false, byte_fallback: false, vocab, merges,
    },
  };
}
