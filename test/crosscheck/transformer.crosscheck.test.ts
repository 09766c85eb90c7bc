// Cross-check of the whole packed transformer: the five ONNX graphs chained by run-transformer.ts
// (RoPE tables from rope.ts) against scripts/reference/transformer_ref.py, an independent PyTorch
// forward that takes the official arguments (zero-padded text + mask, index tensors) and builds its
// own RoPE. Same seeded tiny weights on both sides.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REFERENCE_PYTHON } from './harness.js';
import { serializeModel } from '../../daemon/onnx/model-writer.js';
import { writeSafetensors, type TensorToWrite } from '../../daemon/weights/safetensors.js';
import { SeededRandom, seededWeights } from '../../daemon/weights/seeded.js';
import { roundToBf16 } from '../../daemon/weights/float-convert.js';
import type { MemoryWeights } from '../../daemon/weights/weight-source.js';
import { transformerDefinition } from '../../daemon/models/transformer/index.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../../daemon/models/transformer/graphs.js';
import { createTransformerSessions, transformerForward, type F32, type TransformerSessions } from '../../daemon/models/transformer/run-transformer.js';

const run = promisify(execFile);
const config = transformerDefinition.tiny;
const REFERENCE_DIR = path.resolve(import.meta.dirname, '../../scripts/reference');

interface Case {
  name: string;
  height: number; width: number;
  /** Valid text tokens out of the 12 padded ones the reference receives. */
  textLen: number;
  frames: { latent: number; clean: number; clean2x: number; clean4x: number };
}

const CASES: Case[] = [
  { name: '8×12, text 5', height: 8, width: 12, textLen: 5, frames: { latent: 3, clean: 2, clean2x: 2, clean4x: 16 } },
  { name: '12×8, text 9', height: 12, width: 8, textLen: 9, frames: { latent: 3, clean: 2, clean2x: 2, clean4x: 16 } },
  // 4× needs h and w padding (10→16, 14→16); odd frame counts also pad the 2× and 4× time axes.
  { name: '10×14, text 9, time padding', height: 10, width: 14, textLen: 9, frames: { latent: 2, clean: 2, clean2x: 3, clean4x: 6 } },
];
const TEXT_PAD = 12;
const IMAGE_TOKENS = 7;

function f32(rng: SeededRandom, dims: number[]): F32 {
  return { data: rng.normalArray(dims.reduce((a, b) => a * b, 1)), dims };
}
const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

function f32Tensor(name: string, t: F32): TensorToWrite {
  return { name, dtype: 'float32', shape: t.dims, read: () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
}
function i64Tensor(name: string, values: readonly number[], dims: number[]): TensorToWrite {
  const a = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dtype: 'int64', shape: dims, read: () => new Uint8Array(a.buffer) };
}

