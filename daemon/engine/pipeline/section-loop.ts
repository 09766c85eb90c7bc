// The loop over planned sections (FRAMEPACK.md §8.3 inverted, §9 F1; vanilla is F1's loop with
// recent-frames-only context): for each section, gather the clean/2×/4× context from the latent
// history as the plan says (zeros where the history is short), draw the section's noise from the job's one generator, sample with the
// transformer as the velocity model (the job's step cache, TeaCache or MagCache, fresh per section), update the history, decode what
// the plan says with the temporal tiling (and the spatial tiling when the job plan chose it) and soft-append it onto the pixel store
// (pixel-store.ts: only the frames a later section can change stay in memory, final ones go to
// chunk files). After each section the loop's whole state (history latents, pixel store, noise
// generator) goes to `onCheckpoint`, and `resume` continues from such a state: the rest of the job
// is then exactly what an uninterrupted run would have computed. With `overlapDecode` the next
// section samples while this one is decoded and written (overlap-schedule.ts); same results.
import type { Manifest } from '../../models/bundle/manifest.js';
import { ropeFor, runBlocks, runContext, runPost, runPre, type F32 } from '../../models/transformer/run-transformer.js';
import { tiledVaeDecode, type SpatialTiling } from '../../models/vae/spatial-tiling.js';
import type { Tensor5d } from '../../models/vae/temporal-tiling.js';
import { frameThumbnail } from '../frame-thumbnail.js';
import type { PixelVideo } from '../../media/pixels.js';
import { tensorF32 } from '../../onnx/run.js';
import { latentPreview, previewRgbMap } from '../latent-preview.js';
import { makeDenoiser, type VelocityModel } from '../samplers/guidance.js';
import { throwIfAborted } from '../samplers/sampler.js';
import type { NoiseState, SeededNoise } from '../seeded-noise.js';
import type { JobPlan, SectionPlan } from '../section-plan.js';
import { makeStepCache, type MagCacheRatios, type StepCache } from '../step-cache.js';
import type { JobConditioning } from './conditioning.js';
import { crashPoint } from './crash-hook.js';
import type { PipelineEvent } from './events.js';
import type { JobSpec } from './job-spec.js';
import { contextFrames, framesToTensor, scaled, tensorToFrames, type LatentGeometry } from './latent-frames.js';
import { SectionOverlap } from './overlap-schedule.js';
import { PixelStore, type PixelStoreState } from './pixel-store.js';
import { makeSampler, samplerSchedule, x0FromFor } from './sampling.js';
import type { PipelineSessions } from './sessions.js';
import { runStepChain } from './step-chain.js';
import { directedContext, type SectionInputs } from './section-inputs.js';

export interface SectionLoopInput {
  sessions: PipelineSessions;
  manifest: Manifest;
  spec: JobSpec;
  plan: JobPlan;
  geometry: LatentGeometry;
  conditioning: JobConditioning;
  /** From runImageProjection, once per job. */
  imageTokens: F32;
  noise: SeededNoise;
  signal?: AbortSignal;
  onEvent: (e: PipelineEvent) => void;
  /** Called with the video so far after each section (1-based); returns the partial file or null. */
  onSectionPixels?: (section: number, pixels: PixelStore) => Promise<string | null>;
  /** Where final frames are written as chunk files (media/frame-spool.ts); they stay for the final video and resume. */
  spoolDir: string;
  /** Sample section k+1 while section k is decoded and written (overlap-schedule.ts); default off. */
  overlapDecode?: boolean;
  /** Monotonic clock in seconds (injectable for tests). */
  now?: () => number;
  /** Continue after `sectionsDone` finished sections (`noise` must be restored to the matching state). */
  resume?: LoopResumeState;
  /** Spatial tiling for the decode (the job plan's vaeTiling.decode.spatial); absent or null: whole temporal tiles. */
  decodeTiling?: SpatialTiling | null;
  /** Awaited after each section (after section.done), before the next one starts. */
  onCheckpoint?: (state: LoopCheckpoint) => Promise<void>;
  /** An extension's start (extension-source.ts): the source's latents and its whole pixel video, instead of the start latent. */
  extension?: { history: Float32Array[]; pixels: PixelVideo };
  /** The bundle's MagCache calibration (needed for spec.cache 'mag'). */
  magcache?: MagCacheRatios | null;
  /** Replaces the spec's step cache per section (1-based), e.g. the MagCache calibrator. */
  stepCache?: (section: number) => StepCache;
  /** Per-section prompt, image tokens, lead and end frame by generation index (section-inputs.ts); absent = the job-wide ones. */
  directed?: readonly SectionInputs[];
}

