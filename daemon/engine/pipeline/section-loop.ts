// The loop over planned sections (FRAMEPACK.md §8.3 inverted, §9 F1; vanilla is F1's loop with
// recent-frames-only context): for each section, gather the clean/2×/4× context from the latent
// history as the plan says (zeros where the history is short), draw the section's noise from the job's one generator, sample with the
// transformer as the velocity model (TeaCache fresh per section), update the history, decode what
// the plan says with the temporal tiling (and the spatial tiling when the job plan chose it) and soft-append it to the pixel history. After each
// section the loop's whole state (history latents, pixel video, noise generator) goes to
// `onCheckpoint`, and `resume` continues from such a state: the rest of the job is then exactly
// what an uninterrupted run would have computed.
import type { Manifest } from '../../models/bundle/manifest.js';
import { ropeFor, runBlocks, runContext, runPost, runPre, type F32 } from '../../models/transformer/run-transformer.js';
import { tiledVaeDecode, type SpatialTiling } from '../../models/vae/spatial-tiling.js';
import type { Tensor5d } from '../../models/vae/temporal-tiling.js';
import { frameThumbnail } from '../frame-thumbnail.js';
import { softAppend, type PixelVideo } from '../../media/pixels.js';
import { tensorF32 } from '../../onnx/run.js';
import { latentPreview, previewRgbMap } from '../latent-preview.js';
import { makeDenoiser, type VelocityModel } from '../samplers/guidance.js';
import { throwIfAborted } from '../samplers/sampler.js';
import type { NoiseState, SeededNoise } from '../seeded-noise.js';
import type { JobPlan, SectionPlan } from '../section-plan.js';
import { TeaCache } from '../teacache.js';
import type { JobConditioning } from './conditioning.js';
import { crashPoint } from './crash-hook.js';
import type { PipelineEvent } from './events.js';
import type { JobSpec } from './job-spec.js';
import { contextFrames, framesToTensor, scaled, tensorToFrames, type LatentGeometry } from './latent-frames.js';
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
  /** Called with the whole video after each section (1-based); returns the partial file or null. */
  onSectionPixels?: (section: number, pixels: PixelVideo) => Promise<string | null>;
  /** Monotonic clock in seconds (injectable for tests). */
  now?: () => number;
  /** Continue after `sectionsDone` finished sections (`noise` must be restored to the matching state). */
  resume?: LoopResumeState;
  /** Spatial tiling for the decode (the job plan's vaeTiling.decode.spatial); absent or null: whole temporal tiles. */
  decodeTiling?: SpatialTiling | null;
  /** Awaited after each section (after section.done), before the next one starts. */
  onCheckpoint?: (state: LoopCheckpoint) => Promise<void>;
  /** Per-section prompt, image tokens, lead and end frame by generation index (section-inputs.ts); absent = the job-wide ones. */
  directed?: readonly SectionInputs[];
}

/** What the loop needs to continue after a finished section. */
export interface LoopResumeState {
  /** 1-based sections finished, in generation order. */
  sectionsDone: number;
  /** The latent history after that section, display order. */
  history: Float32Array[];
  /** The stitched pixel video after that section. */
  pixels: PixelVideo;
}

/** The loop state after a finished section (history and pixels are the loop's own arrays: copy or write them before returning). */
export interface LoopCheckpoint extends LoopResumeState {
  /** SeededNoise.saveState() after the section's noise was drawn. */
  noise: NoiseState;
}

export interface SectionLoopResult {
  pixels: PixelVideo;
  /** The final latent history, display order (9N + 1 frames). */
  latents: Float32Array[];
  teacache: { computed: number; skipped: number };
}

