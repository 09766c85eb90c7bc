// Measures a bundle's MagCache ratios (magcache.ts) the way the authors' and Studio's calibration
// forwards do: one ordinary generation with every block call computed, recording per section the
// mean per-token ‖residual_t‖ / ‖residual_{t−1}‖; the sections' ratios are averaged per step.
// The caller writes the result into the bundle (magcache-file.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { LoadedBundle } from '../../models/bundle/load-bundle.js';
import type { MagCacheCalibration } from '../../models/bundle/magcache-file.js';
import { transformerConfigSchema } from '../../models/transformer/config.js';
import { MagCacheCalibrator } from '../step-cache.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec } from './job-spec.js';
import { generateVideo } from './pipeline.js';

export interface CalibrateOptions {
  /** Steps to calibrate at (default: the bundle's). */
  steps?: number;
  /** Video length; every section adds one set of ratios to the average (default 2 s). */
  seconds?: number;
  seed?: number;
  prompt?: string;
  /** Start image; default a generated 640×480 pattern (so the command needs no file). */
  imagePath?: string;
  threads?: number;
  onEvent?: (e: PipelineEvent) => void;
}

export const CALIBRATION_DEFAULTS = Object.freeze({ seconds: 2, seed: 31337, prompt: 'a red ball bounces across a wooden floor' });

/** Per-step mean of the sections' ratio lists (all the same length). */
export function averageRatios(perSection: readonly (readonly number[])[]): number[] {
  if (perSection.length === 0) throw new Error('magcache calibration: no sections were sampled');
  const n = perSection[0]!.length;
  if (perSection.some((r) => r.length !== n)) throw new Error('magcache calibration: sections recorded different step counts');
  return Array.from({ length: n }, (_, i) => Math.round((perSection.reduce((s, r) => s + r[i]!, 0) / perSection.length) * 1e5) / 1e5);
}

export async function calibrateMagCache(bundle: LoadedBundle, opts: CalibrateOptions = {}): Promise<MagCacheCalibration> {
  const manifest = bundle.manifest;
  const tc = transformerConfigSchema.parse(manifest.components.transformer.config);
  const hiddenSize = tc.numAttentionHeads * tc.attentionHeadDim;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-calibrate-'));
  try {
    let imagePath = opts.imagePath;
    if (!imagePath) {
      imagePath = path.join(tmp, 'start.png');
      const w = 640, h = 480;
      const rgb = Buffer.alloc(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set([(x * 255) / w, (y * 255) / h, ((x + y) * 3) % 256], (y * w + x) * 3);
      await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(imagePath);
    }
    const seconds = opts.seconds ?? CALIBRATION_DEFAULTS.seconds;
    const seed = opts.seed ?? CALIBRATION_DEFAULTS.seed;
    const prompt = opts.prompt ?? CALIBRATION_DEFAULTS.prompt;
    // cfg 1: one block call per step, so the recorded index is the step index.
    const spec = resolveJobSpec({ imagePath, prompt, seconds, seed, cfg: 1, cache: 'off', ...(opts.steps !== undefined ? { steps: opts.steps } : {}) }, manifest, manifest.name);
    const calibrators: MagCacheCalibrator[] = [];
    await generateVideo(spec, {
      bundle, out: path.join(tmp, 'calibration.mp4'), partials: false,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      stepCache: () => {
        const c = new MagCacheCalibrator(hiddenSize);
        calibrators.push(c);
        return c;
      },
    });
    const ratios = averageRatios(calibrators.map((c) => c.ratios()));
    if (ratios.length !== spec.steps) throw new Error(`magcache calibration: recorded ${ratios.length} calls per section, expected ${spec.steps}`);
    return {
      formatVersion: 1, model: manifest.name, sampler: spec.sampler, steps: spec.steps, ratios, sections: calibrators.length,
      calibratedAt: new Date().toISOString(), job: { prompt, seed, seconds, image: opts.imagePath ? path.basename(opts.imagePath) : 'generated 640×480 pattern' },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
