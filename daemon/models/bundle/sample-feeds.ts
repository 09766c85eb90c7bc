// Inputs for running a bundle's graphs without the pipeline: seeded feeds shaped from each graph's
// manifest signature, at the bundle's default bucket. Used by the bundle tests and by
// `npm run bench -- graphs`; the values are arbitrary, the shapes are the ones the engine uses.
import type ort from 'onnxruntime-node';
import { tensorF32, tensorI64 } from '../../onnx/run.js';
import { SeededRandom } from '../../weights/seeded.js';
import type { GraphEntry, Manifest } from './manifest.js';

/**
 * Feeds for a graph from its signature: named dynamic axes take their value from `dims` (an
 * unknown axis throws, naming it); floats are seeded normals × 0.5, int64 zeros. `given` wins.
 */
export function feedsFromSignature(graph: GraphEntry, dims: Record<string, number>, given: Record<string, ort.Tensor> = {}, seed = 1): Record<string, ort.Tensor> {
  const rng = new SeededRandom(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of graph.inputs) {
    if (given[input.name]) { feeds[input.name] = given[input.name]!; continue; }
    const shape = input.dims.map((d) => {
      if (typeof d === 'number') return d;
      if (dims[d] === undefined) throw new Error(`${graph.file}: no value for dynamic axis '${d}' of input '${input.name}'`);
      return dims[d]!;
    });
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[input.name] = input.dtype === 'int64' ? tensorI64(new Array(n).fill(0), shape) : tensorF32(rng.normalArray(n, 0.5), shape);
  }
  return feeds;
}

/** Dynamic-axis values of one section at the default bucket (text: `textTokens` valid tokens). */
export function defaultBucketAxes(m: Manifest, textTokens = 12): Record<string, number> {
  const h = m.defaultBucket.height / m.latent.spatialCompression;
  const w = m.defaultBucket.width / m.latent.spatialCompression;
  const siglip = m.components.image_encoder.config as { imageSize: number; patchSize: number };
  return {
    batch: 1,
    frames: m.defaults.windowSize,
    height: h, width: w,
    latent_frames: m.defaults.windowSize, latent_height: h, latent_width: w,
    clean_frames: 2, clean_2x_frames: 2, clean_4x_frames: 16,
    image_tokens: Math.floor(siglip.imageSize / siglip.patchSize) ** 2,
    text_tokens: textTokens,
    sequence: textTokens,
  };
}
