import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcError, type Job } from '../../shared/protocol/index.js';
import { JobPlanResult } from '../../shared/protocol/plan.js';
import { measuredEstimate, planHandlers } from './plan-handlers.js';
import { daemonMemoryDeps, memoryView, planJobMemory } from '../residency/memory-admission.js';
import { checkLoras } from '../models/lora/lora-variant.js';
import { readManifest } from '../models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../engine/pipeline/model-location.js';

let dir: string;
let image: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'fp-plan-'));
  image = path.join(dir, 'in.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(image);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (id: string, model: string | undefined, window: number, secPerStep: number, startedAt: string): Job => ({
  id, spec: { image, prompt: '', negativePrompt: '', seconds: 1, seed: 1, steps: 4, gs: 10, cfg: 1, rs: 0, window, sampler: 'unipc', mode: 'inverted', teacache: true, partials: true, crf: 16, front: false, ...(model ? { model } : {}) } as Job['spec'],
  state: 'succeeded', position: null, createdAt: startedAt, startedAt, finishedAt: startedAt,
  progress: { stage: 'sample', section: null, step: { section: 0, step: 4, steps: 4, secPerStep, etaSectionMs: 0, etaJobMs: 0 }, frames: 0, seconds: 0 },
  cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
});

const plan = (jobs: Job[] = []) => planHandlers({ engine: { defaultModel: 'framepack-tiny' }, jobs: () => jobs })['jobs.plan'];
const call = async (params: Record<string, unknown>, jobs: Job[] = []) => plan(jobs)(params as never, {} as never);

describe('jobs.plan handler', () => {
  it('plans the tiny bundle from the image header: bucket, inverted sections, frames, σ', async () => {
    const r = JobPlanResult.parse(await call({ image, seconds: 2, steps: 4 }));
    expect(r.model).toBe('framepack-tiny');
    expect(r.input).toEqual({ width: 96, height: 64 });
    expect(r.bucket).toEqual({ width: 96, height: 64 });
    expect(r.latent).toEqual({ channels: 4, height: 8, width: 12 }); // the default bundle's 4-channel VAE
    expect(r.mode).toBe('inverted');
    // 2 s at ws 9: round(2·30 / 36) = 2 sections; inverted renders the end first.
    expect(r.sections.map((s) => [s.generationIndex, s.displayIndex, s.latentPadding])).toEqual([[0, 1, 1], [1, 0, 0]]);
    expect(r.displayOrder).toEqual([1, 0]);
    expect(r.totalFrames).toBe(4 * 9 * 2 + 1);
    expect(r.sections.at(-1)!.framesAfter).toBe(r.totalFrames);
    expect(r.sections[0]!.tokens.noisy).toBe(9 * (8 / 2) * (12 / 2));
    expect(r.sigmas).toHaveLength(5);
    expect(r.sigmas.at(-1)).toBe(0);
    expect(r.estimate).toBeNull();
  });

  it('follows mode and window, and F1 keeps generation order', async () => {
    const r = await call({ image, seconds: 2, window: 5, mode: 'f1' });
    expect(r.window).toBe(5);
    expect(r.displayOrder).toEqual(r.sections.map((s) => s.generationIndex));
    expect(r.steps).toBe(25); // the bundle default
  });

  it('estimates time from the newest measured s/step of the model, same window first', async () => {
    const jobs = [
      job('a', undefined, 9, 2, '2026-11-28T01:00:00.000Z'),
      job('b', 'framepack-tiny', 5, 9, '2026-11-28T02:00:00.000Z'),
      job('c', 'other', 9, 100, '2026-11-28T03:00:00.000Z'),
    ];
    const r = await call({ image, seconds: 2, steps: 4 }, jobs);
    expect(r.estimate).toEqual({
      secPerStep: 2, measuredOn: 'a', sameWindow: true, sectionSeconds: 8, samplingSeconds: 16,
      // No finished job with a timing summary: the whole job is the sampling (a lower bound).
      job: { basis: 'steps', jobSeconds: 16, sampleSecondsPerSection: 8, decodeSecondsPerSection: 0, encodeSecondsPerSection: 0, finalEncodeSeconds: 0, setupSeconds: 0, measuredOn: 'a' },
    });
    expect(measuredEstimate(jobs, 'framepack-tiny', 'framepack-tiny', 7, 10, 1)).toMatchObject({ measuredOn: 'b', sameWindow: false, sectionSeconds: 90 });
    expect(measuredEstimate(jobs, 'nothing', 'framepack-tiny', 9, 10, 1)).toBeNull();
  });

  it('names the field: unreadable image, steps out of the pipeline range; unknown model is MODEL_MISSING', async () => {
    const bad = path.join(dir, 'not-an-image.png');
    writeFileSync(bad, 'hello');
    for (const [params, field] of [[{ image: bad }, 'image'], [{ image: path.join(dir, 'missing.png') }, 'image'], [{ image, steps: 500 }, 'steps']] as const) {
      const err = await call(params).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(params)).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe('INVALID_PARAMS');
      expect((err as RpcError).message.startsWith(`${field}:`)).toBe(true);
      expect((err as RpcError).detail).toMatchObject({ issues: [{ path: [field] }] });
    }
    await expect(call({ image, model: 'no-such-bundle' })).rejects.toMatchObject({ code: 'MODEL_MISSING' });
  });

  it('checks LoRAs as submit does (INVALID_PARAMS on loras) and counts their branches in the memory plan', async () => {
    const blue = path.resolve('test/fixtures/lora/blue-kohya.safetensors');
    const deps = daemonMemoryDeps({ preserveBytes: 0, deviceMemoryBytes: 0, resident: () => [] });
    const withMemory = planHandlers({
      engine: { defaultModel: 'framepack-tiny' }, jobs: () => [],
      memory: async (m, b, w, loraBytes) => memoryView(await planJobMemory(deps, m, b, w, loraBytes)),
    })['jobs.plan'];
    const transformerWeights = async (params: Record<string, unknown>) => {
      const r = JobPlanResult.parse(await withMemory(params as never, {} as never));
      return r.memory!.components.find((c) => c.component === 'transformer')!.weightBytes;
    };
    const plain = await transformerWeights({ image });
    const [checked] = await checkLoras({ manifest: await readManifest(path.join(REPO_MODELS_DIR, 'framepack-tiny')) }, [{ path: blue, strength: 1 }]);
    expect(await transformerWeights({ image, loras: [{ path: blue, strength: 0.7 }] })).toBe(plain + 4 * checked!.branchElements);
    for (const [loras, message] of [
      [[{ path: dir, strength: 1 }], /^loras: .*is a folder/],
      [[{ path: image, strength: 1 }], /^loras: .*in\.png: not a valid safetensors file/],
      [[{ path: 'blue.safetensors', strength: 1 }], /^loras: blue\.safetensors: the LoRA path must be absolute/],
    ] as const) {
      const err = await Promise.resolve(withMemory({ image, loras } as never, {} as never)).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect(err).toMatchObject({ code: 'INVALID_PARAMS', detail: { issues: [{ path: ['loras'] }] } });
      expect((err as RpcError).message).toMatch(message);
    }
  });
});
