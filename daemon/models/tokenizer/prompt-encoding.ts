// FramePack's two prompt encodings (FRAMEPACK.md §2), as pure functions over loaded tokenizers:
// the Llama prompt is the user text inside HunyuanVideo's template, of which only the tokens
// after the template prefix are kept; the CLIP prompt is the raw text padded to 77 and pooled at
// its first EOS. Template and lengths are parameters because the bundle manifest defines them.
import type { Tokenizer } from './tokenizer.js';
import { clipSlowTextCleanup } from './clip-text-cleanup.js';

/** HunyuanVideo's DEFAULT_PROMPT_TEMPLATE (diffusers 0.33.1); `{}` is the user prompt's slot. */
export const HUNYUAN_VIDEO_PROMPT_TEMPLATE =
  '<|start_header_id|>system<|end_header_id|>\n\nDescribe the video by detailing the following aspects: '
  + '1. The main content and theme of the video.'
  + '2. The color, shape, size, texture, quantity, text, and spatial relationships of the objects.'
  + '3. Actions, events, behaviors temporal relationships, physical movement changes of the objects.'
  + '4. background environment, light, style and atmosphere.'
  + '5. camera angles, movements, and transitions used in the video:<|eot_id|>'
  + '<|start_header_id|>user<|end_header_id|>\n\n{}<|eot_id|>';

/** Tokens before the user text with the official tokenizer, BOS included. */
export const HUNYUAN_VIDEO_CROP_START = 95;
/** The official encode_prompt_conds max_length: user tokens kept after the crop. */
export const LLAMA_MAX_USER_TOKENS = 256;
/** CLIP-L's context length. */
export const CLIP_MAX_LENGTH = 77;

const SLOT = '{}';

export class PromptTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptTemplateError';
  }
}

export interface LlamaPromptSpec {
  /** Template with exactly one `{}` slot. */
  template: string;
  /** At most this many tokens are kept after the crop (256 officially). */
  maxUserTokens: number;
  /** The crop start the manifest expects; checked against the tokenizer when given. */
  expectedCropStart?: number;
  /**
   * Make sure the sequence starts with this token. transformers' LlamaTokenizerFast adds BOS
   * (add_bos_token) even when a tokenizer.json's post-processor does not, as in early Llama 3
   * files; when the file's post-processor already adds it, nothing changes.
   */
  bosToken?: string;
}

/** FramePack's official Llama prompt settings (FRAMEPACK.md §2.1). */
export const HUNYUAN_VIDEO_LLAMA_SPEC: LlamaPromptSpec = {
  template: HUNYUAN_VIDEO_PROMPT_TEMPLATE,
  maxUserTokens: LLAMA_MAX_USER_TOKENS,
  expectedCropStart: HUNYUAN_VIDEO_CROP_START,
  bosToken: '<|begin_of_text|>',
};

export interface LlamaPromptEncoding {
  /** Ids to run through the encoder (BOS, template, prompt, closing tokens), unpadded. */
  inputIds: number[];
  /** Keep encoder outputs at positions [keepStart, keepEnd): the prompt tokens and the closing <|eot_id|>. */
  keepStart: number;
  keepEnd: number;
}

function splitTemplate(template: string): [string, string] {
  const parts = template.split(SLOT);
  if (parts.length !== 2) throw new PromptTemplateError(`prompt template must contain exactly one "${SLOT}" slot, found ${parts.length - 1}`);
  return [parts[0]!, parts[1]!];
}

/** Encodes with special tokens, prepending `bosToken` if the tokenizer did not; maxLength counts it. */
function encodeWithBos(tokenizer: Tokenizer, text: string, bosToken: string | undefined, maxLength?: number): number[] {
  if (bosToken === undefined || tokenizer.prefixIds[0] === tokenizer.requireTokenId(bosToken)) {
    return tokenizer.encode(text, { addSpecialTokens: true, maxLength });
  }
  const rest = tokenizer.encode(text, { addSpecialTokens: true, maxLength: maxLength === undefined ? undefined : maxLength - 1 });
  return [tokenizer.requireTokenId(bosToken), ...rest];
}

/** Number of tokens (BOS included) before the user text: the length of the tokenized template prefix. */
export function llamaCropStart(tokenizer: Tokenizer, template: string, bosToken?: string): number {
  const [prefix] = splitTemplate(template);
  return encodeWithBos(tokenizer, prefix, bosToken).length;
}

/**
 * Tokenizes `prompt` inside the template as encode_prompt_conds does: BOS added, the whole
 * sequence truncated to cropStart + maxUserTokens (a long prompt loses its closing <|eot_id|>,
 * as with transformers' truncation). Padding is left out: the encoder is causal, so the kept
 * positions do not depend on it.
 */
export function encodeLlamaPrompt(tokenizer: Tokenizer, prompt: string, spec: LlamaPromptSpec): LlamaPromptEncoding {
  const [prefix, suffix] = splitTemplate(spec.template);
  const cropStart = llamaCropStart(tokenizer, spec.template, spec.bosToken);
  if (spec.expectedCropStart !== undefined && spec.expectedCropStart !== cropStart) {
    throw new PromptTemplateError(`the template prefix is ${cropStart} tokens with this tokenizer, but the manifest says crop_start ${spec.expectedCropStart}`);
  }
  const inputIds = encodeWithBos(tokenizer, prefix + prompt + suffix, spec.bosToken, cropStart + spec.maxUserTokens);
  return { inputIds, keepStart: cropStart, keepEnd: inputIds.length };
}

export interface ClipPromptSpec {
  /** Total length after truncation and padding (77). */
  maxLength: number;
  /** Padding token (openai/clip-vit-large-patch14 pads with "<|endoftext|>"). */
  padToken: string;
  /** The token the pooled output is read at ("<|endoftext|>"). */
  eosToken: string;
  /**
   * Clean the text as transformers' slow CLIPTokenizer does (FramePack uses it): drop control
   * characters, space out CJK ideographs. Ordinary prompts are unaffected.
   */
  slowTokenizerCleanup: boolean;
}

export const CLIP_PROMPT_SPEC: ClipPromptSpec = {
  maxLength: CLIP_MAX_LENGTH, padToken: '<|endoftext|>', eosToken: '<|endoftext|>', slowTokenizerCleanup: true,
};

export interface ClipPromptEncoding {
  /** Exactly maxLength ids: BOS, prompt (truncated), EOS, then padding. */
  inputIds: number[];
  /** Ids before the padding. */
  validLength: number;
  /** Position of the first EOS, where CLIPTextModel's pooler_output is taken. */
  eosIndex: number;
}

export function encodeClipPrompt(tokenizer: Tokenizer, prompt: string, spec: ClipPromptSpec = CLIP_PROMPT_SPEC): ClipPromptEncoding {
  const text = spec.slowTokenizerCleanup ? clipSlowTextCleanup(prompt) : prompt;
  const ids = tokenizer.encode(text, { addSpecialTokens: true, maxLength: spec.maxLength });
  const eosId = tokenizer.requireTokenId(spec.eosToken);
  const padId = tokenizer.requireTokenId(spec.padToken);
  const eosIndex = ids.indexOf(eosId);
  if (eosIndex < 0) throw new PromptTemplateError(`CLIP tokenizer did not add ${spec.eosToken}`);
  const validLength = ids.length;
  const inputIds = [...ids, ...new Array<number>(spec.maxLength - validLength).fill(padId)];
  return { inputIds, validLength, eosIndex };
}
