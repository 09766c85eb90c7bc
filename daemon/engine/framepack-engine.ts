// The real engine: the ONNX pipeline (daemon/engine/pipeline) behind the Engine seam. Each
// residency component owns its own ONNX Runtime sessions (text-encoder = LLaMA + its tokenizer,
// text-encoder-2 = CLIP-L + its tokenizer, image-encoder = SigLIP, vae = encoder + decoder,
// transformer = the five packed graphs), loaded when the scheduler asks and passed to
// generateVideo as already-open sessions, so a second job starts warm.
//
// Resume: after each section the pipeline writes the loop state into the job folder
// (checkpoint-files.ts) and this engine stores that record in SectionCheckpoint.state, which the
// journal persists; a job interrupted by a crash or shutdown continues after its last finished
// section, and its final video is identical to an uninterrupted run's.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type ort from 'onnxruntime-node';
import { RpcError, type ComponentId, type JobSpec, type Stage } from '../../shared/protocol/index.js';
import { loadBundle, readManifest, type LoadedBundle } from '../models/bundle/load-bundle.js';
import type { BundleComponentId, Manifest } from '../models/bundle/manifest.js';
import type { TransformerSessions } from '../models/transformer/run-transformer.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../models/transformer/graphs.js';
import { transformerConfigSchema } from '../models/transformer/config.js';
import { blockGroupStem } from '../models/transformer/block-groups.js';
import { parseStreamMode } from '../models/transformer/stream-mode.js';
import { loadTokenizer, type Tokenizer } from '../models/tokenizer/tokenizer.js';
import { diskFullError, isNoSpace } from '../media/disk-full.js';
import { createCpuSession } from '../onnx/run.js';
import { PIPELINE_STAGE, type PipelineEvent } from './pipeline/events.js';
import { resolveJobSpec, JobSpecError, type JobSpec as PipelineJobSpec } from './pipeline/job-spec.js';
import { assertCacheCalibrated, stepCacheInput } from './step-cache-spec.js';
import { WarmInputs } from './pipeline/warm-inputs.js';
import { DEFAULT_MODEL, listModels, resolveModelDir, UnknownModelError } from './pipeline/model-location.js';
import { generateVideo } from './pipeline/pipeline.js';
import type { ConditioningResidency } from './pipeline/conditioning.js';
import { checkpointProblem, removeCheckpointsBefore, type PipelineCheckpoint } from './pipeline/checkpoint-files.js';
import { openTransformerSessions, type PipelineSessions } from './pipeline/sessions.js';
import { stepChainLocations } from './pipeline/step-chain.js';
import { switchTransformerLoras, validateLoras } from './lora-sessions.js';
import { ExtensionSourceError, openExtensionSource } from './pipeline/extension-source.js';
import { JobRejected, type EngineExtension, type SectionCheckpoint, type ComponentFootprint, type Engine, type EngineJob, type EngineOutcome, type EngineRunContext } from './engine.js';
import { directingPaths, directingSpecInput, validateDirectingImages, type DirectingPaths } from './directing-spec.js';

const COMPONENTS: readonly ComponentId[] = ['text-encoder', 'text-encoder-2', 'image-encoder', 'vae', 'transformer'];
const BUNDLE_PARTS: Record<ComponentId, BundleComponentId[]> = {
  'text-encoder': ['text_encoder', 'tokenizer'],
  'text-encoder-2': ['text_encoder_2', 'tokenizer_2'],
  'image-encoder': ['image_encoder'],
  vae: ['vae'],
  transformer: ['transformer'],
};
/** Pipeline flag → protocol field, for refusals that name a field. */
const PROTOCOL_FIELD: Readonly<Record<string, string>> = { '--extend': 'extend', '--extend-job': 'extendJob', '--extend-context': 'extendContext', '--resolution': 'resolution' };

/** Latent previews are written at most this often. */
const PREVIEW_INTERVAL_MS = 1_000;

/** Open sessions of one residency component. */
type Opened =
  | { kind: 'text'; session: ort.InferenceSession; tokenizer: Tokenizer }
  | { kind: 'single'; session: ort.InferenceSession }
  | { kind: 'vae'; encoder: ort.InferenceSession; decoder: ort.InferenceSession }
  /**
   * streamed: the blocks stage runs the bundle's block groups (stream-blocks plan) instead of one resident session.
   * loraKey: the LoRA set it carries ('' = none; lora-sessions.ts).
   */
  | { kind: 'transformer'; sessions: TransformerSessions; streamed: boolean; loraKey: string };

