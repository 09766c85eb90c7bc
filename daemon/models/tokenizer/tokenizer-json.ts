// The subset of Hugging Face's tokenizer.json format this project reads, as zod schemas. It covers
// byte-level BPE tokenizers (Llama 3 / HunyuanVideo's text encoder) and CLIP's BPE with "</w>".
// An unknown component type fails validation with a message naming the component and the type,
// so a bundle with an unsupported tokenizer is refused at load, never mis-tokenized.
import { z } from 'zod';

/** A `pattern` field: literal text or an Oniguruma regex. */
export const PatternSchema = z.union([
  z.strictObject({ String: z.string() }),
  z.strictObject({ Regex: z.string() }),
]);
export type PatternConfig = z.infer<typeof PatternSchema>;

export const AddedTokenSchema = z.object({
  id: z.int().nonnegative(),
  content: z.string().min(1),
  single_word: z.boolean().default(false),
  lstrip: z.boolean().default(false),
  rstrip: z.boolean().default(false),
  normalized: z.boolean().default(true),
  special: z.boolean().default(false),
});
export type AddedTokenConfig = z.infer<typeof AddedTokenSchema>;

function unsupported(component: string) {
  return {
    error: (issue: { code?: string; input?: unknown; options?: unknown }) => {
      if (issue.code !== 'invalid_union') return undefined;
      const type = (issue.input as { type?: unknown } | null | undefined)?.type;
      const supported = Array.isArray(issue.options) ? ` (supported: ${issue.options.join(', ')})` : '';
      return `${component} type ${JSON.stringify(type)} is not supported${supported}`;
    },
  };
}

// ---- normalizers ----

export type NormalizerConfig =
  | { type: 'Sequence'; normalizers: NormalizerConfig[] }
  | { type: 'NFC' | 'NFD' | 'NFKC' | 'NFKD' | 'Lowercase' }
  | { type: 'Replace'; pattern: PatternConfig; content: string }
  | { type: 'Strip'; strip_left: boolean; strip_right: boolean }
  | { type: 'Prepend'; prepend: string };

export const NormalizerSchema: z.ZodType<NormalizerConfig> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Sequence'),
    get normalizers() { return z.array(NormalizerSchema); },
  }),
  z.object({ type: z.enum(['NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase']) }),
  z.object({ type: z.literal('Replace'), pattern: PatternSchema, content: z.string() }),
  z.object({ type: z.literal('Strip'), strip_left: z.boolean().default(true), strip_right: z.boolean().default(true) }),
  z.object({ type: z.literal('Prepend'), prepend: z.string() }),
], unsupported('normalizer'));

// ---- pre-tokenizers ----

export const SplitBehaviorSchema = z.enum(['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']);
export type SplitBehavior = z.infer<typeof SplitBehaviorSchema>;

export type PreTokenizerConfig =
  | { type: 'Sequence'; pretokenizers: PreTokenizerConfig[] }
  | { type: 'Split'; pattern: PatternConfig; behavior: SplitBehavior; invert: boolean }
  | { type: 'ByteLevel'; add_prefix_space: boolean; use_regex: boolean }
  | { type: 'Digits'; individual_digits: boolean }
  | { type: 'Whitespace' | 'WhitespaceSplit' };

export const PreTokenizerSchema: z.ZodType<PreTokenizerConfig> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Sequence'),
    get pretokenizers() { return z.array(PreTokenizerSchema); },
  }),
  z.object({ type: z.literal('Split'), pattern: PatternSchema, behavior: SplitBehaviorSchema, invert: z.boolean().default(false) }),
  // use_regex is absent from files written before it existed; HF's default is true.
  z.object({ type: z.literal('ByteLevel'), add_prefix_space: z.boolean().default(true), use_regex: z.boolean().default(true) }),
  z.object({ type: z.literal('Digits'), individual_digits: z.boolean().default(false) }),
  z.object({ type: z.enum(['Whitespace', 'WhitespaceSplit']) }),
], unsupported('pre_tokenizer'));

// ---- model ----

