import { describe, expect, it } from 'vitest';
import { estimateWholeJob } from './job-estimate.js';

const timing = {
  totalMs: 20_000, queuedMs: 0, loadMs: 3_000, encodeMs: 1_000,
  // 3 sections of 5 s wall each, all stages: 1 s decode+append and 0.5 s partial encode each.
  sectionSampleMs: [5_000, 5_000, 5_000], decodeMs: 3_000, muxMs: 1_500 + 1_000, peakVramBytes: null, peakRamBytes: null,
};

describe('estimateWholeJob', () => {
  it('splits measured sections into sampling (scaled by steps), decode, encode, and adds setup and the final encode', () => {
    const e = estimateWholeJob({ steps: 10, timing, secPerStep: 0.35 }, { sections: 6, steps: 20 })!;
    expect(e.basis).toBe('sections');
    expect(e.sampleSecondsPerSection).toBeCloseTo(7); // 3.5 s for 10 steps → 7 s for 20
    expect(e.decodeSecondsPerSection).toBeCloseTo(1);
    expect(e.encodeSecondsPerSection).toBeCloseTo(0.5);
    expect(e.finalEncodeSeconds).toBeCloseTo(2); // 1 s for 3 sections → 2 s for 6
    expect(e.setupSeconds).toBeCloseTo(1);
    expect(e.jobSeconds).toBeCloseTo(1 + 6 * 8.5 + 2);
  });

  it('falls back to the step rate (sampling only, as the running ETA before a section is done)', () => {
    expect(estimateWholeJob({ steps: 10, timing: null, secPerStep: 0.5 }, { sections: 4, steps: 8 })).toMatchObject({ basis: 'steps', jobSeconds: 16, sampleSecondsPerSection: 4 });
    expect(estimateWholeJob({ steps: 10, timing: null, secPerStep: null }, { sections: 4, steps: 8 })).toBeNull();
  });
});
