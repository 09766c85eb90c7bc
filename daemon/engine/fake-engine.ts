// A deterministic engine for tests and CPU-only development (STYLE.md §3.3 conv. 8): the same
// sections, steps, events, checkpoints and files as the real pipeline, with scripted timing,
// memory and failures instead of models. Its "video" is a small JSON file whose content depends
// only on the seed and the section history drawn from the real SeededNoise, so a job resumed from a
// checkpoint must produce a byte-identical output to an uninterrupted one — which is exactly what
// the daemon's checkpoint/resume plumbing has to guarantee for the real engine too.
//
// Per-job scripting through the prompt (for cross-process tests): `[fail-at-section=N]` fails
// when section N (1-based) starts, `[oom-at-load]` makes the first transformer load run out of
// memory once, `[step-ms=N]` overrides the step time.
import { access, constants, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ComponentId, JobSpec } from '../../shared/protocol/index.js';
import { savePng } from '../media/image-input.js';
import type { RgbImage } from '../media/pixels.js';
import { sectionCount } from './section-plan.js';
import { SeededNoise, type NoiseState } from './seeded-noise.js';
import {
  EngineOutOfMemory,
  JobRejected,
  type ComponentFootprint,
  type Engine,
  type EngineJob,
  type EngineOutcome,
  type EngineRunContext,
} from './engine.js';

export const FAKE_COMPONENTS: readonly ComponentId[] = ['text-encoder', 'text-encoder-2', 'image-encoder', 'vae', 'transformer'];
const GIB = 1024 ** 3;
/** Footprints roughly in the proportions of the real fp16 model (LLaMA 8B, CLIP-L, SigLIP, VAE, 13B transformer). */
export const FAKE_FOOTPRINTS: Readonly<Record<ComponentId, ComponentFootprint>> = {
  'text-encoder': { device: 'fake:0', vramBytes: 15 * GIB, ramBytes: 256 * 1024 ** 2 },
  'text-encoder-2': { device: 'fake:0', vramBytes: 0.25 * GIB, ramBytes: 64 * 1024 ** 2 },
  'image-encoder': { device: 'fake:0', vramBytes: 0.8 * GIB, ramBytes: 64 * 1024 ** 2 },
  vae: { device: 'fake:0', vramBytes: 0.5 * GIB, ramBytes: 64 * 1024 ** 2 },
  transformer: { device: 'fake:0', vramBytes: 25 * GIB, ramBytes: 512 * 1024 ** 2 },
};

export interface FakeEngineOptions {
  /** Model names it pretends to have (default ['fake-tiny']). */
  models?: string[];
  /** Wall time of one sampler step, ms (default 20). */
  stepMs?: number;
  /** Wall time of one component load, ms (default 10). */
  loadMs?: number;
  footprints?: Partial<Record<ComponentId, ComponentFootprint>>;
}

/** Checkpoint state of the fake engine: the section history and the generator. */
interface FakeState {
  history: number[];
  noise: NoiseState;
}

/** Pixel frames after k sections of window w (the real decode gives 4·w·k − 3 for inverted mode). */
export function fakeFrames(sections: number, window: number): number {
  return Math.max(1, 4 * window * sections - 3);
}

