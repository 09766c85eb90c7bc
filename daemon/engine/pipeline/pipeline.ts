// One image and a prompt in, an MP4 out (FRAMEPACK.md §8–§12): load the bundle and its sessions,
// bucket and crop the image, encode text/image/start frame, run the section loop with per-section
// partial videos, then write the final MP4 (atomically, ffprobe-checked, parameters in its
// metadata) and its JSON sidecar. Progress goes to `onEvent`; the job ends with exactly one of
// job.succeeded / job.failed. With `onCheckpoint` the loop state is saved after every section, and
// `resumeFrom` continues from such a checkpoint (conditioning is recomputed: it is deterministic).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadBundle, type LoadedBundle, type VerifyMode } from '../../models/bundle/load-bundle.js';
import { runImageProjection } from '../../models/transformer/run-transformer.js';
import { loadInputImage, resizeAndCrop } from '../../media/image-input.js';
import { removeStaleTemps } from '../../media/atomic-file.js';
import { createJobOutputs, JobOutputs, type VideoEncoding } from '../../media/output-files.js';
import { videoToRgbFrames } from '../../media/pixels.js';
import { SeededNoise } from '../seeded-noise.js';
import { readCheckpoint, removeCheckpointsBefore, writeCheckpoint, type PipelineCheckpoint } from './checkpoint-files.js';
import { computeConditioning, type ConditioningResidency } from './conditioning.js';
import { crashPoint } from './crash-hook.js';
import type { PipelineEvent, PipelineStage } from './events.js';
import { layoutJob } from './job-plan.js';
import { withEta } from './pipeline-eta.js';
import { describeVaeTiling } from './vae-tiling-plan.js';
import { recordedParameters, type JobSpec } from './job-spec.js';
import { resolveModelDir } from './model-location.js';
import { runSections } from './section-loop.js';
import { directingFor } from './job-directing.js';
import { conditioningExtra, directingEncodings, loadDirectingImages } from './directing-inputs.js';
import { isPlainDirecting } from './section-conditioning.js';
import { buildSectionInputs } from './section-inputs.js';
import { openSessions, type PipelineSessions } from './sessions.js';
import type { ProviderRequest } from '../../diagnostics/provider-selection.js';

export interface GenerateOptions {
  /** An already loaded bundle (else spec.model is resolved and loaded). */
  bundle?: LoadedBundle;
  /** Already open sessions for that bundle (kept open afterwards); else opened and released here. */
  sessions?: PipelineSessions;
  onEvent?: (e: PipelineEvent) => void;
  signal?: AbortSignal;
  /** A `.mp4` path for the final video, or a folder for `<stem>.mp4` (default ./outputs). */
  out?: string;
  /** Write the whole video after every section to `<stem>/partial-<k>.mp4` (default true). */
  partials?: boolean;
  /** 'cpu' (default), 'cuda', 'webgpu' or 'auto'; a named one that is not usable fails the job (sessions.ts). */
  executionProvider?: ProviderRequest;
  /** CPU intra-op threads for sessions this call opens (default: every core). */
  threads?: number;
  verify?: VerifyMode;
  /** Where section checkpoints are written (checkpoint-files.ts); default the job's partials folder. */
  checkpointDir?: string;
  /** Called after each section (after section.done) with its checkpoint; awaited before the next section. */
  onCheckpoint?: (c: PipelineCheckpoint) => Promise<void>;
  /** Continue after this checkpoint's last finished section instead of starting fresh. */
  resumeFrom?: PipelineCheckpoint;
  /** Load and release the encoders around conditioning (the encoders-released memory plan; conditioning.ts). */
  conditioningResidency?: ConditioningResidency;
}

export const DEFAULT_OUTPUTS_DIR = 'outputs';

/** Job files: a named `.mp4` keeps its folder and stem; anything else is an outputs folder. */
async function jobOutputs(out: string | undefined, seed: number): Promise<JobOutputs> {
  const target = out ?? DEFAULT_OUTPUTS_DIR;
  if (!target.toLowerCase().endsWith('.mp4')) return createJobOutputs(target, { seed });
  const videoPath = path.resolve(target);
  const dir = path.dirname(videoPath);
  const stem = path.basename(videoPath, path.extname(videoPath));
  const partialsDir = path.join(dir, stem);
  await mkdir(partialsDir, { recursive: true });
  // A run killed mid-encode (or a resumed one) left hidden temp files of this output: remove them.
  await removeStaleTemps(dir, (name) => name === path.basename(videoPath));
  await removeStaleTemps(partialsDir, (name) => /^partial-\d+\.mp4$/.test(name));
  return new JobOutputs({
    outputsDir: dir, stem, videoPath, partialsDir,
    sidecarPath: path.join(dir, `${stem}.json`),
    inputImagePath: path.join(dir, `${stem}.png`),
  });
}

const errorLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

