// Decoders turn token strings back into text (ByteLevel: visible characters → bytes → UTF-8).
import type { DecoderConfig } from './tokenizer-json.js';
import { charsToText } from './byte-level.js';

/** HF's decode_chain: token strings in, (fewer) strings out; the caller joins them. */
export type Decoder = (tokens: string[]) => string[];

export function buildDecoder(config: DecoderConfig): Decoder {
  switch (config.type) {
    case 'Sequence': {
      const steps = config.decoders.map(buildDecoder);
      return (tokens) => steps.reduce((t, step) => step(t), tokens);
    }
    case 'ByteLevel':
      return (tokens) => [charsToText(tokens)];
    case 'Fuse':
      return (tokens) => [tokens.join('')];
    case 'BPEDecoder': {
      const suffix = config.suffix;
      return (tokens) => tokens.map((t, i) => t.replaceAll(suffix, i === tokens.length - 1 ? '' : ' '));
    }
  }
}

/** True when the chain already turns an end-of-word suffix into spaces. */
export function decoderHandlesSuffix(config: DecoderConfig | null): boolean {
  if (config === null) return false;
  if (config.type === 'BPEDecoder') return true;
  return config.type === 'Sequence' && config.decoders.some(decoderHandlesSuffix);
}
