// Where a job's results go and how they are written (FRAMEPACK.md §12, §15 note 8):
//   <outputs>/<stem>.mp4          final video (atomic), parameters embedded as MP4 metadata
//   <outputs>/<stem>.json         sidecar: every generation parameter + what was written (atomic)
//   <outputs>/<stem>.png          the bucketed, cropped start image
//   <outputs>/<stem>.end.png, <stem>.keyframe-<i>.png   a directed job's end and keyframe images,
//                                 bucketed like the start image (`--from` re-runs from them)
//   <outputs>/<stem>/partial-<k>.mp4   the whole video so far after section k (1-based)
// <stem> is `yymmdd_HHMMSS_mmm_seed<seed>` in local time, like the official `generate_timestamp()`
// (which ends in a random 0–9999 where we put the seed); a clash gets `-2`, `-3`, ….
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { encodeMp4, type EncodeMp4Result, type FfmpegTools } from './ffmpeg.js';
import { savePng } from './image-input.js';
import type { RgbImage } from './pixels.js';

/** Version tag of the sidecar and of the JSON embedded in the MP4 comment. */
export const OUTPUT_SCHEMA = 'framepack.output/1';
const MAX_STEM_ATTEMPTS = 100;

/** JSON-serialisable generation parameters (prompt, seed, seconds, steps, bucket, model, …). */
export type GenerationParameters = Readonly<Record<string, unknown>>;

/** How the frames are encoded; shared by partial and final videos. */
export interface VideoEncoding {
  width: number;
  height: number;
  /** 30 in both official demos. */
  fps: number;
  /** libx264 CRF 0–51; the official default is 16. */
  crf: number;
  preset?: string;
  tools?: FfmpegTools;
}

