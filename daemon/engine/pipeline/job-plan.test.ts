import { describe, expect, it } from 'vitest';
import { readManifest } from '../../models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { layoutJob } from './job-plan.js';
import { resolveJobSpec } from './job-spec.js';
import { samplerSchedule } from './sampling.js';
import path from 'node:path';

const manifest = await readManifest(path.join(REPO_MODELS_DIR, 'framepack-tiny'));
const spec = (extra: Record<string, unknown> = {}) => resolveJobSpec({ imagePath: 'x.png', prompt: 'p', ...extra }, manifest, 'framepack-tiny');

describe('job layout', () => {
  it('plans 5 s at the default bucket as 4 inverted sections of 145 frames', () => {
    const l = layoutJob(spec(), manifest, { width: 96, height: 64 });
    expect(l.bucket).toEqual({ heightPx: 64, widthPx: 96 });
    expect(l.resize.resize).toBe(false);
    expect(l.latent).toEqual({ channels: 4, height: 8, width: 12 }); // the default bundle's 4-channel VAE
    expect(l.plan.sectionCount).toBe(4);
    expect(l.plan.latentPaddings).toEqual([3, 2, 1, 0]);
    expect(l.plan.totalFrames).toBe(145);
    expect(l.plan.sections[0]!.indices.latent).toEqual([28, 29, 30, 31, 32, 33, 34, 35, 36]);
    expect(l.plan.sections[0]!.indices.clean).toEqual([0, 37]);
    expect(l.schedule.sigmas).toHaveLength(26);
  });

  it('picks buckets from the manifest with the later-bucket tie rule', () => {
    // A square input: the tiny table has 80×80.
    expect(layoutJob(spec(), manifest, { width: 500, height: 500 }).bucket).toEqual({ heightPx: 80, widthPx: 80 });
    // 1920×1080 (W×H, aspect 1.78): |1080·112 − 1920·64| = 1920 is the smallest → 64×112 (H×W).
    expect(layoutJob(spec(), manifest, { width: 1920, height: 1080 }).bucket).toEqual({ heightPx: 64, widthPx: 112 });
    const tall = layoutJob(spec({ mode: 'f1', seconds: 1 }), manifest, { width: 300, height: 800 });
    expect(tall.bucket).toEqual({ heightPx: 128, widthPx: 48 });
    expect(tall.plan.totalFrames).toBe(37);
  });

  it('uses the official shift-7 schedule with --shift 7 and the diffusers one for Euler', () => {
    const official = samplerSchedule({ sampler: 'unipc', steps: 25, windowSize: 9, latentHeight: 8, latentWidth: 12, shift: 7 });
    expect(official.shift).toBeCloseTo(7, 12);
    expect(official.sigmas[1]).toBeCloseTo(0.994083, 6);
    expect(official.sigmas[24]).toBeCloseTo(0.225806, 6);
    // Without --shift the tiny latent's 216 noisy tokens give μ below the ln 7 cap.
    const seq = samplerSchedule({ sampler: 'unipc', steps: 25, windowSize: 9, latentHeight: 8, latentWidth: 12, shift: null });
    expect(seq.seqLen).toBe(216);
    expect(seq.shift).toBeLessThan(7);
    const euler = samplerSchedule({ sampler: 'euler', steps: 4, windowSize: 9, latentHeight: 8, latentWidth: 12, shift: 7 });
    expect(Array.from(euler.sigmas).map((s) => +s.toFixed(6))).toEqual([1, 0.954545, 0.875, 0.7, 0]);
  });
});
