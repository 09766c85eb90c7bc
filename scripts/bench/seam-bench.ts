// `npm run bench -- seam`: does an extension continue its source smoothly? On the default model a
// source job is generated, then continued three ways, and the mean absolute RGB difference between
// consecutive frames (0–255) is measured at the seam against the typical difference inside the
// source and inside the new part:
//   ours-job     --extend-job: the stored latents as F1 context, soft-appended over the
//                reconstruction of the source's last frames (extension-plan.ts);
//   ours-video   --extend: the same from the source MP4's VAE-encoded last 73 frames;
//   hard-cut     FramePack-Studio's combine: the source frames, then a decode of the new latents
//                alone (the same new latents as ours-job, so only the stitching differs);
//   restart      the common workaround: a new F1 job from the source's last frame, appended.
// The seam figure of ours is the largest step in the blended window (the last 33 source frames and
// the first new one); of the concatenations, the step across the cut. "Typical" is the 90th
// percentile of the steps inside the source (and inside the new part): the default model's videos
// move in 4-frame latent groups, so their large steps sit at the group boundaries.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../daemon/engine/pipeline/model-location.js';
import { openSessions, type PipelineSessions } from '../../daemon/engine/pipeline/sessions.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { readLatentHistory } from '../../daemon/engine/pipeline/latent-history-file.js';
import { framesToTensor } from '../../daemon/engine/pipeline/latent-frames.js';
import { readVideoFrames } from '../../daemon/media/video-frames.js';
import { videoFrameToRgb } from '../../daemon/media/pixels.js';
import { tensorF32 } from '../../daemon/onnx/run.js';
import { tiledVaeDecode } from '../../daemon/models/vae/spatial-tiling.js';
import type { Tensor5d } from '../../daemon/models/vae/temporal-tiling.js';

export interface SeamRow {
  method: 'ours-job' | 'ours-video' | 'hard-cut' | 'restart';
  /** Largest consecutive-frame difference at the seam (see the file comment). */
  seam: number;
  /** 90th percentile of the consecutive differences inside the source video. */
  typicalSource: number;
  /** 90th percentile of the consecutive differences inside the new part. */
  typicalNew: number;
  /** seam / typicalSource. */
  ratio: number;
}

/** Mean |a − b| over all bytes. */
export function frameDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** The q-quantile (nearest rank): the typical *large* step. Plain medians miss that a causal VAE's
 *  video moves in 4-frame latent groups, with its big steps at the group boundaries. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Seam figures of a video whose source part is frames [0, sourceFrames); the seam window is [from, to) of consecutive pairs (t, t + 1). */
export function seamRow(method: SeamRow['method'], frames: readonly Uint8Array[], sourceFrames: number, window: [number, number]): SeamRow {
  const d = frames.slice(1).map((f, t) => frameDiff(frames[t]!, f));
  const seam = Math.max(...d.slice(window[0], window[1]));
  // The same source pairs for every method: those before any blend (the last 33 frames + 1 may blend).
  const typicalSource = quantile(d.slice(0, Math.max(1, sourceFrames - 34)), 0.9);
  const typicalNew = quantile(d.slice(window[1]), 0.9);
  return { method, seam, typicalSource, typicalNew, ratio: seam / typicalSource };
}

export interface SeamBenchOptions { seconds: number; extendSeconds: number; steps: number; seed: number; prompt: string }

async function decodeOnly(s: PipelineSessions, latents: Float32Array[], g: { channels: number; height: number; width: number }, scaling: number): Promise<Uint8Array[]> {
  const t = framesToTensor(latents, g);
  const data = t.data.map((x) => x / scaling);
  const out = await tiledVaeDecode({ data, dims: t.dims as Tensor5d['dims'] }, async (tile) => {
    const r = (await s.vaeDecoder.run({ latents: tensorF32(tile.data, [...tile.dims]) })).pixels!;
    return { data: r.data as Float32Array, dims: r.dims as unknown as Tensor5d['dims'] };
  }, null);
  const [, , frames, height, width] = out.dims;
  const video = { frames, height, width, data: out.data };
  return Array.from({ length: frames }, (_, i) => videoFrameToRgb(video, i));
}

