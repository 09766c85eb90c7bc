import { describe, expect, it, vi } from 'vitest';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseComputeApps, parseCudaVersion, parseGpuCsv, pollGpu, queryGpus, queryProcessUsage, type GpuSample } from './nvidia-smi.js';
import { writeFakeNvidiaSmi, type FakeGpuSetup } from './fake-nvidia-smi.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-smi-');
async function envFor(setup: FakeGpuSetup): Promise<NodeJS.ProcessEnv> {
  const dir = path.join(tmp, setup);
  await writeFakeNvidiaSmi(dir, setup);
  return { ...process.env, PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin` };
}

describe('nvidia-smi client', () => {
  it('one GPU: name, driver, CUDA version, compute capability, memory; this process usage', async () => {
    const env = await envFor('one-gpu');
    const q = await queryGpus({ env });
    expect(q).toEqual({
      available: true, driverVersion: '550.54.14', cudaVersion: '12.4',
      gpus: [{ index: 0, uuid: 'GPU-1111aaaa', name: 'NVIDIA GeForce RTX 4090', driverVersion: '550.54.14', totalMiB: 24564, usedMiB: 1200, freeMiB: 23012, computeCapability: '8.9' }],
    });
    expect(await queryProcessUsage(process.pid, { env })).toEqual({ pid: process.pid, perGpu: [{ uuid: 'GPU-1111aaaa', usedMiB: 812 }], totalMiB: 812 });
    expect(await queryProcessUsage(12345, { env })).toEqual({ pid: 12345, perGpu: [], totalMiB: 0 });
  });

  it('two GPUs: both listed; [N/A] usage counts as 0', async () => {
    const env = await envFor('two-gpus');
    const q = await queryGpus({ env });
    if (!q.available) throw new Error('expected GPUs');
    expect(q.gpus.map((g) => [g.index, g.freeMiB, g.computeCapability])).toEqual([[0, 80525, '9.0'], [1, 11025, '9.0']]);
    expect(q.cudaVersion).toBe('12.6');
    const u = await queryProcessUsage(process.pid, { env });
    expect(u?.totalMiB).toBe(1024);
    expect(u?.perGpu).toHaveLength(2);
  });

  it('old driver: retries without compute_cap, which becomes null', async () => {
    const q = await queryGpus({ env: await envFor('old-driver') });
    if (!q.available) throw new Error(`expected GPUs, got ${q.detail}`);
    expect(q.gpus[0]).toMatchObject({ name: 'GeForce GTX 1080', computeCapability: null, totalMiB: 8119 });
    expect(q.cudaVersion).toBe('11.4');
  });

  it('garbage output is reported as unparseable with its first line', async () => {
    const env = await envFor('garbage');
    const q = await queryGpus({ env });
    expect(q.available).toBe(false);
    if (q.available) return;
    expect(q.reason).toBe('unparseable');
    expect(q.detail).toContain('NVIDIA-SMI has failed');
    expect(await queryProcessUsage(process.pid, { env })).toBeNull();
  });

  it('no nvidia-smi (ENOENT) is CPU mode, not a failure; polling stops after one sample', async () => {
    const env = { ...process.env, PATH: path.join(tmp, 'empty') };
    const q = await queryGpus({ env });
    expect(q).toEqual({ available: false, reason: 'not-found', detail: 'nvidia-smi not found on PATH' });
    const samples: GpuSample[] = [];
    const p = pollGpu(10, (s) => samples.push(s), { env });
    // The first sample needs a spawn attempt, which a loaded machine can take a while to make:
    // wait for it, then for 15 more intervals in which no second one may come.
    await vi.waitFor(() => expect(samples.length).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
    await new Promise((r) => setTimeout(r, 150));
    p.stop();
    expect(samples).toHaveLength(1);
    expect(samples[0]!.process).toBeNull();
  });

  it('polls repeatedly while a GPU is present, until stopped', async () => {
    const env = await envFor('one-gpu');
    const samples: GpuSample[] = [];
    const p = pollGpu(20, (s) => samples.push(s), { env });
    // Each sample spawns the fake nvidia-smi twice: on a loaded machine 400 ms may not hold two.
    await vi.waitFor(() => expect(samples.length).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 20 });
    p.stop();
    const n = samples.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(samples[0]!.process?.totalMiB).toBe(812);
    await new Promise((r) => setTimeout(r, 100));
    expect(samples.length).toBe(n);
  });

  it('parsers reject malformed lines', () => {
    expect(parseGpuCsv('0, x, y', true)).toBeNull();
    expect(parseGpuCsv('', true)).toBeNull();
    expect(parseGpuCsv('a, u, n, d, 1, 2, 3, 8.0', true)).toBeNull();
    expect(parseComputeApps('1, GPU-x')).toBeNull();
    expect(parseComputeApps('No running processes found')).toEqual([]);
    expect(parseCudaVersion('| CUDA Version: 12.8 |')).toBe('12.8');
    expect(parseCudaVersion('nothing')).toBeNull();
  });
});

describe('writeFakeNvidiaSmi', () => {
  // A test rewrites the fake while a daemon may be running it; writing into a running executable
  // fails with ETXTBSY, so the rewrite must replace the file, never open the old one for writing.
  it('replaces the script instead of writing into it: an open handle keeps the old script, no temp file is left', async () => {
    const dir = path.join(tmp, 'rewrite');
    const file = await writeFakeNvidiaSmi(dir, 'one-gpu', 111);
    const before = await stat(file);
    const held = await open(file, 'r');
    try {
      await writeFakeNvidiaSmi(dir, 'one-gpu', 222);
      expect((await stat(file)).ino).not.toBe(before.ino);
      expect((await held.readFile('utf8')).includes('111')).toBe(true);
      expect(await readFile(file, 'utf8')).toContain('222');
      expect((await stat(file)).mode & 0o111).toBe(0o111);
      expect((await readdir(dir)).sort()).toEqual(['nvidia-smi']);
    } finally {
      await held.close();
    }
  });
});
