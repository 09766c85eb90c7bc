import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';
import { loraSetKey, loraVariant } from './lora-variant.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../../test/fixtures/lora/blue-kohya.safetensors');
const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });

describe('loraVariant: the transformer with a LoRA set, cached by the set', () => {
  it('builds the touched graphs once, then reuses them; the key follows files and strengths', async () => {
    const cache = testTempDir('fp-lora-variant-');
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
    await expect(loraVariant(bundle, [{ path: '/nonexistent/gone.safetensors', strength: 1 }], testTempDir('fp-lora-variant-')))
      .rejects.toThrow('/nonexistent/gone.safetensors: no such file');
  });
});

describe('loraVariant on a bundle with external weights (how the 13B transformer is stored)', () => {
  it('writes only graph structure and the LoRA; the .onnx.data is a hard link and ORT opens the variant', async () => {
    const { openWeights } = await import('../../weights/safetensors.js');
    const { buildTransformerGraphs } = await import('../transformer/graphs.js');
    const { writeModel } = await import('../../onnx/model-writer.js');
    const { transformerConfigSchema } = await import('../transformer/config.js');
    const { createCpuSession } = await import('../../onnx/run.js');
    const { stat } = await import('node:fs/promises');
    const dir = testTempDir('fp-lora-external-');
    const weights = await openWeights(path.resolve(import.meta.dirname, '../../../models/framepack-tiny-weights/transformer.safetensors'));
    const config = transformerConfigSchema.parse(bundle.manifest.components.transformer.config);
    const graphs: Record<string, string> = {};
    for (const [stem, g] of Object.entries(buildTransformerGraphs(config, weights, { weightDtype: 'float32' }))) {
      graphs[stem] = path.join(dir, `${stem}.onnx`);
      await writeModel(g, graphs[stem]!, { externalData: 'always' });
    }
    await weights.close();
    const external = { ...bundle, components: { ...bundle.components, transformer: { ...bundle.components.transformer, graphs } } };
    const v = await loraVariant(external, [{ path: FIXTURE, strength: 1 }], testTempDir('fp-lora-external-cache-'));
    const blocks = v.files.transformer_blocks;
    // Same filesystem (both under the temp dir): the cache holds a hard link to the bundle's weights.
    expect((await stat(`${blocks}.data`)).ino).toBe((await stat(`${graphs.transformer_blocks}.data`)).ino);
    // The patched file holds structure and the LoRA's matrices, not the block weights (all in the .data).
    expect((await stat(blocks)).size).toBeLessThan((await stat(`${graphs.transformer_blocks}.data`)).size / 4);
    const session = await createCpuSession(blocks);
    expect(session.inputNames).toContain('hidden_states');
    await session.release();

    // A cache on another filesystem (no hard link possible): the variant goes beside the bundle's graph.
    const { existsSync, statSync } = await import('node:fs');
    const { mkdtemp, rm } = await import('node:fs/promises');
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(dir).dev) return;
    const other = await mkdtemp('/dev/shm/fp-lora-cache-');
    try {
      const w = await loraVariant(external, [{ path: FIXTURE, strength: 0.5 }], other);
      expect(w.files.transformer_blocks).toBe(path.join(dir, `transformer_blocks.lora-${w.key}.onnx`));
      const s2 = await createCpuSession(w.files.transformer_blocks);
      await s2.release();
      expect((await loraVariant(external, [{ path: FIXTURE, strength: 0.5 }], other)).files).toEqual(w.files);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);
});
