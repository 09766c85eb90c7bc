// A small typed wrapper over the ffmpeg/ffprobe child processes (no fluent-ffmpeg): H.264 MP4
// encoding from raw rgb24 frames with backpressure and atomic output, ffprobe JSON probing, and
// single-frame extraction. Output matches the official writer (FRAMEPACK.md §12): libx264, yuv420p.
import { spawn } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { fsyncFile, tempPathBeside } from './atomic-file.js';
import { diskFullError, isNoSpace, LOW_SPACE_BYTES, spaceAt } from './disk-full.js';
import { findFfmpeg, type FfmpegTools } from './ffmpeg-locate.js';

export { findFfmpeg, FfmpegNotFoundError } from './ffmpeg-locate.js';
export type { FfmpegTools, FfmpegSource, FfmpegPreference } from './ffmpeg-locate.js';

const STDERR_KEEP_BYTES = 16 * 1024;
const STDERR_TAIL_LINES = 12;

/** An ffmpeg/ffprobe run that failed, or an encode whose result did not verify. */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    message: string,
    /** The last lines ffmpeg wrote to stderr (also in the message). */
    readonly stderrTail: string,
    readonly exitCode: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(stderrTail ? `${message}\n${stderrTail}` : message, options);
  }
}

function tailLines(text: string): string {
  return text.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a binary to completion, keeping stdout and the tail of stderr. */
function runTool(binary: string, args: string[], options: { maxStdoutBytes?: number } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > (options.maxStdoutBytes ?? 64 << 20)) child.kill('SIGKILL');
      else out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      err = (err + chunk).slice(-STDERR_KEEP_BYTES);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}

