// The tiny transformer's blocks stage as the block-group and streaming tests drive it: the tiny
// config (2 dual + 2 single blocks) with seeded weights, and one fixed set of inputs (24 image and
// 7 text tokens, values from a small LCG so every run feeds the same floats).
import type ort from 'onnxruntime-node';
import { tensorF32 } from '../../daemon/onnx/run.js';
import { seededWeights } from '../../daemon/weights/seeded.js';
import { transformerDims } from '../../daemon/models/transformer/config.js';
import { transformerDefinition } from '../../daemon/models/transformer/index.js';

export const config = transformerDefinition.tiny;
export const weights = seededWeights(transformerDefinition.parameterShapes(config), 11);
const { hidden, headDim } = transformerDims(config);
const [S_IMG, S_TXT] = [24, 7];

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  });
}

/** The blocks graph's inputs (fresh tensors each call). */
export const feeds = (): Record<string, ort.Tensor> => ({
  hidden_states: tensorF32(rand(S_IMG * hidden, 1), [1, S_IMG, hidden]),
  encoder_hidden_states: tensorF32(rand(S_TXT * hidden, 2), [1, S_TXT, hidden]),
  temb: tensorF32(rand(hidden, 3), [1, hidden]),
  rope_cos: tensorF32(rand(S_IMG * headDim, 4), [S_IMG, headDim]),
  rope_sin: tensorF32(rand(S_IMG * headDim, 5), [S_IMG, headDim]),
});
