// `npm run bench -- precision`: the default bundle's trained weights built in float16 (the GPU
// precision; fused attention, the fp16 default) run the README job on the CPU next to the committed
// float32 bundle, and the two decoded videos are compared frame by frame (PSNR over RGB bytes).
// The fp16 bundle is built into a temp folder and deleted afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadBundle, type LoadedBundle } from '../../daemon/models/bundle/load-bundle.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import type { AttentionForm } from '../../daemon/onnx/graph.js';
import { DEFAULT_BUNDLE_DIR, makeDefaultBundle } from '../make-default-bundle.js';
import { decodeVideoRgb } from './drift-bench.js';
import type { FrameSet } from './frame-metrics.js';

const REPO = path.resolve(import.meta.dirname, '../..');
/** The README's quick-start job (README.md, test/bundle/default-model.test.ts). */
export const README_JOB = {
  imagePath: path.join(REPO, 'docs', 'examples', 'start.png'),
  prompt: 'a red circle moves to the right on a yellow background',
  seconds: 145 / 30,
  seed: 31337,
} as const;

/** PSNR in dB of one 8-bit frame against a reference frame (Infinity when identical). */
export function psnr8bit(a: Uint8Array, reference: Uint8Array): number {
  if (a.length !== reference.length) throw new Error(`psnr: frame sizes differ (${a.length} vs ${reference.length} bytes)`);
  let sq = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i]! - reference[i]!; sq += d * d; }
  const mse = sq / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

export interface PsnrSummary { frames: number; minDb: number; meanDb: number; perFrameDb: number[] }

/** Per-frame PSNR of `video` against `reference` (same frame count and size). */
export function videoPsnr(video: FrameSet, reference: FrameSet): PsnrSummary {
  if (video.frames.length !== reference.frames.length) throw new Error(`psnr: ${video.frames.length} frames vs ${reference.frames.length}`);
  const perFrameDb = video.frames.map((f, i) => psnr8bit(f, reference.frames[i]!));
  // Identical frames (Infinity) count as 99 dB in the mean so one exact frame does not dominate it.
  const finite = perFrameDb.map((v) => Math.min(v, 99));
  return { frames: perFrameDb.length, minDb: Math.min(...perFrameDb), meanDb: finite.reduce((a, b) => a + b, 0) / finite.length, perFrameDb };
}

export interface JobOverrides { seconds?: number; steps?: number }

/** Runs the README job (optionally shorter) with `bundle` and returns the decoded MP4's frames. */
export async function runReadmeJob(bundle: LoadedBundle, outFile: string, over: JobOverrides = {}): Promise<FrameSet> {
  const sessions = await openSessions(bundle);
  try {
    const spec = resolveJobSpec({ ...README_JOB, seconds: over.seconds ?? README_JOB.seconds, ...(over.steps ? { steps: over.steps } : {}) },
      bundle.manifest, bundle.manifest.name);
    const out = await generateVideo(spec, { bundle, sessions, partials: false, out: outFile });
    return await decodeVideoRgb(out);
  } finally {
    await sessions.release();
  }
}

export interface PrecisionBenchRow {
  dtype: 'float16';
  attention: AttentionForm;
  job: string;
  frames: number;
  minPsnrDb: number;
  meanPsnrDb: number;
  fp32Ms: number;
  fp16Ms: number;
}

/** Builds the fp16 twin of the default bundle in a temp folder and compares it on the README job. */
export async function benchPrecision(opts: { attention?: AttentionForm; over?: JobOverrides; tmpRoot?: string }): Promise<PrecisionBenchRow> {
  const tmp = await mkdtemp(path.join(opts.tmpRoot ?? os.tmpdir(), 'fp-precision-'));
  try {
    const attention = opts.attention ?? 'fused';
    await makeDefaultBundle({ outDir: path.join(tmp, 'fp16'), dtype: 'float16', attention });
    const fp32 = await loadBundle(DEFAULT_BUNDLE_DIR);
    const fp16 = await loadBundle(path.join(tmp, 'fp16'));
    let t = performance.now();
    const ref = await runReadmeJob(fp32, path.join(tmp, 'fp32.mp4'), opts.over);
    const fp32Ms = performance.now() - t;
    t = performance.now();
    const half = await runReadmeJob(fp16, path.join(tmp, 'fp16.mp4'), opts.over);
    const fp16Ms = performance.now() - t;
    const s = videoPsnr(half, ref);
    const job = `README job, ${(opts.over?.seconds ?? README_JOB.seconds).toFixed(2)} s${opts.over?.steps ? `, ${opts.over.steps} steps` : ''}`;
    return { dtype: 'float16', attention, job, frames: s.frames, minPsnrDb: s.minDb, meanPsnrDb: s.meanDb, fp32Ms, fp16Ms };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