const ProbeJson = z.object({
  streams: z.array(
    z.object({
      codec_type: z.string().optional(),
      codec_name: z.string().optional(),
      profile: z.string().optional(),
      pix_fmt: z.string().optional(),
      width: z.number().optional(),
      height: z.number().optional(),
      nb_frames: z.string().optional(),
      nb_read_packets: z.string().optional(),
      r_frame_rate: z.string().optional(),
      avg_frame_rate: z.string().optional(),
    }),
  ),
  format: z.object({
    format_name: z.string().optional(),
    duration: z.string().optional(),
    size: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
});

/** What ffprobe says about a video file's first video stream and its container. */
export interface VideoProbe {
  formatName: string;
  codec: string;
  profile?: string;
  pixFmt: string;
  width: number;
  height: number;
  /** Frame count from the container (mp4: the sample table), else counted packets. */
  frames: number;
  /** r_frame_rate as a number (30 for "30/1"). */
  fps: number;
  durationS: number;
  sizeBytes: number;
  /** Container-level metadata tags (title, comment, …). */
  tags: Record<string, string>;
}

function parseRate(rate: string | undefined): number {
  const [num, den] = (rate ?? '0/1').split('/').map(Number);
  return num !== undefined && den ? num / den : 0;
}

/** Probes a video with ffprobe JSON. Throws FfmpegError when ffprobe fails or there is no video stream. */
export async function probeVideo(filePath: string, tools?: FfmpegTools): Promise<VideoProbe> {
  const { ffprobePath } = tools ?? (await findFfmpeg());
  const base = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  const run = async (extra: string[]): Promise<z.infer<typeof ProbeJson>> => {
    const res = await runTool(ffprobePath, [...base, ...extra, filePath]);
    if (res.code !== 0) throw new FfmpegError(`ffprobe failed on ${filePath} (exit ${res.code ?? res.signal})`, tailLines(res.stderr), res.code);
    try {
      return ProbeJson.parse(JSON.parse(res.stdout.toString('utf8')));
    } catch (err: unknown) {
      throw new FfmpegError(`ffprobe printed unexpected JSON for ${filePath}`, '', res.code, { cause: err });
    }
  };
  let json = await run([]);
  let video = json.streams.find((s) => s.codec_type === 'video');
  if (video && video.nb_frames === undefined) {
    // Containers without a frame count in the header: count packets instead (reads the file).
    json = await run(['-count_packets', '-select_streams', 'v:0']);
    video = json.streams.find((s) => s.codec_type === 'video');
  }
  if (!video) throw new FfmpegError(`${filePath} has no video stream`, '');
  const result: VideoProbe = {
    formatName: json.format.format_name ?? '',
    codec: video.codec_name ?? '',
    pixFmt: video.pix_fmt ?? '',
    width: video.width ?? 0,
    height: video.height ?? 0,
    frames: Number(video.nb_frames ?? video.nb_read_packets ?? 0),
    fps: parseRate(video.r_frame_rate),
    durationS: Number(json.format.duration ?? 0),
    sizeBytes: Number(json.format.size ?? 0),
    tags: json.format.tags ?? {},
  };
  if (video.profile !== undefined) result.profile = video.profile;
  return result;
}

/**
 * Metadata keys the MP4 muxer stores without extra flags; any other key would be silently
 * dropped by ffmpeg, so encodeMp4 refuses it instead.
 */
export const MP4_METADATA_KEYS = ['title', 'comment', 'description', 'artist', 'album', 'date', 'genre', 'copyright'] as const;

export interface EncodeMp4Options {
  /** rgb24 frames, each width·height·3 bytes, streamed into ffmpeg's stdin with backpressure. */
  frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  width: number;
  height: number;
  fps: number;
  /** libx264 CRF, integer 0–51 (the official UI allows up to 100, which x264 clamps to 51). */
  crf: number;
  outPath: string;
  metadata?: Record<string, string>;
  /** libx264 preset; the official writer uses PyAV's default, medium. */
  preset?: string;
  signal?: AbortSignal;
  tools?: FfmpegTools;
  /** Called once the verified temp file is fsync'ed, just before it is renamed into place. */
  beforeCommit?: () => void;
}

export interface EncodeMp4Result {
  path: string;
  probe: VideoProbe;
  tools: FfmpegTools;
}

function checkEncodeOptions(o: EncodeMp4Options): void {
  const { width, height, fps, crf } = o;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`encodeMp4: bad size ${width}x${height}`);
  }
  if (width % 2 !== 0 || height % 2 !== 0) {
    throw new RangeError(`encodeMp4: ${width}x${height} has an odd side; yuv420p needs even width and height`);
  }
  if (!(Number.isFinite(fps) && fps > 0)) throw new RangeError(`encodeMp4: bad fps ${fps}`);
  if (!(Number.isInteger(crf) && crf >= 0 && crf <= 51)) throw new RangeError(`encodeMp4: crf must be an integer 0–51, got ${crf}`);
  for (const key of Object.keys(o.metadata ?? {})) {
    if (!(MP4_METADATA_KEYS as readonly string[]).includes(key)) {
      throw new RangeError(`encodeMp4: metadata key '${key}' would be dropped by the MP4 muxer (use one of ${MP4_METADATA_KEYS.join(', ')})`);
    }
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('encode aborted', 'AbortError');
}

/**
 * Encodes rgb24 frames to an H.264 yuv420p MP4 (+faststart, CRF, metadata). Writes a hidden temp
 * file beside outPath and renames it into place only after ffprobe confirms codec, pixel format,
 * size, frame count and metadata. On failure or abort, ffmpeg is killed and the temp file removed.
 */
export async function encodeMp4(options: EncodeMp4Options): Promise<EncodeMp4Result> {
  checkEncodeOptions(options);
  const { width, height, fps, crf, outPath, signal } = options;
  signal?.throwIfAborted();
  const tools = options.tools ?? (await findFfmpeg());
  const temp = tempPathBeside(outPath);
  const frameBytes = width * height * 3;
  const metaArgs = Object.entries(options.metadata ?? {}).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
  const args = [
    '-hide_banner', '-nostats', '-v', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
    '-an', '-c:v', 'libx264', '-preset', options.preset ?? 'medium', '-crf', String(crf), '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart', ...metaArgs, '-f', 'mp4', '-y', temp,
  ];
  const child = spawn(tools.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES);
  });
  // EPIPE when ffmpeg exits early surfaces through the write callbacks; keep it from crashing the process.
  child.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig }));
  });
  exited.catch(() => {});

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      child.kill('SIGKILL');
      reject(abortError(signal!));
    };
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});

  let written = 0;
  const frames = options.frames;
  const iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array> =
    Symbol.asyncIterator in frames ? frames[Symbol.asyncIterator]() : frames[Symbol.iterator]();
  try {
    try {
      for (;;) {
        const step = await Promise.race([iterator.next(), aborted, exited.then(() => ({ done: true as const, value: undefined }))]);
        if (step.done) break;
        const frame = step.value;
        if (frame.length !== frameBytes) {
          throw new RangeError(`encodeMp4: frame ${written} has ${frame.length} bytes, expected ${width}x${height}x3 = ${frameBytes}`);
        }
        // Awaiting each write's flush is the backpressure: at most one frame is queued in Node.
        const flushed = new Promise<void>((resolve, reject) => child.stdin.write(frame, (err) => (err ? reject(err) : resolve())));
        await Promise.race([flushed, aborted]).catch((err: unknown) => {
          if (signal?.aborted) throw abortError(signal);
          if (child.exitCode === null && child.signalCode === null && !isPipeError(err)) throw err;
          // ffmpeg went away: its exit status and stderr below say why.
        });
        written++;
      }
    } finally {
      // Not awaited: after an abort the producer may still be busy inside next().
      void Promise.resolve(iterator.return?.()).catch(() => {});
    }
    if (written === 0 && child.exitCode === null) throw new RangeError(`encodeMp4: no frames to write to ${outPath}`);
    child.stdin.end();
    const { code, signal: sig } = await Promise.race([exited, aborted]);
    if (code !== 0) {
      throw new FfmpegError(`ffmpeg failed writing ${outPath} (exit ${code ?? sig}) after ${written} frames`, tailLines(stderr), code);
    }
    const probe = await probeVideo(temp, tools);
    verify(probe, { width, height, frames: written, metadata: options.metadata ?? {}, outPath });
    await fsyncFile(temp);
    signal?.throwIfAborted();
    options.beforeCommit?.();
    await rename(temp, outPath);
    return { path: outPath, probe, tools };
  } catch (err: unknown) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    await rm(temp, { force: true });
    if (signal?.aborted) throw abortError(signal);
    // A full disk shows up as ffmpeg's "No space left on device", or only as a truncated file that
    // ffprobe cannot read: with next to nothing free on that disk, say so rather than "ffprobe failed".
    if (isNoSpace(err, stderr)) throw await diskFullError(outPath, null, err);
    const space = await spaceAt(outPath);
    if (space && space.freeBytes < LOW_SPACE_BYTES) throw await diskFullError(outPath, null, err);
    throw err;
  } finally {
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function isPipeError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}

