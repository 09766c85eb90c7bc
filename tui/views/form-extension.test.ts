import { describe, expect, it } from 'vitest';
import { buildSpec, valuesFromSpec } from './form-state.js';
import { planParams, planSummary } from './plan-preview.js';
import type { JobPlanResult } from '../../shared/protocol/index.js';

const values = (extra: Record<string, string>) => ({ ...valuesFromSpec({ image: '/img.png', prompt: 'p' }), ...extra });

describe('new-job form: extension and resolution', () => {
  it('an extension needs no image and sends its source', () => {
    const built = buildSpec(values({ image: '', extend: '/clip.mp4', extendContext: '17' }));
    expect(built).toMatchObject({ ok: true, spec: { extend: '/clip.mp4', extendContext: 17 } });
    expect(built.ok && 'image' in built.spec).toBe(false);
    expect(buildSpec(values({ image: '', extendJob: 'mx1-abc' }))).toMatchObject({ ok: true, spec: { extendJob: 'mx1-abc' } });
  });

  it('refuses an image together with a source, and nothing at all', () => {
    expect(buildSpec(values({ extend: '/clip.mp4' }))).toMatchObject({ ok: false, errors: { image: expect.stringContaining('leave image out') } });
    expect(buildSpec(values({ image: '' }))).toMatchObject({ ok: false, errors: { image: expect.stringContaining('or a video or job to extend') } });
    expect(buildSpec(values({ image: '', extend: '/c.mp4', extendContext: '99' }))).toMatchObject({ ok: false, errors: { extendContext: expect.stringContaining('1–73') } });
  });

  it('asks jobs.plan with the resolution and shows the off-distribution class', () => {
    expect(planParams(values({ resolution: '960' }))).toMatchObject({ resolution: 960 });
    expect(buildSpec(values({ resolution: '16' }))).toMatchObject({ ok: false, errors: { resolution: expect.stringContaining('32–2048') } });
    const plan = {
      model: 'm', mode: 'inverted', input: { width: 160, height: 120 }, bucket: { width: 192, height: 128 },
      bucketClass: { resolution: 160, native: 80, offDistribution: true }, latent: { channels: 4, height: 16, width: 24 }, window: 9,
      sections: [{ generationIndex: 0, displayIndex: 0, latentPadding: 0, isLast: true, indices: { latent: [], clean: [], clean2x: [], clean4x: [] }, newLatentFrames: 9, tokens: { noisy: 1, clean: 1, clean2x: 1, clean4x: 1, imageSide: 4, imageEmbedding: 1 }, framesAfter: 37 }],
      displayOrder: [0], totalLatentFrames: 10, totalFrames: 37, fps: 30, durationSeconds: 1.23, sampler: 'unipc', steps: 2, shift: 3, mu: 1, sigmas: [1, 0], estimate: null,
    } as JobPlanResult;
    expect(planSummary(plan)[0]).toBe('plan: 192×128 bucket (from 160×120, 160 class, off-distribution: trained on 80) · 1 section · 37 frames = 1.23 s');
  });
});
