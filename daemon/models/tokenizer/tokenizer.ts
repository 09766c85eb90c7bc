// A tokenizer assembled from a Hugging Face tokenizer.json: added tokens → normalizer →
// pre-tokenizer → BPE → post-processor, with decoding back to text. Pure TypeScript, ids only.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseTokenizerJson, TokenizerFileError, type TokenizerJson } from './tokenizer-json.js';
import { buildNormalizer } from './normalizers.js';
import { buildPreTokenizer, type PreTokenizer } from './pre-tokenizers.js';
import { BpeModel } from './bpe.js';
import { AddedVocabulary } from './added-tokens.js';
import { buildPostProcessor, type PostProcessor } from './post-processors.js';
import { buildDecoder, decoderHandlesSuffix, type Decoder } from './decoders.js';
import { clipTokenizerJson, type ClipSpecialTokens } from './clip-vocab-merges.js';

export interface EncodeOptions {
  /** Add the post-processor's tokens (BOS for Llama 3, BOS+EOS for CLIP). Default true. */
  addSpecialTokens?: boolean;
  /**
   * Truncate to at most this many ids in total. As in transformers, the text's ids are cut so
   * that the added special tokens still fit, so CLIP keeps its final EOS.
   */
  maxLength?: number;
}

export interface DecodeOptions {
  /** Leave out added tokens marked special. Default false. */
  skipSpecialTokens?: boolean;
}

export class Tokenizer {
  private readonly added: AddedVocabulary;
  private readonly preTokenize: PreTokenizer | null;
  private readonly model: BpeModel;
  private readonly post: PostProcessor;
  private readonly decoder: Decoder | null;
  private readonly suffixToStrip: string | null;
  /** One more than the largest id: the embedding rows a text encoder needs. */
  readonly vocabSize: number;

  constructor(readonly json: TokenizerJson) {
    const normalizer = json.normalizer ? buildNormalizer(json.normalizer) : null;
    this.added = new AddedVocabulary(json.added_tokens, normalizer);
    this.preTokenize = json.pre_tokenizer ? buildPreTokenizer(json.pre_tokenizer) : null;
    this.model = new BpeModel(json.model);
    this.post = json.post_processor ? buildPostProcessor(json.post_processor) : { before: [], after: [] };
    this.decoder = json.decoder ? buildDecoder(json.decoder) : null;
    // transformers' CLIPTokenizerFast turns "</w>" into spaces after a ByteLevel decoder; do the same.
    this.suffixToStrip = json.model.end_of_word_suffix && !decoderHandlesSuffix(json.decoder) ? json.model.end_of_word_suffix : null;
    const ids = [...this.model.vocab.values(), ...json.added_tokens.map((t) => t.id)];
    this.vocabSize = ids.reduce((max, id) => Math.max(max, id + 1), 0);
  }

  /** Parses and validates tokenizer.json content; `source` names it in errors. */
  static fromJson(value: unknown, source = 'tokenizer.json'): Tokenizer {
    const json = parseTokenizerJson(value, source);
    try {
      return new Tokenizer(json);
    } catch (err: unknown) {
      // Bad merges, regexes or templates: name the file, keep the component's own message.
      throw new TokenizerFileError(source, err instanceof Error ? err.message : String(err));
    }
  }

  /** Number of ids the post-processor adds to a single sequence. */
  get specialTokensAdded(): number {
    return this.post.before.length + this.post.after.length;
  }

  /** Ids the post-processor puts before a single sequence (Llama 3: BOS; CLIP: <|startoftext|>). */
  get prefixIds(): readonly number[] {
    return this.post.before;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const addSpecial = options.addSpecialTokens ?? true;
    let ids: number[] = [];
    for (const segment of this.added.extract(text)) {
      if ('id' in segment) {
        ids.push(segment.id);
        continue;
      }
      const words = this.preTokenize ? this.preTokenize([segment.text]) : [segment.text];
      for (const word of words) ids.push(...this.model.tokenize(word));
    }
    if (options.maxLength !== undefined) {
      const room = options.maxLength - (addSpecial ? this.specialTokensAdded : 0);
      if (room < 0) throw new RangeError(`maxLength ${options.maxLength} leaves no room for ${this.specialTokensAdded} special tokens`);
      ids = ids.slice(0, room);
    }
    return addSpecial ? [...this.post.before, ...ids, ...this.post.after] : ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const added = this.added.byTokenId(id);
      if (added?.special && options.skipSpecialTokens) continue;
      const token = added?.content ?? this.model.idToTokenString(id);
      if (token !== undefined) tokens.push(token);
    }
    let text = this.decoder ? this.decoder(tokens).join('') : tokens.join(' ');
    if (this.suffixToStrip) text = text.replaceAll(this.suffixToStrip, ' ').trim();
    return text;
  }

  tokenToId(token: string): number | undefined {
    return this.added.byTokenContent(token)?.id ?? this.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.added.byTokenId(id)?.content ?? this.model.idToTokenString(id);
  }

  /** The id of a token the caller relies on (e.g. "<|endoftext|>"); throws if the file lacks it. */
  requireTokenId(token: string): number {
    const id = this.tokenToId(token);
    if (id === undefined) throw new Error(`tokenizer has no token ${JSON.stringify(token)}`);
    return id;
  }

  /** Added tokens marked special, by content. */
  specialTokens(): Map<string, number> {
    return new Map(this.json.added_tokens.filter((t) => t.special).map((t) => [t.content, t.id]));
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err: unknown) {
    throw new TokenizerFileError(file, `cannot read JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const exists = (file: string) => stat(file).then(() => true, () => false);

/**
 * Loads a tokenizer from a tokenizer.json file, or from a folder holding either tokenizer.json or
 * (for CLIP, as HunyuanVideo's tokenizer_2 ships) vocab.json + merges.txt + tokenizer_config.json.
 */
export async function loadTokenizer(file: string): Promise<Tokenizer> {
  if (!(await stat(file).then((s) => s.isDirectory(), () => false))) return Tokenizer.fromJson(await readJson(file), file);
  const json = path.join(file, 'tokenizer.json');
  if (await exists(json)) return Tokenizer.fromJson(await readJson(json), json);
  const configFile = path.join(file, 'tokenizer_config.json');
  const config = (await exists(configFile) ? await readJson(configFile) : {}) as ClipSpecialTokens & { tokenizer_class?: unknown };
  const cls = String(config.tokenizer_class ?? '');
  if (cls.replace(/Fast$/, '') !== 'CLIPTokenizer') {
    throw new TokenizerFileError(file, `no tokenizer.json, and tokenizer_class ${JSON.stringify(cls)} cannot be rebuilt from vocab files (supported: CLIPTokenizer)`);
  }
  const vocab = await readJson(path.join(file, 'vocab.json'));
  let merges: string;
  try {
    merges = await readFile(path.join(file, 'merges.txt'), 'utf8');
  } catch (err: unknown) {
    throw new TokenizerFileError(path.join(file, 'merges.txt'), `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  let built: Record<string, unknown>;
  try {
    built = clipTokenizerJson(vocab as Record<string, number>, merges, config);
  } catch (err: unknown) {
    throw new TokenizerFileError(file, err instanceof Error ? err.message : String(err));
  }
  return Tokenizer.fromJson(built, path.join(file, 'vocab.json'));
}