/** What the loop needs to continue after a finished section. */
export interface LoopResumeState {
  /** 1-based sections finished, in generation order. */
  sectionsDone: number;
  /** The latent history after that section, display order. */
  history: Float32Array[];
  /** The pixel store's state after that section (held frames + final-frame chunks). */
  pixels: PixelStoreState;
}

/** The loop state after a finished section (history and pixels are the loop's own arrays: copy or write them before returning). */
export interface LoopCheckpoint extends LoopResumeState {
  /** SeededNoise.saveState() after the section's noise was drawn. */
  noise: NoiseState;
}

export interface SectionLoopResult {
  /** The whole video: read it with pixels.frames(). */
  pixels: PixelStore;
  /** The final latent history, display order (9N + 1 frames). */
  latents: Float32Array[];
  teacache: { computed: number; skipped: number };
}

/** Runs the VAE decoder over latents [1, C, T, h, w] (already divided by the scaling factor). */
export async function decodeLatents(s: PipelineSessions, latents: F32, spatial: SpatialTiling | null): Promise<PixelVideo> {
  const decoded = await tiledVaeDecode({ data: latents.data, dims: latents.dims as Tensor5d['dims'] }, async (tile) => {
    const out = (await s.vaeDecoder.run({ latents: tensorF32(tile.data, [...tile.dims]) })).pixels;
    if (!out || !(out.data instanceof Float32Array)) throw new Error('vae_decoder produced no float32 pixels');
    return { data: out.data, dims: out.dims as unknown as Tensor5d['dims'] };
  }, spatial);
  const [, , frames, height, width] = decoded.dims;
  return { frames, height, width, data: decoded.data };
}

