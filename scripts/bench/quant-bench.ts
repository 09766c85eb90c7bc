// `npm run bench -- quant`: what int8 and int4 weights (MatMulNBits, docs/bundles.md "Quantised
// bundles") cost in quality on the tiny default model. The default model's trained weights are
// built again as int8 and int4 bundles (scripts/make-default-bundle.ts --dtype, the same build
// path), the README job (docs/examples/start.png, the README prompt, the default seed and steps)
// is generated in-process with the fp32 default bundle and with each quantised one, and every
// frame of each quantised video is compared with the fp32 video's frame (PSNR over RGB, 8-bit).
// Also reported: the bytes of the quantised components' weights and the time per sampling step.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import { quantizationFor, type WeightFormat } from '../../daemon/models/bundle/quantization.js';
import { makeDefaultBundle } from '../make-default-bundle.js';
import { decodeVideoRgb } from './drift-bench.js';
import type { FrameSet } from './frame-metrics.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** The README's first command. */
export const README_IMAGE = path.join(REPO_ROOT, 'docs', 'examples', 'start.png');
export const README_PROMPT = 'a red circle moves to the right on a yellow background';

/** PSNR in dB of two 8-bit frames of the same size; Infinity when identical. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`psnr: frames of ${a.length} and ${b.length} bytes`);
  let se = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - b[i]!; se += d * d; }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / a.length));
}

export interface PsnrSummary { frames: number; min: number; mean: number; median: number; first: number; last: number; minAt: number }

/** Frame-by-frame PSNR of `test` against `ref` (same frame count and size), summarised. Infinity
 *  frames (identical) count as 99 dB in the mean, so one identical frame does not make it infinite. */
export function perFramePsnr(ref: FrameSet, test: FrameSet): { perFrame: number[]; summary: PsnrSummary } {
  if (ref.frames.length !== test.frames.length || ref.width !== test.width || ref.height !== test.height) {
    throw new Error(`videos differ in shape: ${ref.frames.length} × ${ref.width}×${ref.height} vs ${test.frames.length} × ${test.width}×${test.height}`);
  }
  const perFrame = ref.frames.map((f, i) => psnr(f, test.frames[i]!));
  const capped = perFrame.map((v) => Math.min(v, 99));
  const sorted = [...capped].sort((x, y) => x - y);
  const min = sorted[0]!;
  return {
    perFrame,
    summary: {
      frames: perFrame.length, min, mean: capped.reduce((s, v) => s + v, 0) / capped.length,
      median: sorted[Math.floor(sorted.length / 2)]!, first: capped[0]!, last: capped.at(-1)!, minAt: capped.indexOf(min),
    },
  };
}

export interface QuantBenchRow {
  bench: 'quant';
  format: WeightFormat;
  blockSize: number | null;
  /** Bytes of the transformer's and text_encoder's weights (the quantised components). */
  transformerWeightBytes: number;
  textEncoderWeightBytes: number;
  frames: number;
  secondsPerStep: number;
  /** Against the fp32 video (absent for fp32 itself). */
  psnr?: PsnrSummary;
}

export interface QuantBenchOptions {
  /** The fp32 reference bundle (default models/framepack-tiny). */
  referenceDir: string;
  formats: ('int8' | 'int4')[];
  blockSize?: number;
  seconds?: number;
  steps?: number;
  onRow: (row: QuantBenchRow) => void;
}

/** The README job (in-process, no partial videos) with one bundle: its frames, wall time per step
 *  (everything included: encoders, VAE, MP4) and the quantisable components' weight bytes. */
export async function runReadmeJob(bundleDir: string, out: string, seconds?: number, steps?: number): Promise<{ video: FrameSet; secondsPerStep: number; bytes: [number, number] }> {
  const bundle = await loadBundle(bundleDir, { verify: 'cached' });
  const m = bundle.manifest;
  const sessions = await openSessions(bundle);
  try {
    const spec = resolveJobSpec({ imagePath: README_IMAGE, prompt: README_PROMPT, ...(seconds !== undefined ? { seconds } : {}), ...(steps !== undefined ? { steps } : {}) }, m, m.name);
    let stepCount = 0;
    const t0 = performance.now();
    await generateVideo(spec, { bundle, sessions, partials: false, out, onEvent: (e) => { if (e.type === 'step') stepCount++; } });
    const wall = (performance.now() - t0) / 1000;
    return {
      video: await decodeVideoRgb(out), secondsPerStep: stepCount ? wall / stepCount : NaN,
      bytes: [m.components.transformer.memory.weightBytes, m.components.text_encoder.memory.weightBytes],
    };
  } finally {
    await sessions.release();
  }
}

