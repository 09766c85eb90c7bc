import { describe, expect, it } from 'vitest';
import { parseTimedPrompt } from '../../../shared/domain/timed-prompt.js';
import { planJob } from '../section-plan.js';
import { DirectingError, planDirecting, sectionAtSeconds, type DirectingOptions } from './section-conditioning.js';

const base = (o: Partial<DirectingOptions> = {}): DirectingOptions => ({
  mode: 'inverted', sectionCount: 5, windowSize: 9, fps: 30, requestedSeconds: 6,
  timeline: parseTimedPrompt('one prompt'), promptBlend: 0, keyframeSeconds: [], endStrength: null, ...o,
});
const byDisplay = (p: ReturnType<typeof planDirecting>) => [...p.sections].sort((a, b) => a.displayIndex - b.displayIndex);

describe('planDirecting', () => {
  it('maps generation to display order as the section plan does, with 1.2 s display spans', () => {
    for (const mode of ['inverted', 'f1', 'vanilla'] as const) {
      const p = planDirecting(base({ mode }));
      const sections = planJob({ mode, seconds: 6, latentHeight: 8, latentWidth: 12 }).sections;
      expect(p.sections.map((s) => s.displayIndex)).toEqual(sections.map((s) => s.displayIndex));
    }
    const p = planDirecting(base());
    expect(byDisplay(p).map((s) => [s.startSeconds, s.endSeconds])).toEqual([[0, 1.2], [1.2, 2.4], [2.4, 3.6], [3.6, 4.8], [4.8, 6]]);
    expect(p.videoSeconds).toBeCloseTo(181 / 30, 10);
  });

  it('gives each section the prompt active at its middle: a change snaps to the nearest section boundary', () => {
    // 2.5 s lies in 2.4–3.6 (middle 3.0): the change lands on 2.4; 4.3 s lies in 3.6–4.8 (middle 4.2): it lands on 4.8.
    const p = planDirecting(base({ timeline: parseTimedPrompt('[0s: A] [2.5s: B] [4.3s: C]') }));
    expect(p.prompts).toEqual(['A', 'B', 'C']);
    expect(byDisplay(p).map((s) => p.prompts[s.prompt.to])).toEqual(['A', 'A', 'B', 'B', 'C']);
    // Inverted: generation order is the reverse of display order.
    expect(p.sections.map((s) => p.prompts[s.prompt.to])).toEqual(['C', 'B', 'B', 'A', 'A']);
  });

  it('blends each change over N sections with weights (j+1)/(N+1), then the new prompt alone', () => {
    const p = planDirecting(base({ timeline: parseTimedPrompt('[0s: A] [1.2s: B]'), promptBlend: 2 }));
    expect(byDisplay(p).map((s) => [s.prompt.from, s.prompt.to, Number(s.prompt.weight.toFixed(4))])).toEqual([
      [0, 0, 0], [0, 1, 0.3333], [0, 1, 0.6667], [1, 1, 0], [1, 1, 0],
    ]);
  });

  it('anchors the keyframe section and the later ones (eichi), one keyframe per section', () => {
    const p = planDirecting(base({ keyframeSeconds: [3.7, 1.2] }));
    expect(p.keyframeSections).toEqual([3, 1]);
    expect(byDisplay(p).map((s) => s.keyframe)).toEqual([null, 1, 1, 0, 0]);
    expect(() => planDirecting(base({ keyframeSeconds: [1.3, 1.5] }))).toThrow(/same section \(display section 2/);
    expect(() => planDirecting(base({ keyframeSeconds: [6.1] }))).toThrow(/6.1s is past the video's end \(6.03 s/);
    expect(sectionAtSeconds(2.4, 5, 9, 30)).toBe(2);
  });

  it('blends the end image embedding in by display time and scales the end latent by the strength', () => {
    const p = planDirecting(base({ endStrength: 0.5 }));
    expect(p.endLatentScale).toBe(0.5);
    expect(byDisplay(p).map((s) => s.endEmbeddingWeight)).toEqual([0.05, 0.15, 0.25, 0.35, 0.45]);
    expect(planDirecting(base()).sections.every((s) => s.endEmbeddingWeight === 0)).toBe(true);
  });

  it('refuses an end image or keyframes outside inverted mode, and prompts past the end', () => {
    expect(() => planDirecting(base({ mode: 'f1', endStrength: 1 }))).toThrow(DirectingError);
    expect(() => planDirecting(base({ mode: 'vanilla', keyframeSeconds: [1] }))).toThrow(/--keyframe works only with --mode inverted/);
    expect(() => planDirecting(base({ timeline: parseTimedPrompt('[0s: a] [6.5s: b]') }))).toThrow(/--prompt \[6.5s: b\] starts at 6.5 s/);
    // Timestamped prompts work in every mode.
    expect(planDirecting(base({ mode: 'f1', timeline: parseTimedPrompt('[0s: a] [2s: b]') })).prompts).toEqual(['a', 'b']);
  });
});
