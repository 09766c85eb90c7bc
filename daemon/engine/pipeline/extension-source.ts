// Where an extension starts (extension-plan.ts): the source video's frames at the bucket size (all
// of them go into the output before the new ones), its last frame (the SigLIP image) and its last
// K latents. `--extend VIDEO` encodes the video's last 4(K − 1) + 1 frames with the VAE in one
// causal pass (1 + 4k frames → 1 + k latents, the same latents a FramePack job keeps); `--extend-job`
// reads the job's stored `<stem>.latents` (latent-history-file.ts) and decodes its MP4 only for the
// pixels, so nothing is re-encoded. Errors are ExtensionSourceError with the flag and a plain reason.
import type { Manifest } from '../../models/bundle/manifest.js';
import { spatialTiledEncode, type SpatialTiling } from '../../models/vae/spatial-tiling.js';
import type { Tensor5d } from '../../models/vae/temporal-tiling.js';
import { tensorF32 } from '../../onnx/run.js';
import type { F32 } from '../../models/transformer/run-transformer.js';
import { inspectVideo, lastFrame, readVideoFrames, type VideoFrames } from '../../media/video-frames.js';
import type { PixelVideo, RgbImage } from '../../media/pixels.js';
import { bucketClass } from '../bucket-class.js';
import { nearestBucket, type Bucket } from '../buckets.js';
import { extensionContextFrames, MAX_CONTEXT_LATENTS } from '../extension-plan.js';
import type { ExtensionLayoutInput } from './job-plan.js';
import { manifestBuckets } from './job-plan.js';
import type { JobSpec } from './job-spec.js';
import { readLatentHistory } from './latent-history-file.js';
import { tensorToFrames } from './latent-frames.js';
import type { PipelineSessions } from './sessions.js';

export class ExtensionSourceError extends Error {
  override readonly name = 'ExtensionSourceError';
  constructor(readonly flag: '--extend' | '--extend-job' | '--extend-context', readonly problem: string) {
    super(`${flag} ${problem}`);
  }
}

