import { describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { runImageProjection } from '../../models/transformer/run-transformer.js';
import { SeededNoise } from '../seeded-noise.js';
import { planJob } from '../section-plan.js';
import { readCheckpoint, writeCheckpoint, type PipelineCheckpoint } from './checkpoint-files.js';
import { computeConditioning } from './conditioning.js';
import type { PipelineEvent } from './events.js';
import { resolveJobSpec, type JobSpecInput } from './job-spec.js';
import { REPO_MODELS_DIR } from './model-location.js';
import type { PixelStore } from './pixel-store.js';
import { runSections, sectionContext } from './section-loop.js';
import { openSessions } from './sessions.js';
import { fileTempDir, testTempDir } from '../../../test/helpers/temp-dir.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const sessions = await openSessions(bundle);
const manifest = bundle.manifest;
// The default bundle's latent (4 channels since the v2 training recipe) at its 64×96 bucket.
const g = { channels: manifest.latent.channels, height: 8, width: 12 };
const C = g.channels;
// A smooth 96×64 test image.
const image = { width: 96, height: 64, rgb: Uint8Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 7) % 251) };
const conditioning = await computeConditioning(sessions, manifest, image, { prompt: 'a red ball bounces', negativePrompt: '', cfg: 1 });
const imageTokens = await runImageProjection(sessions.transformer, conditioning.imageEmbeddings);
const spoolRoot = fileTempDir('fp-loop-');
/** A fresh folder per run: a store's chunk files must not be overwritten by another run's. */
const spoolDir = () => mkdtempSync(path.join(spoolRoot, 'run-'));

/** The whole video of a run as rgb24 bytes, display order. */
export async function videoBytes(store: PixelStore): Promise<Buffer> {
  const frames: Uint8Array[] = [];
  for await (const f of store.frames()) frames.push(f);
  return Buffer.concat(frames);
}

async function run(extra: JobSpecInput, loop: Partial<Parameters<typeof runSections>[0]> = {}) {
  const spec = resolveJobSpec({ imagePath: 'x.png', prompt: 'a red ball bounces', steps: 2, ...extra }, manifest, 'framepack-tiny');
  const plan = planJob({ mode: spec.mode, seconds: spec.seconds, latentHeight: g.height, latentWidth: g.width, latentWindowSize: spec.windowSize });
  const events: PipelineEvent[] = [];
  const result = await runSections({
    sessions, manifest, spec, plan, geometry: g, conditioning, imageTokens, noise: SeededNoise.fromSeed(spec.seed),
    spoolDir: spoolDir(), onEvent: (e) => events.push(e), ...loop,
  });
  return { result, events, plan };
}

