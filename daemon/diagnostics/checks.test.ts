// The doctor's check groups, each judged on injected or faked inputs: Node versions, meminfo,
// socket folder modes, GPUs from fake nvidia-smi scripts (one GPU, two GPUs, Turing, old driver,
// garbage), execution providers with and without a GPU, and ffmpeg.
import { describe, expect, it } from 'vitest';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_MODELS_DIR } from '../engine/pipeline/model-location.js';
import type { Manifest } from '../models/bundle/manifest.js';
import { writeFakeNvidiaSmi, type FakeGpuSetup } from '../telemetry/fake-nvidia-smi.js';
import { queryGpus } from '../telemetry/nvidia-smi.js';
import { GiB } from './check.js';
import { gpuChecks } from './gpu-checks.js';
import { checkFfmpeg } from './media-checks.js';
import { cleanOrtError, pickExecutionProvider, probeExpected, probeProviders, providerChecks, type ProviderProbe } from './ort-checks.js';
import { checkDisk, checkMemory, checkNodeVersion, checkSocketDir, parseMeminfo } from './system-checks.js';
import { fileTempDir } from '../../test/helpers/temp-dir.js';

const tmp = fileTempDir('fp-checks-');
const tiny = JSON.parse(await readFile(path.join(REPO_MODELS_DIR, 'framepack-tiny', 'manifest.json'), 'utf8')) as Manifest;
/** The tiny manifest with the transformer claiming `gib` GiB resident. */
const heavy = (gib: number): Manifest => ({ ...tiny, components: { ...tiny.components, transformer: { ...tiny.components.transformer, estimatedResidentBytes: gib * GiB } } });

async function gpus(setup: FakeGpuSetup) {
  const dir = path.join(tmp, `smi-${setup}`);
  await writeFakeNvidiaSmi(dir, setup);
  return queryGpus({ env: { ...process.env, PATH: `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin` } });
}

describe('system checks', () => {
  it('Node: 22.13+ ok, 24 warns, 20 fails', () => {
    expect(checkNodeVersion('22.23.3').status).toBe('ok');
    expect(checkNodeVersion('24.21.0').status).toBe('warn');
    const old = checkNodeVersion('20.20.2');
    expect(old.status).toBe('fail');
    expect(old.fix).toMatch(/bin\/framepack\.js/);
  });

  it('memory: RAM + swap against the bundle footprint', () => {
    const mem = parseMeminfo('MemTotal:       16000000 kB\nMemFree:   100 kB\nMemAvailable:    8000000 kB\nSwapTotal:  2000000 kB\nSwapFree:  1000000 kB\n')!;
    expect(mem).toEqual({ totalBytes: 16000000 * 1024, availableBytes: 8000000 * 1024, swapTotalBytes: 2000000 * 1024, swapFreeBytes: 1000000 * 1024 });
    expect(checkMemory(mem, tiny).status).toBe('ok');
    const w = checkMemory(mem, heavy(10));
    expect(w.status).toBe('warn');
    expect(w.finding).toMatch(/largest component transformer/);
    const f = checkMemory(mem, heavy(30));
    expect(f.status).toBe('fail');
    expect(f.fix).toMatch(/pagefile/);
    expect(checkMemory(mem, null).status).toBe('ok');
  });

  it('socket folder: missing ok, 0700 ok, 0755 warns, someone else’s fails', async () => {
    const env = (d: string) => ({ FRAMEPACK_RUNTIME_DIR: d });
    expect((await checkSocketDir({ env: env(path.join(tmp, 'rt-missing')) })).status).toBe('ok');
    const dir = path.join(tmp, 'rt');
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o700);
    expect((await checkSocketDir({ env: env(dir) })).status).toBe('ok');
    await chmod(dir, 0o755);
    const w = await checkSocketDir({ env: env(dir) });
    expect(w).toMatchObject({ status: 'warn', fix: `chmod 700 ${dir} (the daemon also tightens it when it starts)` });
    expect((await checkSocketDir({ env: env(dir), uid: 4242 })).status).toBe('fail');
    expect((await checkSocketDir({ env: env(`/tmp/${'x'.repeat(120)}`) })).status).toBe('fail');
  });

  it('disk: measured at the nearest existing folder, warns under the minimum', async () => {
    const c = await checkDisk('disk.output', 'output folder', path.join(tmp, 'not', 'yet'), 1);
    expect(c.status).toBe('ok');
    expect(c.details?.measuredAt).toBe(tmp);
    expect((await checkDisk('disk.output', 'output folder', tmp, Number.MAX_SAFE_INTEGER)).status).toBe('warn');
  });
});

