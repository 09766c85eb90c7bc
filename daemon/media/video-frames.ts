// Reading a video's frames for an extension (`--extend VIDEO`, `--extend-job`): ffmpeg decodes,
// converts to 30 fps (the model's rate; a 24 fps source keeps its real-time speed), resizes so the
// bucket is covered and centre-crops to it (the image path's resize-and-crop, done by ffmpeg's
// Lanczos), and pipes rgb24 frames back. Frame counts come from what was decoded, not the header.
import { spawn } from 'node:child_process';
import { FfmpegError, findFfmpeg, probeVideo, type FfmpegTools } from './ffmpeg.js';
import type { RgbImage } from './pixels.js';

export interface VideoFrames {
  width: number;
  height: number;
  /** The decoded frames, rgb24 HWC each. */
  frames: Uint8Array[];
}

/** Largest video an extension reads, in output frames (the 120 s limit of a job, at 30 fps, twice). */
export const MAX_EXTEND_FRAMES = 7200;

/** The video's frames at `width`×`height` (cover + centre crop) and `fps`, or FfmpegError naming the file. */
export async function readVideoFrames(file: string, size: { width: number; height: number }, o: { fps?: number; tools?: FfmpegTools; maxFrames?: number } = {}): Promise<VideoFrames> {
  const tools = o.tools ?? (await findFfmpeg());
  const { width, height } = size;
  const fps = o.fps ?? 30;
  const maxFrames = o.maxFrames ?? MAX_EXTEND_FRAMES;
  const frameBytes = width * height * 3;
  const vf = `fps=${fps},scale=${width}:${height}:force_original_aspect_ratio=increase:flags=lanczos,crop=${width}:${height}`;
  const args = ['-hide_banner', '-nostats', '-v', 'error', '-i', file, '-an', '-vf', vf, '-frames:v', String(maxFrames + 1), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  return new Promise((resolve, reject) => {
    const child = spawn(tools.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const frames: Uint8Array[] = [];
    let pending: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    let stderr = '';
    let tooLong = false;
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        frames.push(new Uint8Array(pending.subarray(0, frameBytes)));
        pending = pending.subarray(frameBytes);
      }
      if (frames.length > maxFrames) {
        tooLong = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => { stderr = (stderr + c).slice(-8192); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (tooLong) return reject(new FfmpegError(`${file} is longer than ${maxFrames} frames at ${fps} fps; trim it first`, ''));
      if (code !== 0) return reject(new FfmpegError(`ffmpeg could not read the video ${file} (exit ${code})`, stderr.trim().split('\n').slice(-4).join('\n'), code));
      if (frames.length === 0) return reject(new FfmpegError(`${file} has no video frames`, ''));
      resolve({ width, height, frames });
    });
  });
}

/** The video's display size (for the bucket) and frame count, or FfmpegError when it is not a readable video. */
export async function inspectVideo(file: string, tools?: FfmpegTools): Promise<{ width: number; height: number; frames: number; fps: number; durationS: number }> {
  const p = await probeVideo(file, tools);
  if (!(p.width > 0 && p.height > 0)) throw new FfmpegError(`${file} has no video stream with a size`, '');
  return { width: p.width, height: p.height, frames: p.frames, fps: p.fps, durationS: p.durationS };
}

/** Output frames at `fps` of a source with `frames` at `sourceFps` (what readVideoFrames will return, ±1). */
export function framesAtFps(frames: number, sourceFps: number, fps = 30): number {
  if (!(sourceFps > 0)) return frames;
  return Math.max(1, Math.round((frames * fps) / sourceFps));
}

/** The last frame as an image (the extension's SigLIP image). */
export function lastFrame(v: VideoFrames): RgbImage {
  return { width: v.width, height: v.height, rgb: v.frames[v.frames.length - 1]! };
}