export const BpeModelSchema = z.object({
  type: z.literal('BPE', { error: (iss) => `model type ${JSON.stringify((iss.input as unknown) ?? null)} is not supported (supported: BPE)` }),
  // A dropout > 0 samples merges at random; inference tokenization must be deterministic.
  dropout: z.union([z.null(), z.literal(0)], { error: () => 'model.dropout must be null or 0 (BPE dropout is not supported)' }).default(null),
  unk_token: z.string().nullable().default(null),
  continuing_subword_prefix: z.string().nullable().default(null),
  end_of_word_suffix: z.string().nullable().default(null),
  fuse_unk: z.boolean().nullable().default(false),
  byte_fallback: z.boolean().nullable().default(false),
  ignore_merges: z.boolean().default(false),
  vocab: z.record(z.string(), z.int().nonnegative()),
  // "a b" strings (older files) or ["a", "b"] pairs (tokenizers ≥ 0.20).
  merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).default([]),
});
export type BpeModelConfig = z.infer<typeof BpeModelSchema>;

// ---- post-processors ----

export const TemplatePieceSchema = z.union([
  z.strictObject({ SpecialToken: z.object({ id: z.string(), type_id: z.int().default(0) }) }),
  z.strictObject({ Sequence: z.object({ id: z.enum(['A', 'B']), type_id: z.int().default(0) }) }),
  z.string(), // the short form "$A", "$B:1", "[CLS]:0"
]);
export type TemplatePiece = z.infer<typeof TemplatePieceSchema>;

const IdPairSchema = z.tuple([z.string(), z.int().nonnegative()]);

export type PostProcessorConfig =
  | { type: 'Sequence'; processors: PostProcessorConfig[] }
  | {
    type: 'TemplateProcessing';
    single: TemplatePiece[];
    pair: TemplatePiece[];
    special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
  }
  | { type: 'RobertaProcessing' | 'BertProcessing'; sep: [string, number]; cls: [string, number] }
  | { type: 'ByteLevel' };

export const PostProcessorSchema: z.ZodType<PostProcessorConfig> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Sequence'),
    get processors() { return z.array(PostProcessorSchema); },
  }),
  z.object({
    type: z.literal('TemplateProcessing'),
    single: z.array(TemplatePieceSchema),
    pair: z.array(TemplatePieceSchema).default([]),
    special_tokens: z.record(z.string(), z.object({
      id: z.string(),
      ids: z.array(z.int().nonnegative()),
      tokens: z.array(z.string()),
    })).default({}),
  }),
  z.object({ type: z.enum(['RobertaProcessing', 'BertProcessing']), sep: IdPairSchema, cls: IdPairSchema }),
  z.object({ type: z.literal('ByteLevel') }),
], unsupported('post_processor'));

// ---- decoders ----

export type DecoderConfig =
  | { type: 'Sequence'; decoders: DecoderConfig[] }
  | { type: 'ByteLevel' | 'Fuse' }
  | { type: 'BPEDecoder'; suffix: string };

export const DecoderSchema: z.ZodType<DecoderConfig> = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Sequence'),
    get decoders() { return z.array(DecoderSchema); },
  }),
  z.object({ type: z.enum(['ByteLevel', 'Fuse']) }),
  z.object({ type: z.literal('BPEDecoder'), suffix: z.string().default('</w>') }),
], unsupported('decoder'));

// ---- the file ----

export const TokenizerJsonSchema = z.object({
  version: z.string().optional(),
  // Call-time settings in transformers (it resets them per call); prompt-encoding.ts applies
  // the lengths FramePack uses, so whatever a file stores here is not used.
  truncation: z.unknown().optional(),
  padding: z.unknown().optional(),
  added_tokens: z.array(AddedTokenSchema).default([]),
  normalizer: NormalizerSchema.nullable().default(null),
  pre_tokenizer: PreTokenizerSchema.nullable().default(null),
  model: BpeModelSchema,
  post_processor: PostProcessorSchema.nullable().default(null),
  decoder: DecoderSchema.nullable().default(null),
});
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;

export class TokenizerFileError extends Error {
  constructor(readonly source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'TokenizerFileError';
  }
}

/** Validates parsed tokenizer.json content; `source` names the file in error messages. */
export function parseTokenizerJson(value: unknown, source = 'tokenizer.json'): TokenizerJson {
  const result = TokenizerJsonSchema.safeParse(value);
  if (!result.success) throw new TokenizerFileError(source, z.prettifyError(result.error));
  return result.data;
}
