// Post-processors add the special tokens around an encoded sequence: Llama 3's
// TemplateProcessing prepends <|begin_of_text|>; CLIP's RobertaProcessing wraps the sequence in
// <|startoftext|> … <|endoftext|>. Only single sequences are needed here (no pairs).
import type { PostProcessorConfig, TemplatePiece } from './tokenizer-json.js';

export interface PostProcessor {
  /** Ids placed before and after the sequence when special tokens are added. */
  readonly before: readonly number[];
  readonly after: readonly number[];
}

export class PostProcessorError extends Error {
  constructor(message: string) {
    super(`post_processor: ${message}`);
    this.name = 'PostProcessorError';
  }
}

type ParsedPiece = { sequence: 'A' | 'B' } | { special: string };

function parsePiece(piece: TemplatePiece): ParsedPiece {
  if (typeof piece !== 'string') {
    return 'Sequence' in piece ? { sequence: piece.Sequence.id } : { special: piece.SpecialToken.id };
  }
  // Short form: "$A", "$B:1", "$0", "[CLS]:0", "[CLS]".
  const name = piece.replace(/:\d+$/, '');
  if (name === '$' || name === '$A' || name === '$0') return { sequence: 'A' };
  if (name === '$B' || name === '$1') return { sequence: 'B' };
  return { special: name };
}

function templateProcessor(config: Extract<PostProcessorConfig, { type: 'TemplateProcessing' }>): PostProcessor {
  const before: number[] = [];
  const after: number[] = [];
  let seenSequence = false;
  for (const raw of config.single) {
    const piece = parsePiece(raw);
    if ('sequence' in piece) {
      if (piece.sequence !== 'A' || seenSequence) throw new PostProcessorError('the single template must hold $A exactly once');
      seenSequence = true;
      continue;
    }
    const entry = config.special_tokens[piece.special];
    if (!entry) throw new PostProcessorError(`template token ${JSON.stringify(piece.special)} is missing from special_tokens`);
    (seenSequence ? after : before).push(...entry.ids);
  }
  if (!seenSequence) throw new PostProcessorError('the single template has no $A');
  return { before, after };
}

export function buildPostProcessor(config: PostProcessorConfig): PostProcessor {
  switch (config.type) {
    case 'TemplateProcessing':
      return templateProcessor(config);
    case 'RobertaProcessing':
    case 'BertProcessing':
      return { before: [config.cls[1]], after: [config.sep[1]] };
    case 'ByteLevel':
      return { before: [], after: [] }; // only adjusts offsets
    case 'Sequence': {
      // Each processor wraps the result of the previous one.
      const parts = config.processors.map(buildPostProcessor);
      return {
        before: parts.reduceRight<number[]>((acc, p) => [...acc, ...p.before], []),
        after: parts.reduce<number[]>((acc, p) => [...acc, ...p.after], []),
      };
    }
  }
}