export async function runSections(input: SectionLoopInput): Promise<SectionLoopResult> {
  const { sessions: s, manifest, spec, plan, geometry: g, conditioning: cond, imageTokens, noise, signal, onEvent } = input;
  const previewMap = previewRgbMap(g.channels, manifest.latent.scalingFactor);
  const now = input.now ?? (() => performance.now() / 1000);
  const ws = plan.latentWindowSize;
  const startFrame = tensorToFrames(cond.startLatent)[0]!;
  // Inverted: the real history starts empty; F1/vanilla: the start latent is history frame 0.
  const resume = input.resume;
  const done = resume?.sectionsDone ?? 0;
  // done = sectionCount is a crash after the last checkpoint (in the final encode): nothing is
  // left to sample and the stored pixels are the whole video.
  if (!Number.isInteger(done) || done < 0 || done > plan.sectionCount) throw new Error(`resume: ${done} sections done of ${plan.sectionCount}`);
  const history: Float32Array[] = resume ? [...resume.history] : input.extension ? [...input.extension.history] : plan.mode === 'inverted' ? [] : [startFrame];
  if (resume && history.length !== plan.sections[done - 1]!.historyAfter) throw new Error(`resume: history has ${history.length} latents, plan says ${plan.sections[done - 1]!.historyAfter}`);
  const schedule = samplerSchedule({ sampler: spec.sampler, steps: spec.steps, windowSize: ws, latentHeight: g.height, latentWidth: g.width, shift: spec.shift });
  const sampler = makeSampler(spec.sampler);
  const totalSteps = plan.sectionCount * spec.steps;
  const totals = { computed: 0, skipped: 0 };
  // An extension starts from its source video (final but for the first section's overlap).
  const store = resume ? new PixelStore(plan, input.spoolDir, resume.pixels)
    : input.extension ? await PixelStore.fromSource(plan, input.spoolDir, input.extension.pixels)
      : new PixelStore(plan, input.spoolDir);
  const overlap = new SectionOverlap(input.overlapDecode ?? false, onEvent);
  const emit = overlap.emit;
  let stepsDone = done * spec.steps;
  const stepsBefore = stepsDone;
  let samplingSeconds = 0;

  /** Decode (§8.3 step 8, §9), stitch, write the partial, report and checkpoint one sampled section. */
  const finishSection = async (k: number, section: SectionPlan, decodeFrames: Float32Array[], state: Omit<LoopCheckpoint, 'pixels'>, stats: StepCache['stats']) => {
    throwIfAborted(signal);
    crashPoint('decode', k);
    const d = section.decode;
    const latents = framesToTensor(decodeFrames, g);
    onEvent({ type: 'stage', stage: 'decoding', message: `${d.to - d.from} latents → ${d.decodedFrames} frames` });
    const current = await decodeLatents(s, { data: scaled(latents.data, 1 / manifest.latent.scalingFactor), dims: latents.dims }, input.decodeTiling ?? null);
    if (current.frames !== d.decodedFrames) throw new Error(`section ${k}: decoded ${current.frames} frames, plan says ${d.decodedFrames}`);
    // The middle frame of what this section decoded: away from the blended overlap at either end.
    const thumb = frameThumbnail(current, Math.floor(current.frames / 2));
    onEvent({ type: 'frame', section: k, width: thumb.width, height: thumb.height, rgb: thumb.rgb });
    crashPoint('append', k);
    if (store.totalFrames > 0 && d.overlapFrames > 0) onEvent({ type: 'stage', stage: 'appending', message: `${current.frames} frames onto ${store.totalFrames}, ${d.overlapFrames} blended` });
    await store.add(section, current);
    if (store.totalFrames !== d.totalFrames) throw new Error(`section ${k}: video has ${store.totalFrames} frames, plan says ${d.totalFrames}`);

    const partial = input.onSectionPixels ? await input.onSectionPixels(k, store) : null;
    onEvent({
      type: 'section.done', section: k, sections: plan.sectionCount, partialVideo: partial,
      frames: store.totalFrames, seconds: store.totalFrames / plan.fps, teacache: stats,
    });
    if (input.onCheckpoint) await input.onCheckpoint({ ...state, pixels: store.state() });
  };

  // A sampling error while an overlapped finish is in flight waits for that finish (its checkpoint
  // is kept) before it is thrown (settleAfter). The loop is left unindented to keep this diff small.
  try {
  for (const section of plan.sections.slice(done)) {
    throwIfAborted(signal);
    const k = section.generationIndex + 1;
    emit({ type: 'section.started', section: k, sections: plan.sectionCount, displayIndex: section.displayIndex, latentPadding: section.latentPadding });
    // Every stage of a section is announced, so progress and ETA see decode and append too.
    emit({ type: 'stage', stage: 'sampling', message: `${spec.steps} steps${k === done + 1 && done > 0 ? `, resuming after section ${done}` : ''}` });

    const directed = input.directed?.[section.generationIndex];
    const contextTokens = await runContext(s.transformer, directed ? directedContext(section, history, startFrame, directed, g) : sectionContext(section, history, startFrame, g));
    const rope = ropeFor(s.transformerConfig, section.indices, g.height, g.width);
    const teacache = input.stepCache ? input.stepCache(k) : makeStepCache(spec, input.magcache);
    let skippedThisStep = false;
    const velocity: VelocityModel = async (x, _sigma, call) => {
      const text = call.branch === 'positive' ? (directed?.positive ?? cond.positive) : cond.negative;
      const preInputs = {
        latents: { data: x, dims: [1, g.channels, ws, g.height, g.width] },
        timestep: call.timestep, guidance: call.guidance,
        textEmbeddings: text.llama, pooledProjections: text.pooled, imageTokens: directed?.imageTokens ?? imageTokens, contextTokens,
      };
      // WebGPU: activations stay on the GPU between pre → blocks → post (step-chain.ts).
      if (Object.keys(s.chainLocations).length) {
        const step = await runStepChain(s.transformer, s.transformerConfig, preInputs, rope, [ws, g.height, g.width], teacache, spec.cache !== 'off' || input.stepCache !== undefined);
        if (step.skipped) skippedThisStep = true;
        return step.velocity;
      }
      const pre = await runPre(s.transformer, s.transformerConfig, preInputs);
      const compute = teacache.shouldCompute(pre.teacacheSignal?.data ?? null);
      let hidden: F32;
      if (compute) {
        hidden = await runBlocks(s.transformer, pre, rope);
        teacache.storeResidual(pre.hidden.data, hidden.data);
      } else {
        hidden = { data: teacache.applyCachedResidual(pre.hidden.data), dims: pre.hidden.dims };
        skippedThisStep = true;
      }
      return (await runPost(s.transformer, hidden, pre.temb, [ws, g.height, g.width])).data;
    };
    const model = makeDenoiser(velocity, { distilledGuidance: spec.gs, cfg: spec.cfg, rescale: spec.rs, x0From: x0FromFor(spec.sampler) });
    const x = noise.sectionNoise({ channels: g.channels, frames: ws, height: g.height, width: g.width });

    let stepStart = now();
    const generated = await sampler.sample({
      x, sigmas: schedule.sigmas, model, signal,
      onStep: ({ i, steps, denoised }) => {
        const t = now();
        samplingSeconds += t - stepStart;
        stepsDone++;
        if (i === 0) crashPoint('sample', k);
        overlap.throwIfFailed();
        const secondsPerStep = samplingSeconds / (stepsDone - stepsBefore);
        emit({
          type: 'step', section: k, sections: plan.sectionCount, step: i + 1, steps,
          secondsPerStep, etaSeconds: secondsPerStep * (totalSteps - stepsDone), teacacheSkipped: skippedThisStep,
        });
        const preview = latentPreview(denoised, { channels: g.channels, frames: ws, height: g.height, width: g.width }, previewMap);
        emit({ type: 'preview', section: k, step: i + 1, width: preview.widthPx, height: preview.heightPx, rgb: preview.rgb });
        skippedThisStep = false;
        stepStart = now();
      },
    });
    totals.computed += teacache.stats.computed;
    totals.skipped += teacache.stats.skipped;

    // History update (§8.3 step 6–7, §9): the inverted last section puts the start latent first.
    const newFrames = tensorToFrames({ data: generated, dims: [1, g.channels, ws, g.height, g.width] });
    if (section.prependsStartLatent) newFrames.unshift(startFrame);
    if (section.historyUpdate === 'prepend') history.unshift(...newFrames);
    else history.push(...newFrames);
    if (history.length !== section.historyAfter) throw new Error(`section ${k}: history has ${history.length} latents, plan says ${section.historyAfter}`);

    // Decode, stitch, write and checkpoint (finishSection) need only what this section left: the
    // latents to decode, the history and the generator's state now. With the overlap on, the next
    // section samples meanwhile (overlap-schedule.ts); its events wait until this section is done.
    const d = section.decode;
    const decodeFrames = history.slice(d.from, d.to);
    const state = { sectionsDone: k, history: [...history], noise: noise.saveState() };
    await overlap.enqueue(() => finishSection(k, section, decodeFrames, state, teacache.stats));
  }
  await overlap.drain();
  } catch (err: unknown) {
    return overlap.settleAfter(err);
  }
  if (store.totalFrames === 0) throw new Error('no sections were planned');
  return { pixels: store, latents: history, teacache: totals };
}

/** The clean (start or lead frame + 1×), 2× and 4× context tensors of one section. */
export function sectionContext(section: SectionPlan, history: readonly Float32Array[], startFrame: Float32Array, g: LatentGeometry) {
  const c = section.context;
  const lead = c.cleanLead === 'start-latent' ? [startFrame] : contextFrames(history, c.cleanLead, g);
  return {
    clean: framesToTensor([...lead, ...contextFrames(history, c.clean1x, g)], g),
    clean2x: framesToTensor(contextFrames(history, c.clean2x, g), g),
    clean4x: framesToTensor(contextFrames(history, c.clean4x, g), g),
  };
}
