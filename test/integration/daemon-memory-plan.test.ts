// The memory plan against real daemon processes with the real engine and the tiny bundle.
// `tight` has a device made too small for everything resident (--device-memory 0.04297 GB = 44.0 MiB,
// no preserved headroom: between the plan with the encoders released, 43.8 MiB, and all resident,
// 44.6 MiB): it runs the job under the encoders-released plan — each encoder loaded for its
// conditioning calls and unloaded after with a logged reason — and the video is frame for frame
// the all-resident daemon's (`roomy`, same seed). `tiny` (0.04 GB = 41.0 MiB) is below even that
// plan: the job is refused at submit with the numbers and the daemon stays up with an empty queue.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPlanResult, RpcError } from '../../shared/protocol/index.js';
import { collectEvents, readLog, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

let tight: DaemonProcess;
let roomy: DaemonProcess;
let tiny: DaemonProcess;
let image: string;
beforeAll(async () => {
  [tight, roomy, tiny] = await Promise.all([
    startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--device-memory', '0.04297', '--preserve-vram', '0'] }),
    // Room enough for the tiny bundle whatever else runs on the machine.
    startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--preserve-vram', '0'] }),
    startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--device-memory', '0.04', '--preserve-vram', '0'] }),
  ]);
  image = path.join(tight.base, 'start.png');
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
}, 30_000);
afterAll(async () => { await Promise.all([tight?.cleanup(), roomy?.cleanup(), tiny?.cleanup()]); });

const ENCODERS = ['image-encoder', 'text-encoder', 'text-encoder-2'];
const spec = () => ({ image, prompt: 'memory plan', model: 'framepack-tiny', seconds: 1, steps: 2, seed: 11, cfg: 1.5 });

/** Every decoded frame as rgb24 bytes (the MP4 containers differ in their recorded job ids). */
const frames = (file: string): Buffer => execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });

async function runToEnd(d: DaemonProcess) {
  const c = await d.client();
  const col = await collectEvents(c);
  const { jobId } = await c.call('jobs.submit', spec());
  await col.until((ev) => terminalsOf(ev, jobId).length > 0, 120_000);
  const [term] = terminalsOf(col.events, jobId);
  expect(term, JSON.stringify(term)).toMatchObject({ event: 'job.succeeded' });
  return { c, events: col.events, outputPath: (term!.payload as { outputPath: string }).outputPath };
}

describe('daemon: a device too small for everything resident runs the encoders-released plan', () => {
  it('jobs.plan picks the encoders-released plan, with its per-component peaks', async () => {
    const c = await tight.client();
    const plan = JobPlanResult.parse(await c.call('jobs.plan', { image, model: 'framepack-tiny', seconds: 1, steps: 2 }));
    const m = plan.memory!;
    expect(m).toMatchObject({ kind: 'release-encoders', fits: true, reason: null, device: 'cpu', availableBytes: Math.round(0.04297 * 1024 ** 3) });
    expect(m.components.map((x) => x.component)).toEqual(['text_encoder', 'text_encoder_2', 'image_encoder', 'vae', 'transformer']);
    expect(m.peakBytes).toBeLessThanOrEqual(m.availableBytes);
  });

  it('runs the job to the end, unloading each encoder after conditioning, with the all-resident video frame for frame', async () => {
    const [released, resident] = await Promise.all([runToEnd(tight), runToEnd(roomy)]);

    const unloaded = released.events.filter((e) => e.event === 'model.unloaded').map((e) => e.payload as { component: string; reason: string; detail?: string });
    expect(unloaded.map((u) => u.component).sort()).toEqual(ENCODERS);
    for (const u of unloaded) expect(u).toMatchObject({ reason: 'memory-plan', detail: expect.stringMatching(/memory plan 'encoders released after conditioning'/) });
    // ps: the encoders are gone, the VAE and the transformer stay for the next job (keep-alive).
    expect((await released.c.call('ps', {})).components.map((x) => x.component).sort()).toEqual(['transformer', 'vae']);
    expect(readLog(tight)).toMatch(/"msg":"unloaded".*"reason":"memory-plan"/);
    // The all-resident daemon kept every component loaded.
    expect(resident.events.filter((e) => e.event === 'model.unloaded')).toEqual([]);
    expect((await resident.c.call('ps', {})).components).toHaveLength(5);

    const a = frames(released.outputPath);
    const b = frames(resident.outputPath);
    expect(a.length).toBe(96 * 64 * 3 * 37);
    expect(a.equals(b)).toBe(true);

    // The next job loads the encoders again, and releases them again.
    const again = await runToEnd(tight);
    expect(again.events.filter((e) => e.event === 'model.loaded').map((e) => (e.payload as { component: string }).component).sort()).toEqual(ENCODERS);
    expect(again.events.filter((e) => e.event === 'model.unloaded').map((e) => (e.payload as { component: string }).component).sort()).toEqual(ENCODERS);
    expect(frames(again.outputPath).equals(a)).toBe(true);
  });
});

describe('daemon: a device too small for any plan this engine runs', () => {
  it('jobs.submit refuses with OUT_OF_MEMORY and the numbers; nothing is queued and the daemon stays up', async () => {
    const c = await tiny.client();
    const plan = JobPlanResult.parse(await c.call('jobs.plan', { image, model: 'framepack-tiny', seconds: 1, steps: 2 }));
    expect(plan.memory).toMatchObject({ kind: 'release-encoders', fits: false, availableBytes: Math.round(0.04 * 1024 ** 3) });
    const err = await c.call('jobs.submit', { ...spec(), prompt: 'too big' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('OUT_OF_MEMORY');
    expect((err as RpcError).message).toMatch(/^memory: on cpu at 96×64, window 9: needs 43\.8 MiB of device memory \(encoders released after conditioning; the vae alone 40\.9 MiB\), but 41\.0 MiB is available; even transformer blocks streamed in 4 groups would need 43\.0 MiB$/);
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    expect((await c.call('daemon.status', {})).pid).toBe(tiny.child.pid);
  });
});

describe('daemon: memory plan of an accepted job', () => {
  it('ps shows the plan of the queued or running job', async () => {
    const c = await roomy.client();
    const { jobId } = await c.call('jobs.submit', { image, prompt: 'fits', model: 'framepack-tiny', seconds: 1, steps: 2 });
    const ps = await c.call('ps', {});
    await c.call('jobs.cancel', { jobId });
    expect(ps.plans).toHaveLength(1);
    expect(ps.plans![0]).toMatchObject({ jobId, state: expect.stringMatching(/^(queued|running)$/), memory: { kind: 'all-resident', fits: true, reason: null, device: 'cpu' } });
    expect(ps.plans![0]!.memory.peakBytes).toBeLessThan(ps.plans![0]!.memory.availableBytes);
  });
});