function sessionsOf(o: Opened): Pick<ort.InferenceSession, 'release'>[] {
  if (o.kind === 'transformer') return Object.values(o.sessions);
  if (o.kind === 'vae') return [o.encoder, o.decoder];
  return [o.session];
}

function graph(bundle: LoadedBundle, part: BundleComponentId, stem: string): string {
  const p = bundle.components[part].graphs[stem];
  if (!p) throw new Error(`bundle ${bundle.manifest.name}: ${part} has no graph '${stem}'`);
  return p;
}

/** The transformer's block-group graph files, in order (a bundle built with --block-groups). */
function blockGroupFiles(bundle: LoadedBundle): string[] {
  const k = bundle.manifest.components.transformer.blockGroups;
  if (!k) throw new Error(`bundle ${bundle.manifest.name} has no transformer block groups (build it with --block-groups K to stream its blocks)`);
  return Array.from({ length: k }, (_, i) => graph(bundle, 'transformer', blockGroupStem(i)));
}

/** The transformer's resident estimate with the whole blocks file replaced by its two largest consecutive groups' files (or all groups' files). */
function streamedTransformerBytes(m: Manifest, groupsHeld: 'two' | 'all' = 'two'): number {
  const t = m.components.transformer;
  const size = (stem: string) => t.files.filter((f) => f.path === t.graphs[stem]?.file || f.path === `${t.graphs[stem]?.file}.data`).reduce((a, f) => a + f.bytes, 0);
  const groups = Array.from({ length: t.blockGroups ?? 0 }, (_, i) => size(blockGroupStem(i)));
  const held = groupsHeld === 'all' ? groups.reduce((a, b) => a + b, 0) : groups.reduce((best, b, i) => Math.max(best, b + (groups[i + 1] ?? 0)), 0);
  return Math.max(0, t.estimatedResidentBytes - size('transformer_blocks') + held);
}

function tokenizerFile(bundle: LoadedBundle, part: 'tokenizer' | 'tokenizer_2'): string {
  const hit = Object.entries(bundle.components[part].files).find(([rel]) => rel.endsWith('tokenizer.json'));
  if (!hit) throw new Error(`bundle ${bundle.manifest.name}: ${part} has no tokenizer.json`);
  return hit[1];
}

/** Thrown into the pipeline to stop it right after a checkpointed section. */
class StopAfterSection extends Error {
  override readonly name = 'AbortError';
}

/** What this engine keeps in SectionCheckpoint.state. */
interface ResumableState { resumable: true; pipeline: PipelineCheckpoint }

/**
 * The pipeline checkpoint to resume from, or null (none, another engine's, or an old progress-only
 * one), with the reason a record that exists cannot be used: files gone, truncated or damaged. Then
 * the job starts over; with the same seed the video is the same.
 */
async function resumableState(c: SectionCheckpoint | null): Promise<{ from: PipelineCheckpoint | null; problem: string | null }> {
  const st = c?.state as Partial<ResumableState> | undefined;
  const p = st?.resumable === true ? st.pipeline : undefined;
  if (!p || typeof p.historyFile !== 'string' || typeof p.pixelsFile !== 'string') return { from: null, problem: null };
  const problem = await checkpointProblem(p);
  return problem ? { from: null, problem } : { from: p, problem: null };
}

export class OnnxEngine implements Engine {
  readonly name = 'onnx';
  readonly defaultModel = DEFAULT_MODEL;
  private readonly manifests = new Map<string, Manifest>();
  private readonly bundles = new Map<string, Promise<LoadedBundle>>();
  private readonly opened = new Map<string, Opened>();
  /** Models whose running job streams the transformer's blocks: load('transformer') opens it streamed. */
  private readonly streaming = new Set<string>();
  // main.ts sets FRAMEPACK_EP to the provider it selected (provider-selection.ts) before the engine exists.
  private readonly device: 'cpu' | 'cuda' | 'webgpu' = process.env.FRAMEPACK_EP === 'cuda' || process.env.FRAMEPACK_EP === 'webgpu' ? process.env.FRAMEPACK_EP : 'cpu';

  /** How streamed blocks run (FRAMEPACK_STREAM_MODE, stream-mode.ts); a bad value stops the daemon at start. */
  private readonly streamMode = parseStreamMode(process.env.FRAMEPACK_STREAM_MODE);

