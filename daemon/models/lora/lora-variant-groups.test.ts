// A LoRA variant of a bundle built with --block-groups: the block-group graphs the streamed
// transformer runs are patched into the same cache entry as the whole blocks graph, so the streamed
// blocks with the LoRA compute exactly what the resident blocks graph with the LoRA computes.
// The default model's transformer graphs are written here from its weights, once with inline
// weights and once with external data (how the 13B bundle is stored), in 4 groups (one block each).
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import { REPO_MODELS_DIR } from '../../engine/pipeline/model-location.js';
import { openWeights } from '../../weights/safetensors.js';
import { writeModel } from '../../onnx/model-writer.js';
import { createCpuSession } from '../../onnx/run.js';
import { buildTransformerGraphs } from '../transformer/graphs.js';
import { blockGroupGraphsByStem } from '../transformer/block-groups.js';
import { transformerConfigSchema } from '../transformer/config.js';
import { streamedBlocks } from '../transformer/streamed-blocks.js';
import { inputStreamedBlocks } from '../transformer/input-streamed-blocks.js';
import { testTempDir } from '../../../test/helpers/temp-dir.js';
import { feeds } from '../../../test/helpers/tiny-blocks.js';
import { loraSetKey, loraVariant } from './lora-variant.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../../test/fixtures/lora/blue-kohya.safetensors');
const WEIGHTS = path.resolve(import.meta.dirname, '../../../models/framepack-tiny-weights/transformer.safetensors');
const tiny = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
const GROUPS = 4;

/** The default bundle with its transformer graphs (and 4 block groups) rewritten into a temp folder. */
async function groupedBundle(externalData: 'always' | 'never'): Promise<LoadedBundle> {
  const dir = testTempDir('fp-lora-groups-');
  const weights = await openWeights(WEIGHTS);
  const config = transformerConfigSchema.parse(tiny.manifest.components.transformer.config);
  const graphs: Record<string, string> = {};
  const all = { ...buildTransformerGraphs(config, weights, { weightDtype: 'float32' }), ...blockGroupGraphsByStem(config, weights, { weightDtype: 'float32' }, GROUPS) };
  for (const [stem, g] of Object.entries(all)) {
    graphs[stem] = path.join(dir, `${stem}.onnx`);
    await writeModel(g, graphs[stem]!, { externalData });
  }
  await weights.close();
  const t = tiny.manifest.components.transformer;
  return {
    ...tiny,
    manifest: { ...tiny.manifest, components: { ...tiny.manifest.components, transformer: { ...t, blockGroups: GROUPS } } },
    components: { ...tiny.components, transformer: { ...tiny.components.transformer, graphs } },
  };
}

async function runWhole(file: string): Promise<Float32Array> {
  const s = await createCpuSession(file);
  try { return (await s.run(feeds())).hidden_states_out!.data as Float32Array; } finally { await s.release(); }
}

describe('loraVariant of a bundle with block groups', () => {
  it('patches every group the LoRA touches into the same entry; streamed, they compute the patched blocks graph bit for bit', async () => {
    const bundle = await groupedBundle('never');
    const cache = testTempDir('fp-lora-groups-cache-');
    const set = [{ path: FIXTURE, strength: 1 }];
    const v = await loraVariant(bundle, set, cache);
    expect(v.built).toBe(true);
    expect(v.patchedGraphs).toEqual(['transformer_blocks', 'transformer_post']);
    // The fixture adapts both dual and both single blocks: one block per group, so every group.
    expect(v.patchedGroups).toEqual(['transformer_blocks_g0', 'transformer_blocks_g1', 'transformer_blocks_g2', 'transformer_blocks_g3']);
    expect(v.groupFiles).toEqual(v.patchedGroups.map((s) => path.join(cache, v.key, `${s}.onnx`)));
    const marker = JSON.parse(await readFile(path.join(cache, v.key, 'variant.json'), 'utf8'));
    expect(marker.groups).toEqual(v.patchedGroups);

    const resident = await runWhole(v.files.transformer_blocks);
    const streamed = (await streamedBlocks(v.groupFiles).run(feeds())).hidden_states_out!.data as Float32Array;
    expect(Array.from(streamed)).toEqual(Array.from(resident));
    // And the LoRA acts: the bundle's own groups give another output.
    const plain = (await streamedBlocks(Object.values(bundle.components.transformer.graphs).filter((f) => /_g\d\.onnx$/.test(f)).sort()).run(feeds())).hidden_states_out!.data as Float32Array;
    expect(Array.from(plain)).not.toEqual(Array.from(resident));

    // Weights fed as inputs (FRAMEPACK_STREAM_MODE=inputs): the LoRA's matrices are fed like the base weights.
    const fed = await inputStreamedBlocks(v.groupFiles);
    const out = (await fed.run(feeds())).hidden_states_out!.data as Float32Array;
    await fed.release();
    let worst = 0;
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - resident[i]!));
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(resident, (x, i) => Math.abs(x - plain[i]!)))).toBeGreaterThan(100 * Math.max(worst, 1e-6));

    // The second job with the set reuses the entry, groups included.
    expect(await loraVariant(bundle, set, cache)).toMatchObject({ key: v.key, built: false, files: v.files, groupFiles: v.groupFiles, patchedGroups: v.patchedGroups });
    // A grouped bundle's entries are keyed apart from those an older daemon made without the groups.
    const ungrouped = { ...bundle, manifest: { ...bundle.manifest, components: { ...bundle.manifest.components, transformer: { ...bundle.manifest.components.transformer, blockGroups: undefined } } } };
    expect(await loraSetKey(ungrouped, set)).not.toBe(v.key);
  }, 60_000);

  it('with external weights, each patched group holds only structure and the LoRA; its .onnx.data is a hard link', async () => {
    const bundle = await groupedBundle('always');
    const v = await loraVariant(bundle, [{ path: FIXTURE, strength: 0.5 }], testTempDir('fp-lora-groups-cache-'));
    expect(v.groupFiles).toHaveLength(GROUPS);
    for (const [i, file] of v.groupFiles.entries()) {
      const own = bundle.components.transformer.graphs[`transformer_blocks_g${i}`]!;
      expect((await stat(`${file}.data`)).ino).toBe((await stat(`${own}.data`)).ino);
      expect((await stat(file)).size).toBeLessThan((await stat(`${own}.data`)).size / 4);
    }
    const resident = await runWhole(v.files.transformer_blocks);
    const streamed = (await streamedBlocks(v.groupFiles).run(feeds())).hidden_states_out!.data as Float32Array;
    expect(Array.from(streamed)).toEqual(Array.from(resident));

    // A cache on another filesystem (no hard link possible): each patched group goes beside the bundle's.
    const { existsSync, statSync } = await import('node:fs');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const own0 = bundle.components.transformer.graphs.transformer_blocks_g0!;
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(own0).dev) return;
    const other = await mkdtemp('/dev/shm/fp-lora-groups-cache-');
    try {
      const w = await loraVariant(bundle, [{ path: FIXTURE, strength: 0.5 }], other);
      expect(w.groupFiles).toEqual(w.groupFiles.map((_, i) => path.join(path.dirname(own0), `transformer_blocks_g${i}.lora-${w.key}.onnx`)));
      const beside = (await streamedBlocks(w.groupFiles).run(feeds())).hidden_states_out!.data as Float32Array;
      expect(Array.from(beside)).toEqual(Array.from(streamed));
      expect((await loraVariant(bundle, [{ path: FIXTURE, strength: 0.5 }], other)).groupFiles).toEqual(w.groupFiles);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);
});
