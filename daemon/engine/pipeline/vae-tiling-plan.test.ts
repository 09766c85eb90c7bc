import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readManifest } from '../../models/bundle/load-bundle.js';
import { fullVaeConfig, vaeConfigSchema } from '../../models/vae/config.js';
import { OFFICIAL_SPATIAL_TILING } from '../../models/vae/spatial-tiling.js';
import { layoutJob } from './job-plan.js';
import { resolveJobSpec } from './job-spec.js';
import { REPO_MODELS_DIR } from './model-location.js';
import {
  DEFAULT_VAE_TILING, describeVaeTiling, estimateDecodeRunBytes, planVaeTiling, vaeTilingSettingFromEnv,
} from './vae-tiling-plan.js';

const manifest = await readManifest(path.join(REPO_MODELS_DIR, 'framepack-tiny'));
/** The default bundle's trained VAE (16/32/32/32 channels, 4 latent channels): the tiny-official model. */
const tinyVae = vaeConfigSchema.parse(manifest.components.vae.config);
const MIB = 1024 * 1024;

describe('VAE tiling plan', () => {
  it('tiles the decode of a 768×512 bucket (96×64 latents, 5-latent temporal tiles) and keeps the encode whole', () => {
    const plan = planVaeTiling(tinyVae, { height: 64, width: 96 }, 10);
    expect(plan.decode.spatial).toEqual(OFFICIAL_SPATIAL_TILING);
    // 5·64·96 = 30,720 tokens: the [N, N] attention phase dominates (22 bytes per score).
    expect(plan.decode.untiledPeakBytes).toBe(22 * 30720 ** 2 + 64 * MIB);
    // A 5×32×32 tile: the full-resolution conv phase (32 channels × 17 frames × 256²) dominates.
    expect(plan.decode.tiledPeakBytes).toBe(22 * 32 * 17 * 256 * 256 + 64 * MIB);
    expect(plan.decode.tiledPeakBytes).toBeLessThan(DEFAULT_VAE_TILING.budgetBytes);
    expect(plan.encode.spatial).toBeNull(); // one frame: ≈ 0.8 GiB untiled, under the 2 GiB budget
    expect(describeVaeTiling(plan)).toBe('VAE decode in 256-px tiles (≈ 0.8 GiB; whole ≈ 19.4 GiB), encode whole (≈ 0.8 GiB) [auto, budget 2.0 GiB]');
  });

  it('keeps short decodes below the budget whole and uses the temporal tile length for long ones', () => {
    expect(planVaeTiling(tinyVae, { height: 40, width: 40 }, 2).decode.spatial).toBeNull();
    const one = planVaeTiling(tinyVae, { height: 64, width: 96 }, 1);
    expect(one.decode.untiledPeakBytes).toBe(estimateDecodeRunBytes(tinyVae, 1, 64, 96));
    // 37 latents decode 5 at a time: same estimate as 5.
    expect(planVaeTiling(tinyVae, { height: 64, width: 96 }, 37).decode.untiledPeakBytes).toBe(estimateDecodeRunBytes(tinyVae, 5, 64, 96));
  });

  it('on = enable_tiling() (both, above 256 px); off = never; neither tiles what fits one tile', () => {
    const on = planVaeTiling(tinyVae, { height: 40, width: 24 }, 10, { mode: 'on', budgetBytes: 1 });
    expect([on.decode.spatial !== null, on.encode.spatial !== null]).toEqual([true, true]);
    const off = planVaeTiling(fullVaeConfig, { height: 80, width: 76 }, 10, { mode: 'off', budgetBytes: 1 });
    expect([off.decode.spatial, off.encode.spatial]).toEqual([null, null]);
    const small = planVaeTiling(fullVaeConfig, { height: 32, width: 32 }, 10, { mode: 'on', budgetBytes: 1 });
    expect([small.decode.spatial, small.encode.spatial]).toEqual([null, null]);
    expect(small.decode.tiledPeakBytes).toBe(small.decode.untiledPeakBytes);
  });

  it('the official full VAE at 640×608 tiles its decode (a 256-px tile of 17 frames is still ≈ 6 GiB on the CPU)', () => {
    const plan = planVaeTiling(fullVaeConfig, { height: 80, width: 76 }, 10);
    expect(plan.decode.spatial).not.toBeNull();
    expect(plan.decode.untiledPeakBytes).toBe(22 * 256 * 17 * 640 * 608 + 64 * MIB); // ≈ 35 GiB of convs (attention ≈ 19 GiB)
    expect(plan.decode.tiledPeakBytes).toBe(22 * 256 * 17 * 256 * 256 + 64 * MIB); // 256 channels at full resolution
  });

  it('reads FRAMEPACK_VAE_TILING and FRAMEPACK_VAE_BUDGET_MB, naming a bad value', () => {
    expect(vaeTilingSettingFromEnv({})).toEqual(DEFAULT_VAE_TILING);
    expect(vaeTilingSettingFromEnv({ FRAMEPACK_VAE_TILING: 'OFF', FRAMEPACK_VAE_BUDGET_MB: '512' })).toEqual({ mode: 'off', budgetBytes: 512 * MIB });
    expect(() => vaeTilingSettingFromEnv({ FRAMEPACK_VAE_TILING: 'yes' })).toThrow("FRAMEPACK_VAE_TILING must be auto, on or off, got 'yes'");
    expect(() => vaeTilingSettingFromEnv({ FRAMEPACK_VAE_BUDGET_MB: '-1' })).toThrow(/FRAMEPACK_VAE_BUDGET_MB must be a positive number of MiB, got '-1'/);
  });

  it('the job layout carries the choice: the default bundle\'s small buckets decode whole', () => {
    const spec = resolveJobSpec({ imagePath: 'x.png', prompt: 'p' }, manifest, 'framepack-tiny');
    const layout = layoutJob(spec, manifest, { width: 96, height: 64 }, DEFAULT_VAE_TILING);
    expect(layout.vaeTiling.decode.spatial).toBeNull();
    expect(layout.vaeTiling.encode.spatial).toBeNull();
    const forced = layoutJob(spec, manifest, { width: 96, height: 64 }, { mode: 'on', budgetBytes: 1 });
    expect(forced.vaeTiling.decode.spatial).toBeNull(); // 8×12 latents fit one 32×32 tile
  });
});
