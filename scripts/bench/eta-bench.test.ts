import { describe, expect, it } from 'vitest';
import { compareEtas, type EtaSample } from './eta-bench.js';

describe('eta bench', () => {
  it('compares both estimates with the time really left, from the second section on', () => {
    // A 10 s job; at 4 s (section 2) the measured ETA says 6 s (right), sampling-only says 2 s.
    const samples: EtaSample[] = [
      { section: 1, atSeconds: 1, etaSeconds: 100, samplingOnlySeconds: 100 },
      { section: 2, atSeconds: 4, etaSeconds: 6, samplingOnlySeconds: 2 },
      { section: 2, atSeconds: 8, etaSeconds: 3, samplingOnlySeconds: 1 },
    ];
    const c = compareEtas(samples, 10);
    expect(c.samples).toBe(2);
    expect(c.measured.meanAbsErrorSeconds).toBeCloseTo(0.5);
    expect(c.measured.meanRatio).toBeCloseTo((1 + 1.5) / 2);
    expect(c.samplingOnly.meanAbsErrorSeconds).toBeCloseTo((4 + 1) / 2);
    expect(c.samplingOnly.meanRatio).toBeCloseTo((2 / 6 + 0.5) / 2);
  });
});
