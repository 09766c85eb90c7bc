import { describe, expect, it } from 'vitest';
import { parseTimedPrompt } from '../../../shared/domain/timed-prompt.js';
import type { F32 } from '../../models/transformer/run-transformer.js';
import { planJob } from '../section-plan.js';
import type { PromptConditioning } from './conditioning.js';
import { tensorToFrames, type LatentGeometry } from './latent-frames.js';
import { planDirecting } from './section-conditioning.js';
import { blendPrompts, buildSectionInputs, directedContext } from './section-inputs.js';
import { sectionContext } from './section-loop.js';

const g: LatentGeometry = { channels: 2, height: 2, width: 2 };
const frame = (v: number) => new Float32Array(8).fill(v);
const prompt = (tokens: number, v: number): PromptConditioning => ({
  llama: { data: new Float32Array(tokens * 3).fill(v), dims: [1, tokens, 3] }, pooled: { data: new Float32Array(2).fill(v), dims: [1, 2] }, tokens,
});
/** Frame t of a context tensor, as its first value (every test frame is constant). */
const values = (t: F32) => tensorToFrames(t).map((f) => f[0]);

describe('blendPrompts', () => {
  it('blends Llama features over the longer prompt (the shorter padded with zeros) and the pooled vectors', () => {
    const b = blendPrompts(prompt(2, 1), prompt(3, 4), 0.25);
    expect(b.tokens).toBe(3);
    expect(b.llama.dims).toEqual([1, 3, 3]);
    expect(Array.from(b.llama.data)).toEqual([1.75, 1.75, 1.75, 1.75, 1.75, 1.75, 1, 1, 1]);
    expect(Array.from(b.pooled.data)).toEqual([1.75, 1.75]);
    const a = prompt(2, 1);
    expect(blendPrompts(a, prompt(3, 4), 0)).toBe(a);
  });
});

describe('directedContext', () => {
  const plan = planJob({ mode: 'inverted', seconds: 6, latentHeight: 2, latentWidth: 2 });
  it('without an end frame or keyframe it is sectionContext', () => {
    const history = Array.from({ length: 9 }, (_, i) => frame(1 + i));
    const s = plan.sections[1]!;
    expect(directedContext(s, history, frame(9), { lead: null, endFrame: null }, g)).toEqual(sectionContext(s, history, frame(9), g));
  });

  it('puts the end frame right after the history: the first section’s 1× frame, then inside the 2×/4× slots', () => {
    const first = directedContext(plan.sections[0]!, [], frame(9), { lead: null, endFrame: frame(5) }, g);
    expect(values(first.clean)).toEqual([9, 5]);
    expect(values(first.clean2x)).toEqual([0, 0]);
    const history = Array.from({ length: 9 }, (_, i) => frame(10 + i));
    const second = directedContext(plan.sections[1]!, history, frame(9), { lead: null, endFrame: frame(5) }, g);
    expect(values(second.clean)).toEqual([9, 10]);
    expect(values(second.clean2x)).toEqual([11, 12]);
    // 4× slot = history[3:19]: frames 13…18, then the end frame at history index 9, then zeros.
    expect(values(second.clean4x)).toEqual([13, 14, 15, 16, 17, 18, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Once the history fills the 19-frame window the end frame is out of reach.
    const long = Array.from({ length: 19 }, (_, i) => frame(10 + i));
    expect(values(directedContext(plan.sections[2]!, long, frame(9), { lead: null, endFrame: frame(5) }, g).clean4x)).not.toContain(5);
  });

  it('uses a keyframe as the clean lead frame instead of the start latent', () => {
    const history = Array.from({ length: 9 }, (_, i) => frame(1 + i));
    const c = directedContext(plan.sections[1]!, history, frame(9), { lead: frame(7), endFrame: null }, g);
    expect(values(c.clean)).toEqual([7, 1]);
  });
});

describe('buildSectionInputs', () => {
  it('gives each section its prompt, anchor, end frame × strength, projecting each distinct embedding weight once', async () => {
    const plan = planDirecting({
      mode: 'inverted', sectionCount: 3, windowSize: 9, fps: 30, requestedSeconds: 3.6, timeline: parseTimedPrompt('[0s: a] [1.2s: b]'),
      promptBlend: 0, keyframeSeconds: [2.5], endStrength: 0.5,
    });
    const projected: number[] = [];
    const emb = (v: number): F32 => ({ data: new Float32Array(4).fill(v), dims: [1, 2, 2] });
    const inputs = await buildSectionInputs(plan, {
      prompts: [prompt(2, 1), prompt(2, 2)], startEmbedding: emb(0), endEmbedding: emb(12), keyframeLatents: [frame(7)], endLatent: frame(4),
    }, async (e) => { projected.push(e.data[0]!); return e; });
    // Generation order: display sections 3, 2, 1.
    expect(inputs.map((s) => s.positive.llama.data[0])).toEqual([2, 2, 1]);
    expect(inputs.map((s) => s.lead?.[0] ?? null)).toEqual([7, null, null]);
    expect(inputs.every((s) => s.endFrame?.[0] === 2)).toBe(true);
    // End weights 0.5·(d + ½)/3 → embeddings 12·w.
    expect(projected).toEqual([12 * 0.5 * 2.5 / 3, 12 * 0.5 * 1.5 / 3, 12 * 0.5 * 0.5 / 3].map((x) => Math.fround(x)));
  });
});
