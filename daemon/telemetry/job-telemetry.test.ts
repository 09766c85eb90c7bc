import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryTelemetry, type ComponentStatus } from '../../shared/protocol/index.js';
import { writeFakeNvidiaSmi } from './fake-nvidia-smi.js';
import { JobTelemetry, telemetryFrom } from './job-telemetry.js';
import { queryGpus, queryProcessUsage } from './nvidia-smi.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-jt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1024 ** 2;
const host = { rssBytes: 100, ramUsedBytes: 200, ramTotalBytes: 300 };
const comp = (component: ComponentStatus['component'], state: ComponentStatus['state'], device: string | null, vram: number, ram: number): ComponentStatus =>
  ({ model: 'm', component, state, device, vramBytes: vram, ramBytes: ram, keepAliveMs: -1, expiresAt: null, leases: 0 });

async function sample(setup: Parameters<typeof writeFakeNvidiaSmi>[1]) {
  const binary = await writeFakeNvidiaSmi(path.join(dir, setup), setup);
  const gpus = await queryGpus({ binary });
  return { at: 0, gpus, process: gpus.available ? await queryProcessUsage(process.pid, { binary }) : null };
}

describe('telemetryFrom', () => {
  it('two GPUs: totals, free and this process per device, beside the component estimates', async () => {
    const t = MemoryTelemetry.parse(telemetryFrom(await sample('two-gpus'), host, [comp('transformer', 'loaded', 'cuda:0', 5e9, 1), comp('vae', 'unloaded', null, 0, 0)]));
    expect(t.gpu).toBe('gpu');
    expect(t.vram).toEqual([
      { device: 'cuda:0', name: 'NVIDIA H100 80GB HBM3', usedBytes: 500 * MiB, totalBytes: 81559 * MiB, freeBytes: 80525 * MiB, processBytes: 1024 * MiB },
      { device: 'cuda:1', name: 'NVIDIA H100 80GB HBM3', usedBytes: 70000 * MiB, totalBytes: 81559 * MiB, freeBytes: 11025 * MiB, processBytes: 0 },
    ]);
    expect(t.components).toEqual([{ model: 'm', component: 'transformer', device: 'cuda:0', estimatedBytes: 5e9 }]);
    expect(t).toMatchObject(host);
  });

  it('no nvidia-smi is CPU mode (RAM only); garbage output is an error with the reason', async () => {
    const none = await queryGpus({ binary: path.join(dir, 'absent', 'nvidia-smi') });
    const cpu = telemetryFrom({ at: 0, gpus: none, process: null }, host, [comp('vae', 'loaded', 'cpu', 0, 7)]);
    expect(cpu).toMatchObject({ gpu: 'cpu', vram: [], components: [{ component: 'vae', estimatedBytes: 7 }] });
    const bad = telemetryFrom(await sample('garbage'), host, []);
    expect(bad.gpu).toBe('error');
    expect(bad.gpuError).toMatch(/unexpected nvidia-smi output/);
  });
});

describe('JobTelemetry', () => {
  it('publishes GPU samples while started and stops when stopped', async () => {
    const binary = await writeFakeNvidiaSmi(path.join(dir, 'poll'), 'one-gpu');
    const got: MemoryTelemetry[] = [];
    const jt = new JobTelemetry({ publish: (t) => got.push(t), components: () => [], intervalMs: 20, nvidiaSmi: { binary } });
    jt.start();
    while (got.length < 2) await new Promise((r) => setTimeout(r, 10));
    jt.stop();
    expect(jt.active).toBe(false);
    const n = got.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(got.length).toBe(n);
    expect(got[0]!.vram[0]).toMatchObject({ device: 'cuda:0', processBytes: 812 * MiB, freeBytes: 23012 * MiB });
  });

  it('in CPU mode keeps publishing RAM readings', async () => {
    const got: MemoryTelemetry[] = [];
    const jt = new JobTelemetry({ publish: (t) => got.push(t), components: () => [], intervalMs: 20, nvidiaSmi: { binary: path.join(dir, 'absent', 'nvidia-smi') } });
    jt.start();
    while (got.length < 3) await new Promise((r) => setTimeout(r, 10));
    jt.stop();
    expect(got.every((t) => t.gpu === 'cpu' && t.vram.length === 0 && t.rssBytes > 0)).toBe(true);
  });

  it('probes for nvidia-smi once: a later job start in CPU mode spawns nothing and still publishes', async () => {
    const got: MemoryTelemetry[] = [];
    const jt = new JobTelemetry({ publish: (t) => got.push(t), components: () => [], intervalMs: 20, nvidiaSmi: { binary: path.join(dir, 'absent', 'nvidia-smi') } });
    jt.start();
    while (got.length < 1) await new Promise((r) => setTimeout(r, 10));
    jt.stop();
    expect(jt.gpuProbes).toBe(1);
    const before = got.length;
    jt.start();
    while (got.length < before + 2) await new Promise((r) => setTimeout(r, 10));
    jt.stop();
    expect(jt.gpuProbes).toBe(1);
    expect(got.slice(before).every((t) => t.gpu === 'cpu')).toBe(true);
  });
});
