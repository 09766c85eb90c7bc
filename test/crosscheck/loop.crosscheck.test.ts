// Cross-check of the WHOLE section loop (daemon/engine/pipeline/section-loop.ts runSections) against
// scripts/reference/loop_ref.py, an independent PyTorch re-implementation of the official worker
// loops (demo_gradio.py inverted, demo_gradio_f1.py F1): section count, latent paddings (with the
// [3] + [2]·(N−3) + [1, 0] rule past 4 sections), clean/2×/4× context split and RoPE indices,
// start-latent prepend, one noise generator per job, σ schedule, distilled guidance, real CFG with a
// negative prompt, guidance rescale, UniPC, history bookkeeping, and the decoded video with its
// soft-append overlaps. Same conditioning (our encoders, cross-checked on their own) and the same
// trained tiny weights (models/framepack-tiny-weights, which the default bundle's graphs are built
// from) on both sides; the reference's transformer, sampler and decoder are transformer_ref.py,
// unipc_ref.py and vae_ref.py.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hasTorch, REFERENCE_PYTHON } from './harness.js';
import { loadBundle, type LoadedBundle } from '../../daemon/models/bundle/load-bundle.js';
import { runImageProjection, type F32 } from '../../daemon/models/transformer/run-transformer.js';
import { SeededNoise } from '../../daemon/engine/seeded-noise.js';
import { planJob } from '../../daemon/engine/section-plan.js';
import { computeConditioning, type PromptConditioning } from '../../daemon/engine/pipeline/conditioning.js';
import { resolveJobSpec, type JobSpecInput } from '../../daemon/engine/pipeline/job-spec.js';
import { REPO_MODELS_DIR } from '../../daemon/engine/pipeline/model-location.js';
import { runSections } from '../../daemon/engine/pipeline/section-loop.js';
import { openSessions, type PipelineSessions } from '../../daemon/engine/pipeline/sessions.js';
import { framesToTensor } from '../../daemon/engine/pipeline/latent-frames.js';
import { writeSafetensors, type TensorToWrite } from '../../daemon/weights/safetensors.js';
import { fileTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const REFERENCE_DIR = path.resolve(import.meta.dirname, '../../scripts/reference');
const torch = await hasTorch();
const skipReason = `${REFERENCE_PYTHON} cannot import torch (install python3-torch): loop cross-check skipped`;
if (!torch) console.warn(skipReason);

/**
 * Tolerances, from measured errors (the report lines this test prints; docs/crosscheck.md lists
 * them). Both sides run the same float32 math, but ORT and torch sum in different orders (1e-6 …
 * 1e-5 relative per transformer call); the official bf16 cast of x before every call turns such a
 * difference into a whole bf16 step wherever a value sits on a rounding boundary, x0 = x_bf16 − v·σ
 * carries that step straight into the sampler, and later steps and sections carry it on (real CFG
 * 3 amplifies it). Measured: max |Δ| ≤ 5.0e-3 at |x| ≤ 9.6, mean |Δ| ≤ 2.9e-5; the CFG case
 * without --shift measured max 1.7e-2 at |x| ≈ 8.7, mean 1.4e-4, and the reference against itself
 * with every velocity perturbed by 1e-5 … 3e-5 relative (LOOP_REF_SENSITIVITY) differs by mean
 * 5e-5 … 3e-4, max 9e-3 … 3e-2: numeric noise, not a behaviour difference. A behaviour change (paddings, context split, soft-append) moves the mean
 * by ≥1e-2 and pixels by tens of levels.
 */
/** Max |Δ| per section: one bf16 step at the section's largest value (2^(⌊log2 max⌋ − 7)). */
const bf16Step = (maxAbs: number) => 2 ** (Math.floor(Math.log2(maxAbs)) - 7);
const MEAN_TOLERANCE = 5e-4;
/** uint8 levels: truncating conversion (as save_bcthw_as_mp4) of floats that differ by ~1e-4. */
const PIXEL_LEVELS_TOLERANCE = 2;
/**
 * Mean uint8 levels over the video. Both clips of an overlap decode the same latents, so they
 * differ only by the VAE's causal context: reversing the soft-append weights moves single pixels
 * by ≤1 level but the mean to 0.0044 (F1) / 0.0051 (inverted), against ≤0.0001 measured here.
 */
const PIXEL_MEAN_LEVELS_TOLERANCE = 0.002;

interface Case {
  name: string;
  spec: JobSpecInput;
  sections: number;
  paddings: number[] | null;
  /** Also decode and soft-append in the reference and compare the videos (the VAE reference is the slow part). */
  pixels: boolean;
}

const CASES: Case[] = [
  // Its video covers the inverted first decode, the last section's 2·ws + 1 latents and the new-pixels-first overlap.
  { name: 'inverted, 2 sections', spec: { mode: 'inverted', seconds: 2.4 }, sections: 2, paddings: [1, 0], pixels: true },
  // Latents only: the reference's VAE would add ~20 s (its middle sections decode 2·ws latents; not compared here).
  { name: 'inverted, 5 sections (the >4 padding rule)', spec: { mode: 'inverted', seconds: 6 }, sections: 5, paddings: [3, 2, 2, 1, 0], pixels: false },
  { name: 'f1, 2 sections', spec: { mode: 'f1', seconds: 2.4, seed: 7 }, sections: 2, paddings: null, pixels: true },
  {
    name: 'inverted, 2 sections, real CFG 3 with a negative prompt, rs 0.7, gs 6, --shift 3',
    spec: { mode: 'inverted', seconds: 2.4, seed: 123, cfg: 3, rs: 0.7, gs: 6, shift: 3, negativePrompt: 'a blue square' }, sections: 2, paddings: [1, 0], pixels: false,
  },
];

const STEPS = 3;
const PROMPT = 'a red ball bounces';
// A smooth 96×64 test image: the tiny bundle's 64×96 bucket, latent 8×12.
const IMAGE = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 7) % 251) };

