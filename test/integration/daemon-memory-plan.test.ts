// The memory plan against a real daemon process with the real engine and the tiny bundle, on a
// device made too small (--device-memory 0.04297 GB = 44.0 MiB, no preserved headroom: between the plan
// with the encoders released, 43.7 MiB, and all resident, 44.5 MiB): jobs.plan shows the plan
// and why it does not fit, jobs.submit refuses the job with OUT_OF_MEMORY and the numbers before
// queueing it, and the daemon stays up with an empty queue.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobPlanResult, RpcError } from '../../shared/protocol/index.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';

let d: DaemonProcess;
let roomy: DaemonProcess;
let image: string;
beforeAll(async () => {
  [d, roomy] = await Promise.all([
    startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--device-memory', '0.04297', '--preserve-vram', '0'] }),
    // Room enough for the tiny bundle whatever else runs on the machine.
    startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' }, args: ['--preserve-vram', '0'] }),
  ]);
  image = path.join(d.base, 'start.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 9, g: 99, b: 199 } } }).png().toFile(image);
}, 30_000);
afterAll(async () => { await Promise.all([d?.cleanup(), roomy?.cleanup()]); });

describe('daemon: memory plan on a device too small for the tiny bundle', () => {
  it('jobs.plan shows the plan, the per-component peaks and the refusal', async () => {
    const c = await d.client();
    const plan = JobPlanResult.parse(await c.call('jobs.plan', { image, model: 'framepack-tiny', seconds: 1, steps: 2 }));
    const m = plan.memory!;
    expect(m).toMatchObject({ kind: 'all-resident', fits: false, device: 'cpu', availableBytes: Math.round(0.04297 * 1024 ** 3) });
    expect(m.components.map((x) => x.component)).toEqual(['text_encoder', 'text_encoder_2', 'image_encoder', 'vae', 'transformer']);
    expect(m.peakBytes).toBeGreaterThan(m.availableBytes);
    // The engine opens every component for the whole job, so the plan that would fit is named, not used.
    expect(m.reason).toBe('needs 44.5 MiB of device memory (all components resident; the vae alone 40.7 MiB), but 44.0 MiB is available; '
      + 'encoders released after conditioning would fit (peak 43.7 MiB) but this engine cannot run that plan yet');
  });

  it('jobs.submit refuses with OUT_OF_MEMORY and the numbers; nothing is queued and the daemon stays up', async () => {
    const c = await d.client();
    const err = await c.call('jobs.submit', { image, prompt: 'too big', model: 'framepack-tiny', seconds: 1, steps: 2 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('OUT_OF_MEMORY');
    expect((err as RpcError).message).toMatch(/^memory: on cpu at 96×64, window 9: needs 44\.5 MiB of device memory \(all components resident; .*\), but 44\.0 MiB is available; encoders released/);
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    expect((await c.call('daemon.status', {})).pid).toBe(d.child.pid);
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
