// One image and a prompt in, an MP4 out (FRAMEPACK.md §8–§12): load the bundle and its sessions,
// bucket and crop the image, encode text/image/start frame, run the section loop with per-section
// partial videos, then write the final MP4 (atomically, ffprobe-checked, parameters in its
// metadata) and its JSON sidecar. Progress goes to `onEvent`; the job ends with exactly one of
// job.succeeded / job.failed. With `onCheckpoint` the loop state is saved after every section, and
// `resumeFrom` continues from such a checkpoint (conditioning is recomputed: it is deterministic).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadBundle, type LoadedBundle, type VerifyMode } from '../../models/bundle/load-bundle.js';
import { readMagCacheCalibration } from '../../models/bundle/magcache-file.js';
import { missingCalibrationMessage, type StepCache } from '../step-cache.js';
import { runImageProjection } from '../../models/transformer/run-transformer.js';
import { loadInputImage, resizeAndCrop } from '../../media/image-input.js';
import { removeStaleTemps } from '../../media/atomic-file.js';
import { createJobOutputs, JobOutputs, type VideoEncoding } from '../../media/output-files.js';
import { removeFrameChunks } from '../../media/frame-spool.js';
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
import { shouldOverlap, type OverlapMode } from './overlap-schedule.js';
import { runSections } from './section-loop.js';
import { extensionHistory, framesToPixelVideo, openExtensionSource } from './extension-source.js';
import { latentsPathFor, writeLatentHistory } from './latent-history-file.js';
import { framesToTensor } from './latent-frames.js';
import { directingFor } from './job-directing.js';
import { conditioningExtra, directingEncodings, loadDirectingImages } from './directing-inputs.js';
import { isPlainDirecting } from './section-conditioning.js';
import { buildSectionInputs } from './section-inputs.js';
import { openSessions, type PipelineSessions } from './sessions.js';
import { loraTransformerFiles } from '../lora-sessions.js';
import { conditioningKey, type WarmInputs } from './warm-inputs.js';
import type { ProviderRequest } from '../../diagnostics/provider-selection.js';

