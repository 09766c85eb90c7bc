// The directing plan (section-conditioning.ts) applied to tensors: per section, the positive text
// conditioning (one prompt, or two blended), the image tokens (the start image's SigLIP embedding,
// blended with the end image's), the clean lead frame (the start latent or a keyframe's) and the
// end latent placed right after the history. Built once per job before the loop; the loop only
// looks them up by generation index, so resuming after a section gets the same inputs.
import type { F32 } from '../../models/transformer/run-transformer.js';
import { HISTORY_1X, HISTORY_2X, HISTORY_4X, contextRange, type SectionPlan } from '../section-plan.js';
import type { PromptConditioning } from './conditioning.js';
import { contextFrames, framesToTensor, scaled, type LatentGeometry } from './latent-frames.js';
import type { DirectingPlan } from './section-conditioning.js';

/** One section's conditioning, replacing the job-wide one where set. */
export interface SectionInputs {
  positive: PromptConditioning;
  imageTokens: F32;
  /** Clean lead frame: a keyframe's latent, or null for the start latent. */
  lead: Float32Array | null;
  /** The end latent × strength, the virtual frame right after the real history (inverted only), or null. */
  endFrame: Float32Array | null;
}

/** What was encoded once per job for the plan. */
export interface DirectingEncodings {
  /** One per DirectingPlan.prompts entry. */
  prompts: readonly PromptConditioning[];
  startEmbedding: F32;
  endEmbedding: F32 | null;
  /** Latent (one frame, C·h·w) per keyframe, in the order given. */
  keyframeLatents: readonly Float32Array[];
  endLatent: Float32Array | null;
}

/** Linear blend `(1−w)·a + w·b` of two equally long arrays. */
export function lerp(a: Float32Array, b: Float32Array, w: number): Float32Array {
  if (a.length !== b.length) throw new RangeError(`lerp: ${a.length} vs ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - w) * a[i]! + w * b[i]!;
  return out;
}

/** Llama features padded with zero tokens to `tokens` (the official 512-token padding is zeros too). */
function padTokens(x: F32, tokens: number): Float32Array {
  const [, l, d] = x.dims as [number, number, number];
  if (l === tokens) return x.data;
  const out = new Float32Array(tokens * d);
  out.set(x.data.subarray(0, l * d));
  return out;
}

/**
 * Studio's blend_sections: `(1−w)·a + w·b` of the Llama features and the CLIP pooled vectors. Prompts
 * of different lengths are blended over the longer one, the shorter padded with zeros (Studio
 * blends the 512-padded vectors but keeps the first prompt's mask, dropping the tail of a longer
 * second prompt).
 */
export function blendPrompts(a: PromptConditioning, b: PromptConditioning, w: number): PromptConditioning {
  if (w === 0) return a;
  if (w === 1) return b;
  const tokens = Math.max(a.tokens, b.tokens);
  const d = a.llama.dims[2]!;
  return {
    llama: { data: lerp(padTokens(a.llama, tokens), padTokens(b.llama, tokens), w), dims: [1, tokens, d] },
    pooled: { data: lerp(a.pooled.data, b.pooled.data, w), dims: [...a.pooled.dims] },
    tokens,
  };
}

/**
 * Every section's inputs, indexed by generation index. `project` runs the image projection on a
 * SigLIP embedding (once per distinct blend weight).
 */
export async function buildSectionInputs(plan: DirectingPlan, enc: DirectingEncodings, project: (embedding: F32) => Promise<F32>): Promise<SectionInputs[]> {
  if (enc.prompts.length !== plan.prompts.length) throw new Error(`directing: ${enc.prompts.length} prompt encodings for ${plan.prompts.length} prompts`);
  const projected = new Map<number, Promise<F32>>();
  const tokensFor = (w: number): Promise<F32> => {
    let t = projected.get(w);
    if (!t) {
      const embedding = w === 0 || !enc.endEmbedding ? enc.startEmbedding : { data: lerp(enc.startEmbedding.data, enc.endEmbedding.data, w), dims: [...enc.startEmbedding.dims] };
      t = project(embedding);
      projected.set(w, t);
    }
    return t;
  };
  const endFrame = enc.endLatent && plan.endLatentScale !== null ? scaled(enc.endLatent, plan.endLatentScale) : null;
  const out: SectionInputs[] = [];
  for (const s of plan.sections) {
    const p = s.prompt;
    out.push({
      positive: blendPrompts(enc.prompts[p.from]!, enc.prompts[p.to]!, p.weight),
      imageTokens: await tokensFor(s.endEmbeddingWeight),
      lead: s.keyframe === null ? null : enc.keyframeLatents[s.keyframe]!,
      endFrame,
    });
  }
  return out;
}

/**
 * The clean (lead + 1×), 2× and 4× context of a directed section: as section-loop.ts's
 * sectionContext, with the keyframe as lead and, when there is an end frame, the inverted layout
 * (history[0:19] split [1, 2, 16], FRAMEPACK.md §8.3) read from the history followed by the end frame.
 */
export function directedContext(section: SectionPlan, history: readonly Float32Array[], startFrame: Float32Array, inputs: Pick<SectionInputs, 'lead' | 'endFrame'>, g: LatentGeometry) {
  const c = section.context;
  const lead = c.cleanLead === 'start-latent' ? [inputs.lead ?? startFrame] : contextFrames(history, c.cleanLead, g);
  let h = history;
  let slots = { clean1x: c.clean1x, clean2x: c.clean2x, clean4x: c.clean4x };
  if (inputs.endFrame) {
    if (section.historyUpdate !== 'prepend') throw new Error('an end frame needs the inverted order');
    h = [...history, inputs.endFrame];
    slots = {
      clean1x: contextRange(0, HISTORY_1X, h.length),
      clean2x: contextRange(HISTORY_1X, HISTORY_2X, h.length),
      clean4x: contextRange(HISTORY_1X + HISTORY_2X, HISTORY_4X, h.length),
    };
  }
  return {
    clean: framesToTensor([...lead, ...contextFrames(h, slots.clean1x, g)], g),
    clean2x: framesToTensor(contextFrames(h, slots.clean2x, g), g),
    clean4x: framesToTensor(contextFrames(h, slots.clean4x, g), g),
  };
}
