import { describe, expect, it } from 'vitest';
import { JobPlanResult } from '../../shared/protocol/index.js';
import { valuesFromSpec } from './form-state.js';
import { planParams, planStateLines, planSummary } from './plan-preview.js';

function plan(n: number, mode: 'inverted' | 'f1', estimate: JobPlanResult['estimate']): JobPlanResult {
  const sections = Array.from({ length: n }, (_, g) => ({
    generationIndex: g, displayIndex: mode === 'inverted' ? n - 1 - g : g, latentPadding: 0, isLast: g === n - 1,
    indices: { latent: [], clean: [], clean2x: [], clean4x: [] }, newLatentFrames: 9,
    tokens: { noisy: 10, clean: 1, clean2x: 1, clean4x: 1, imageSide: 13, imageEmbedding: 4 }, framesAfter: 36 * (g + 1) + 1,
  }));
  return JobPlanResult.parse({
    model: 'm', mode, input: { width: 640, height: 480 }, bucket: { width: 640, height: 480 }, latent: { channels: 16, height: 60, width: 80 }, window: 9,
    sections, displayOrder: [...sections].sort((a, b) => a.displayIndex - b.displayIndex).map((s) => s.generationIndex),
    totalLatentFrames: 9 * n + 1, totalFrames: 36 * n + 1, fps: 30, durationSeconds: (36 * n + 1) / 30, sampler: 'unipc', steps: 25, shift: 7, mu: 1.9, sigmas: [1, 0], estimate,
  });
}

describe('plan preview', () => {
  it('asks only once the image is set and the plan fields are numbers', () => {
    const v = valuesFromSpec({});
    expect(planParams(v)).toBeNull();
    expect(planParams({ ...v, image: ' /a.png ' })).toEqual({ image: '/a.png', seconds: 5, window: 9, steps: 25, mode: 'inverted' });
    expect(planParams({ ...v, image: '/a.png', seconds: '' })).toBeNull();
    expect(planParams({ ...v, image: '/a.png', steps: 'x' })).toBeNull();
    // LoRAs go along once the field reads, so the daemon checks them and counts them in the memory plan.
    expect(planParams({ ...v, image: '/a.png', loras: '/l/a.safetensors:0.5, /l/b.safetensors' })).toMatchObject({ loras: [{ path: '/l/a.safetensors', strength: 0.5 }, { path: '/l/b.safetensors', strength: 1 }] });
    expect(planParams({ ...v, image: '/a.png', loras: 'relative.safetensors' })).not.toHaveProperty('loras');
  });

  it('summarises bucket, sections in both orders (long lists keep both ends) and the estimate', () => {
    const lines = planSummary(plan(100, 'inverted', { secPerStep: 2, measuredOn: 'job-9', sameWindow: false, sectionSeconds: 50, samplingSeconds: 5000 }));
    expect(lines[0]).toBe('plan: 640×480 bucket (from 640×480) · 100 sections · 3601 frames = 120.03 s');
    expect(lines[1]).toBe('sections: made 1 2 3 … 99 100 · in the video 100 99 98 … 2 1 (end first) · 13 tokens/call');
    expect(lines[2]).toMatch(/^time: 2\.00 s\/step → 50s\/section · ≈1h23m sampling \(measured on job-9, another window\)$/);
    const f1 = planSummary(plan(1, 'f1', null));
    expect(f1[1]).toBe('sections: made 1 · 13 tokens/call');
    expect(f1[2]).toBe('time: estimated once the daemon has measured a step of m');
    expect(planStateLines({ state: 'error', key: 'k', message: 'image: cannot read' })).toEqual(['plan: image: cannot read']);
    expect(f1).toHaveLength(3);
  });

  it('shows the memory plan, or the refusal submit would give', () => {
    const MiB = 1024 ** 2;
    const memory = {
      kind: 'all-resident' as const, groups: null, fits: true, reason: null, device: 'cpu', peakBytes: 44.5 * MiB, availableBytes: 18 * 1024 * MiB, bytesMovedPerCall: 0,
      components: [{ component: 'vae', weightBytes: 3 * MiB, activationBytes: 37 * MiB, peakBytes: 40 * MiB }, { component: 'transformer', weightBytes: 3 * MiB, activationBytes: 4 * MiB, peakBytes: 7 * MiB }],
    };
    const ok = planSummary({ ...plan(1, 'f1', null), memory });
    expect(ok[3]).toBe('memory: all resident on cpu · peak 45 MiB of 18 GiB · largest vae 40 MiB');
    const refused = planSummary({ ...plan(1, 'f1', null), memory: { ...memory, fits: false, reason: 'needs 44.5 MiB of device memory …, but 1.0 MiB is available' } });
    expect(refused[3]).toBe('memory: will be refused — needs 44.5 MiB of device memory …, but 1.0 MiB is available');
  });
});
