import { describe, expect, it } from 'vitest';
import type { PlannedDirecting } from '../../shared/protocol/index.js';
import { valuesFromSpec } from './form-state.js';
import { planParams } from './plan-preview.js';
import { directingPlanLines } from './plan-directing.js';

describe('the form plan of a directed job', () => {
  it('sends the timestamped prompt and the directing values that parse to jobs.plan, a plain prompt not at all', () => {
    const values = { ...valuesFromSpec({ prompt: '[0s: a] [2.5s: b]', promptBlend: 1, endStrength: 0.5, endImage: '/e.png', keyframes: [{ seconds: 2.5, image: '/k.png' }] }), image: '/in.png' };
    expect(planParams(values)).toMatchObject({ prompt: '[0s: a] [2.5s: b]', promptBlend: 1, endImage: '/e.png', endStrength: 0.5, keyframes: [{ seconds: 2.5, image: '/k.png' }] });
    expect(planParams({ ...values, prompt: 'a cat' })).not.toHaveProperty('prompt');
    // An overlap is the form's error to show; the plan keeps the bucket and sections.
    expect(planParams({ ...values, prompt: '[0s-3s: a] [1s: b]' })).not.toHaveProperty('prompt');
  });

  it('lists the prompts, then runs of sections in video order with their generation positions', () => {
    const row = (d: number, g: number, from: number, to: number, weight: number, keyframe: number | null) => ({ displayIndex: d, generationIndex: g, startSeconds: d * 1.2, endSeconds: (d + 1) * 1.2, prompt: { from, to, weight }, keyframe, endEmbeddingWeight: 0 });
    const d: PlannedDirecting = {
      prompts: ['a ball rolls', 'the ball jumps'], promptBlend: 2, endImage: { strength: 0.8 }, keyframes: [{ seconds: 2.5, displaySection: 2 }],
      sections: [row(0, 4, 0, 0, 0, null), row(1, 3, 0, 0, 0, null), row(2, 2, 0, 1, 0.3333, 0), row(3, 1, 0, 1, 0.6667, 0), row(4, 0, 1, 1, 0, 0)],
    };
    expect(directingPlanLines(d)).toEqual([
      'prompts: P1 a ball rolls · P2 the ball jumps (blend 2, end 0.8, 1 keyframe)',
      'video order [made]: 1–2[5–4] P1 · 3[3] P1→P2 33% K1 · 4[2] P1→P2 67% K1 · 5[1] P2 K1',
    ]);
    // 80×24 gives the editor about 51 columns: prompts clipped to their share, the runs on two lines.
    const narrow = directingPlanLines(d, 51);
    expect(narrow).toEqual([
      'prompts: P1 a ball rolls · P2 the ball jumps',
      'video order [made]: 1–2[5–4] P1 · 3[3] P1→P2 33% K1',
      '  4[2] P1→P2 67% K1 · 5[1] P2 K1',
    ]);
    expect(narrow.every((l) => [...l].length <= 51)).toBe(true);
  });
});
