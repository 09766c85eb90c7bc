// Normalizers: text → text transforms applied before pre-tokenization (CLIP: NFC, collapse
// whitespace, lowercase). Offsets are not tracked; this project only needs ids.
import type { NormalizerConfig, PatternConfig } from './tokenizer-json.js';
import { compileTokenizerRegex, escapeRegexLiteral } from './regex.js';

export type Normalizer = (text: string) => string;

/** A global RegExp for a Split/Replace `pattern` (literal text or Oniguruma regex). */
export function patternRegex(pattern: PatternConfig): RegExp {
  return 'String' in pattern
    ? new RegExp(escapeRegexLiteral(pattern.String), 'gu')
    : compileTokenizerRegex(pattern.Regex);
}

// HF lowercases character by character (Rust char::to_lowercase), so a final Σ becomes σ, not
// the context-dependent ς that String.prototype.toLowerCase produces.
function lowercasePerCodePoint(text: string): string {
  let out = '';
  for (const c of text) out += c.toLowerCase();
  return out;
}

export function buildNormalizer(config: NormalizerConfig): Normalizer {
  switch (config.type) {
    case 'Sequence': {
      const steps = config.normalizers.map(buildNormalizer);
      return (text) => steps.reduce((t, step) => step(t), text);
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = config.type;
      return (text) => text.normalize(form);
    }
    case 'Lowercase':
      return lowercasePerCodePoint;
    case 'Replace': {
      const regex = patternRegex(config.pattern);
      const content = config.content;
      // A function replacer keeps '$' in the content literal.
      return (text) => text.replace(regex, () => content);
    }
    case 'Strip': {
      const { strip_left: left, strip_right: right } = config;
      return (text) => {
        let t = text;
        if (left) t = t.replace(/^\p{White_Space}+/u, '');
        if (right) t = t.replace(/\p{White_Space}+$/u, '');
        return t;
      };
    }
    case 'Prepend': {
      const prefix = config.prepend;
      return (text) => (text.length > 0 ? prefix + text : text);
    }
  }
}
