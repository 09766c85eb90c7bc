import { describe, expect, it } from 'vitest';
import { candidatePlans, chooseMemoryPlan, groupWeightBytes, planOf, type MemoryPlanInput } from './memory-plan.js';

const MB = 1024 ** 2;
// Shaped like the official model in fp16 at 640×608 (rounded): Llama 15 GB, the transformer 26 GB of which 25 GB in 60 blocks.
const official: Omit<MemoryPlanInput, 'availableBytes' | 'executable'> = {
  components: {
    text_encoder: { weightBytes: 15_000 * MB, activationBytes: 300 * MB },
    text_encoder_2: { weightBytes: 250 * MB, activationBytes: 10 * MB },
    image_encoder: { weightBytes: 800 * MB, activationBytes: 50 * MB },
    vae: { weightBytes: 500 * MB, activationBytes: 2_000 * MB },
    transformer: { weightBytes: 26_000 * MB, activationBytes: 1_500 * MB },
  },
  transformerBlocks: { count: 60, weightBytes: 25_000 * MB },
};
const ALL = ['all-resident', 'release-encoders', 'stream-blocks'] as const;

describe('memory plan', () => {
  it('peaks at all weights plus the largest activation when everything stays', () => {
    const p = planOf(official, 'all-resident');
    expect(p.peakBytes).toBe((15_000 + 250 + 800 + 500 + 26_000 + 2_000) * MB);
    expect(p.bytesMovedPerCall).toBe(0);
  });

  it('releasing the encoders runs them one at a time and leaves the VAE and the transformer for the sections', () => {
    const p = planOf(official, 'release-encoders');
    const conditioning = (15_000 + 300) * MB;
    const sampling = (500 + 26_000 + 1_500) * MB;
    expect(p.phases.map((x) => x.peakBytes)).toEqual([conditioning, sampling, (500 + 26_000 + 2_000) * MB]);
    expect(p.peakBytes).toBe((500 + 26_000 + 2_000) * MB);
  });

  it('streams two groups at a time and moves every block once per call', () => {
    const p = planOf(official, 'stream-blocks', 30);
    // 60 blocks in 30 groups: 2 blocks a group, two groups = 4 blocks on the device.
    const transformer = (26_000 - 25_000) * MB + 4 * Math.ceil((25_000 * MB) / 60);
    expect(p.components.transformer.deviceWeightBytes).toBe(transformer);
    expect(p.bytesMovedPerCall).toBe(25_000 * MB);
    // Llama alone now dominates.
    expect(p.peakBytes).toBe((15_000 + 300) * MB);
  });

  it('sizes uneven groups by the largest', () => {
    expect(groupWeightBytes({ count: 5, weightBytes: 500 }, 2)).toBe(300);
    expect(groupWeightBytes({ count: 60, weightBytes: 600 }, 60)).toBe(10);
  });

  it('rejects group counts outside 2…blocks', () => {
    expect(() => planOf(official, 'stream-blocks', 1)).toThrow(/2 ≤ groups ≤ 60/);
    expect(() => planOf(official, 'stream-blocks', 61)).toThrow(/got 61/);
  });

  it('prefers resident, then released encoders, then the fewest groups that fit', () => {
    const fitAll = chooseMemoryPlan({ ...official, availableBytes: 50_000 * MB, executable: ALL });
    expect(fitAll.fits && fitAll.plan.kind).toBe('all-resident');
    const release = chooseMemoryPlan({ ...official, availableBytes: 30_000 * MB, executable: ALL });
    expect(release.fits && release.plan.kind).toBe('release-encoders');
    // With 20 GB the transformer must stream, in as few groups as fit.
    const stream = chooseMemoryPlan({ ...official, availableBytes: 20_000 * MB, executable: ALL });
    expect(stream.fits).toBe(true);
    if (!stream.fits) return;
    expect(stream.plan.kind).toBe('stream-blocks');
    const k = stream.plan.groups!;
    expect(stream.plan.peakBytes).toBeLessThanOrEqual(20_000 * MB);
    expect(planOf(official, 'stream-blocks', k - 1).peakBytes).toBeGreaterThan(20_000 * MB);
  });

  it('refuses with the needed and available bytes and the largest component', () => {
    const d = chooseMemoryPlan({ ...official, availableBytes: 6_000 * MB, executable: ALL });
    expect(d.fits).toBe(false);
    if (d.fits) return;
    expect(d.reason).toMatch(/^needs 14\.94 GiB of device memory \(transformer blocks streamed in 5 groups; the text_encoder alone 14\.94 GiB\), but 5\.86 GiB is available$/);
  });

  it('says when a plan the engine cannot run would fit', () => {
    const d = chooseMemoryPlan({ ...official, availableBytes: 20_000 * MB, executable: ['all-resident', 'release-encoders'] });
    expect(d.fits).toBe(false);
    if (d.fits) return;
    expect(d.executableBest?.kind).toBe('release-encoders');
    expect(d.reason).toMatch(/needs 27\.83 GiB .*encoders released after conditioning.*but 19\.53 GiB is available; transformer blocks streamed in \d+ groups would fit .* cannot run that plan yet/);
  });

  it("streams only in the bundle's own block groups, and says how to get them when it has none", () => {
    // 20 GB: the fewest groups that fit are some k; a bundle with 30 groups streams in those 30.
    const own = chooseMemoryPlan({ ...official, availableBytes: 20_000 * MB, executable: ALL, streamGroups: 30 });
    expect(own.fits && own.plan.kind).toBe('stream-blocks');
    expect(own.fits && own.plan.groups).toBe(30);
    const none = chooseMemoryPlan({ ...official, availableBytes: 20_000 * MB, executable: ALL, streamGroups: null });
    expect(none.fits).toBe(false);
    if (none.fits) return;
    expect(none.executableBest?.kind).toBe('release-encoders');
    expect(none.reason).toMatch(/transformer blocks streamed in \d+ groups would fit .* but this bundle has no transformer block groups \(rebuild it with build-bundle's --block-groups K\)$/);
    // Groups too large to fit: the refusal names the bundle's K and the one that would fit.
    const few = chooseMemoryPlan({ ...official, availableBytes: 20_000 * MB, executable: ALL, streamGroups: 2 });
    expect(few.fits).toBe(false);
    if (few.fits) return;
    expect(few.reason).toMatch(/but this bundle's transformer blocks are in 2 groups \(rebuild it with --block-groups \d+\)$/);
  });

  it('lists every candidate once', () => {
    const plans = candidatePlans(official);
    expect(plans).toHaveLength(2 + 59);
    expect(plans.map((p) => p.peakBytes).every((x) => x > 0)).toBe(true);
  });
});
