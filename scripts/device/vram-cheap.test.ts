import { describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cheapValues } from './cheap-bundle.js';
import { parseMemoryLines, startVramSampler } from './vram-sampler.js';

describe('VRAM sampler', () => {
  it('parses memory.used lines and skips anything else', () => {
    expect(parseMemoryLines('1024\n 2048 \nNo devices were found\n\n[N/A]\n512, x\n')).toEqual([1024, 2048, 512]);
  });

  it('reports baseline and peak from a polling nvidia-smi; nulls when there is none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-vram-'));
    try {
      const fake = path.join(dir, 'nvidia-smi');
      await writeFile(fake, '#!/bin/sh\necho 1000\necho 5000\necho 3000\nexec sleep 30\n');
      await chmod(fake, 0o755);
      const s = startVramSampler({ command: fake });
      await new Promise((r) => setTimeout(r, 500));
      expect(await s.stop()).toEqual({ baselineMiB: 1000, peakMiB: 5000, samples: 3 });
      expect(await startVramSampler({ command: path.join(dir, 'absent') }).stop()).toEqual({ baselineMiB: null, peakMiB: null, samples: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cheap deterministic weights', () => {
  it('same values for the same salt, the asked mean and std, different salts differ', () => {
    const a = cheapValues(100_000, 0.5, 0.02, 7);
    expect(Array.from(a.subarray(0, 5))).toEqual(Array.from(cheapValues(5, 0.5, 0.02, 7)));
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(mean).toBeCloseTo(0.5, 3);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(cheapValues(4, 0, 1, 8)).not.toEqual(cheapValues(4, 0, 1, 7));
  });
});