export interface JobOutputPaths {
  outputsDir: string;
  stem: string;
  videoPath: string;
  sidecarPath: string;
  inputImagePath: string;
  partialsDir: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `yymmdd_HHMMSS_mmm_seed<seed>` in local time. */
export function jobStem(startedAt: Date, seed: number): string {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`jobStem: seed must be an integer, got ${seed}`);
  const d = startedAt;
  const date = `${pad(d.getFullYear() % 100)}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `${date}_${time}_${pad(d.getMilliseconds(), 3)}_seed${seed}`;
}

/** Writes one job's files. Create with {@link createJobOutputs}. */
export class JobOutputs {
  private readonly partials: string[] = [];
  /** Sidecar fields beside `inputImage` that name more kept inputs (writeDirectingImages, recordSources). */
  private readonly kept: Record<string, unknown> = {};

  constructor(readonly paths: JobOutputPaths) {}

  /** `<outputs>/<stem>/partial-<k>.mp4`, k = number of finished sections (1-based). */
  partialPath(section: number): string {
    if (!(Number.isInteger(section) && section >= 1)) throw new RangeError(`partialPath: section must be an integer >= 1, got ${section}`);
    return path.join(this.paths.partialsDir, `partial-${section}.mp4`);
  }

  /** Saves the bucketed start image as `<stem>.png`. */
  async writeInputImage(image: RgbImage): Promise<string> {
    await savePng(image, this.paths.inputImagePath);
    return this.paths.inputImagePath;
  }

  /**
   * Saves a directed job's end and keyframe images, already fitted to the bucket, as
   * `<stem>.end.png` and `<stem>.keyframe-<i>.png` (the job folder's copies are scratch), and names
   * them in the sidecar (`endImage`, `keyframeImages`) so `--from` finds them.
   */
  async writeDirectingImages(end: RgbImage | null, keyframes: readonly RgbImage[]): Promise<void> {
    const file = (suffix: string) => path.join(this.paths.outputsDir, `${this.paths.stem}.${suffix}.png`);
    if (end) {
      await savePng(end, file('end'));
      this.kept.endImage = path.basename(file('end'));
    }
    const names: string[] = [];
    for (const [i, k] of keyframes.entries()) {
      await savePng(k, file(`keyframe-${i}`));
      names.push(path.basename(file(`keyframe-${i}`)));
    }
    if (names.length) this.kept.keyframeImages = names;
  }

  /** Extra sidecar fields naming where an extension's source is (absolute path, job id). */
  recordSources(sources: Readonly<Record<string, unknown>>): void {
    Object.assign(this.kept, sources);
  }

  private metadata(parameters: GenerationParameters, extra: Record<string, unknown>): Record<string, string> {
    return {
      title: `FramePack ${this.paths.stem}`,
      comment: JSON.stringify({ schema: OUTPUT_SCHEMA, ...extra, parameters }),
    };
  }

  private encode(
    outPath: string,
    frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    encoding: VideoEncoding,
    metadata: Record<string, string>,
    signal?: AbortSignal,
    beforeCommit?: () => void,
  ): Promise<EncodeMp4Result> {
    const options: Parameters<typeof encodeMp4>[0] = {
      frames,
      width: encoding.width,
      height: encoding.height,
      fps: encoding.fps,
      crf: encoding.crf,
      outPath,
      metadata,
    };
    if (encoding.preset !== undefined) options.preset = encoding.preset;
    if (encoding.tools !== undefined) options.tools = encoding.tools;
    if (signal !== undefined) options.signal = signal;
    if (beforeCommit !== undefined) options.beforeCommit = beforeCommit;
    return encodeMp4(options);
  }

  /** Encodes the whole video so far after `section` finished sections (the official per-section MP4). */
  async writePartial(
    section: number,
    frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    encoding: VideoEncoding,
    parameters: GenerationParameters,
    signal?: AbortSignal,
    beforeCommit?: () => void,
  ): Promise<EncodeMp4Result> {
    const outPath = this.partialPath(section);
    const result = await this.encode(outPath, frames, encoding, this.metadata(parameters, { partial: true, section }), signal, beforeCommit);
    if (!this.partials.includes(outPath)) this.partials.push(outPath);
    return result;
  }

  /** Encodes the final `<stem>.mp4`, then writes the sidecar describing it. */
  async writeFinal(
    frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    encoding: VideoEncoding,
    parameters: GenerationParameters,
    signal?: AbortSignal,
    beforeCommit?: () => void,
  ): Promise<{ video: EncodeMp4Result; sidecarPath: string }> {
    const video = await this.encode(this.paths.videoPath, frames, encoding, this.metadata(parameters, {}), signal, beforeCommit);
    const { probe, tools } = video;
    await this.writeSidecar({
      schema: OUTPUT_SCHEMA,
      createdAt: new Date().toISOString(),
      video: path.basename(this.paths.videoPath),
      inputImage: path.basename(this.paths.inputImagePath),
      ...this.kept,
      partials: this.partials.map((p) => path.relative(this.paths.outputsDir, p)),
      parameters,
      encoded: {
        codec: probe.codec,
        pixFmt: probe.pixFmt,
        width: probe.width,
        height: probe.height,
        frames: probe.frames,
        fps: probe.fps,
        durationS: probe.durationS,
        sizeBytes: probe.sizeBytes,
        crf: encoding.crf,
        preset: encoding.preset ?? 'medium',
        ffmpeg: { source: tools.source, version: tools.ffmpegVersion },
      },
    });
    return { video, sidecarPath: this.paths.sidecarPath };
  }

  /** Writes `<stem>.json` atomically (also usable before the video exists, e.g. with a status). */
  async writeSidecar(document: Readonly<Record<string, unknown>>): Promise<string> {
    await writeFileAtomic(this.paths.sidecarPath, `${JSON.stringify(document, null, 2)}\n`);
    return this.paths.sidecarPath;
  }

  /** Deletes the per-section videos and their folder (e.g. once the final video is written). */
  async removePartials(): Promise<void> {
    await rm(this.paths.partialsDir, { recursive: true, force: true });
    this.partials.length = 0;
  }

  /** The partial videos currently on disk, in section order. */
  async listPartials(): Promise<string[]> {
    const names = await readdir(this.paths.partialsDir).catch(() => [] as string[]);
    return names
      .map((n) => /^partial-(\d+)\.mp4$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => path.join(this.paths.partialsDir, m[0]));
  }
}

/**
 * Claims a unique stem in `outputsDir` (creating the folder) by creating the job's partials
 * folder exclusively, so two jobs started in the same millisecond with the same seed never share files.
 */
export async function createJobOutputs(outputsDir: string, job: { seed: number; startedAt?: Date }): Promise<JobOutputs> {
  const dir = path.resolve(outputsDir);
  await mkdir(dir, { recursive: true });
  const base = jobStem(job.startedAt ?? new Date(), job.seed);
  for (let attempt = 1; attempt <= MAX_STEM_ATTEMPTS; attempt++) {
    const stem = attempt === 1 ? base : `${base}-${attempt}`;
    const partialsDir = path.join(dir, stem);
    try {
      await mkdir(partialsDir);
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    return new JobOutputs({
      outputsDir: dir,
      stem,
      videoPath: path.join(dir, `${stem}.mp4`),
      sidecarPath: path.join(dir, `${stem}.json`),
      inputImagePath: path.join(dir, `${stem}.png`),
      partialsDir,
    });
  }
  throw new Error(`createJobOutputs: no free name for ${base} in ${dir} after ${MAX_STEM_ATTEMPTS} tries`);
}
