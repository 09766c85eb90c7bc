// Pre-tokenizers: split normalized text into the pieces ("words") that BPE encodes separately.
// Llama 3 uses Split(its regex, Isolated) then ByteLevel without its own regex; CLIP uses
// Split(its regex, Removed, inverted) then ByteLevel with GPT-2's regex.
import type { PreTokenizerConfig, SplitBehavior } from './tokenizer-json.js';
import { compileTokenizerRegex, findMatches } from './regex.js';
import { patternRegex } from './normalizers.js';
import { bytesToChars } from './byte-level.js';

/** Maps one piece to its sub-pieces; empty pieces are dropped by the caller. */
export type PreTokenizer = (pieces: string[]) => string[];

/** GPT-2's pattern, which the ByteLevel pre-tokenizer applies when use_regex is on. */
export const GPT2_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** Llama 3's pattern (tiktoken cl100k's): digits in runs of 1–3, case-insensitive contractions. */
export const LLAMA3_SPLIT_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/**
 * CLIP's pattern as transformers' converter writes it (used with behavior Removed, invert true):
 * letter runs, single digits, punctuation runs; whitespace is dropped.
 */
export const CLIP_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

interface Piece { piece: string; isMatch: boolean }

/** HF's NormalizedString::split: how matched delimiters are kept, dropped or attached. */
export function splitWithBehavior(pieces: Piece[], behavior: SplitBehavior): string[] {
  const out: string[] = [];
  switch (behavior) {
    case 'Isolated':
      for (const p of pieces) out.push(p.piece);
      break;
    case 'Removed':
      for (const p of pieces) if (!p.isMatch) out.push(p.piece);
      break;
    case 'MergedWithPrevious': {
      let previousMatch = false;
      for (const p of pieces) {
        if (p.isMatch && !previousMatch && out.length > 0) out[out.length - 1] += p.piece;
        else out.push(p.piece);
        previousMatch = p.isMatch;
      }
      break;
    }
    case 'MergedWithNext': {
      let previousMatch = false;
      const reversed: string[] = [];
      for (const p of [...pieces].reverse()) {
        if (p.isMatch && !previousMatch && reversed.length > 0) reversed[reversed.length - 1] = p.piece + reversed[reversed.length - 1]!;
        else reversed.push(p.piece);
        previousMatch = p.isMatch;
      }
      out.push(...reversed.reverse());
      break;
    }
    case 'Contiguous': {
      let previousMatch: boolean | null = null;
      for (const p of pieces) {
        if (p.isMatch === previousMatch && out.length > 0) out[out.length - 1] += p.piece;
        else out.push(p.piece);
        previousMatch = p.isMatch;
      }
      break;
    }
  }
  return out.filter((s) => s.length > 0);
}

function regexSplitter(regex: RegExp, behavior: SplitBehavior, invert: boolean): PreTokenizer {
  return (pieces) => pieces.flatMap((text) => {
    const found = findMatches(regex, text);
    return splitWithBehavior(invert ? found.map((p) => ({ piece: p.piece, isMatch: !p.isMatch })) : found, behavior);
  });
}

export function buildPreTokenizer(config: PreTokenizerConfig): PreTokenizer {
  switch (config.type) {
    case 'Sequence': {
      const steps = config.pretokenizers.map(buildPreTokenizer);
      return (pieces) => steps.reduce((p, step) => step(p), pieces);
    }
    case 'Split':
      return regexSplitter(patternRegex(config.pattern), config.behavior, config.invert);
    case 'ByteLevel': {
      const split = config.use_regex ? regexSplitter(compileTokenizerRegex(GPT2_SPLIT_PATTERN), 'Isolated', false) : null;
      const addPrefixSpace = config.add_prefix_space;
      return (pieces) => {
        const prefixed = addPrefixSpace ? pieces.map((p) => (p.startsWith(' ') ? p : ` ${p}`)) : pieces;
        const words = split ? split(prefixed) : prefixed;
        return words.map(bytesToChars);
      };
    }
    case 'Digits':
      return regexSplitter(config.individual_digits ? /\p{N}/gu : /\p{N}+/gu, 'Isolated', false);
    case 'Whitespace':
      return regexSplitter(compileTokenizerRegex('\\w+|[^\\w\\s]+'), 'Removed', true);
    case 'WhitespaceSplit':
      return regexSplitter(/\p{White_Space}+/gu, 'Removed', false);
  }
}
