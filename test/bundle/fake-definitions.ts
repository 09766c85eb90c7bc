// Small stand-in component definitions for bundle tests: each component is one or two Linear
// layers, so building, loading and running a whole bundle takes milliseconds and does not depend
// on the real architectures.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { buildBundle } from '../../daemon/models/bundle/build-bundle.js';
import { resolveBundleConfig } from '../../daemon/models/bundle/bundle-config.js';
import type { ComponentDefinition } from '../../daemon/models/component.js';
import type { ComponentDefinitions } from '../../daemon/models/bundle/bundle-config.js';
import { GraphBuilder } from '../../daemon/onnx/graph.js';
import { linear } from '../../daemon/onnx/ops.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { seededWeights } from '../../daemon/weights/seeded.js';
import type { MemoryWeights, WeightSource } from '../../daemon/weights/weight-source.js';

export const fakeConfigSchema = z.object({ width: z.number().int().positive(), latentChannels: z.number().int().positive().optional() }).strict();
export type FakeConfig = z.infer<typeof fakeConfigSchema>;

function linearGraph(name: string, prefix: string, c: FakeConfig, weights: WeightSource, dtype: 'float32' | 'float16') {
  const g = new GraphBuilder(name, { weights, weightDtype: dtype });
  const x = g.input('x', dtype, ['tokens', c.width]);
  g.output(linear(g, x, prefix, c.width, c.width), 'y', dtype, ['tokens', c.width]);
  return g;
}

export function fakeDefinition(id: ModelComponentId): ComponentDefinition<FakeConfig> {
  // The VAE has two graphs, like the real one (encoder and decoder).
  const prefixes = id === 'vae' ? ['encoder.proj', 'decoder.proj'] : ['proj'];
  return {
    id,
    configSchema: fakeConfigSchema,
    full: id === 'vae' ? { width: 8, latentChannels: 16 } : { width: 8 },
    tiny: id === 'vae' ? { width: 4, latentChannels: 16 } : { width: 4 },
    parameterShapes: (c) => prefixes.flatMap((p) => [[`${p}.weight`, [c.width, c.width]], [`${p}.bias`, [c.width]]] as [string, number[]][]),
    buildGraphs: (c, weights, opts) => Object.fromEntries(prefixes.map((p) => {
      const stem = `${id}_${p.split('.')[0]}`;
      return [stem, linearGraph(stem, p, c, weights, opts.weightDtype)];
    })),
  };
}

export const fakeDefinitions = (): ComponentDefinitions =>
  Object.fromEntries(MODEL_COMPONENT_IDS.map((id) => [id, fakeDefinition(id)])) as unknown as ComponentDefinitions;

/** Seeded weights for every fake component at its config. */
export function fakeWeights(defs: ComponentDefinitions, configs: Record<ModelComponentId, unknown>, seed = 7): Record<ModelComponentId, MemoryWeights> {
  return Object.fromEntries(MODEL_COMPONENT_IDS.map((id, i) => [id, seededWeights(defs[id].parameterShapes(configs[id]), seed + i)])) as Record<ModelComponentId, MemoryWeights>;
}

/** Builds a complete bundle of fake components (with two small tokenizer files) into `outDir`. */
export async function buildFakeBundle(outDir: string, opts: { weightDtype?: 'float32' | 'float16'; config?: Record<string, unknown>; externalData?: 'auto' | 'always' } = {}) {
  const defs = fakeDefinitions();
  const config = resolveBundleConfig({ name: 'fake-bundle', description: 'test bundle', preset: 'tiny', ...opts.config }, defs);
  const tokDir = await mkdtemp(path.join(os.tmpdir(), 'fp-fake-tok-'));
  try {
    return await buildWithTokenizers(tokDir, config, defs, outDir, opts);
  } finally {
    await rm(tokDir, { recursive: true, force: true });
  }
}

async function buildWithTokenizers(tokDir: string, config: ReturnType<typeof resolveBundleConfig>, defs: ReturnType<typeof fakeDefinitions>, outDir: string, opts: { weightDtype?: 'float32' | 'float16'; externalData?: 'auto' | 'always' }) {
  await mkdir(path.join(tokDir, 'clip'));
  await writeFile(path.join(tokDir, 'llama.json'), JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }));
  await writeFile(path.join(tokDir, 'clip', 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: { b: 0 } } }));
  await writeFile(path.join(tokDir, 'clip', 'merges.txt'), '#version: 0.2\n');
  await writeFile(path.join(tokDir, 'clip', 'README.md'), 'not copied');
  const result = await buildBundle({
    config, definitions: defs, weights: fakeWeights(defs, config.components),
    tokenizers: { llama: path.join(tokDir, 'llama.json'), clip: path.join(tokDir, 'clip') },
    outDir, weightDtype: opts.weightDtype ?? 'float32', externalData: opts.externalData,
  });
  return result;
}