  private readonly chainLocations = stepChainLocations(this.device, { teacache: true });
  /** Decoded start images and conditioning kept between jobs (the warm start, issue 19). */
  readonly warm = new WarmInputs();

  async listModels(): Promise<string[]> {
    const names = await listModels();
    for (const n of names) if (!this.manifests.has(n)) await this.manifest(n).catch(() => undefined);
    return names;
  }

  components(): readonly ComponentId[] {
    return COMPONENTS;
  }

  estimate(model: string, component: ComponentId): ComponentFootprint {
    const m = this.manifests.get(model);
    const bytes = m ? BUNDLE_PARTS[component].reduce((sum, part) => sum + m.components[part].estimatedResidentBytes, 0) : 0;
    return this.device === 'cpu' ? { device: 'cpu', vramBytes: 0, ramBytes: bytes } : { device: `${this.device}:0`, vramBytes: bytes, ramBytes: 0 };
  }

  async validate(spec: JobSpec, model: string, extension?: EngineExtension): Promise<void> {
    let manifest: Manifest;
    try {
      manifest = await this.manifest(model);
    } catch (err: unknown) {
      if (err instanceof UnknownModelError) throw new JobRejected('model', err.message, 'MODEL_MISSING');
      throw new JobRejected('model', (err as Error).message, 'MODEL_MISSING');
    }
    let resolved: PipelineJobSpec;
    try {
      resolved = this.pipelineSpec(spec, spec.image ?? '', model, manifest, extension);
      await assertCacheCalibrated(resolved, await resolveModelDir(model));
    } catch (err: unknown) {
      if (err instanceof JobSpecError) throw new JobRejected(PROTOCOL_FIELD[err.flag] ?? err.flag.replace(/^--/, ''), err.problem);
      throw err;
    }
    if (extension) {
      // The source read now (ffmpeg, the latents file) so a bad one is refused at submit.
      try {
        await openExtensionSource(resolved, manifest);
      } catch (err: unknown) {
        if (err instanceof ExtensionSourceError) throw new JobRejected(PROTOCOL_FIELD[err.flag] ?? err.flag, err.problem);
        throw err;
      }
      return;
    }
    try {
      // Decoded once per distinct file content: the job's own copy reuses this decode.
      await this.warm.image(spec.image ?? '');
    } catch (err: unknown) {
      throw new JobRejected('image', (err as Error).message);
    }
    if (spec.loras?.length) await validateLoras({ manifest }, spec.loras);
    await validateDirectingImages(spec);
  }