describe('section loop on the tiny bundle', () => {
  it('conditions every section on the start latent and the right history frames', () => {
    const start = new Float32Array(C * 96).fill(1);
    const plan = planJob({ mode: 'f1', seconds: 2.4, latentHeight: 8, latentWidth: 12 });
    // F1's first section: clean = [start, start], 2× and 4× zero.
    const c = sectionContext(plan.sections[0]!, [start], start, g);
    expect(c.clean.dims).toEqual([1, C, 2, 8, 12]);
    expect(c.clean.data.every((v) => v === 1)).toBe(true);
    expect(c.clean2x.data.every((v) => v === 0)).toBe(true);
    expect(c.clean4x.dims).toEqual([1, C, 16, 8, 12]);
    // Inverted first section: the 1× slot is zero (history empty), the start latent first.
    const inv = planJob({ mode: 'inverted', seconds: 2.4, latentHeight: 8, latentWidth: 12 });
    const ci = sectionContext(inv.sections[0]!, [], start, g);
    expect(ci.clean.data.subarray(0, 96).every((v) => v === 1)).toBe(true);
    expect(ci.clean.data.subarray(96, 192).every((v) => v === 0)).toBe(true);
    // Vanilla: [second most recent, most recent] at 1×, no start latent, 2×/4× zero.
    const van = planJob({ mode: 'vanilla', seconds: 2.4, latentHeight: 8, latentWidth: 12 });
    const frame = (v: number) => new Float32Array(C * 96).fill(v);
    const history = [start, ...Array.from({ length: 9 }, (_, i) => frame(i + 2))];
    const cv = sectionContext(van.sections[1]!, history, start, g);
    const firstOfFrame = (t: { data: Float32Array; dims: number[] }, f: number) => t.data[f * 96]; // channel 0
    expect(cv.clean.dims).toEqual([1, C, 2, 8, 12]);
    expect([firstOfFrame(cv.clean, 0), firstOfFrame(cv.clean, 1)]).toEqual([9, 10]);
    expect(cv.clean2x.data.every((v) => v === 0) && cv.clean4x.data.every((v) => v === 0)).toBe(true);
    const cv0 = sectionContext(van.sections[0]!, [start], start, g);
    expect([firstOfFrame(cv0.clean, 0), firstOfFrame(cv0.clean, 1)]).toEqual([0, 1]);
  });

  it('inverted: 2 sections give 19 latents and 73 frames', async () => {
    const a = await run({ seconds: 2.4 });
    expect(a.plan.sectionCount).toBe(2);
    expect(a.result.latents).toHaveLength(19);
    expect(a.result.pixels.totalFrames).toBe(73);
    expect((await videoBytes(a.result.pixels)).length).toBe(73 * 96 * 64 * 3);
    // The last section prepends the start latent: the video's first latent is the start frame.
    expect(Array.from(a.result.latents[0]!)).toEqual(Array.from(conditioning.startLatent.data));
    const types = a.events.map((e) => e.type);
    expect(types.filter((t) => t === 'step')).toHaveLength(4);
    expect(types.filter((t) => t === 'preview')).toHaveLength(4);
    expect(types.at(-1)).toBe('section.done');
    const done = a.events.filter((e) => e.type === 'section.done');
    expect(done.map((e) => e.frames)).toEqual([33, 73]);
    // One decoded-frame preview per section, after its decode, at the video's size (under 160×100 already).
    const frames = a.events.filter((e) => e.type === 'frame');
    expect(frames.map((e) => [e.section, e.width, e.height, e.rgb.length])).toEqual([1, 2].map((k) => [k, 96, 64, 96 * 64 * 3]));
    expect(types.indexOf('frame')).toBeLessThan(types.indexOf('section.done'));
  });

  it('the same seed gives the same pixels bit for bit; another seed does not', async () => {
    const bytes = async (seed: number) => videoBytes((await run({ seconds: 1, seed })).result.pixels);
    const a = await bytes(7);
    expect((await bytes(7)).equals(a)).toBe(true);
    expect((await bytes(8)).equals(a)).toBe(false);
  });

  it('f1 and vanilla append after the start latent and give 36·N + 1 frames', async () => {
    const f1 = await run({ seconds: 2.4, mode: 'f1' });
    expect(f1.result.latents).toHaveLength(19);
    expect(f1.result.pixels.totalFrames).toBe(73);
    expect(Array.from(f1.result.latents[0]!)).toEqual(Array.from(conditioning.startLatent.data));
    expect(f1.events.filter((e) => e.type === 'section.done').map((e) => e.frames)).toEqual([37, 73]);
    const f1One = await run({ seconds: 1, mode: 'f1' });
    const vanillaOne = await run({ seconds: 1, mode: 'vanilla' });
    expect(vanillaOne.result.pixels.totalFrames).toBe(37);
    // Same seed, same noise, same model: only the context differs (vanilla has no start anchor).
    expect((await videoBytes(vanillaOne.result.pixels)).equals(await videoBytes(f1One.result.pixels))).toBe(false);
  });

  it('TeaCache skips blocks on long runs and every sampler runs', async () => {
    const on = await run({ seconds: 1, steps: 25 });
    expect(on.result.teacache.skipped).toBeGreaterThan(0);
    expect(on.result.teacache.computed + on.result.teacache.skipped).toBe(25);
    const off = await run({ seconds: 1, steps: 25, teacache: false });
    expect(off.result.teacache).toEqual({ computed: 25, skipped: 0 });
    const euler = await run({ seconds: 1, sampler: 'euler' });
    expect(euler.result.pixels.totalFrames).toBe(37);
    // Real CFG runs the negative branch: two transformer calls per step.
    const cfgConditioning = await computeConditioning(sessions, manifest, image, { prompt: 'a red ball bounces', negativePrompt: 'blurry', cfg: 2 });
    expect(cfgConditioning.negative.llama.data.some((v) => v !== 0)).toBe(true);
  });

  it('interrupted after a section and resumed from its checkpoint files: the same latents and pixels bit for bit', async () => {
    // Two 1-step sections, killed after section 1: the resumed section reads the checkpointed
    // history as context and stitches onto the checkpointed held frames (f1: after the final
    // frames already in a chunk file). pixel-store.test.ts covers longer jobs without the model.
    for (const mode of ['inverted', 'f1'] as const) {
      const full = await run({ seconds: 2.4, mode, seed: 5, steps: 1 });
      const spec = resolveJobSpec({ imagePath: 'x.png', prompt: 'a red ball bounces', steps: 1, seconds: 2.4, mode, seed: 5 }, manifest, 'framepack-tiny');
      const plan = planJob({ mode, seconds: 2.4, latentHeight: g.height, latentWidth: g.width, latentWindowSize: spec.windowSize });
      expect(plan.sectionCount).toBe(2);
      const dir = testTempDir('fp-ckpt-');
      // First run: killed right after section 1 was checkpointed.
      const controller = new AbortController();
      let saved: PipelineCheckpoint | null = null;
      const base = { sessions, manifest, spec, plan, geometry: g, conditioning, imageTokens, spoolDir: dir };
      await expect(runSections({
        ...base, noise: SeededNoise.fromSeed(5), signal: controller.signal, onEvent: () => {},
        onCheckpoint: async (c) => {
          saved = await writeCheckpoint(dir, c);
          if (c.sectionsDone === 1) controller.abort(new DOMException('killed', 'AbortError'));
        },
      })).rejects.toThrow('killed');
      expect(saved!.sectionsDone).toBe(1);
      // Only the overlap's 33 frames are held (float32); the final ones are rgb24 chunks on disk.
      expect(saved!.pixels.frames).toBe(33);
      expect(saved!.frameChunks!.map((c) => c.frames)).toEqual(mode === 'inverted' ? [] : [4]);
      const files = (await readdir(dir)).sort();
      expect(files).toEqual(['checkpoint-1.history.f32', 'checkpoint-1.pixels.f32', ...(mode === 'inverted' ? [] : ['frames-1.rgb'])]);
      // Second run: from the files and the saved generator state only.
      const events: PipelineEvent[] = [];
      const resumed = await runSections({
        ...base, noise: SeededNoise.fromState(saved!.noise), resume: await readCheckpoint(saved!), onEvent: (e) => events.push(e),
      });
      expect(events.filter((e) => e.type === 'section.started').map((e) => e.section)).toEqual([2]);
      expect(events.filter((e) => e.type === 'step')).toHaveLength(1);
      expect(resumed.latents).toHaveLength(full.result.latents.length);
      resumed.latents.forEach((f, i) => expect(Buffer.from(f.buffer).equals(Buffer.from(full.result.latents[i]!.buffer)), `${mode} latent ${i}`).toBe(true));
      expect(resumed.pixels.totalFrames).toBe(full.result.pixels.totalFrames);
      expect((await videoBytes(resumed.pixels)).equals(await videoBytes(full.result.pixels)), mode).toBe(true);
    }
  }, 240_000);

  it('stops at the abort signal', async () => {
    const spec = resolveJobSpec({ imagePath: 'x.png', prompt: 'p', steps: 5, seconds: 1 }, manifest, 'framepack-tiny');
    const plan = planJob({ mode: 'inverted', seconds: 1, latentHeight: 8, latentWidth: 12 });
    const controller = new AbortController();
    const run = runSections({
      sessions, manifest, spec, plan, geometry: g, conditioning, imageTokens, noise: SeededNoise.fromSeed(1), signal: controller.signal, spoolDir: spoolDir(),
      onEvent: (e) => { if (e.type === 'step' && e.step === 2) controller.abort(new DOMException('stop', 'AbortError')); },
    });
    await expect(run).rejects.toThrow('stop');
  });

  it('decodes in spatial tiles when the job plan says so (latent tiles of 4 every 3 on the 8×12 latents)', async () => {
    const shapes: string[] = [];
    const spy = {
      run: async (feeds: Record<string, ort.Tensor>) => {
        shapes.push(feeds.latents!.dims.slice(2).join('×'));
        return sessions.vaeDecoder.run(feeds);
      },
    } as unknown as ort.InferenceSession;
    const tiling = { tileSampleMinHeight: 32, tileSampleMinWidth: 32, tileSampleStrideHeight: 24, tileSampleStrideWidth: 24, spatialCompression: 8 };
    const whole = await run({ seconds: 1, mode: 'f1' });
    const tiled = await run({ seconds: 1, mode: 'f1' }, { sessions: { ...sessions, vaeDecoder: spy }, decodeTiling: tiling });
    // F1's first section decodes 10 latents: temporal tiles of 5, 5 and 4 latents, each as 3 × 4
    // spatial tiles (rows 0, 3, 6 of 8; columns 0, 3, 6, 9 of 12).
    const grid = (t: number) => ['4', '4', '2'].flatMap((h) => ['4', '4', '4', '3'].map((w) => `${t}×${h}×${w}`));
    expect(shapes).toEqual([...grid(5), ...grid(5), ...grid(4)]);
    expect(tiled.result.pixels.totalFrames).toBe(whole.result.pixels.totalFrames);
    const [a, b] = [await videoBytes(whole.result.pixels), await videoBytes(tiled.result.pixels)];
    let maxAbs = 0;
    for (let i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    expect(maxAbs).toBeGreaterThan(0); // the blend is not exact …
    expect(maxAbs).toBeLessThan(32); // … but close (same latents; 0.25 in [−1, 1] is 32 levels)
  });
});