export async function benchSeam(o: SeamBenchOptions): Promise<SeamRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-seam-'));
  try {
    const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
    const sessions = await openSessions(bundle);
    const manifest = bundle.manifest;
    const image = path.join(dir, 'start.png');
    // A bright disc on a gradient, the kind of scene the default model was trained on.
    const w = 96;
    const h = 64;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const inDisc = (x - 30) ** 2 + (y - 32) ** 2 < 12 ** 2;
      rgb.set(inDisc ? [230, 40, 40] : [20 + x, 40, 120 - y], (y * w + x) * 3);
    }
    await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
    const spec = (extra: Record<string, unknown>) => resolveJobSpec({ imagePath: image, prompt: o.prompt, steps: o.steps, seed: o.seed, ...extra }, manifest, 'framepack-tiny');
    const run = (extra: Record<string, unknown>, name: string) => generateVideo(spec(extra), { bundle, sessions, out: path.join(dir, `${name}.mp4`), partials: false });
    const size = { width: w, height: h };

    await run({ seconds: o.seconds, mode: 'f1' }, 'source');
    const source = (await readVideoFrames(path.join(dir, 'source.mp4'), size)).frames;
    const p = source.length;
    await run({ seconds: o.extendSeconds, extendLatents: path.join(dir, 'source.latents') }, 'ours-job');
    await run({ seconds: o.extendSeconds, extendVideo: path.join(dir, 'source.mp4') }, 'ours-video');
    const oursJob = (await readVideoFrames(path.join(dir, 'ours-job.mp4'), size)).frames;
    const oursVideo = (await readVideoFrames(path.join(dir, 'ours-video.mp4'), size)).frames;
    // Studio: source frames ‖ decode(new latents) — the new latents of ours-job.
    const stored = await readLatentHistory(path.join(dir, 'ours-job.latents'));
    const k = Math.min(19, (await readLatentHistory(path.join(dir, 'source.latents'))).frames.length);
    const g = { channels: stored.header.channels, height: stored.header.height, width: stored.header.width };
    const hardCut = [...source, ...(await decodeOnly(sessions, stored.frames.slice(k), g, manifest.latent.scalingFactor))];
    // Restart: a new F1 job from the source's last frame; its first frame repeats that frame and is dropped.
    const last = path.join(dir, 'last.png');
    await sharp(Buffer.from(source[p - 1]!), { raw: { width: w, height: h, channels: 3 } }).png().toFile(last);
    await generateVideo(resolveJobSpec({ imagePath: last, prompt: o.prompt, steps: o.steps, seed: o.seed, seconds: o.extendSeconds, mode: 'f1' }, manifest, 'framepack-tiny'), { bundle, sessions, out: path.join(dir, 'restart.mp4'), partials: false });
    const restart = [...source, ...(await readVideoFrames(path.join(dir, 'restart.mp4'), size)).frames.slice(1)];
    await sessions.release();
    const blend = Math.min(33, p);
    return [
      seamRow('ours-job', oursJob, p, [p - blend - 1, p + 1]),
      seamRow('ours-video', oursVideo, p, [p - blend - 1, p + 1]),
      seamRow('hard-cut', hardCut, p, [p - 1, p]),
      seamRow('restart', restart, p, [p - 1, p]),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function seamTable(rows: readonly SeamRow[]): string {
  const lines = ['method       seam step   typical (source)   typical (new)   seam / typical'];
  for (const r of rows) lines.push(`${r.method.padEnd(12)} ${r.seam.toFixed(2).padStart(9)}   ${r.typicalSource.toFixed(2).padStart(16)}   ${r.typicalNew.toFixed(2).padStart(13)}   ${r.ratio.toFixed(2).padStart(14)}`);
  return lines.join('\n');
}