describe('GPU checks from nvidia-smi', () => {
  it('no nvidia-smi: CPU mode is ok', async () => {
    const q = await queryGpus({ env: { PATH: path.join(tmp, 'nothing') } });
    expect(gpuChecks(q, tiny)).toEqual([expect.objectContaining({ id: 'gpu', status: 'ok', finding: 'no NVIDIA GPU (nvidia-smi not found): CPU mode' })]);
  });

  it('one Ada GPU: ok with name, driver, CUDA, compute and VRAM in the finding', async () => {
    const [c] = gpuChecks(await gpus('one-gpu'), tiny);
    expect(c).toMatchObject({ id: 'gpu.0', status: 'ok' });
    expect(c!.finding).toBe('NVIDIA GeForce RTX 4090, driver 550.54.14, CUDA 12.4, compute 8.9 (bf16 ok), VRAM 22.5 of 24.0 GiB free');
  });

  it('two GPUs: one check each, the busy one warns that the bundle does not fit, plus a count', async () => {
    const cs = gpuChecks(await gpus('two-gpus'), heavy(20));
    expect(cs.map((c) => [c.id, c.status])).toEqual([['gpu.0', 'ok'], ['gpu.1', 'warn'], ['gpu.count', 'ok']]);
    expect(cs[1]!.finding).toMatch(/transformer needs ≈20\.0 GiB, more than the free VRAM/);
  });

  it('Turing (T4): warns that there is no bf16 and says to import as fp16', async () => {
    const [c] = gpuChecks(await gpus('turing'), tiny);
    expect(c).toMatchObject({ status: 'warn' });
    expect(c!.finding).toMatch(/compute 7\.5 < 8\.0 has no bf16/);
    expect(c!.fix).toMatch(/--dtype fp16/);
  });

  it('old driver: CUDA 11 fails with the driver fix; garbage output warns', async () => {
    const [old] = gpuChecks(await gpus('old-driver'), tiny);
    expect(old).toMatchObject({ status: 'fail' });
    expect(old!.finding).toMatch(/compute unknown.*only CUDA 11\.4/);
    const [bad] = gpuChecks(await gpus('garbage'), tiny);
    expect(bad).toMatchObject({ id: 'gpu', status: 'warn' });
    expect(bad!.finding).toMatch(/nvidia-smi is present but failed: unexpected nvidia-smi output/);
  });
});