  async load(model: string, component: ComponentId): Promise<ComponentFootprint> {
    const bundle = await this.bundle(model);
    const opts = { executionProviders: [this.device] };
    let opened: Opened;
    switch (component) {
      case 'text-encoder':
        opened = { kind: 'text', session: await createCpuSession(graph(bundle, 'text_encoder', 'text_encoder'), opts), tokenizer: await loadTokenizer(tokenizerFile(bundle, 'tokenizer')) };
        break;
      case 'text-encoder-2':
        opened = { kind: 'text', session: await createCpuSession(graph(bundle, 'text_encoder_2', 'text_encoder_2'), opts), tokenizer: await loadTokenizer(tokenizerFile(bundle, 'tokenizer_2')) };
        break;
      case 'image-encoder':
        opened = { kind: 'single', session: await createCpuSession(graph(bundle, 'image_encoder', 'image_encoder'), opts) };
        break;
      case 'vae':
        opened = { kind: 'vae', encoder: await createCpuSession(graph(bundle, 'vae', 'vae_encoder'), opts), decoder: await createCpuSession(graph(bundle, 'vae', 'vae_decoder'), opts) };
        break;
      case 'transformer': {
        const files = Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, graph(bundle, 'transformer', g)])) as Record<TransformerGraphName, string>;
        // Resident sessions serve jobs with and without TeaCache, so the hidden states come back to
        // the CPU (TeaCache's residual needs them); the rest of the step chain stays on a WebGPU device.
        const streamed = this.streaming.has(model);
        opened = { kind: 'transformer', sessions: await openTransformerSessions(files, opts, this.chainLocations, streamed ? blockGroupFiles(bundle) : undefined, this.streamMode), streamed, loraKey: '' };
        break;
      }
    }
    this.opened.set(`${model}/${component}`, opened);
    const footprint = this.estimate(model, component);
    if (opened.kind !== 'transformer' || !opened.streamed) return footprint;
    // Streamed, the device holds at most two groups' weights in place of the whole blocks graph's;
    // fed as inputs (stream-mode.ts), host memory holds every group's — on the CPU, the same memory.
    const bytes = streamedTransformerBytes(bundle.manifest);
    // Read from the runner actually opened, so ps shows what holds the memory.
    if ('bytesFedPerCall' in opened.sessions.transformer_blocks) {
      const host = streamedTransformerBytes(bundle.manifest, 'all');
      return footprint.device === 'cpu' ? { ...footprint, ramBytes: host } : { ...footprint, vramBytes: bytes, ramBytes: host };
    }
    return footprint.device === 'cpu' ? { ...footprint, ramBytes: bytes } : { ...footprint, vramBytes: bytes };
  }

  async unload(model: string, component: ComponentId): Promise<void> {
    const key = `${model}/${component}`;
    const o = this.opened.get(key);
    this.opened.delete(key);
    if (o) await Promise.all(sessionsOf(o).map((s) => s.release()));
  }

  async run(job: EngineJob, ctx: EngineRunContext): Promise<EngineOutcome> {
    const manifest = await this.manifest(job.model);
    const bundle = await this.bundle(job.model);
    const spec = this.pipelineSpec(job.spec, job.imagePath, job.model, manifest, job.extension, job.directing ?? directingPaths(job.spec));
    ctx.onEvent({ type: 'stage', stage: 'load-models' });
    const streaming = job.memoryPlan === 'stream-blocks';
    const releasing = job.memoryPlan === 'release-encoders' || streaming;
    const planName = streaming ? 'transformer blocks streamed' : 'encoders released after conditioning';
    // The transformer is opened in the form the plan asks; one warm from a job under another plan
    // is unloaded (reason memory-plan) and loaded again in this job's form, so the footprint the
    // scheduler and ps show is the form it holds.
    if (streaming) this.streaming.add(job.model);
    const acquireTransformer = async (): Promise<void> => {
      await ctx.acquire('transformer');
      const o = this.opened.get(`${job.model}/transformer`);
      if (o?.kind === 'transformer' && o.streamed !== streaming) {
        await ctx.release('transformer', `job ${job.id}: memory plan '${streaming ? 'transformer blocks streamed' : 'transformer blocks resident'}' (the transformer is loaded again with its blocks ${streaming ? 'streamed' : 'resident'})`);
        await ctx.acquire('transformer');
      }
      // Loads outside a job (framepack load) open the whole graph again.
      this.streaming.delete(job.model);
    };
    // All resident: every component up front, kept to the job's end. Encoders released (and
    // streaming, which releases them too): nothing yet; conditioning loads each encoder for its
    // calls and releases it, then the VAE and the transformer come for the sections
    // (conditioning.ts computeReleasingEncoders; the plan's phases).
    const useLoras = () => this.useLoras(job.model, bundle, job.spec.loras ?? [], (detail) => ctx.onEvent({ type: 'stage', stage: 'load-models', detail }));
    if (!releasing) {
      for (const c of COMPONENTS) await (c === 'transformer' ? acquireTransformer() : ctx.acquire(c));
      await useLoras();
    }
    const conditioningResidency: ConditioningResidency | undefined = releasing ? {
      acquire: async (c) => {
        if (c !== 'vae') return ctx.acquire(c);
        await ctx.acquire('vae');
        await acquireTransformer();
        await useLoras();
      },
      release: (c) => ctx.release(c, `job ${job.id}: memory plan '${planName}' (${c} runs once per job)`),
    } : undefined;
    const sessions = this.pipelineSessions(job.model, manifest);
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    let lastPreviewMs = 0;
    const { from: resumeFrom, problem } = await resumableState(ctx.resume);
    if (problem) ctx.onEvent({ type: 'stage', stage: 'load-models', detail: `checkpoint of section ${ctx.resume!.sectionsDone} unusable (${problem}); starting the job over`.slice(0, 1000) });
    let sectionsDone = resumeFrom?.sectionsDone ?? 0;
    const sampleMs: number[] = resumeFrom ? [...ctx.resume!.sectionSampleMs] : [];
    let lastDone: Omit<SectionCheckpoint, 'state'> | null = null;
    let sectionStarted = performance.now();
    /** Display position of each section as section.started announced it (the job's mode decides). */
    const displayOf = new Map<number, number>();
    await mkdir(job.jobDir, { recursive: true });
    const pending: Promise<unknown>[] = [];
    let final = { frames: 0, seconds: 0 };
    const onEvent = (e: PipelineEvent): void => {
      switch (e.type) {
        case 'stage':
          ctx.onEvent({ type: 'stage', stage: PIPELINE_STAGE[e.stage], detail: e.message.slice(0, 1000) });
          break;
        case 'section.started':
          sectionStarted = performance.now();
          displayOf.set(e.section, e.displayIndex);
          ctx.onEvent({ type: 'section.started', index: e.section - 1, displayIndex: e.displayIndex, total: e.sections });
          break;
        case 'step':
          ctx.onEvent({ type: 'step', section: e.section - 1, step: e.step, steps: e.steps, secPerStep: e.secondsPerStep, etaSectionMs: (e.steps - e.step) * e.secondsPerStep * 1000, etaJobMs: e.etaSeconds * 1000 });
          break;
        case 'preview': {
          if (Date.now() - lastPreviewMs < PREVIEW_INTERVAL_MS) break;
          lastPreviewMs = Date.now();
          const file = path.join(job.jobDir, 'preview.png');
          pending.push(sharp(Buffer.from(e.rgb), { raw: { width: e.width, height: e.height, channels: 3 } }).png().toFile(file)
            .then(() => ctx.onEvent({ type: 'preview', section: e.section - 1, path: file, frames: 1, kind: 'latent' }), () => {}));
          break;
        }
        case 'frame': {
          // Once per section, so never throttled; a failed write only costs the picture.
          const file = path.join(job.jobDir, 'frame.png');
          pending.push(sharp(Buffer.from(e.rgb), { raw: { width: e.width, height: e.height, channels: 3 } }).png().toFile(file)
            .then(() => ctx.onEvent({ type: 'preview', section: e.section - 1, path: file, frames: 1, kind: 'frame' }), () => {}));
          break;
        }
        case 'section.done': {
          sectionsDone = e.section;
          sampleMs.push(performance.now() - sectionStarted);
          const partialPath = e.partialVideo ?? job.outputPath;
          const display = displayOf.get(e.section) ?? e.section - 1;
          // The checkpoint itself is saved from onCheckpoint, which the pipeline awaits before the next section.
          lastDone = { sectionsDone, total: e.sections, partialPath, frames: e.frames, seconds: e.seconds, sectionSampleMs: [...sampleMs] };
          ctx.onEvent({ type: 'section.done', index: e.section - 1, displayIndex: display, total: e.sections, partialPath, frames: e.frames, seconds: e.seconds, sampleMs: sampleMs.at(-1)! });
          if (e.section < e.sections && ctx.stopAfterSection()) stop.abort(new StopAfterSection('stopped after the section'));
          break;
        }
        case 'job.succeeded':
          final = { frames: e.frames, seconds: e.seconds };
          break;
        default:
          break;
      }
    };
    try {
      const output = await generateVideo(spec, {
        bundle, sessions, onEvent, signal, out: job.outputPath, partials: job.spec.partials, checkpointDir: job.jobDir, warm: this.warm,
        sources: { ...(job.spec.extend !== undefined ? { extendVideo: job.spec.extend } : {}), ...(job.spec.extendJob !== undefined ? { extendJob: job.spec.extendJob } : {}) },
        ...(conditioningResidency ? { conditioningResidency } : {}),
        ...(resumeFrom ? { resumeFrom } : {}),
        onCheckpoint: async (c) => {
          if (!lastDone) throw new Error('checkpoint before section.done');
          const state: ResumableState = { resumable: true, pipeline: c };
          await ctx.checkpoint({ ...lastDone, state });
        },
      });
      await Promise.all(pending);
      // The video is written: the section checkpoints (float32 latents and pixels) are dead weight.
      await removeCheckpointsBefore(job.jobDir, Infinity, sectionsDone);
      return { outcome: 'succeeded', outputPath: output, ...final };
    } catch (err: unknown) {
      await Promise.allSettled(pending);
      if (stop.signal.aborted && !ctx.signal.aborted) return { outcome: 'stopped', sectionsDone };
      // Any other write that ran out of space (sharp's PNG, a folder): DISK_FULL naming where.
      if (!(err instanceof RpcError) && isNoSpace(err)) throw await diskFullError((err as NodeJS.ErrnoException).path ?? job.outputPath, null, err);
      throw err;
    }
  }

  private pipelineSpec(spec: JobSpec, imagePath: string, model: string, manifest: Manifest, extension?: EngineExtension, inputs: DirectingPaths = directingPaths(spec)): PipelineJobSpec {
    return resolveJobSpec({
      ...directingSpecInput(spec, inputs),
      // An extension has no image of its own (its source's last frame); the pipeline does not read imagePath then.
      imagePath: extension ? ('video' in extension ? extension.video : extension.latents) : imagePath,
      prompt: spec.prompt, negativePrompt: spec.negativePrompt, seconds: spec.seconds, seed: spec.seed, steps: spec.steps,
      gs: spec.gs, cfg: spec.cfg, rs: spec.rs, windowSize: spec.window, shift: spec.shift ?? null, sampler: spec.sampler,
      // An extension always runs forward (the protocol's default mode is the bundle's, so it is not passed).
      ...(extension ? {} : { mode: spec.mode }),
      teacache: spec.teacache, crf: spec.crf, resolution: spec.resolution ?? null, ...(spec.loras?.length ? { loras: spec.loras } : {}),
      extendVideo: extension && 'video' in extension ? extension.video : null,
      extendLatents: extension && 'latents' in extension ? extension.latents : null,
      extendContext: spec.extendContext ?? null,
      ...(spec.teacacheThreshold !== undefined ? { teacacheThreshold: spec.teacacheThreshold } : {}),
      ...stepCacheInput(spec),
    }, manifest, model);
  }

  /** Gives the resident transformer the job's LoRA set (lora-sessions.ts); a no-op when it has it. */
  private async useLoras(model: string, bundle: LoadedBundle, loras: readonly { path: string; strength: number }[], say: (line: string) => void): Promise<void> {
    const key = `${model}/transformer`;
    const o = this.opened.get(key);
    if (o?.kind !== 'transformer') throw new Error(`${key} is not loaded`);
    const opts = { executionProviders: [this.device] };
    // Streamed, the variant's block-group files stand for its blocks graph (the groups are patched too).
    const next = await switchTransformerLoras(o, bundle, loras, (files, groups) => openTransformerSessions(files, opts, this.chainLocations, o.streamed ? groups : undefined, this.streamMode), say);
    if (next) this.opened.set(key, { kind: 'transformer', streamed: o.streamed, ...next });
  }

  /**
   * The job's sessions, looked up when the pipeline reads them: under the encoders-released plan a
   * component is opened only after its acquire, and an encoder's session is gone after its release.
   */
  private pipelineSessions(model: string, manifest: Manifest): PipelineSessions {
    const get = <K extends Opened['kind']>(c: ComponentId, kind: K): Extract<Opened, { kind: K }> => {
      const o = this.opened.get(`${model}/${c}`);
      if (!o) throw new Error(`${model}/${c} is not loaded`);
      if (o.kind !== kind) throw new Error('component sessions out of shape');
      return o as Extract<Opened, { kind: K }>;
    };
    const transformerConfig = transformerConfigSchema.parse(manifest.components.transformer.config);
    const device = this.device;
    const chainLocations = this.chainLocations;
    return {
      get transformer() { return get('transformer', 'transformer').sessions; },
      transformerConfig,
      get vaeEncoder() { return get('vae', 'vae').encoder; },
      get vaeDecoder() { return get('vae', 'vae').decoder; },
      get textEncoder() { return get('text-encoder', 'text').session; },
      get textEncoder2() { return get('text-encoder-2', 'text').session; },
      get imageEncoder() { return get('image-encoder', 'single').session; },
      get tokenizer() { return get('text-encoder', 'text').tokenizer; },
      get tokenizer2() { return get('text-encoder-2', 'text').tokenizer; },
      executionProvider: device, chainLocations,
      // The scheduler owns these sessions; the pipeline must not release them.
      release: async () => {},
    };
  }

  private async manifest(model: string): Promise<Manifest> {
    const cached = this.manifests.get(model);
    if (cached) return cached;
    const m = await readManifest(await resolveModelDir(model));
    this.manifests.set(model, m);
    return m;
  }

  private bundle(model: string): Promise<LoadedBundle> {
    let b = this.bundles.get(model);
    if (!b) {
      b = resolveModelDir(model).then((dir) => loadBundle(dir, { verify: 'cached' }));
      b.catch(() => this.bundles.delete(model));
      this.bundles.set(model, b);
    }
    return b;
  }
}
