import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { fileTempDir } from '../../../test/helpers/temp-dir.js';
import { loraSetKey, loraVariant } from './lora-variant.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../../test/fixtures/lora/blue-kohya.safetensors');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });

describe('loraVariant: the transformer with a LoRA set, cached by the set', () => {
  it('builds the touched graphs once, then reuses them; the key follows files and strengths', async () => {
    const cache = fileTempDir('fp-lora-variant-');
    const set = [{ path: FIXTURE, strength: 1 }];
    const first = await loraVariant(bundle, set, cache);
    expect(first.built).toBe(true);
    // The fixture adapts Linears of the blocks and of the head (final_layer); pre, context and image projection stay the bundle's.
    expect(first.patchedGraphs).toEqual(['transformer_blocks', 'transformer_post']);
    expect(first.files.transformer_blocks).toBe(path.join(cache, first.key, 'transformer_blocks.onnx'));
    expect(first.files.transformer_context).toBe(bundle.components.transformer.graphs.transformer_context);
    const again = await loraVariant(bundle, set, cache);
    expect(again).toMatchObject({ key: first.key, built: false, files: first.files });
    expect(await readdir(cache)).toEqual([first.key]);
    expect(await loraSetKey(bundle, [{ path: FIXTURE, strength: 0.5 }])).not.toBe(first.key);
    expect(await loraSetKey(bundle, [...set, ...set])).not.toBe(first.key);
  });

  it('a LoRA file gone since submit fails naming it', async () => {
    await expect(loraVariant(bundle, [{ path: '/nonexistent/gone.safetensors', strength: 1 }], fileTempDir('fp-lora-variant-')))
      .rejects.toThrow('/nonexistent/gone.safetensors: no such file');
  });
});