describe('execution providers', () => {
  const probe = (provider: ProviderProbe['provider'], usable: boolean, missing: string[] = []): ProviderProbe =>
    ({ provider, listed: true, bundled: provider === 'cpu' || provider === 'webgpu', missingLibraries: missing, usable, error: usable ? null : missing.length ? `missing ${missing.join(', ')}` : 'failed', probeMs: usable ? 3 : null });

  it('this machine: cpu usable and numerically right; cuda/tensorrt missing their libraries', async () => {
    const probes = await probeProviders();
    const cpu = probes.find((p) => p.provider === 'cpu')!;
    expect(cpu.usable).toBe(true);
    const cuda = probes.find((p) => p.provider === 'cuda')!;
    expect(cuda.usable).toBe(false);
    expect(cuda.missingLibraries).toContain('libonnxruntime_providers_cuda.so');
    expect(pickExecutionProvider(probes)).toBe('cpu');
    // y[0][0] = Σ (i/4)·(i/8) = 140/32; each later column loses Σ (i/4)/8 = 0.875; row 1 adds Σ_i (i − j)/8 = 3.5 − j.
    expect(Array.from(probeExpected())).toEqual([4.375, 3.5, 2.625, 1.75, 7.875, 6, 4.125, 2.25]);
  });

  it('a GPU without the CUDA provider warns and points at `framepack setup gpu`', () => {
    const probes = [probe('cpu', true), probe('cuda', false, ['libonnxruntime_providers_cuda.so']), probe('tensorrt', false, ['x.so']), probe('webgpu', false)];
    const cs = providerChecks(probes, true);
    expect(cs.find((c) => c.id === 'ort.ep.cuda')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/framepack setup gpu/) });
    expect(cs.find((c) => c.id === 'ort.provider')).toMatchObject({ status: 'warn', finding: 'generation runs on the cpu although an NVIDIA GPU is present' });
    expect(providerChecks(probes, false).every((c) => c.status === 'ok')).toBe(true);
    const withCuda = providerChecks([probe('cpu', true), probe('cuda', true)], true);
    expect(withCuda.find((c) => c.id === 'ort.provider')?.finding).toBe('generation runs on cuda');
    // CUDA present as files but its runtime libraries missing: the fix names CUDA 12 / cuDNN 9.
    expect(providerChecks([probe('cpu', true), probe('cuda', false)], true).find((c) => c.id === 'ort.ep.cuda')?.fix).toMatch(/cuDNN 9/);
    expect(providerChecks([probe('cpu', false)], false)[0]!.status).toBe('fail');
  });

  it('webgpu: with a GPU and no CUDA a missing Vulkan piece warns with its fix; without a GPU it is named, status ok', () => {
    const noVulkan: ProviderProbe = { ...probe('webgpu', false), error: 'no Vulkan driver', missing: "NVIDIA's Vulkan driver needs libglvnd, and libGLdispatch.so.0 is missing", fix: 'apt-get install libglvnd0' };
    const cs = providerChecks([probe('cpu', true), probe('cuda', false, ['libonnxruntime_providers_cuda.so']), noVulkan], true);
    expect(cs.find((c) => c.id === 'ort.ep.webgpu')).toMatchObject({ status: 'warn', finding: "webgpu: not usable: NVIDIA's Vulkan driver needs libglvnd, and libGLdispatch.so.0 is missing", fix: 'apt-get install libglvnd0' });
    expect(cs.find((c) => c.id === 'ort.provider')?.fix).toMatch(/WebGPU \(no download: see ort.ep.webgpu\)/);
    const cpuOnly = providerChecks([probe('cpu', true), noVulkan], false).find((c) => c.id === 'ort.ep.webgpu')!;
    expect(cpuOnly).toMatchObject({ status: 'ok', fix: '' });
    expect(cpuOnly.finding).toBe("webgpu: not usable: NVIDIA's Vulkan driver needs libglvnd, and libGLdispatch.so.0 is missing (no NVIDIA GPU found); to enable it: apt-get install libglvnd0");
    const onWebgpu = providerChecks([probe('cpu', true), probe('cuda', false, ['x.so']), probe('webgpu', true)], true);
    expect(onWebgpu.find((c) => c.id === 'ort.provider')).toMatchObject({ status: 'ok', finding: 'generation runs on webgpu' });
    expect(pickExecutionProvider([probe('cpu', true), probe('cuda', true), probe('webgpu', true)])).toBe('cuda');
  });

  it('probeProviders decides WebGPU from the Vulkan stack when a piece is plainly missing, and probes it otherwise', async () => {
    const tried: string[] = [];
    const deps = {
      backends: () => [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }],
      tryProvider: async (p: string) => { tried.push(p); return p === 'webgpu' ? { usable: false, error: 'Failed to get a WebGPU adapter: No supported adapters', ms: 40 } : { usable: true, error: null, ms: 5 }; },
    };
    const none = await probeProviders({ ...deps, vulkan: () => ({ loader: null, icdEnv: null, icdEnvMissing: [], icds: [], unusedNvidiaIcd: null, glvndMissing: [] }) });
    expect(tried).toEqual(['cpu']);
    expect(none.find((p) => p.provider === 'webgpu')).toMatchObject({ usable: false, probeMs: null, missing: expect.stringMatching(/libvulkan.so.1 is not installed/), fix: expect.stringMatching(/^apt-get install libvulkan1 /) });
    tried.length = 0;
    const complete = await probeProviders({ ...deps, only: ['webgpu'], vulkan: () => ({ loader: '/l/libvulkan.so.1', icdEnv: null, icdEnvMissing: [], icds: [{ manifest: '/usr/share/vulkan/icd.d/nvidia_icd.json', library: 'libGLX_nvidia.so.0', libraryFound: true }], unusedNvidiaIcd: null, glvndMissing: [] }) });
    expect(tried).toEqual(['webgpu']);
    expect(complete).toHaveLength(1);
    expect(complete[0]).toMatchObject({ usable: false, probeMs: 40, error: 'Failed to get a WebGPU adapter: No supported adapters', missing: expect.stringMatching(/looks complete but WebGPU failed/) });
  });

  it('shortens ORT error lines', () => {
    expect(cleanOrtError('/onnxruntime_src/x/webgpu_context.cc:136 lambda adapter_result.status == Success was false. Failed to get a WebGPU adapter')).toBe('Failed to get a WebGPU adapter');
  });
});

describe('ffmpeg check', () => {
  const tools = { ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe', source: 'system' as const, ffmpegVersion: '5.1.9', ffprobeVersion: '5.1.9', hasLibx264: true };
  it('ok, npm fallback warns, no libx264 or none found fails', async () => {
    expect((await checkFfmpeg(async () => tools)).status).toBe('ok');
    expect((await checkFfmpeg(async () => ({ ...tools, source: 'npm' }))).status).toBe('warn');
    expect((await checkFfmpeg(async () => ({ ...tools, hasLibx264: false }))).status).toBe('fail');
    const none = await checkFfmpeg(async () => { throw new Error('no usable ffmpeg/ffprobe'); });
    expect(none).toMatchObject({ status: 'fail', fix: expect.stringMatching(/apt-get install ffmpeg/) });
    expect((await checkFfmpeg()).status).not.toBe('fail');
  });
});
