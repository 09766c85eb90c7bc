import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { benchSections, type SectionBenchRow, type SectionBenchSummary, type SectionsBenchOutput } from './sections-bench.js';

const bundleDir = path.resolve(import.meta.dirname, '../../models/framepack-tiny');

async function collect(opts: Partial<Parameters<typeof benchSections>[0]>): Promise<{ rows: SectionBenchRow[]; summaries: SectionBenchSummary[] }> {
  const out: SectionsBenchOutput[] = [];
  await benchSections({ bundleDir, seconds: 3, steps: 1, naiveSectionCapMs: 60_000, naiveRssCapMiB: 16_384, ...opts, onRow: (r) => out.push(r) });
  return {
    rows: out.filter((r): r is SectionBenchRow => r.type === 'section'),
    summaries: out.filter((r): r is SectionBenchSummary => r.type === 'summary'),
  };
}

describe('bench sections (3 s, 1 step on the tiny bundle)', () => {
  it('rows per section for packed then naive, each followed by a summary with both growth ratios', async () => {
    const { rows, summaries } = await collect({});
    expect(rows.map((r) => `${r.variant}:${r.section}/${r.sections}`)).toEqual(['packed:1/2', 'packed:2/2', 'naive:1/2', 'naive:2/2']);
    for (const r of rows) {
      for (const v of [r.samplingMs, r.sectionMs, r.rssPeakMiB, r.rssEndMiB, r.maxRssMiB]) expect(v).toBeGreaterThan(0);
      expect(r.rssPeakMiB).toBeGreaterThanOrEqual(r.rssEndMiB);
      expect(r.sectionMs).toBeGreaterThanOrEqual(r.samplingMs);
    }
    const packed = rows.filter((r) => r.variant === 'packed');
    const naive = rows.filter((r) => r.variant === 'naive');
    // Packed: the fixed 2 + 2 + 16 latent context and token count; inverted history 0 → 9.
    expect(packed.map((r) => [r.historyLatents, r.contextLatents, r.imageSideTokens])).toEqual([[0, 20, 278], [9, 20, 278]]);
    // Naive: all history at 1× (start latent, then + 9), 24 tokens per latent on the 4×6 grid.
    expect(naive.map((r) => [r.historyLatents, r.contextLatents, r.imageSideTokens])).toEqual([[1, 1, 240], [10, 10, 456]]);
    expect(naive.every((r) => r.sectionMs === r.samplingMs)).toBe(true);
    expect(summaries.map((s) => [s.variant, s.sectionsPlanned, s.sectionsRun, s.stopped])).toEqual([['packed', 2, 2, null], ['naive', 2, 2, null]]);
    for (const s of summaries) {
      const vr = rows.filter((r) => r.variant === s.variant);
      expect(s.timeRatio).toBeCloseTo(vr[1]!.samplingMs / vr[0]!.samplingMs, 2);
      expect(s.rssPeakRatio).toBeCloseTo(vr[1]!.rssPeakMiB / vr[0]!.rssPeakMiB, 2);
      expect(s.timeRatioMedian5).toBe(s.timeRatio); // two sections: windows of one
      expect(s.rssPeakGrowthMiB).toBeCloseTo(vr[1]!.rssPeakMiB - vr[0]!.rssPeakMiB, 1);
      expect(s).toMatchObject({ bench: 'sections', bundle: 'framepack-tiny', bucket: '64x96', seconds: 3, steps: 1 });
    }
    expect(summaries[0]!.mode).toBe('inverted');
  });

  it('stops the naive baseline at its time cap and says where and why', async () => {
    const { rows, summaries } = await collect({ variants: ['naive'], naiveSectionCapMs: 0.001 });
    expect(rows).toHaveLength(1);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.stopped).toMatchObject({ afterSection: 1 });
    expect(summaries[0]!.stopped!.reason).toMatch(/^section 1 took .* s, over the 0 s per-section cap$/);
    expect(summaries[0]!.sectionsRun).toBe(1);
  });
});