export interface GenerateOptions {
  /** An already loaded bundle (else spec.model is resolved and loaded). */
  bundle?: LoadedBundle;
  /** Already open sessions for that bundle (kept open afterwards; their LoRAs are the caller's, as the engine's are); else opened and released here (with spec.loras). */
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
  /** Where section checkpoints and final-frame chunks are written (checkpoint-files.ts, pixel-store.ts); default the job's partials folder. */
  checkpointDir?: string;
  /** Called after each section (after section.done) with its checkpoint; awaited before the next section. */
  onCheckpoint?: (c: PipelineCheckpoint) => Promise<void>;
  /** Continue after this checkpoint's last finished section instead of starting fresh. */
  resumeFrom?: PipelineCheckpoint;
  /** Load and release the encoders around conditioning (the encoders-released memory plan; conditioning.ts). */
  conditioningResidency?: ConditioningResidency;
  /** Sample the next section while this one is decoded and written ('auto': overlap-schedule.ts shouldOverlap; default 'auto'). */
  overlapDecode?: OverlapMode;
  /** Replaces the spec's step cache per section (the MagCache calibrator: calibrate-command.ts). */
  stepCache?: (section: number) => StepCache;
  /** A warm daemon's kept inputs: decoded images and conditioning reused across jobs (warm-inputs.ts). */
  warm?: WarmInputs;
  /** Where an extension's source is as the client named it (the daemon reads a copy), for the sidecar; default spec.extendVideo. */
  sources?: { extendVideo?: string; extendJob?: string };
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
  // Final-frame chunks nothing can resume from (no checkpoint owner): removed however the job ends.
  let unownedSpool: string | null = null;
  try {
    // The image first: a bad file fails before any model is loaded. An extension's image is its source's last frame.
    const extending = spec.extendVideo !== null || spec.extendLatents !== null;
    stage('preparing-image', `reading ${extending ? spec.extendVideo ?? spec.extendLatents : spec.imagePath}`);
    const input = extending ? null : opts.warm ? await opts.warm.image(spec.imagePath) : { key: '', image: await loadInputImage(spec.imagePath) };
    const image = input?.image ?? null;
    // Timestamped prompts, keyframes, end image (issue 17): planned before any model loads.
    const directing = directingFor(spec);

    stage('loading-models', `loading model ${spec.model}`);
    const bundle = opts.bundle ?? (await loadBundle(await resolveModelDir(spec.model), { verify: opts.verify ?? 'cached' }));
    const manifest = bundle.manifest;
    // Read per job, so a calibration written while a daemon runs is used by its next job.
    const magcache = spec.cache === 'mag' ? await readMagCacheCalibration(bundle.dir) : null;
    if (spec.cache === 'mag' && !magcache && !opts.stepCache) throw new Error(missingCalibrationMessage(spec.model));
    const sessions = opts.sessions ?? (ownSessions = await openSessions(bundle, {
      ...(opts.executionProvider ? { executionProvider: opts.executionProvider } : {}),
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      teacache: spec.cache !== 'off' || opts.stepCache !== undefined,
      onWarning: (m) => stage('loading-models', m),
      ...(spec.loras?.length ? { transformerFiles: await loraTransformerFiles(bundle, spec.loras, (m) => stage('loading-models', m)) } : {}),
    }));

    const source = extending ? await openExtensionSource(spec, manifest) : null;
    const layout = source ? layoutJob(spec, manifest, source.input, undefined, source.layout) : layoutJob(spec, manifest, { width: image!.width, height: image!.height });
    const bucketed = source ? source.image
      : opts.warm && input ? await opts.warm.bucketed(input.key, layout.resize, () => resizeAndCrop(image!, layout.resize)) : await resizeAndCrop(image!, layout.resize);
    const directingImages = await loadDirectingImages(spec, layout.bucket);
    const { plan } = layout;
    const bucket = { width: layout.bucket.widthPx, height: layout.bucket.heightPx };
    emit({ type: 'job.planned', bucket, sections: plan.sectionCount, steps: spec.steps, totalFrames: plan.totalFrames, seconds: plan.durationSeconds, fps: plan.fps });

    const outputs = await jobOutputs(opts.out, spec.seed);
    // Off the way to the first step (an fsync'ed PNG); awaited before the final video.
    // A directed job's end and keyframe images too, and where an extension's source is: the
    // sidecar names them so `generate --from` re-runs the job (docs/extension.md).
    const inputImageWritten = Promise.all([outputs.writeInputImage(bucketed), outputs.writeDirectingImages(directingImages.end, directingImages.keyframes)]);
    const extendSource = opts.sources?.extendVideo ?? spec.extendVideo;
    if (extendSource) outputs.recordSources({ extendSource: path.resolve(extendSource) });
    if (opts.sources?.extendJob) outputs.recordSources({ extendJob: opts.sources.extendJob });
    inputImageWritten.catch(() => {});
    const parameters = recordedParameters(spec, {
      bundle: manifest.name, bucket, sections: plan.sectionCount, totalFrames: plan.totalFrames, fps: plan.fps,
      startLatent: 'posterior-mean',
      ...(magcache ? { magcacheCalibration: { steps: magcache.steps, sampler: magcache.sampler, calibratedAt: magcache.calibratedAt } } : {}),
      // Tiled and whole VAE passes differ slightly (docs/graphs/vae.md): record which one made these pixels.
      vaeTiling: { decode: layout.vaeTiling.decode.spatial ? 'spatial' : 'whole', encode: layout.vaeTiling.encode.spatial ? 'spatial' : 'whole' },
      bucketClass: { resolution: layout.bucketClass.resolution, native: layout.bucketClass.native, offDistribution: layout.bucketClass.offDistribution },
      ...('extension' in plan ? { extension: plan.extension } : {}),
    });
    const encoding: VideoEncoding = { width: bucket.width, height: bucket.height, fps: plan.fps, crf: spec.crf };

    const vaeTiling = describeVaeTiling(layout.vaeTiling);
    const encode = async () => {
      const conditioning = await computeConditioning(sessions, manifest, bucketed, {
        prompt: directing.prompts[0]!, negativePrompt: spec.negativePrompt, extra: conditioningExtra(directing, directingImages), cfg: spec.cfg, encodeTiling: layout.vaeTiling.encode.spatial,
        ...(opts.conditioningResidency ? { residency: opts.conditioningResidency } : {}),
        // --extend-job: the lead latent is stored; the last frame is not encoded again.
        ...(source?.storedLatents ? { startLatent: framesToTensor(source.storedLatents.slice(-1), layout.latent) } : {}),
        onStage: (s) => {
          if (s === 'text') stage('text-encoding', 'encoding the prompt');
          else if (s === 'vae') stage('vae-encoding', source?.storedLatents ? 'start latent: the job\'s stored last latent (nothing re-encoded)' : `encoding the start frame; ${vaeTiling}`);
          else stage('image-encoding', 'encoding the image');
        },
      });
      return { conditioning, imageTokens: await runImageProjection(sessions.transformer, conditioning.imageEmbeddings) };
    };
    // The encoders-released plan loads encoders inside conditioning: it always computes. An
    // extension's start frame comes from its source, and a directed job's extra prompts and images
    // (directing-inputs.ts), neither of which the key names: those compute too.
    const { conditioning, imageTokens } = opts.warm && input?.key && !opts.conditioningResidency && !source && isPlainDirecting(directing)
      ? await opts.warm.conditioning(conditioningKey({ model: bundle.dir, imageKey: input.key, bucket, encodeTiling: layout.vaeTiling.encode.spatial, prompt: spec.prompt, negativePrompt: spec.negativePrompt, cfg: spec.cfg, loras: spec.loras ?? [] }), encode)
      : await encode();
    const directed = isPlainDirecting(directing) ? undefined
      : await buildSectionInputs(directing, directingEncodings(conditioning, directingImages), (e) => runImageProjection(sessions.transformer, e));

    const from = opts.resumeFrom;
    if (source && !from && source.encodeFrames !== null) stage('vae-encoding', `encoding the video's last ${source.encodeFrames} frames → ${source.layout.contextLatents} latents`);
    // A resumed extension has its history and pixels in the checkpoint.
    const extension = source && !from ? { history: await extensionHistory(source, sessions, manifest, layout.vaeTiling.encode.spatial), pixels: framesToPixelVideo(source.frames) } : null;
    const checkpointDir = opts.checkpointDir ?? outputs.paths.partialsDir;
    if (!opts.onCheckpoint) unownedSpool = checkpointDir;
    const onCheckpoint = opts.onCheckpoint;
    const result = await runSections({
      sessions, manifest, spec, plan, geometry: layout.latent, conditioning, imageTokens, decodeTiling: layout.vaeTiling.decode.spatial,
      spoolDir: checkpointDir, overlapDecode: shouldOverlap(opts.overlapDecode ?? 'auto', sessions.executionProvider, undefined, opts.threads),
      magcache, ...(opts.stepCache ? { stepCache: opts.stepCache } : {}),
      noise: from ? SeededNoise.fromState(from.noise) : SeededNoise.fromSeed(spec.seed), onEvent: emit,
      ...(directed ? { directed } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(from ? { resume: await readCheckpoint(from) } : {}),
      ...(extension ? { extension } : {}),
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
        const partial = await outputs.writePartial(k, pixels.frames(), encoding, parameters, opts.signal, () => crashPoint('partial', k));
        return partial.path;
      },
    });

    await inputImageWritten;
    stage('writing-video', `final video, ${result.pixels.totalFrames} frames`);
    const { video, sidecarPath } = await outputs.writeFinal(result.pixels.frames(), encoding, parameters, opts.signal, () => crashPoint('encode'));
    // The final latent history beside the video: `--extend-job` continues from it (latent-history-file.ts).
    // The video is the job's product: a latents file that cannot be written (disk full) is said, not fatal.
    await writeLatentHistory(latentsPathFor(video.path), result.latents, {
      channels: layout.latent.channels, height: layout.latent.height, width: layout.latent.width,
      videoFrames: video.probe.frames, fps: plan.fps, bucket, model: manifest.name,
    }).catch((err: unknown) => stage('writing-video', `could not keep the latent history beside the video (--extend-job will not find it): ${errorLine(err)}`));
    emit({
      type: 'job.succeeded', output: video.path, sidecar: sidecarPath, frames: video.probe.frames,
      seconds: video.probe.frames / plan.fps, wallSeconds: (performance.now() - started) / 1000,
    });
    return video.path;
  } catch (err: unknown) {
    emit({ type: 'job.failed', error: errorLine(err) });
    throw err;
  } finally {
    // With a checkpoint owner its record still names the chunks until it removes them
    // (removeCheckpointsBefore with Infinity) or resumes from them.
    if (unownedSpool) await removeFrameChunks(unownedSpool).catch(() => {});
    await ownSessions?.release();
  }
}
