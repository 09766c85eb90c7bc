import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { openSessions, providerAvailable } from './sessions.js';

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

  it('falls back to the CPU with one warning when CUDA is not installed', async () => {
    const probe = bundle.components.transformer.graphs.transformer_post!;
    expect(await providerAvailable('cpu', probe)).toBe(true);
    if (await providerAvailable('cuda', probe)) return; // a CUDA build: nothing to fall back from
    const warnings: string[] = [];
    const s = await openSessions(bundle, { executionProvider: 'cuda', onWarning: (m) => warnings.push(m) });
    expect(s.executionProvider).toBe('cpu');
    expect(warnings).toEqual(["execution provider 'cuda' is not available in this onnxruntime build; running on the CPU"]);
    await s.release();
  });

  it('names the component when a graph is missing', async () => {
    const broken = { ...bundle, components: { ...bundle.components, vae: { ...bundle.components.vae, graphs: {} } } };
    await expect(openSessions(broken)).rejects.toThrow("component vae has no graph 'vae_encoder'");
  });
});