export async function generateVideo(spec: JobSpec, opts: GenerateOptions = {}): Promise<string> {
  const emit = opts.onEvent ? withEta(opts.onEvent, opts.resumeFrom?.sectionsDone ?? 0) : () => {};
  const stage = (s: PipelineStage, message: string) => emit({ type: 'stage', stage: s, message });
  const started = performance.now();
  let ownSessions: PipelineSessions | undefined;
  try {
    // The image first: a bad file fails before any model is loaded.
    stage('preparing-image', `reading ${spec.imagePath}`);
    const image = await loadInputImage(spec.imagePath);
    // Timestamped prompts, keyframes, end image (issue 17): planned before any model loads.
    const directing = directingFor(spec);

    stage('loading-models', `loading model ${spec.model}`);
    const bundle = opts.bundle ?? (await loadBundle(await resolveModelDir(spec.model), { verify: opts.verify ?? 'cached' }));
    const manifest = bundle.manifest;
    const sessions = opts.sessions ?? (ownSessions = await openSessions(bundle, {
      ...(opts.executionProvider ? { executionProvider: opts.executionProvider } : {}),
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      teacache: spec.teacache,
      onWarning: (m) => stage('loading-models', m),
    }));

    const layout = layoutJob(spec, manifest, { width: image.width, height: image.height });
    const bucketed = await resizeAndCrop(image, layout.resize);
    const directingImages = await loadDirectingImages(spec, layout.bucket);
    const { plan } = layout;
    const bucket = { width: layout.bucket.widthPx, height: layout.bucket.heightPx };
    emit({ type: 'job.planned', bucket, sections: plan.sectionCount, steps: spec.steps, totalFrames: plan.totalFrames, seconds: plan.durationSeconds, fps: plan.fps });

    const outputs = await jobOutputs(opts.out, spec.seed);
    await outputs.writeInputImage(bucketed);
    const parameters = recordedParameters(spec, {
      bundle: manifest.name, bucket, sections: plan.sectionCount, totalFrames: plan.totalFrames, fps: plan.fps,
      startLatent: 'posterior-mean',
      // Tiled and whole VAE passes differ slightly (docs/graphs/vae.md): record which one made these pixels.
      vaeTiling: { decode: layout.vaeTiling.decode.spatial ? 'spatial' : 'whole', encode: layout.vaeTiling.encode.spatial ? 'spatial' : 'whole' },
    });
    const encoding: VideoEncoding = { width: bucket.width, height: bucket.height, fps: plan.fps, crf: spec.crf };

    const vaeTiling = describeVaeTiling(layout.vaeTiling);
    const conditioning = await computeConditioning(sessions, manifest, bucketed, {
      prompt: directing.prompts[0]!, negativePrompt: spec.negativePrompt, extra: conditioningExtra(directing, directingImages), cfg: spec.cfg, encodeTiling: layout.vaeTiling.encode.spatial,
      ...(opts.conditioningResidency ? { residency: opts.conditioningResidency } : {}),
      onStage: (s) => {
        if (s === 'text') stage('text-encoding', 'encoding the prompt');
        else if (s === 'vae') stage('vae-encoding', `encoding the start frame; ${vaeTiling}`);
        else stage('image-encoding', 'encoding the image');
      },
    });
    const imageTokens = await runImageProjection(sessions.transformer, conditioning.imageEmbeddings);
    const directed = isPlainDirecting(directing) ? undefined
      : await buildSectionInputs(directing, directingEncodings(conditioning, directingImages), (e) => runImageProjection(sessions.transformer, e));

    const from = opts.resumeFrom;
    const checkpointDir = opts.checkpointDir ?? outputs.paths.partialsDir;
    const onCheckpoint = opts.onCheckpoint;
    const result = await runSections({
      sessions, manifest, spec, plan, geometry: layout.latent, conditioning, imageTokens, decodeTiling: layout.vaeTiling.decode.spatial,
      noise: from ? SeededNoise.fromState(from.noise) : SeededNoise.fromSeed(spec.seed), onEvent: emit,
      ...(directed ? { directed } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(from ? { resume: await readCheckpoint(from) } : {}),
      ...(onCheckpoint ? {
        onCheckpoint: async (c) => {
          await onCheckpoint(await writeCheckpoint(checkpointDir, c));
          // The new record is persisted: the files of earlier sections are no longer needed.
          await removeCheckpointsBefore(checkpointDir, c.sectionsDone, c.sectionsDone);
        },
      } : {}),
      onSectionPixels: async (k, pixels) => {
        if (opts.partials === false) return null;
        stage('writing-video', 'partial video');
        const partial = await outputs.writePartial(k, videoToRgbFrames(pixels), encoding, parameters, opts.signal, () => crashPoint('partial', k));
        return partial.path;
      },
    });

    stage('writing-video', `final video, ${result.pixels.frames} frames`);
    const { video, sidecarPath } = await outputs.writeFinal(videoToRgbFrames(result.pixels), encoding, parameters, opts.signal, () => crashPoint('encode'));
    emit({
      type: 'job.succeeded', output: video.path, sidecar: sidecarPath, frames: video.probe.frames,
      seconds: video.probe.frames / plan.fps, wallSeconds: (performance.now() - started) / 1000,
    });
    return video.path;
  } catch (err: unknown) {
    emit({ type: 'job.failed', error: errorLine(err) });
    throw err;
  } finally {
    await ownSessions?.release();
  }
}
