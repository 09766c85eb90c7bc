// A bundle of any size with cheap deterministic weights, for timing on a device: every parameter
// is mean + std·u with u a hashed uniform in [−√3, √3) (the same mean/std as the seeded init, so
// activations keep their scale), generated and written one tensor at a time (streamed to disk:
// memory holds one tensor, not the model). Values do not matter for timing; drawing 13B normal
// values in JS would take minutes, this takes a pass over memory. The bundle is then built by the
// project's own builder (scripts/build-bundle.ts), so it follows whatever graphs the branch builds.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveBundleConfig, type ComponentDefinitions } from '../../daemon/models/bundle/bundle-config.js';
import type { BuildBundleResult } from '../../daemon/models/bundle/build-bundle.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { writeSafetensors } from '../../daemon/weights/safetensors.js';
import { defaultInit } from '../../daemon/weights/seeded.js';
import { runBuildBundle } from '../build-bundle.js';

const SQRT12 = Math.sqrt(12);

/** n values mean + std·u(i), u a Weyl/xorshift hash of (i, salt) mapped to [−√3, √3). */
export function cheapValues(n: number, mean: number, std: number, salt: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // Murmur3's finaliser; `>>> 0` after each xor keeps h unsigned (a signed h skewed the mean).
    let h = Math.imul(i ^ salt, 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0; h = Math.imul(h, 0x85ebca77) >>> 0; h = (h ^ (h >>> 13)) >>> 0;
    out[i] = mean + std * ((h / 4294967296 - 0.5) * SQRT12);
  }
  return out;
}

export interface CheapBundleOptions {
  outDir: string;
  /** Bundle config: preset 'tiny' | 'full' plus component overrides (docs/bundles.md). */
  config: { name: string; preset: 'tiny' | 'full'; variant?: 'inverted' | 'f1'; components?: Record<string, unknown>; description?: string };
  dtype: 'float32' | 'float16';
  tokenizersSrc: string;
  definitions?: ComponentDefinitions;
  onProgress?: (line: string) => void;
}

export async function buildCheapBundle(opts: CheapBundleOptions): Promise<BuildBundleResult & { weightsSeconds: number; buildSeconds: number; parameters: number }> {
  const definitions = opts.definitions ?? (await import('../../daemon/models/bundle/definitions.js')).componentDefinitions;
  const config = { variant: 'inverted', description: 'Cheap deterministic weights for device timing; makes no meaningful video.', ...opts.config };
  const resolved = resolveBundleConfig(config, definitions);
  // Weights go beside the bundle (same disk; a device's /tmp may be small), removed afterwards.
  await mkdir(path.dirname(path.resolve(opts.outDir)), { recursive: true });
  const tmp = await mkdtemp(path.join(path.dirname(path.resolve(opts.outDir)), '.cheap-weights-'));
  try {
    const t0 = performance.now();
    let parameters = 0;
    const weights = {} as Record<ModelComponentId, string>;
    for (const [ci, id] of MODEL_COMPONENT_IDS.entries()) {
      const def = definitions[id];
      const shapes = [...def.parameterShapes(resolved.components[id])];
      const file = path.join(tmp, `${id}.safetensors`);
      await writeSafetensors(file, shapes.map(([name, shape], ti) => {
        const n = shape.reduce((a, b) => a * b, 1);
        parameters += n;
        return {
          name, dtype: 'float32' as const, shape,
          read: async () => {
            const { mean, std } = def.init ? def.init(name, shape) : defaultInit(name, shape);
            const v = cheapValues(n, mean, std, (ci << 20) ^ ti);
            return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
          },
        };
      }), { cheap: 'hash-uniform' });
      weights[id] = file;
      opts.onProgress?.(`weights ${id}: ${shapes.length} tensors`);
    }
    const weightsSeconds = (performance.now() - t0) / 1000;
    const configPath = path.join(tmp, 'config.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    await mkdir(opts.outDir, { recursive: true });
    const t1 = performance.now();
    const result = await runBuildBundle({
      config: configPath, weights,
      tokenizer: path.join(opts.tokenizersSrc, 'llama', 'tokenizer.json'),
      tokenizer2: path.join(opts.tokenizersSrc, 'clip', 'tokenizer.json'),
      outDir: opts.outDir, dtype: opts.dtype,
    }, definitions, (p) => { if (p.phase === 'done') opts.onProgress?.(`built ${p.component} [${p.done}/${p.total}]`); });
    return { ...result, weightsSeconds: round(weightsSeconds), buildSeconds: round((performance.now() - t1) / 1000), parameters };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const round = (s: number) => Math.round(s * 100) / 100;

/** The full-size preset with fewer blocks (official widths: hidden 3072 = 24 × 128, 16-channel latent, VAE 128/256/512/512, Llama 4096). */
export function fullWidthConfig(blocks: { dual: number; single: number; llamaLayers: number }): CheapBundleOptions['config'] {
  return {
    name: `framepack-fullwidth-${blocks.dual}d${blocks.single}s`, preset: 'full',
    components: { transformer: { numLayers: blocks.dual, numSingleLayers: blocks.single }, text_encoder: { numLayers: blocks.llamaLayers } },
  };
}

