import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { ProviderUnavailableError } from '../../diagnostics/provider-selection.js';
import { openSessions } from './sessions.js';

const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });

describe('pipeline sessions', () => {
  it('opens every graph and both tokenizers of the bundle on the CPU', async () => {
    const s = await openSessions(bundle);
    expect(s.executionProvider).toBe('cpu');
    expect(Object.keys(s.transformer).sort()).toEqual(['transformer_blocks', 'transformer_context', 'transformer_image_projection', 'transformer_post', 'transformer_pre']);
    expect(s.vaeDecoder.inputNames).toEqual(['latents']);
    expect(s.textEncoder2.inputNames).toEqual(['input_ids', 'eos_index']);
    expect(s.transformerConfig.guidanceEmbeds).toBe(true);
    expect(s.tokenizer.tokenToId('<|eot_id|>')).toBeDefined();
    await s.release();
  });

  it('a named provider that is not usable fails with the missing piece and the fix; auto falls back and says why', async () => {
    // Injected probes: this machine's story (no CUDA libraries; libvulkan1 but no Vulkan driver) on any machine.
    const probe = {
      backends: () => [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }],
      fileExists: () => false,
      vulkan: () => ({ loader: '/lib/x86_64-linux-gnu/libvulkan.so.1', icdEnv: null, icdEnvMissing: [], icds: [], unusedNvidiaIcd: null, glvndMissing: [] }),
      tryProvider: async () => ({ usable: true, error: null, ms: 1 }),
    };
    const err = await openSessions(bundle, { executionProvider: 'webgpu', probe }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toMatch(/^execution provider 'webgpu' is not usable here: no Vulkan driver: no ICD manifest in \/etc\/vulkan\/icd.d.* — fix: install the GPU driver's Vulkan part/);
    await expect(openSessions(bundle, { executionProvider: 'cuda', probe })).rejects.toThrow(/'cuda' is not usable here: missing libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so .* — fix: run `framepack setup gpu`/);
    const lines: string[] = [];
    const s = await openSessions(bundle, { executionProvider: 'auto', probe, onWarning: (m) => lines.push(m) });
    expect(s.executionProvider).toBe('cpu');
    expect(s.chainLocations).toEqual({});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^running on cpu: the CUDA provider is not usable \(missing .*\); WebGPU is not usable \(no Vulkan driver.*\); running on the CPU$/);
    await s.release();
  });

  it('names the component when a graph is missing', async () => {
    const broken = { ...bundle, components: { ...bundle.components, vae: { ...bundle.components.vae, graphs: {} } } };
    await expect(openSessions(broken)).rejects.toThrow("component vae has no graph 'vae_encoder'");
  });
});