export async function benchQuant(opts: QuantBenchOptions): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'fp-quant-bench-'));
  try {
    const ref = await runReadmeJob(opts.referenceDir, path.join(work, 'fp32.mp4'), opts.seconds, opts.steps);
    opts.onRow({
      bench: 'quant', format: 'fp32', blockSize: null, transformerWeightBytes: ref.bytes[0], textEncoderWeightBytes: ref.bytes[1],
      frames: ref.video.frames.length, secondsPerStep: ref.secondsPerStep,
    });
    for (const format of opts.formats) {
      const q = quantizationFor(format, opts.blockSize)!;
      const dir = path.join(work, `bundle-${format}`);
      await makeDefaultBundle({ outDir: dir, quantization: q, name: `framepack-tiny-${format}` });
      const r = await runReadmeJob(dir, path.join(work, `${format}.mp4`), opts.seconds, opts.steps);
      opts.onRow({
        bench: 'quant', format, blockSize: q.blockSize, transformerWeightBytes: r.bytes[0], textEncoderWeightBytes: r.bytes[1],
        frames: r.video.frames.length, secondsPerStep: r.secondsPerStep, psnr: perFramePsnr(ref.video, r.video).summary,
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface QuantMatmulRow {
  bench: 'quant-matmul';
  variant: string;
  m: number; k: number; n: number;
  weightBytes: number;
  medianMs: number;
  /** medianMs / the fp32 MatMul's, measured in the same run. */
  ratioToFp32: number;
  /** Largest |y − y_fp32| over the output, relative to the largest |y_fp32|. */
  maxRelError: number;
}

/** One Linear [k → n] on [m, k] fp32 activations through ORT's CPU provider: fp32 MatMul vs
 *  MatMulNBits at each bits × block size, median of `runs` forwards after a warm-up. Weights are a
 *  fixed pseudo-random stream (the kernels' speed does not depend on the values). */
export async function benchQuantMatmul(opts: { m: number; k: number; n: number; runs: number; blockSizes: number[]; onRow: (r: QuantMatmulRow) => void }): Promise<void> {
  const { GraphBuilder } = await import('../../daemon/onnx/graph.js');
  const { linear } = await import('../../daemon/onnx/ops.js');
  const { serializeModel } = await import('../../daemon/onnx/model-writer.js');
  const { createCpuSession, tensorF32 } = await import('../../daemon/onnx/run.js');
  const { quantizeLinears } = await import('../../daemon/onnx/quantize-linears.js');
  const { MemoryWeights } = await import('../../daemon/weights/weight-source.js');
  const { m, k, n } = opts;
  let s = 12345;
  const rnd = (count: number) => Float32Array.from({ length: count }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s / 2 ** 32 - 0.5) * 0.1; });
  const weights = new MemoryWeights();
  weights.setFloat32('fc.weight', [n, k], rnd(n * k));
  const x = tensorF32(rnd(m * k), [m, k]);
  // accuracy_level 4 lets ORT's CPU kernel quantise the activations to int8 per block (faster on
  // CPUs with int8 dot products, less exact): measured, not used by the bundles.
  const variants: { name: string; q?: { bits: 4 | 8; blockSize: number; accuracyLevel?: number } }[] = [
    { name: 'fp32 MatMul' },
    ...opts.blockSizes.flatMap((blockSize) => ([8, 4] as const).map((bits) => ({ name: `int${bits} block ${blockSize}`, q: { bits, blockSize } }))),
    ...([8, 4] as const).map((bits) => ({ name: `int${bits} b32 acc4`, q: { bits, blockSize: 32, accuracyLevel: 4 } })),
  ];
  let fp32Ms = NaN;
  let fp32Y: Float32Array | undefined;
  for (const v of variants) {
    const g = new GraphBuilder('fc', { weights });
    g.output(linear(g, g.input('x', 'float32', [m, k]), 'fc', k, n, false), 'y', 'float32', [m, n]);
    if (v.q) quantizeLinears(g, { ...v.q, source: weights, select: () => true });
    let weightBytes = 0;
    for (const t of g.initializers.values()) weightBytes += 'read' in t ? t.byteLength : t.bytes.byteLength;
    const session = await createCpuSession(await serializeModel(g));
    try {
      const y = (await session.run({ x })).y!.data as Float32Array;
      if (!v.q) fp32Y = y;
      let maxAbs = 0, maxDiff = 0;
      for (let i = 0; i < y.length; i++) { maxAbs = Math.max(maxAbs, Math.abs(fp32Y![i]!)); maxDiff = Math.max(maxDiff, Math.abs(y[i]! - fp32Y![i]!)); }
      const times: number[] = [];
      for (let i = 0; i < opts.runs; i++) { const t0 = performance.now(); await session.run({ x }); times.push(performance.now() - t0); }
      times.sort((a, b) => a - b);
      const medianMs = times[Math.floor(times.length / 2)]!;
      if (!v.q) fp32Ms = medianMs;
      opts.onRow({ bench: 'quant-matmul', variant: v.name, m, k, n, weightBytes, medianMs, ratioToFp32: medianMs / fp32Ms, maxRelError: maxDiff / maxAbs });
    } finally {
      await session.release();
    }
  }
}
