import { describe, expect, it } from 'vitest';
import type { WeightSource } from '../../weights/weight-source.js';
import { vaeDefinition } from './index.js';
import type { VaeConfig } from './config.js';

/** Shapes only: the builder reads tensors lazily, so the full-size graph builds without 1 GB of weights. */
function shapeOnlyWeights(config: VaeConfig): WeightSource {
  const shapes = new Map(vaeDefinition.parameterShapes(config));
  return {
    names: () => [...shapes.keys()],
    info: (name) => {
      const shape = shapes.get(name);
      return shape && { dtype: 'float32', shape, byteLength: 4 * shape.reduce((a, b) => a * b, 1) };
    },
    read: async () => { throw new Error('not needed to build'); },
  };
}

describe('vaeDefinition', () => {
  it.each([['full', vaeDefinition.full], ['tiny', vaeDefinition.tiny]] as const)('%s: the two graphs use exactly the listed parameters', (_, config) => {
    const graphs = vaeDefinition.buildGraphs(config, shapeOnlyWeights(config), { weightDtype: 'float16' });
    expect(Object.keys(graphs).sort()).toEqual(['vae_decoder', 'vae_encoder']);
    const used = new Set([...graphs.vae_encoder!.usedWeights, ...graphs.vae_decoder!.usedWeights]);
    expect([...used].sort()).toEqual(vaeDefinition.parameterShapes(config).map(([n]) => n).sort());
    expect(graphs.vae_encoder!.inputs).toEqual([{ name: 'pixels', dtype: 'float32', dims: ['batch', 3, 'frames', 'height', 'width'] }]);
    expect(graphs.vae_encoder!.outputs.map((o) => o.name)).toEqual(['mean', 'logvar']);
    expect(graphs.vae_decoder!.inputs).toEqual([{ name: 'latents', dtype: 'float32', dims: ['batch', 16, 'latent_frames', 'latent_height', 'latent_width'] }]);
    expect(graphs.vae_decoder!.outputs).toEqual([{ name: 'pixels', dtype: 'float32', dims: ['batch', 3, 'frames', 'height', 'width'] }]);
  });
});
