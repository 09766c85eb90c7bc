// The doctor's reference generation (like the official README's sanity check): the default bundle,
// a procedurally drawn start image, a fixed prompt and seed, 1 second at a few steps. It reports
// time per stage and per section, and whether the result matches the checksum recorded for this
// platform in models/reference-checksums.json, keyed `<platform>-<arch>-ort<version>`.
//
// What is hashed: the latent previews of every sampling step (uint8 RGB from the denoised latents,
// in event order). They depend on every network that runs before decoding (text and image
// encoders, VAE encoder, transformer, sampler) but not on ffmpeg/x264, whose versions differ
// between machines of the same platform and would change the MP4 bytes and decoded frames. The
// uint8 quantisation also absorbs last-bit float differences. The VAE decoder is covered only by
// the job succeeding with the expected frame count. See docs/doctor.md.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MODEL, REPO_MODELS_DIR, resolveModelDir } from '../engine/pipeline/model-location.js';
import { generateVideo } from '../engine/pipeline/pipeline.js';
import type { PipelineEvent, PipelineStage } from '../engine/pipeline/events.js';
import { resolveJobSpec } from '../engine/pipeline/job-spec.js';
import type { ExecutionProviderName } from '../engine/pipeline/sessions.js';
import { readManifest } from '../models/bundle/load-bundle.js';
import { MANIFEST_FILE } from '../models/bundle/manifest.js';
import { errorLine, fail, ok, warn, type Check } from './check.js';
import { ortVersion } from './ort-checks.js';

/** CPU threads of the reference generation (see the generateVideo call below). */
export const REFERENCE_THREADS = 1;

export const REFERENCE_FILE = path.join(REPO_MODELS_DIR, 'reference-checksums.json');
export const REFERENCE_JOB = Object.freeze({
  prompt: 'a red ball bounces across a wooden floor', seed: 31337, seconds: 1, steps: 4, teacache: false,
  imageWidth: 160, imageHeight: 120,
});

/** The start image: a diagonal gradient with a red disc, drawn in code so every machine has the same bytes. */
export function referenceImageRgb(width = REFERENCE_JOB.imageWidth, height = REFERENCE_JOB.imageHeight): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  const cx = width * 0.4; const cy = height * 0.55; const r = Math.min(width, height) * 0.22;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
    rgb[i] = inDisc ? 220 : Math.floor((x * 255) / (width - 1) * 0.5 + 60);
    rgb[i + 1] = inDisc ? 30 : Math.floor((y * 255) / (height - 1) * 0.6 + 40);
    rgb[i + 2] = inDisc ? 40 : 140 - Math.floor(((x + y) * 100) / (width + height));
  }
  return rgb;
}

export function referenceKey(platform: string = process.platform, arch: string = process.arch, ort: string = ortVersion()): string {
  return `${platform}-${arch}-ort${ort}`;
}

export interface ReferenceRecord {
  bundle: string;
  /** sha256 of the bundle's manifest.json: the reference is only comparable for the same build. */
  manifestSha256: string;
  previewSha256: string;
  frames: number;
  recordedAt: string;
}

export interface ReferenceFile { formatVersion: 1; job: typeof REFERENCE_JOB; entries: Record<string, ReferenceRecord> }

export async function readReferenceFile(file = REFERENCE_FILE): Promise<ReferenceFile | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as ReferenceFile;
    return parsed.formatVersion === 1 && parsed.entries ? parsed : null;
  } catch {
    return null;
  }
}

export interface ReferenceRun {
  bundle: string;
  manifestSha256: string;
  previewSha256: string;
  frames: number;
  provider: ExecutionProviderName;
  totalSeconds: number;
  stageSeconds: Partial<Record<PipelineStage, number>>;
  sectionSeconds: number[];
  secondsPerStep: number | null;
}