function directive(prompt: string, name: string): number | null {
  const m = new RegExp(`\\[${name}(?:=(\\d+))?\\]`).exec(prompt);
  if (!m) return null;
  return m[1] === undefined ? 1 : Number(m[1]);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Write via a temp file and rename, so a crash never leaves a half-written file under the final name. */
/** The fake decoded frame of a section: 64×40, a left-to-right ramp whose colour moves with the section. */
export function fakeFrame(index: number, total: number): RgbImage {
  const width = 64, height = 40;
  const rgb = new Uint8Array(width * height * 3);
  const hue = total > 1 ? index / (total - 1) : 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const ramp = x / (width - 1);
    rgb.set([Math.round(255 * ramp), Math.round(255 * hue), Math.round(255 * (y / (height - 1)))], (y * width + x) * 3);
  }
  return { width, height, rgb };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export class FakeEngine implements Engine {
  readonly name = 'fake';
  readonly defaultModel: string;
  private readonly models: string[];
  private readonly stepMs: number;
  private readonly loadMs: number;
  private readonly footprints: Record<ComponentId, ComponentFootprint>;
  private readonly oomDone = new Set<string>();
  /** What is loaded right now, for tests that check the scheduler's bookkeeping against the engine's. */
  readonly loaded = new Set<string>();

  constructor(options: FakeEngineOptions = {}) {
    this.models = options.models ?? ['fake-tiny'];
    this.defaultModel = this.models[0]!;
    this.stepMs = options.stepMs ?? 20;
    this.loadMs = options.loadMs ?? 10;
    this.footprints = { ...FAKE_FOOTPRINTS, ...options.footprints };
  }

  async listModels(): Promise<string[]> {
    return [...this.models];
  }

  components(): readonly ComponentId[] {
    return FAKE_COMPONENTS;
  }

  estimate(_model: string, component: ComponentId): ComponentFootprint {
    return { ...this.footprints[component] };
  }

  async validate(spec: JobSpec, model: string): Promise<void> {
    if (!this.models.includes(model)) throw new JobRejected('model', `unknown model '${model}' (available: ${this.models.join(', ')})`, 'MODEL_MISSING');
    // The fake engine only checks that an extension's video can be read, like an image.
    const source = spec.image ?? spec.extend;
    if (source === undefined) return;
    try {
      await access(source, constants.R_OK);
      const head = await readFile(source);
      if (head.length === 0) throw new Error('empty file');
    } catch (err: unknown) {
      throw new JobRejected(spec.image === undefined ? 'extend' : 'image', `cannot read ${source}: ${(err as Error).message}`);
    }
  }

  async load(model: string, component: ComponentId, signal?: AbortSignal): Promise<ComponentFootprint> {
    await sleep(this.loadMs, signal);
    this.loaded.add(`${model}/${component}`);
    return this.estimate(model, component);
  }

  async unload(model: string, component: ComponentId): Promise<void> {
    this.loaded.delete(`${model}/${component}`);
  }

  async run(job: EngineJob, ctx: EngineRunContext): Promise<EngineOutcome> {
    const { spec } = job;
    const stepMs = directive(spec.prompt, 'step-ms') ?? this.stepMs;
    const failAt = directive(spec.prompt, 'fail-at-section');
    const uninterruptible = directive(spec.prompt, 'uninterruptible-steps') !== null;
    if (directive(spec.prompt, 'oom-at-load') !== null && !this.oomDone.has(job.id)) {
      this.oomDone.add(job.id);
      throw new EngineOutOfMemory('fake: out of memory while loading the transformer');
    }
    ctx.onEvent({ type: 'stage', stage: 'load-models' });
    for (const c of FAKE_COMPONENTS) await ctx.acquire(c);
    ctx.onEvent({ type: 'stage', stage: 'text-encode' });
    ctx.onEvent({ type: 'stage', stage: 'image-encode' });
    ctx.onEvent({ type: 'stage', stage: 'vae-encode' });

    const total = sectionCount(spec.seconds, spec.window);
    const resumed = ctx.resume?.state as FakeState | undefined;
    const history = resumed ? [...resumed.history] : [];
    const noise = resumed ? SeededNoise.fromState(resumed.noise) : SeededNoise.fromSeed(spec.seed);
    const sampleMs = ctx.resume ? [...ctx.resume.sectionSampleMs] : [];
    await mkdir(job.jobDir, { recursive: true });

    for (let index = history.length; index < total; index++) {
      if (failAt === index + 1) throw new Error(`fake: scripted failure at section ${index + 1}`);
      const displayIndex = spec.mode === 'inverted' ? total - 1 - index : index;
      ctx.onEvent({ type: 'section.started', index, displayIndex, total });
      // The real engine's order per section: sample, vae-decode, append (from the second on), mux (the partial).
      ctx.onEvent({ type: 'stage', stage: 'sample' });
      const started = performance.now();
      let value = 0;
      for (let step = 1; step <= spec.steps; step++) {
        // [uninterruptible-steps]: a step that ignores the abort signal, like one ONNX Runtime run.
        await sleep(stepMs, uninterruptible ? undefined : ctx.signal);
        ctx.signal.throwIfAborted();
        // One draw per step from the job's generator, as the real sampler draws section noise.
        value += noise.sectionNoise({ channels: 1, frames: 1, height: 1, width: 16 }).reduce((a, b) => a + b, 0);
        const left = spec.steps - step;
        ctx.onEvent({
          type: 'step', section: index, step, steps: spec.steps, secPerStep: stepMs / 1000,
          etaSectionMs: left * stepMs, etaJobMs: (left + (total - index - 1) * spec.steps) * stepMs,
        });
      }
      history.push(Math.round(value * 1e6) / 1e6);
      const frames = fakeFrames(history.length, spec.window);
      ctx.onEvent({ type: 'stage', stage: 'vae-decode' });
      const previewPath = path.join(job.jobDir, 'preview.json');
      await writeAtomic(previewPath, JSON.stringify({ section: index, value: history.at(-1) }));
      ctx.onEvent({ type: 'preview', section: index, path: previewPath, frames, kind: 'latent' });
      // A real PNG, as the real engine's decoded-frame preview, so the dashboard's picture shows with this engine too.
      const framePath = path.join(job.jobDir, 'frame.png');
      await savePng(fakeFrame(index, total), framePath);
      ctx.onEvent({ type: 'preview', section: index, path: framePath, frames, kind: 'frame' });
      if (index > 0) ctx.onEvent({ type: 'stage', stage: 'append' });
      ctx.onEvent({ type: 'stage', stage: 'mux' });
      const partialPath = path.join(job.jobDir, `partial-${history.length}.json`);
      await writeAtomic(partialPath, fakeVideo(spec.seed, history, frames));
      sampleMs.push(performance.now() - started);
      const seconds = frames / 30;
      await ctx.checkpoint({
        sectionsDone: history.length, total, partialPath, frames, seconds, sectionSampleMs: [...sampleMs],
        state: { history: [...history], noise: noise.saveState() } satisfies FakeState,
      });
      ctx.onEvent({ type: 'section.done', index, displayIndex, total, partialPath, frames, seconds, sampleMs: sampleMs.at(-1)! });
      if (index + 1 < total && ctx.stopAfterSection()) return { outcome: 'stopped', sectionsDone: history.length };
    }
    ctx.onEvent({ type: 'stage', stage: 'mux' });
    const frames = fakeFrames(history.length, spec.window);
    await mkdir(path.dirname(job.outputPath), { recursive: true });
    await writeAtomic(job.outputPath, fakeVideo(spec.seed, history, frames));
    return { outcome: 'succeeded', outputPath: job.outputPath, frames, seconds: frames / 30 };
  }
}

/** The fake "video": everything that determines it, as stable JSON. */
function fakeVideo(seed: number, history: readonly number[], frames: number): string {
  return `${JSON.stringify({ engine: 'fake', seed, frames, sections: history })}\n`;
}