/** What is known before any model runs. */
export interface ExtensionSource {
  /** The source's size (the layout's `input`). */
  input: { width: number; height: number };
  layout: ExtensionLayoutInput & { bucket: Bucket };
  frames: VideoFrames;
  /** The SigLIP image: the source's last frame at the bucket size. */
  image: RgbImage;
  /** --extend: how many of the last frames get encoded; --extend-job: null (stored latents). */
  encodeFrames: number | null;
  /** --extend-job: the stored history's last K latents. */
  storedLatents: Float32Array[] | null;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** Reads the source (ffmpeg, the latents file) and checks it against the spec. */
export async function openExtensionSource(spec: JobSpec, manifest: Manifest): Promise<ExtensionSource> {
  if (spec.extendVideo !== null) {
    const file = spec.extendVideo;
    let size: { width: number; height: number };
    try {
      size = await inspectVideo(file);
    } catch (err: unknown) {
      throw new ExtensionSourceError('--extend', `cannot read the video ${file}: ${message(err)}`);
    }
    const table = bucketClass(manifestBuckets(manifest), spec.resolution, manifest.latent.spatialCompression * Math.max(manifest.patchSize[1], manifest.patchSize[2]));
    const bucket = nearestBucket(size.height, size.width, table.buckets);
    const frames = await readFrames('--extend', file, bucket);
    let context: { frames: number; latents: number };
    try {
      context = extensionContextFrames(frames.frames.length, spec.extendContext);
    } catch (err: unknown) {
      throw new ExtensionSourceError('--extend-context', `${message(err)}${spec.extendContext !== null ? ` (at 30 fps: ${frames.frames.length} frames)` : ''}`);
    }
    return {
      input: size, layout: { contextLatents: context.latents, videoFrames: frames.frames.length, bucket },
      frames, image: lastFrame(frames), encodeFrames: context.frames, storedLatents: null,
    };
  }
  if (spec.extendLatents === null) throw new Error('openExtensionSource: the spec extends nothing');
  const file = spec.extendLatents;
  let stored: Awaited<ReturnType<typeof readLatentHistory>>;
  try {
    stored = await readLatentHistory(file);
  } catch (err: unknown) {
    throw new ExtensionSourceError('--extend-job', `has no usable stored latents: ${message(err)}`);
  }
  const h = stored.header;
  if (h.model !== manifest.name) throw new ExtensionSourceError('--extend-job', `latents come from model ${h.model}, not ${manifest.name} (another latent space); use --model ${h.model}`);
  const g = { channels: manifest.latent.channels, height: h.bucket.height / manifest.latent.spatialCompression, width: h.bucket.width / manifest.latent.spatialCompression };
  if (h.channels !== g.channels || h.height !== g.height || h.width !== g.width) throw new ExtensionSourceError('--extend-job', `latents are ${h.channels}×${h.height}×${h.width}, the model's ${h.bucket.width}×${h.bucket.height} bucket needs ${g.channels}×${g.height}×${g.width}`);
  const video = file.replace(/\.latents$/, '.mp4');
  const bucket = { heightPx: h.bucket.height, widthPx: h.bucket.width };
  const frames = await readFrames('--extend-job', video, bucket);
  if (frames.frames.length !== h.videoFrames) throw new ExtensionSourceError('--extend-job', `video ${video} has ${frames.frames.length} frames but its latents belong to a ${h.videoFrames}-frame video (was it replaced?)`);
  const k = Math.min(MAX_CONTEXT_LATENTS, stored.frames.length);
  return {
    input: { width: h.bucket.width, height: h.bucket.height }, layout: { contextLatents: k, videoFrames: frames.frames.length, bucket },
    frames, image: lastFrame(frames), encodeFrames: null, storedLatents: stored.frames.slice(-k),
  };
}

async function readFrames(flag: '--extend' | '--extend-job', file: string, bucket: Bucket): Promise<VideoFrames> {
  try {
    return await readVideoFrames(file, { width: bucket.widthPx, height: bucket.heightPx });
  } catch (err: unknown) {
    throw new ExtensionSourceError(flag, `cannot read the video ${file}: ${message(err)}`);
  }
}

/** The source's frames as a decoded-pixels video ([1, 3, T, H, W], x / 127.5 − 1). */
export function framesToPixelVideo(v: VideoFrames, from = 0): PixelVideo {
  const t = v.frames.length - from;
  const plane = v.width * v.height;
  const data = new Float32Array(3 * t * plane);
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = Math.fround(Math.fround(b / 127.5) - 1);
  for (let f = 0; f < t; f++) {
    const rgb = v.frames[from + f]!;
    for (let c = 0; c < 3; c++) {
      const off = (c * t + f) * plane;
      for (let i = 0; i < plane; i++) data[off + i] = table[rgb[3 * i + c]!]!;
    }
  }
  return { frames: t, height: v.height, width: v.width, data };
}

/** The source's last K latents (× scaling factor, display order): encoded (--extend) or stored (--extend-job). */
export async function extensionHistory(src: ExtensionSource, s: PipelineSessions, manifest: Manifest, spatial: SpatialTiling | null): Promise<Float32Array[]> {
  if (src.storedLatents) return src.storedLatents;
  const clip = framesToPixelVideo(src.frames, src.frames.frames.length - src.encodeFrames!);
  const pixels: Tensor5d = { data: clip.data, dims: [1, 3, clip.frames, clip.height, clip.width] };
  const encodeTile = async (tile: Tensor5d): Promise<Tensor5d> => {
    const out = (await s.vaeEncoder.run({ pixels: tensorF32(tile.data, tile.dims) })).mean;
    if (!out || !(out.data instanceof Float32Array)) throw new Error('vae_encoder produced no float32 mean');
    return { data: out.data, dims: out.dims as unknown as Tensor5d['dims'] };
  };
  const mean = spatial ? await spatialTiledEncode(pixels, encodeTile, spatial) : await encodeTile(pixels);
  const k = manifest.latent.scalingFactor;
  const scaled: F32 = { data: mean.data.map((x) => x * k), dims: [...mean.dims] };
  const history = tensorToFrames(scaled);
  if (history.length !== src.layout.contextLatents) throw new Error(`the VAE encoded ${src.encodeFrames} frames to ${history.length} latents, expected ${src.layout.contextLatents}`);
  return history;
}
