// Transformer block streaming against real daemon processes with the real engine: the default
// model rebuilt with its blocks also in 4 group graphs (`make-default-bundle --block-groups 4`).
// `tight` gets a device below every plan that holds all four blocks (--device-memory 0.0425 GB =
// 43.5 MiB: encoders released needs 43.8, streaming in 4 groups 43.0), so the job runs with the
// blocks streamed — two of the four groups' sessions at most, each opened for its call and released —
// and its video is frame for frame the all-resident daemon's (`roomy`, same bundle, same seed).
// A job with a smaller window fits all resident on the same daemon: the warm streamed transformer
// is unloaded and loaded whole for it, and streamed again for the next full-window job. `fed` is
// `tight` with FRAMEPACK_STREAM_MODE=inputs: kept weight-free group sessions fed host-held weights;
// its video may differ from the resident one only by ORT's prepacked-GEMM rounding (docs/memory.md).
// With a LoRA (the blue fixture) the streamed job runs the variant's patched block groups and its
// video is frame for frame the all-resident daemon's with the same LoRA; the warm streamed
// transformer builds, drops and reuses the variant as a resident one does.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPlanResult } from '../../shared/protocol/index.js';
import { collectEvents, startDaemon, tempBase, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';
import { makeDefaultBundle } from '../../scripts/make-default-bundle.js';

const MODEL = 'framepack-tiny-g4';
const BLUE = [{ path: path.resolve(import.meta.dirname, '../fixtures/lora/blue-kohya.safetensors'), strength: 1 }];
let tight: DaemonProcess;
let roomy: DaemonProcess;
let fed: DaemonProcess;
let image: string;
let firstStreamed: { frames: Buffer; ram: number; residentRam: number } | null = null;
beforeAll(async () => {
  const base = tempBase();
  const models = path.join(base, 'models');
  mkdirSync(models, { recursive: true });
  await makeDefaultBundle({ outDir: path.join(models, MODEL), name: MODEL, blockGroups: 4 });
  const env = { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_MODELS_DIR: models };
  [tight, roomy, fed] = await Promise.all([
    startDaemon({ env, args: ['--device-memory', '0.0425', '--preserve-vram', '0'] }),
    startDaemon({ base, env, args: ['--preserve-vram', '0'] }),
    startDaemon({ env: { ...env, FRAMEPACK_STREAM_MODE: 'inputs' }, args: ['--device-memory', '0.0425', '--preserve-vram', '0'] }),
  ]);
  image = path.join(base, 'start.png');
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
}, 60_000);
afterAll(async () => { await Promise.all([tight?.cleanup(), roomy?.cleanup(), fed?.cleanup()]); });

const spec = () => ({ image, prompt: 'a red circle moves right', model: MODEL, seconds: 1, steps: 2, seed: 11, cfg: 1.5 });
const frames = (file: string): Buffer => execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });

async function runToEnd(d: DaemonProcess, extra: { window?: number; loras?: typeof BLUE } = {}) {
  const c = await d.client();
  const col = await collectEvents(c);
  const { jobId } = await c.call('jobs.submit', { ...spec(), ...extra });
  await col.until((ev) => terminalsOf(ev, jobId).length > 0, 120_000);
  const [term] = terminalsOf(col.events, jobId);
  expect(term, JSON.stringify(term)).toMatchObject({ event: 'job.succeeded' });
  const details = col.events.filter((e) => e.event === 'stage' && (e.payload as { jobId?: string }).jobId === jobId).map((e) => String((e.payload as { detail?: string }).detail ?? ''));
  return { c, events: col.events, details, outputPath: (term!.payload as { outputPath: string }).outputPath };
}