/** Runs the reference on the official-style arguments and returns its report for 'velocity'. */
async function referenceError(weights: MemoryWeights, inputs: TensorToWrite[], velocity: F32): Promise<{ maxAbsErr?: number; refMaxAbs?: number; error?: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-xcheck-transformer-'));
  try {
    await writeSafetensors(path.join(dir, 'weights.safetensors'), weights.names().map((name) => {
      const info = weights.info(name)!;
      return { name, dtype: info.dtype, shape: info.shape, read: async () => (await weights.read(name)).bytes };
    }));
    await writeSafetensors(path.join(dir, 'inputs.safetensors'), inputs);
    await writeSafetensors(path.join(dir, 'outputs.safetensors'), [f32Tensor('velocity', velocity)]);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    const { stdout } = await run(REFERENCE_PYTHON, [path.join(REFERENCE_DIR, 'crosscheck.py'), 'transformer_ref', dir], { maxBuffer: 16 << 20, timeout: 120_000 });
    const lines = stdout.trim().split('\n');
    return (JSON.parse(lines[lines.length - 1]!) as Record<string, { maxAbsErr?: number; refMaxAbs?: number; error?: string }>).velocity!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Both attention forms (ops.ts attention()) run every case; each must match the reference.
describe.each(['explicit', 'fused'] as const)('packed transformer (tiny, %s attention) vs PyTorch reference', (attention) => {
  const weights = seededWeights(transformerDefinition.parameterShapes(config), 1234);
  let sessions: TransformerSessions;

  beforeAll(async () => {
    const graphs = transformerDefinition.buildGraphs(config, weights, { weightDtype: 'float32', attention });
    const models = {} as Record<TransformerGraphName, Uint8Array>;
    for (const name of TRANSFORMER_GRAPHS) models[name] = await serializeModel(graphs[name]!);
    sessions = await createTransformerSessions(models, { threads: 2 });
  });

  for (const [caseIndex, c] of CASES.entries()) {
    it(`matches for latent ${c.name}`, async () => {
      const rng = new SeededRandom(100 + caseIndex);
      const C = config.inChannels;
      const fr = c.frames;
      const latents = f32(rng, [1, C, fr.latent, c.height, c.width]);
      const clean = f32(rng, [1, C, fr.clean, c.height, c.width]);
      const clean2x = f32(rng, [1, C, fr.clean2x, c.height, c.width]);
      const clean4x = f32(rng, [1, C, fr.clean4x, c.height, c.width]);
      const paddedText = f32(rng, [1, TEXT_PAD, config.textEmbedDim]);
      paddedText.data.fill(0, c.textLen * config.textEmbedDim); // the official encoder zero-pads
      const pooled = f32(rng, [1, config.pooledProjectionDim]);
      const image = f32(rng, [1, IMAGE_TOKENS, config.imageProjDim]);
      const timestep = roundToBf16(1000 * 0.8123);
      const guidance = roundToBf16(10 * 1000); // 9984, as the official sampler passes it
      // Inverted-mode layout: [clean start, 4×, 2×, clean 1× history] around the noisy window.
      const indices = {
        clean: [0, 1 + fr.clean4x + fr.clean2x + fr.latent],
        clean4x: range(1, fr.clean4x),
        clean2x: range(1 + fr.clean4x, fr.clean2x),
        latent: range(1 + fr.clean4x + fr.clean2x, fr.latent),
      };
      const velocity = await transformerForward(sessions, config, {
        latents, timestep, guidance,
        textEmbeddings: { data: paddedText.data.slice(0, c.textLen * config.textEmbedDim), dims: [1, c.textLen, config.textEmbedDim] },
        pooledProjections: pooled,
        imageEmbeddings: image,
        context: { clean, clean2x, clean4x },
        indices,
      });
      expect(velocity.dims).toEqual([1, config.outChannels, fr.latent, c.height, c.width]);

      const mask = range(0, TEXT_PAD).map((i) => (i < c.textLen ? 1 : 0));
      const report = await referenceError(weights, [
        f32Tensor('hidden_states', latents),
        f32Tensor('timestep', { data: Float32Array.of(timestep), dims: [1] }),
        f32Tensor('guidance', { data: Float32Array.of(guidance), dims: [1] }),
        f32Tensor('encoder_hidden_states', paddedText),
        i64Tensor('encoder_attention_mask', mask, [1, TEXT_PAD]),
        f32Tensor('pooled_projections', pooled),
        f32Tensor('image_embeddings', image),
        i64Tensor('latent_indices', indices.latent, [1, fr.latent]),
        f32Tensor('clean_latents', clean), i64Tensor('clean_latent_indices', indices.clean, [1, fr.clean]),
        f32Tensor('clean_latents_2x', clean2x), i64Tensor('clean_latent_2x_indices', indices.clean2x, [1, fr.clean2x]),
        f32Tensor('clean_latents_4x', clean4x), i64Tensor('clean_latent_4x_indices', indices.clean4x, [1, fr.clean4x]),
      ], velocity);
      console.log(`transformer (${attention}) ${c.name}: maxAbsErr ${report.maxAbsErr} (ref max |v| ${report.refMaxAbs})`);
      expect(report.error).toBeUndefined();
      expect(report.refMaxAbs!).toBeGreaterThan(0.1);
      expect(report.maxAbsErr!).toBeLessThanOrEqual(1e-4);
    }, 60_000);
  }
});
