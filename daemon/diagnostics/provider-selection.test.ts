import { describe, expect, it } from 'vitest';
import type { ProviderProbe } from './ort-checks.js';
import { parseProviderRequest, ProviderUnavailableError, resolveForJob, reuseProbes, selectProvider } from './provider-selection.js';

const probe = (provider: ProviderProbe['provider'], usable: boolean, error: string | null = null, extra: Partial<ProviderProbe> = {}): ProviderProbe =>
  ({ provider, listed: true, bundled: provider === 'cpu' || provider === 'webgpu', missingLibraries: [], usable, error, probeMs: usable ? 12 : null, ...extra });
const noVulkan = probe('webgpu', false, 'no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d', { missing: 'no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d', fix: 'export VK_DRIVER_FILES=/x/nvidia_icd.json' });
const noCuda = probe('cuda', false, 'missing libonnxruntime_providers_cuda.so', { missingLibraries: ['libonnxruntime_providers_cuda.so'] });

describe('selectProvider (auto: CUDA, else WebGPU, else the CPU)', () => {
  it('CUDA first when its probe session ran', () => {
    const r = selectProvider([probe('cpu', true), probe('cuda', true), probe('webgpu', true)], { engine: 'onnx' });
    expect(r).toMatchObject({ name: 'cuda', reason: 'the CUDA provider ran the probe session in 12 ms' });
  });

  it('WebGPU when CUDA is not usable and an adapter ran the probe; the reason says both', () => {
    const r = selectProvider([probe('cpu', true), noCuda, probe('webgpu', true)], { engine: 'onnx' });
    expect(r).toMatchObject({ name: 'webgpu', reason: 'the CUDA provider is not usable (missing libonnxruntime_providers_cuda.so); WebGPU found an adapter and ran the probe session in 12 ms' });
    expect(r.probes.map((p) => p.provider)).toEqual(['cpu', 'cuda', 'webgpu']);
  });

  it('the CPU when neither is usable, naming what each lacks', () => {
    const r = selectProvider([probe('cpu', true), noCuda, noVulkan, probe('tensorrt', false, 'x')], { engine: 'onnx' });
    expect(r.name).toBe('cpu');
    expect(r.reason).toBe('the CUDA provider is not usable (missing libonnxruntime_providers_cuda.so); WebGPU is not usable (no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d); running on the CPU');
  });

  it('FRAMEPACK_EP / the setting names one: used when usable, else the CPU with the reason and the fix', () => {
    expect(selectProvider([probe('cpu', true), noCuda, probe('webgpu', true)], { engine: 'onnx', override: 'webgpu' }))
      .toMatchObject({ name: 'webgpu', reason: 'FRAMEPACK_EP=webgpu (probe: WebGPU found an adapter and ran the probe session in 12 ms)' });
    const r = selectProvider([probe('cpu', true), noCuda, noVulkan], { engine: 'onnx', override: 'webgpu', source: 'setting provider' });
    expect(r).toMatchObject({ name: 'cpu', reason: 'setting provider=webgpu, but WebGPU is not usable (no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d); fix: export VK_DRIVER_FILES=/x/nvidia_icd.json; running on the CPU' });
    expect(selectProvider([probe('cpu', true), noCuda], { engine: 'onnx', override: 'cuda' }).reason).toMatch(/^FRAMEPACK_EP=cuda, but the CUDA provider is not usable \(missing .*\); fix: run `framepack setup gpu`/);
    expect(selectProvider([probe('cpu', true), probe('cuda', true)], { engine: 'onnx', override: 'CPU' })).toMatchObject({ name: 'cpu', reason: 'FRAMEPACK_EP=cpu (probe: the CPU provider ran the probe session in 12 ms)' });
    expect(selectProvider([probe('cpu', true)], { engine: 'fake' }).reason).toMatch(/^fake engine/);
  });

  it('a bad value is named with the allowed ones', () => {
    expect(() => parseProviderRequest('gpu', 'FRAMEPACK_EP')).toThrow('FRAMEPACK_EP must be one of auto, cpu, cuda, webgpu (got "gpu")');
    expect(parseProviderRequest('', 'x')).toBeUndefined();
    expect(() => selectProvider([probe('cpu', true)], { engine: 'onnx', override: 'vulkan' })).toThrow(/FRAMEPACK_EP must be one of/);
  });
});

describe('resolveForJob (--local)', () => {
  it('a named provider that is not usable throws the missing piece and the fix; auto falls back', () => {
    const probes = [probe('cpu', true), noCuda, noVulkan];
    let err: unknown;
    try { resolveForJob(probes, 'webgpu'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toBe("execution provider 'webgpu' is not usable here: no Vulkan driver: no ICD manifest in /etc/vulkan/icd.d — fix: export VK_DRIVER_FILES=/x/nvidia_icd.json");
    expect(() => resolveForJob(probes, 'cuda')).toThrow(/fix: run `framepack setup gpu`/);
    expect(resolveForJob(probes, 'auto')).toMatchObject({ name: 'cpu' });
    expect(resolveForJob([probe('webgpu', true)], 'webgpu')).toMatchObject({ name: 'webgpu', reason: '--provider=webgpu (probe: WebGPU found an adapter and ran the probe session in 12 ms)' });
  });
});

describe('reuseProbes', () => {
  it('answers from the start-up probes without opening a session', async () => {
    const deps = reuseProbes([probe('cpu', true), probe('cuda', false, 'boom')]);
    expect(await deps.tryProvider!('cpu')).toEqual({ usable: true, error: null, ms: 12 });
  });
});