export async function runReferenceGeneration(opts: { model?: string; provider?: ExecutionProviderName; workDir?: string } = {}): Promise<ReferenceRun> {
  const model = opts.model ?? DEFAULT_MODEL;
  const dir = await resolveModelDir(model);
  const manifest = await readManifest(dir);
  const manifestSha256 = createHash('sha256').update(await readFile(path.join(dir, MANIFEST_FILE))).digest('hex');
  const work = opts.workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'fp-doctor-')));
  try {
    const imagePath = path.join(work, 'reference.png');
    const { imageWidth: width, imageHeight: height } = REFERENCE_JOB;
    await sharp(Buffer.from(referenceImageRgb()), { raw: { width, height, channels: 3 } }).png().toFile(imagePath);
    const spec = resolveJobSpec({ imagePath, prompt: REFERENCE_JOB.prompt, seed: REFERENCE_JOB.seed, seconds: REFERENCE_JOB.seconds, steps: REFERENCE_JOB.steps, teacache: REFERENCE_JOB.teacache }, manifest, dir);
    const hash = createHash('sha256');
    const stageSeconds: Partial<Record<PipelineStage, number>> = {};
    const sectionSeconds: number[] = [];
    let stage: { name: PipelineStage; at: number } | null = null;
    let sectionStart = 0;
    let frames = 0;
    let secondsPerStep: number | null = null;
    const started = performance.now();
    const closeStage = (now: number) => { if (stage) stageSeconds[stage.name] = (stageSeconds[stage.name] ?? 0) + (now - stage.at) / 1000; };
    const onEvent = (e: PipelineEvent) => {
      const now = performance.now();
      if (e.type === 'stage') { closeStage(now); stage = { name: e.stage, at: now }; }
      else if (e.type === 'section.started') sectionStart = now;
      else if (e.type === 'section.done') sectionSeconds.push((now - sectionStart) / 1000);
      else if (e.type === 'step') secondsPerStep = e.secondsPerStep;
      else if (e.type === 'preview') {
        const head = Buffer.alloc(16);
        head.writeUInt32LE(e.section, 0); head.writeUInt32LE(e.step, 4); head.writeUInt32LE(e.width, 8); head.writeUInt32LE(e.height, 12);
        hash.update(head).update(e.rgb);
      } else if (e.type === 'job.succeeded') { closeStage(now); stage = null; frames = e.frames; }
    };
    // One CPU thread: MLAS splits reductions by thread count, and the trained default bundle turns
    // that last-bit difference into another checksum (measured: 1 vs 2 threads differ), so a
    // fixed count makes the reference hold on machines with any number of cores.
    await generateVideo(spec, {
      onEvent, out: path.join(work, 'reference.mp4'), partials: false, verify: 'cached', threads: REFERENCE_THREADS,
      ...(opts.provider ? { executionProvider: opts.provider } : {}),
    });
    return {
      bundle: manifest.name, manifestSha256, previewSha256: hash.digest('hex'), frames,
      provider: opts.provider ?? 'cpu', totalSeconds: (performance.now() - started) / 1000, stageSeconds, sectionSeconds, secondsPerStep,
    };
  } finally {
    if (!opts.workDir) await rm(work, { recursive: true, force: true });
  }
}

/** Writes this run as the reference for this platform (atomically). */
export async function recordReference(run: ReferenceRun, file = REFERENCE_FILE, key = referenceKey()): Promise<void> {
  const current = (await readReferenceFile(file)) ?? { formatVersion: 1 as const, job: REFERENCE_JOB, entries: {} };
  current.job = REFERENCE_JOB;
  current.entries[key] = { bundle: run.bundle, manifestSha256: run.manifestSha256, previewSha256: run.previewSha256, frames: run.frames, recordedAt: new Date().toISOString() };
  const sorted = Object.fromEntries(Object.entries(current.entries).sort(([a], [b]) => a.localeCompare(b)));
  await writeFile(`${file}.partial`, `${JSON.stringify({ ...current, entries: sorted }, null, 2)}\n`);
  await rename(`${file}.partial`, file);
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

/** Judges a run against the recorded reference (pure, for tests). */
export function judgeReference(run: ReferenceRun, ref: ReferenceFile | null, key: string): Check {
  const timing = `${run.bundle} on ${run.provider}: ${fmt(run.totalSeconds)} total, sections ${run.sectionSeconds.map(fmt).join(' + ')}${run.secondsPerStep !== null ? `, ${run.secondsPerStep.toFixed(3)} s/step` : ''}`;
  const details = { ...run, key } as Record<string, unknown>;
  const entry = ref?.entries[key];
  if (!entry) return warn('reference.generation', `${timing}; no reference checksum recorded for ${key}`, 'record one on a known-good install with `framepack doctor --record-reference` (writes models/reference-checksums.json)', details);
  details.reference = entry;
  if (entry.bundle !== run.bundle || entry.manifestSha256 !== run.manifestSha256) {
    return warn('reference.generation', `${timing}; the reference for ${key} was recorded for another build of ${entry.bundle}`, 'rebuild the default bundle (`npm run make-default-bundle`) or re-record with `framepack doctor --record-reference`', details);
  }
  if (entry.previewSha256 !== run.previewSha256 || entry.frames !== run.frames) {
    return warn('reference.generation', `${timing}; result differs from the reference for ${key} (${run.previewSha256.slice(0, 12)}… vs ${entry.previewSha256.slice(0, 12)}…)`, 'numerics differ from the recorded machine (another CPU instruction set or thread count can do this); if outputs look wrong, run `framepack models verify --full` and `npm ci`', details);
  }
  return ok('reference.generation', `${timing}; matches the reference for ${key}`, details);
}

export async function checkReferenceGeneration(opts: { model?: string; provider?: ExecutionProviderName; file?: string; record?: boolean } = {}): Promise<Check> {
  let run: ReferenceRun;
  try {
    run = await runReferenceGeneration(opts);
  } catch (err: unknown) {
    return fail('reference.generation', `reference generation failed: ${errorLine(err)}`, 'fix the failing checks above first (bundle, ffmpeg, onnxruntime); with FRAMEPACK_DEBUG=1 `framepack generate` prints the stack');
  }
  const key = referenceKey();
  if (opts.record) {
    await recordReference(run, opts.file ?? REFERENCE_FILE, key);
    return ok('reference.generation', `recorded ${run.previewSha256.slice(0, 12)}… as the reference for ${key} (${fmt(run.totalSeconds)})`, { ...run, key });
  }
  return judgeReference(run, await readReferenceFile(opts.file ?? REFERENCE_FILE), key);
}