describe('daemon: a device too small for the whole transformer streams its blocks', () => {
  it('jobs.plan picks streaming in the bundle\'s 4 groups, and all resident with room', async () => {
    const plan = JobPlanResult.parse(await (await tight.client()).call('jobs.plan', { image, model: MODEL, seconds: 1, steps: 2 }));
    expect(plan.memory).toMatchObject({ kind: 'stream-blocks', groups: 4, fits: true, reason: null, device: 'cpu' });
    expect(plan.memory!.bytesMovedPerCall).toBeGreaterThan(0);
    const room = JobPlanResult.parse(await (await roomy.client()).call('jobs.plan', { image, model: MODEL, seconds: 1, steps: 2 }));
    expect(room.memory).toMatchObject({ kind: 'all-resident', groups: null, fits: true });
  });

  it('runs the job with streamed blocks, frame for frame the all-resident video', async () => {
    const [streamed, resident] = await Promise.all([runToEnd(tight), runToEnd(roomy)]);
    const unloaded = streamed.events.filter((e) => e.event === 'model.unloaded').map((e) => e.payload as { component: string; detail?: string });
    expect(unloaded.map((u) => u.component).sort()).toEqual(['image-encoder', 'text-encoder', 'text-encoder-2']);
    for (const u of unloaded) expect(u.detail).toMatch(/memory plan 'transformer blocks streamed'/);
    // The streamed transformer holds two groups' weights, not the whole blocks graph's.
    const ram = async (c: typeof streamed.c) => (await c.call('ps', {})).components.find((x) => x.component === 'transformer')!.ramBytes;
    const [streamedRam, residentRam] = [await ram(streamed.c), await ram(resident.c)];
    expect(streamedRam).toBeGreaterThan(0);
    expect(streamedRam).toBeLessThan(residentRam);

    const a = frames(streamed.outputPath);
    expect(a.length).toBe(96 * 64 * 3 * 37);
    expect(a.equals(frames(resident.outputPath))).toBe(true);
    firstStreamed = { frames: a, ram: streamedRam, residentRam };
  });

  it('a warm streamed transformer is loaded again whole for a job that fits resident, and streamed again after', async () => {
    expect(firstStreamed).not.toBeNull();
    // Window 5 needs far less (26.6 MiB all resident): the same tight daemon runs it all resident.
    const small = await runToEnd(tight, { window: 5 });
    const transformerUnloads = (r: typeof small) => r.events.filter((e) => e.event === 'model.unloaded' && (e.payload as { component: string }).component === 'transformer').map((e) => (e.payload as { reason: string; detail?: string }));
    expect(transformerUnloads(small)).toEqual([expect.objectContaining({ reason: 'memory-plan', detail: expect.stringMatching(/memory plan 'transformer blocks resident' \(the transformer is loaded again with its blocks resident\)/) })]);
    const ram = async () => (await small.c.call('ps', {})).components.find((x) => x.component === 'transformer')!.ramBytes;
    expect(await ram()).toBe(firstStreamed!.residentRam);
    const again = await runToEnd(tight);
    expect(transformerUnloads(again)).toEqual([expect.objectContaining({ reason: 'memory-plan', detail: expect.stringMatching(/memory plan 'transformer blocks streamed'/) })]);
    expect(await ram()).toBe(firstStreamed!.ram);
    expect(frames(again.outputPath).equals(firstStreamed!.frames)).toBe(true);
  });

  it('FRAMEPACK_STREAM_MODE=inputs streams with kept group sessions: same plan, all groups held in host memory, the same video within rounding', async () => {
    expect(firstStreamed).not.toBeNull();
    const r = await runToEnd(fed);
    const ram = (await r.c.call('ps', {})).components.find((x) => x.component === 'transformer')!.ramBytes;
    // Every group's weights stay in host memory (the CPU's device memory): more than two groups', about the whole graph's.
    expect(ram).toBeGreaterThan(firstStreamed!.ram);
    expect(ram).toBeGreaterThanOrEqual(firstStreamed!.residentRam * 0.9);
    const a = frames(r.outputPath);
    expect(a.length).toBe(firstStreamed!.frames.length);
    let [worst, sum] = [0, 0];
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - firstStreamed!.frames[i]!);
      worst = Math.max(worst, d);
      sum += d;
    }
    // Measured: 1195 of 681,984 bytes differ, by at most 3, mean |Δ| 0.0023.
    expect(worst).toBeLessThanOrEqual(4);
    expect(sum / a.length).toBeLessThan(0.01);
  });

  it('a job with a LoRA streams its blocks too: the all-resident video with the same LoRA, frame for frame; switching sets on the warm streamed transformer builds, drops and reuses the variant', async () => {
    expect(firstStreamed).not.toBeNull();
    const [streamed, resident, inputs] = await Promise.all([runToEnd(tight, { loras: BLUE }), runToEnd(roomy, { loras: BLUE }), runToEnd(fed, { loras: BLUE })]);
    // Still streamed (no reload for the LoRA), and the variant's block groups are what it opened.
    expect(streamed.events.some((e) => e.event === 'model.unloaded' && (e.payload as { component: string }).component === 'transformer')).toBe(false);
    expect(streamed.details.find((t) => /built the transformer variant with 1 LoRA/.test(t))).toMatch(/transformer_blocks, transformer_post, 4 of 4 block groups/);
    const ram = async (c: typeof streamed.c) => (await c.call('ps', {})).components.find((x) => x.component === 'transformer')!.ramBytes;
    expect(await ram(streamed.c)).toBe(firstStreamed!.ram);
    const blue = frames(streamed.outputPath);
    expect(blue.equals(frames(resident.outputPath))).toBe(true);
    // The LoRA acted: not the plain video.
    expect(blue.equals(firstStreamed!.frames)).toBe(false);
    // Weights fed as inputs: the LoRA's matrices too; the same video within the rounding above.
    const fedFrames = frames(inputs.outputPath);
    let worst = 0;
    for (let i = 0; i < blue.length; i++) worst = Math.max(worst, Math.abs(fedFrames[i]! - blue[i]!));
    expect(worst).toBeLessThanOrEqual(4);

    const plain = await runToEnd(tight);
    expect(plain.details.some((t) => /removing the LoRAs of the previous job/.test(t))).toBe(true);
    expect(frames(plain.outputPath).equals(firstStreamed!.frames)).toBe(true);
    const again = await runToEnd(tight, { loras: BLUE });
    expect(again.details.some((t) => /reusing the transformer variant with 1 LoRA/.test(t))).toBe(true);
    expect(frames(again.outputPath).equals(blue)).toBe(true);
  }, 180_000); // five jobs on the default model, one after another (10–40 s on a loaded 2-core machine)
});
