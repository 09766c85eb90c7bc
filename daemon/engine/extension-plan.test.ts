import { describe, expect, it } from 'vitest';
import { extensionContextFrames, framesForLatents, latentsForFrames, MAX_CONTEXT_FRAMES, planExtension } from './extension-plan.js';
import { planJob } from './section-plan.js';

describe('extension context frames', () => {
  it('maps 1 + 4k frames to 1 + k latents (causal VAE) and back', () => {
    expect([1, 4, 5, 8, 9, 73].map(latentsForFrames)).toEqual([1, 1, 2, 2, 3, 19]);
    expect(framesForLatents(19)).toBe(73);
    expect(MAX_CONTEXT_FRAMES).toBe(73);
  });

  it('defaults to what F1 reads (73 frames → 19 latents), or the whole of a shorter video', () => {
    expect(extensionContextFrames(300, null)).toEqual({ frames: 73, latents: 19 });
    expect(extensionContextFrames(40, null)).toEqual({ frames: 37, latents: 10 });
    expect(extensionContextFrames(300, 20)).toEqual({ frames: 17, latents: 5 });
  });

  it('refuses more context than the video has, or than F1 reads', () => {
    expect(() => extensionContextFrames(30, 40)).toThrow('is 40 frames but the video has only 30');
    expect(() => extensionContextFrames(300, 74)).toThrow(/1–73/);
    expect(() => extensionContextFrames(300, 0)).toThrow(/1–73/);
  });
});

describe('planExtension', () => {
  const base = { seconds: 2.4, latentHeight: 8, latentWidth: 12, contextLatents: 19, videoFrames: 145 };

  it('continues F1 from a history of K source latents: same indices and tokens, shifted history', () => {
    const p = planExtension(base);
    const f1 = planJob({ mode: 'f1', seconds: 2.4, latentHeight: 8, latentWidth: 12 });
    expect(p.sectionCount).toBe(f1.sectionCount);
    expect(p.sections.map((s) => s.indices)).toEqual(f1.sections.map((s) => s.indices));
    expect(p.sections.map((s) => s.historyBefore)).toEqual([19, 28]);
    expect(p.totalLatentFrames).toBe(19 + 18);
    // Section 1 reads the source's last 19 latents: 4× [0,16), 2× [16,18), 1× [18,19); lead = the last source latent.
    const c = p.sections[0]!.context;
    expect([c.clean4x.from, c.clean4x.to, c.clean2x.from, c.clean2x.to, c.clean1x.from, c.clean1x.to]).toEqual([0, 16, 16, 18, 18, 19]);
    expect(c.cleanLead).toEqual({ from: 18, to: 19, zerosBefore: 0, zerosAfter: 0 });
    expect(p.sections[1]!.context.cleanLead).toEqual({ from: 18, to: 19, zerosBefore: 0, zerosAfter: 0 });
  });

  it('soft-appends the first section over the reconstruction of the video\'s last 33 frames', () => {
    const p = planExtension(base);
    const d = p.sections[0]!.decode;
    expect([d.from, d.to, d.decodedFrames, d.overlapFrames, d.newPixelsFirst]).toEqual([10, 28, 69, 33, false]);
    expect(d.totalFrames).toBe(145 + 36);
    expect(p.sections[1]!.decode).toMatchObject({ from: 19, to: 37, overlapFrames: 33, framesAdded: 36 });
    expect(p.totalFrames).toBe(145 + 72);
    expect(p.extension).toEqual({ contextLatents: 19, videoFrames: 145, seamFrames: 33, newFrames: 72 });
  });

  it('with a short context (3 latents) zero-fills the 4× slots and blends only the 9 frames it covers', () => {
    const p = planExtension({ ...base, contextLatents: 3, videoFrames: 9 });
    const c = p.sections[0]!.context;
    expect(c.clean4x).toEqual({ from: 0, to: 0, zerosBefore: 16, zerosAfter: 0 });
    expect(c.clean2x).toEqual({ from: 0, to: 2, zerosBefore: 0, zerosAfter: 0 });
    expect(p.sections[0]!.decode).toMatchObject({ from: 0, to: 12, decodedFrames: 45, overlapFrames: 9, totalFrames: 45 });
  });

  it('refuses a video too short for its own context', () => {
    expect(() => planExtension({ ...base, contextLatents: 3, videoFrames: 8 })).toThrow(/cannot hold the seam/);
  });
});
