// jobs.plan, daemon.doctor, the execution provider in daemon.status and job telemetry against the
// real daemon process (fake engine), with a fake nvidia-smi (one GPU) first on PATH.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonStatus, DoctorResult, JobPlanResult, MemoryTelemetry, RpcError } from '../../shared/protocol/index.js';
import { writeFakeNvidiaSmi } from '../../daemon/telemetry/fake-nvidia-smi.js';
import { collectEvents, readLog, startDaemon, tempBase, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const MiB = 1024 ** 2;
let d: DaemonProcess;
let image: string;
let binDir: string;
beforeAll(async () => {
  const base = tempBase();
  binDir = path.join(base, 'bin');
  // Written before start with a placeholder pid, rewritten below with the daemon's own pid.
  await writeFakeNvidiaSmi(binDir, 'one-gpu', 1);
  d = await startDaemon({ base, env: { PATH: `${binDir}:${process.env.PATH}`, FRAMEPACK_FAKE_STEP_MS: '40' } });
  await writeFakeNvidiaSmi(binDir, 'one-gpu', d.child.pid!);
  image = path.join(base, 'start.png');
  await sharp({ create: { width: 200, height: 120, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(image);
}, 30_000);
afterAll(async () => d?.cleanup());

describe('daemon: jobs.plan, daemon.doctor, provider, telemetry', () => {
  it('jobs.plan plans a bundle on disk; bad input is INVALID_PARAMS naming the field', async () => {
    const c = await d.client();
    const plan = JobPlanResult.parse(await c.call('jobs.plan', { image, model: 'framepack-tiny', seconds: 3, steps: 3 }));
    expect(plan.input).toEqual({ width: 200, height: 120 });
    expect(plan.sections.length).toBeGreaterThan(1);
    expect(plan.displayOrder).toEqual(plan.sections.map((s) => s.generationIndex).reverse());
    expect(plan.sigmas).toHaveLength(4);
    expect(plan.estimate).toBeNull();

    for (const [params, field] of [[{ image: path.join(d.base, 'nope.png'), model: 'framepack-tiny' }, 'image'], [{ image, model: 'framepack-tiny', window: 0 }, 'window'], [{ image, seconds: 2, colour: 'red' }, '']] as const) {
      const err = await c.call('jobs.plan', params as never).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe('INVALID_PARAMS');
      if (field) expect(JSON.stringify((err as RpcError).detail)).toContain(`"${field}"`);
    }
    // The fake engine's own model has no bundle to plan from.
    await expect(c.call('jobs.plan', { image })).rejects.toMatchObject({ code: 'MODEL_MISSING' });
  });

  it('daemon.status names the provider; daemon.doctor serves the start-up checks and re-runs on request', async () => {
    const c = await d.client();
    let status = DaemonStatus.parse(await c.call('daemon.status', {}));
    for (let i = 0; i < 100 && !status.provider; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = DaemonStatus.parse(await c.call('daemon.status', {}));
    }
    expect(status.provider).toMatchObject({ name: expect.stringMatching(/^(cpu|cuda|webgpu)$/), reason: expect.stringMatching(/^fake engine/) });
    const first = DoctorResult.parse(await c.call('daemon.doctor', {}));
    expect(first.quick).toBe(true);
    expect(first.provider).toEqual(status.provider);
    const ids = first.checks.map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['node.version', 'ort.ep.cpu', 'ort.provider', 'gpu.0', 'ffmpeg']));
    expect(ids).not.toContain('reference.generation');
    // The fake GPU is what the doctor saw (fake nvidia-smi on the daemon's PATH).
    expect(first.checks.find((x) => x.id === 'gpu.0')!.finding).toContain('RTX 4090');
    const again = DoctorResult.parse(await c.call('daemon.doctor', {}));
    expect(again.ranAt).toBe(first.ranAt);
    const fresh = DoctorResult.parse(await c.call('daemon.doctor', { refresh: true }));
    expect(fresh.ranAt).not.toBe(first.ranAt);
    expect(readLog(d)).toMatch(/"doctor: (ok|warn|fail) \(\d+ checks/);
    expect(readLog(d)).toMatch(/execution provider: (cpu|cuda|webgpu)/);
  });

  it('publishes GPU telemetry while a job runs: device free/total, this process, estimates', async () => {
    const c = await d.client();
    const col = await collectEvents(c);
    const { jobId } = await c.call('jobs.submit', { image, prompt: 'telemetry', seconds: 1, steps: 30 });
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 20_000);
    const samples = col.events.filter((e) => e.event === 'telemetry').map((e) => MemoryTelemetry.parse(e.payload));
    const gpu = samples.filter((t) => t.gpu === 'gpu');
    expect(gpu.length, JSON.stringify(samples.slice(0, 2))).toBeGreaterThan(0);
    expect(gpu[0]!.vram).toEqual([{ device: 'cuda:0', name: 'NVIDIA GeForce RTX 4090', usedBytes: 1200 * MiB, totalBytes: 24564 * MiB, freeBytes: 23012 * MiB, processBytes: 812 * MiB }]);
    expect(gpu.some((t) => (t.components ?? []).some((x) => x.component === 'transformer' && x.estimatedBytes > 0))).toBe(true);
    expect(gpu[0]!.rssBytes).toBeGreaterThan(0);
  });
});

describe('daemon with the real engine: provider chosen before the engine, jobs.plan on its default model', () => {
  it('plans framepack-tiny without a model name and reports the provider the engine runs on', async () => {
    const r = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx' } });
    try {
      const c = await r.client();
      const plan = await c.call('jobs.plan', { image, seconds: 1 });
      expect(plan).toMatchObject({ model: 'framepack-tiny', mode: 'inverted', steps: 25 });
      const status = await c.call('daemon.status', {});
      // Awaited before the engine exists, so it is never null with the real engine.
      expect(status.provider).toMatchObject({ name: 'cpu', probes: expect.arrayContaining([expect.objectContaining({ provider: 'cpu', usable: true })]) });
      expect(status.provider!.reason).not.toMatch(/^fake/);
    } finally {
      await r.cleanup();
    }
  }, 30_000);

  it('FRAMEPACK_EP=webgpu that cannot run: the daemon stays up on the CPU and says why and what to fix', async () => {
    // VK_DRIVER_FILES naming a missing file: WebGPU fails the same way on every machine.
    const r = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_EP: 'webgpu', VK_DRIVER_FILES: '/nonexistent/nvidia_icd.json' } });
    try {
      const c = await r.client();
      const status = await c.call('daemon.status', {});
      expect(status.provider!.name).toBe('cpu');
      expect(status.provider!.reason).toMatch(/^FRAMEPACK_EP=webgpu, but WebGPU is not usable \((VK_DRIVER_FILES names \/nonexistent\/nvidia_icd.json, which does not exist|the Vulkan loader libvulkan.so.1 is not installed.*)\); fix: .+; running on the CPU$/);
      expect(status.provider!.probes.find((p) => p.provider === 'webgpu')).toMatchObject({ usable: false });
      expect(readLog(r)).toMatch(/execution provider: cpu \(FRAMEPACK_EP=webgpu, but WebGPU is not usable/);
    } finally {
      await r.cleanup();
    }
  }, 30_000);
});
