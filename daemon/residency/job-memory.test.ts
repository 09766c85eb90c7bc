import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../models/bundle/load-bundle.js';
import { PLAN_COMPONENTS } from './memory-plan.js';
import { checkJobMemory, jobComponentBytes, transformerBlockShare } from './job-memory.js';
import { componentDefinitions } from '../models/bundle/definitions.js';

const manifest = await readManifest(path.resolve(import.meta.dirname, '../../models/framepack-tiny'));

describe('job memory from a manifest', () => {
  it('takes weights from the files and, at the default bucket and window, the activations the builder wrote', () => {
    const bytes = jobComponentBytes(manifest, manifest.defaultBucket, manifest.defaults.windowSize);
    for (const id of PLAN_COMPONENTS) {
      const c = manifest.components[id];
      expect(bytes.components[id].weightBytes, id).toBe(c.files.reduce((a, f) => a + f.bytes, 0));
      expect(bytes.components[id].weightBytes, id).toBeGreaterThanOrEqual(c.memory.weightBytes);
      expect(bytes.components[id].activationBytes, id).toBe(c.memory.activationBytes);
    }
  });

  it('counts a spatially tiled VAE at its tile\'s peak, not an untiled pass over the window (768×512)', () => {
    const GiB = 1024 ** 3;
    const tiled = jobComponentBytes(manifest, { width: 768, height: 512 }, 9).components.vae.activationBytes;
    const whole = jobComponentBytes(manifest, { width: 768, height: 512 }, 9, { mode: 'off', budgetBytes: 0 }).components.vae.activationBytes;
    // Untiled, the mid-block attention alone spans every latent cell of the window (tens of GiB);
    // in 256-px tiles the decode ran in ≈ 1.3 GiB of RSS (docs/benchmarks.md).
    expect(whole).toBeGreaterThan(10 * GiB);
    expect(tiled).toBeLessThan(2 * GiB);
  });

  it('grows the transformer and VAE activations with the bucket and the window', () => {
    const small = jobComponentBytes(manifest, { width: 96, height: 64 }, 9).components;
    const big = jobComponentBytes(manifest, { width: 128, height: 112 }, 9).components;
    const wide = jobComponentBytes(manifest, { width: 96, height: 64 }, 16).components;
    expect(big.transformer.activationBytes).toBeGreaterThan(small.transformer.activationBytes);
    expect(big.vae.activationBytes).toBeGreaterThan(small.vae.activationBytes);
    expect(wide.transformer.activationBytes).toBeGreaterThan(small.transformer.activationBytes);
    expect(big.text_encoder).toEqual(small.text_encoder);
  });

  it('counts the blocks of the official transformer as nearly all of its weights', () => {
    const full = transformerBlockShare(componentDefinitions.transformer.full);
    expect(full.count).toBe(60);
    expect(full.fraction).toBeGreaterThan(0.95);
    expect(full.fraction).toBeLessThan(1);
    const tiny = transformerBlockShare(manifest.components.transformer.config);
    const bytes = jobComponentBytes(manifest, manifest.defaultBucket, 9);
    expect(bytes.transformerBlocks.weightBytes).toBe(Math.round(bytes.components.transformer.weightBytes * tiny.fraction));
  });

  it('fits with room and refuses without', () => {
    expect(checkJobMemory(manifest, manifest.defaultBucket, 9, 1024 ** 3).fits).toBe(true);
    const d = checkJobMemory(manifest, manifest.defaultBucket, 9, 1024 ** 2);
    expect(d.fits).toBe(false);
    if (!d.fits) expect(d.reason).toMatch(/^needs [\d.]+ MiB .* but 1\.0 MiB is available/);
  });
});