function f32Tensor(name: string, t: F32): TensorToWrite {
  return { name, dtype: 'float32', shape: [...t.dims], read: () => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
}

/** The official text form: zero-padded to the bundle's padded length, with the valid-token mask. */
function paddedText(text: PromptConditioning, paddedLength: number): TensorToWrite[] {
  const [, tokens, dim] = text.llama.dims as [number, number, number];
  const data = new Float32Array(paddedLength * dim);
  data.set(text.llama.data.subarray(0, tokens * dim));
  const mask = BigInt64Array.from({ length: paddedLength }, (_, i) => (i < tokens ? 1n : 0n));
  return [
    f32Tensor('llama_vec', { data, dims: [1, paddedLength, dim] }),
    { name: 'llama_mask', dtype: 'int64', shape: [1, paddedLength], read: () => new Uint8Array(mask.buffer) },
    f32Tensor('pooled', text.pooled),
  ];
}

interface Report {
  sections: number;
  paddings: number[] | null;
  perSection: { maxAbsErr?: number; meanAbsErr?: number; over1e3?: number; newFramesMaxAbsErr?: number; refMaxAbs?: number; error?: string }[];
  pixels?: { frames?: number; maxAbsLevels?: number; meanAbsLevels?: number; worstFrame?: number; error?: string };
}

describe.skipIf(!torch)('whole section loop (tiny bundle) vs the official worker loop in PyTorch (loop_ref.py)', () => {
  const spoolRoot = fileTempDir('fp-loop-xcheck-');
  let bundle: LoadedBundle;
  let sessions: PipelineSessions;
  beforeAll(async () => {
    bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
    sessions = await openSessions(bundle, { threads: 2 });
  });
  afterAll(async () => {
    await sessions?.release();
    await rm(spoolRoot, { recursive: true, force: true });
  });

  it.each(CASES)('$name', async (c) => {
    const manifest = bundle.manifest;
    // KEEP_LOOP_DIR=1 keeps the reference's input folder (printed) for running loop_ref.py by hand.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-xcheck-loop-'));
    try {
      const spec = resolveJobSpec({ imagePath: 'x.png', prompt: PROMPT, steps: STEPS, cache: 'off', ...c.spec }, manifest, 'framepack-tiny');
      const g = { channels: manifest.latent.channels, height: IMAGE.height / 8, width: IMAGE.width / 8 };
      const plan = planJob({ mode: spec.mode, seconds: spec.seconds, latentHeight: g.height, latentWidth: g.width, latentWindowSize: spec.windowSize });
      expect(plan.sectionCount).toBe(c.sections);
      const conditioning = await computeConditioning(sessions, manifest, IMAGE, { prompt: PROMPT, negativePrompt: spec.negativePrompt, cfg: spec.cfg });
      const imageTokens = await runImageProjection(sessions.transformer, conditioning.imageEmbeddings);

      const histories: Float32Array[][] = [];
      const result = await runSections({
        sessions, manifest, spec, plan, geometry: g, conditioning, imageTokens, noise: SeededNoise.fromSeed(spec.seed),
        spoolDir: await mkdtemp(path.join(spoolRoot, 'run-')), onEvent: () => {},
        onCheckpoint: async (state) => { histories.push([...state.history]); },
      });
      const video: Uint8Array[] = [];
      for await (const f of result.pixels.frames()) video.push(f);
      const pixels = Buffer.concat(video);

      const paddedLength = manifest.text.paddedLength;
      await writeSafetensors(path.join(dir, 'inputs.safetensors'), [
        ...paddedText(conditioning.positive, paddedLength),
        ...paddedText(conditioning.negative, paddedLength).map((t) => ({ ...t, name: `${t.name}_n` })),
        f32Tensor('image_embeddings', conditioning.imageEmbeddings),
        f32Tensor('start_latent', conditioning.startLatent),
      ]);
      await writeSafetensors(path.join(dir, 'ours.safetensors'), [
        ...histories.map((h, k) => f32Tensor(`history_${k}`, framesToTensor(h, g))),
        { name: 'pixels', dtype: 'uint8', shape: [video.length, IMAGE.height, IMAGE.width, 3], read: () => new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength) },
      ]);
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({
        mode: spec.mode, seconds: spec.seconds, windowSize: spec.windowSize, steps: spec.steps, seed: spec.seed,
        gs: spec.gs, cfg: spec.cfg, rs: spec.rs, shift: spec.shift,
        channels: g.channels, latentHeight: g.height, latentWidth: g.width,
        transformer: manifest.components.transformer.config,
        transformerWeights: path.join(REPO_MODELS_DIR, 'framepack-tiny-weights/transformer.safetensors'),
        decode: c.pixels, vae: manifest.components.vae.config, scalingFactor: manifest.latent.scalingFactor,
        vaeWeights: path.join(REPO_MODELS_DIR, 'framepack-tiny-weights/vae.safetensors'),
      }));
      const t0 = performance.now();
      const { stdout } = await run(REFERENCE_PYTHON, [path.join(REFERENCE_DIR, 'loop_ref.py'), dir], { maxBuffer: 16 << 20, timeout: 300_000 });
      const referenceSeconds = (performance.now() - t0) / 1000;
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
      const fmt = (v: number | undefined) => (v === undefined ? '?' : v.toExponential(2));
      console.log(`loop ${c.name}: per section max |Δ| history ${report.perSection.map((s) => s.error ?? fmt(s.maxAbsErr)).join(', ')}; `
        + `new frames ${report.perSection.map((s) => fmt(s.newFramesMaxAbsErr)).join(', ')}; mean |Δ| ${report.perSection.map((s) => fmt(s.meanAbsErr)).join(', ')}; share |Δ|>1e-3 ${report.perSection.map((s) => fmt(s.over1e3)).join(', ')} (ref max |x| ${fmt(Math.max(...report.perSection.map((s) => s.refMaxAbs ?? 0)))}); `
        + `video ${!report.pixels ? 'not compared' : report.pixels.error ?? `max ${report.pixels.maxAbsLevels} levels, mean ${report.pixels.meanAbsLevels?.toFixed(4)} over ${report.pixels.frames} frames`}; reference ${referenceSeconds.toFixed(1)} s`);

      expect(report.sections).toBe(plan.sectionCount);
      expect(report.paddings).toEqual(c.paddings);
      if (c.paddings) expect(plan.sections.map((s) => s.latentPadding)).toEqual(c.paddings);
      expect(report.perSection).toHaveLength(c.sections);
      for (const s of report.perSection) {
        expect(s.error).toBeUndefined();
        expect(s.refMaxAbs!).toBeGreaterThan(0.1);
        expect(s.maxAbsErr!).toBeLessThanOrEqual(bf16Step(s.refMaxAbs!));
        expect(s.meanAbsErr!).toBeLessThanOrEqual(MEAN_TOLERANCE);
      }
      if (c.pixels) {
        expect(report.pixels?.error).toBeUndefined();
        expect(report.pixels!.frames).toBe(plan.totalFrames);
        expect(report.pixels!.maxAbsLevels!).toBeLessThanOrEqual(PIXEL_LEVELS_TOLERANCE);
        expect(report.pixels!.meanAbsLevels!).toBeLessThanOrEqual(PIXEL_MEAN_LEVELS_TOLERANCE);
      }
    } finally {
      if (!process.env.KEEP_LOOP_DIR) await rm(dir, { recursive: true, force: true }); else console.log(dir);
    }
  }, 240_000);
});