function verify(
  probe: VideoProbe,
  want: { width: number; height: number; frames: number; metadata: Record<string, string>; outPath: string },
): void {
  const problems: string[] = [];
  if (probe.codec !== 'h264') problems.push(`codec ${probe.codec}, expected h264`);
  if (probe.pixFmt !== 'yuv420p') problems.push(`pix_fmt ${probe.pixFmt}, expected yuv420p`);
  if (probe.width !== want.width || probe.height !== want.height) {
    problems.push(`size ${probe.width}x${probe.height}, expected ${want.width}x${want.height}`);
  }
  if (probe.frames !== want.frames) problems.push(`${probe.frames} frames, expected ${want.frames}`);
  for (const [key, value] of Object.entries(want.metadata)) {
    if (probe.tags[key] !== value) problems.push(`metadata '${key}' not stored as given`);
  }
  if (problems.length > 0) throw new FfmpegError(`encoded ${want.outPath} did not verify: ${problems.join('; ')}`, '');
}

/** Decodes one frame (0-based) of a video to rgb24 bytes, e.g. for thumbnails and tests. */
export async function extractFrameRgb(
  filePath: string,
  frameIndex: number,
  tools?: FfmpegTools,
): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const t = tools ?? (await findFfmpeg());
  const probe = await probeVideo(filePath, t);
  if (!(Number.isInteger(frameIndex) && frameIndex >= 0 && frameIndex < probe.frames)) {
    throw new RangeError(`extractFrameRgb: frame ${frameIndex} out of 0..${probe.frames - 1} in ${filePath}`);
  }
  const res = await runTool(t.ffmpegPath, [
    '-hide_banner', '-nostats', '-v', 'error', '-i', filePath,
    '-vf', `select=eq(n\\,${frameIndex})`, '-vsync', '0', '-frames:v', '1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ]);
  const expected = probe.width * probe.height * 3;
  if (res.code !== 0 || res.stdout.length !== expected) {
    throw new FfmpegError(`ffmpeg could not extract frame ${frameIndex} of ${filePath} (exit ${res.code}, ${res.stdout.length}/${expected} bytes)`, tailLines(res.stderr), res.code);
  }
  return { width: probe.width, height: probe.height, rgb: new Uint8Array(res.stdout.buffer, res.stdout.byteOffset, res.stdout.byteLength) };
}