/** Runs the VAE decoder over latents [1, C, T, h, w] (already divided by the scaling factor). */
async function decodeLatents(s: PipelineSessions, latents: F32, spatial: SpatialTiling | null): Promise<PixelVideo> {
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
  const history: Float32Array[] = resume ? [...resume.history] : plan.mode === 'inverted' ? [] : [startFrame];
  if (resume && history.length !== plan.sections[done - 1]!.historyAfter) throw new Error(`resume: history has ${history.length} latents, plan says ${plan.sections[done - 1]!.historyAfter}`);
  const schedule = samplerSchedule({ sampler: spec.sampler, steps: spec.steps, windowSize: ws, latentHeight: g.height, latentWidth: g.width, shift: spec.shift });
  const sampler = makeSampler(spec.sampler);
  const totalSteps = plan.sectionCount * spec.steps;
  const totals = { computed: 0, skipped: 0 };
  let pixels: PixelVideo | null = resume?.pixels ?? null;
  let stepsDone = done * spec.steps;
  const stepsBefore = stepsDone;
  let samplingSeconds = 0;

  for (const section of plan.sections.slice(done)) {
    throwIfAborted(signal);
    const k = section.generationIndex + 1;
    onEvent({ type: 'section.started', section: k, sections: plan.sectionCount, displayIndex: section.displayIndex, latentPadding: section.latentPadding });
    // Every stage of a section is announced, so progress and ETA see decode and append too.
    onEvent({ type: 'stage', stage: 'sampling', message: `${spec.steps} steps${k === done + 1 && done > 0 ? `, resuming after section ${done}` : ''}` });

    const directed = input.directed?.[section.generationIndex];
    const contextTokens = await runContext(s.transformer, directed ? directedContext(section, history, startFrame, directed, g) : sectionContext(section, history, startFrame, g));
    const rope = ropeFor(s.transformerConfig, section.indices, g.height, g.width);
    const teacache = new TeaCache({ enabled: spec.teacache, numSteps: spec.steps, threshold: spec.teacacheThreshold });
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
        const step = await runStepChain(s.transformer, s.transformerConfig, preInputs, rope, [ws, g.height, g.width], teacache, spec.teacache);
        if (step.skipped) skippedThisStep = true;
        return step.velocity;
      }
      const pre = await runPre(s.transformer, s.transformerConfig, preInputs);
      const compute = pre.teacacheSignal ? teacache.shouldCompute(pre.teacacheSignal.data) : true;
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
        const secondsPerStep = samplingSeconds / (stepsDone - stepsBefore);
        onEvent({
          type: 'step', section: k, sections: plan.sectionCount, step: i + 1, steps,
          secondsPerStep, etaSeconds: secondsPerStep * (totalSteps - stepsDone), teacacheSkipped: skippedThisStep,
        });
        const preview = latentPreview(denoised, { channels: g.channels, frames: ws, height: g.height, width: g.width }, previewMap);
        onEvent({ type: 'preview', section: k, step: i + 1, width: preview.widthPx, height: preview.heightPx, rgb: preview.rgb });
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

    // Decode (§8.3 step 8, §9) and stitch.
    throwIfAborted(signal);
    crashPoint('decode', k);
    const d = section.decode;
    const latents = framesToTensor(history.slice(d.from, d.to), g);
    onEvent({ type: 'stage', stage: 'decoding', message: `${d.to - d.from} latents → ${d.decodedFrames} frames` });
    const current = await decodeLatents(s, { data: scaled(latents.data, 1 / manifest.latent.scalingFactor), dims: latents.dims }, input.decodeTiling ?? null);
    if (current.frames !== d.decodedFrames) throw new Error(`section ${k}: decoded ${current.frames} frames, plan says ${d.decodedFrames}`);
    // The middle frame of what this section decoded: away from the blended overlap at either end.
    const thumb = frameThumbnail(current, Math.floor(current.frames / 2));
    onEvent({ type: 'frame', section: k, width: thumb.width, height: thumb.height, rgb: thumb.rgb });
    crashPoint('append', k);
    if (!pixels || d.overlapFrames === 0) pixels = current;
    else {
      onEvent({ type: 'stage', stage: 'appending', message: `${current.frames} frames onto ${pixels.frames}, ${d.overlapFrames} blended` });
      pixels = d.newPixelsFirst ? softAppend(current, pixels, d.overlapFrames) : softAppend(pixels, current, d.overlapFrames);
    }
    if (pixels.frames !== d.totalFrames) throw new Error(`section ${k}: video has ${pixels.frames} frames, plan says ${d.totalFrames}`);

    const partial = input.onSectionPixels ? await input.onSectionPixels(k, pixels) : null;
    onEvent({
      type: 'section.done', section: k, sections: plan.sectionCount, partialVideo: partial,
      frames: pixels.frames, seconds: pixels.frames / plan.fps, teacache: teacache.stats,
    });
    if (input.onCheckpoint) await input.onCheckpoint({ sectionsDone: k, history, pixels, noise: noise.saveState() });
  }
  if (!pixels) throw new Error('no sections were planned');
  return { pixels, latents: history, teacache: totals };
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
