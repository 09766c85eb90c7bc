import { describe, expect, it } from 'vitest';
import type { ProviderProbe } from './ort-checks.js';
import { reuseProbes, selectProvider } from './provider-selection.js';

const probe = (provider: ProviderProbe['provider'], usable: boolean, error: string | null = null): ProviderProbe =>
  ({ provider, listed: true, bundled: provider === 'cpu', missingLibraries: [], usable, error, probeMs: usable ? 12 : null });

describe('selectProvider', () => {
  it('uses CUDA when its probe session ran, else the CPU, and says why', () => {
    const gpu = selectProvider([probe('cpu', true), probe('cuda', true)], { engine: 'onnx' });
    expect(gpu).toMatchObject({ name: 'cuda', reason: 'the CUDA provider ran the probe session in 12 ms' });
    const cpu = selectProvider([probe('cpu', true), probe('cuda', false, 'missing libonnxruntime_providers_cuda.so'), probe('webgpu', false, 'x')], { engine: 'onnx' });
    expect(cpu.name).toBe('cpu');
    expect(cpu.reason).toContain('missing libonnxruntime_providers_cuda.so');
    expect(cpu.probes.map((p) => p.provider)).toEqual(['cpu', 'cuda']);
  });

  it('FRAMEPACK_EP wins, with the probe verdict beside it; the fake engine says so', () => {
    const r = selectProvider([probe('cpu', true), probe('cuda', false, 'no GPU')], { engine: 'onnx', override: 'cuda' });
    expect(r).toMatchObject({ name: 'cuda' });
    expect(r.reason).toMatch(/^FRAMEPACK_EP=cuda \(probe: the CUDA provider is not usable \(no GPU\)\)/);
    expect(selectProvider([probe('cpu', true)], { engine: 'fake' }).reason).toMatch(/^fake engine/);
  });

  it('reuseProbes answers from the start-up probes without opening a session', async () => {
    const deps = reuseProbes([probe('cpu', true), probe('cuda', false, 'boom')]);
    expect(await deps.tryProvider!('cpu')).toEqual({ usable: true, error: null, ms: 12 });
  });
});
