import { beforeAll, describe, expect, it } from 'vitest';
import { serializeModel } from '../../onnx/model-writer.js';
import { SeededRandom, seededWeights } from '../../weights/seeded.js';
import { toFloat32 } from '../../weights/float-convert.js';
import { transformerDefinition } from './index.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from './graphs.js';
import { transformerDims } from './config.js';
import {
  createTransformerSessions, runContext, runImageProjection, runPre, transformerForward,
  type ForwardInputs, type TransformerSessions,
} from './run-transformer.js';

const config = transformerDefinition.tiny;
const weights = seededWeights(transformerDefinition.parameterShapes(config), 11);
const { hidden } = transformerDims(config);

async function sessions(weightDtype: 'float32' | 'float16'): Promise<TransformerSessions> {
  const graphs = transformerDefinition.buildGraphs(config, weights, { weightDtype });
  const models = {} as Record<TransformerGraphName, Uint8Array>;
  for (const name of TRANSFORMER_GRAPHS) models[name] = await serializeModel(graphs[name]!);
  return createTransformerSessions(models, { threads: 2 });
}

function inputs(): ForwardInputs {
  const rng = new SeededRandom(5);
  const t = (dims: number[]) => ({ data: rng.normalArray(dims.reduce((a, b) => a * b, 1)), dims });
  return {
    latents: t([1, 16, 3, 8, 12]), timestep: 812, guidance: 9984,
    textEmbeddings: t([1, 5, config.textEmbedDim]), pooledProjections: t([1, config.pooledProjectionDim]),
    imageEmbeddings: t([1, 7, config.imageProjDim]),
    context: { clean: t([1, 16, 2, 8, 12]), clean2x: t([1, 16, 2, 8, 12]), clean4x: t([1, 16, 16, 8, 12]) },
    indices: { clean: [0, 22], clean4x: Array.from({ length: 16 }, (_, i) => i + 1), clean2x: [17, 18], latent: [19, 20, 21] },
  };
}

describe('run-transformer stages', () => {
  let s32: TransformerSessions;
  beforeAll(async () => { s32 = await sessions('float32'); });

  it('packs [context, noisy] image-side and [image, text] text-side tokens, and emits the TeaCache signal', async () => {
    const x = inputs();
    const imageTokens = await runImageProjection(s32, x.imageEmbeddings);
    const contextTokens = await runContext(s32, x.context);
    // context: 4× (4·1·2) + 2× (1·2·3) + clean (2·4·6) tokens
    expect(contextTokens.dims).toEqual([1, 8 + 6 + 48, hidden]);
    const pre = await runPre(s32, config, { ...x, imageTokens, contextTokens });
    expect(pre.hidden.dims).toEqual([1, 62 + 72, hidden]);
    expect(pre.encoder.dims).toEqual([1, 7 + 5, hidden]);
    expect(Array.from(pre.hidden.data.subarray(0, contextTokens.data.length))).toEqual(Array.from(contextTokens.data));
    expect(Array.from(pre.encoder.data.subarray(0, imageTokens.data.length))).toEqual(Array.from(imageTokens.data));

    // Signal = LN(hidden)·(1 + scale_msa) + shift_msa with block 0's norm1.linear on SiLU(temb).
    const w = toFloat32((await weights.read('transformer_blocks.0.norm1.linear.weight')).bytes, 'float32');
    const b = toFloat32((await weights.read('transformer_blocks.0.norm1.linear.bias')).bytes, 'float32');
    const act = Array.from(pre.temb.data, (v) => v / (1 + Math.exp(-v)));
    const mod = (row: number) => act.reduce((acc, v, i) => acc + v * w[row * hidden + i]!, b[row]!);
    const shift = Array.from({ length: hidden }, (_, i) => mod(i));
    const scale = Array.from({ length: hidden }, (_, i) => mod(hidden + i));
    let err = 0;
    const tokens = pre.hidden.dims[1]!;
    for (let t = 0; t < tokens; t++) {
      const row = pre.hidden.data.subarray(t * hidden, (t + 1) * hidden);
      const mean = row.reduce((a, v) => a + v, 0) / hidden;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / hidden;
      for (let i = 0; i < hidden; i++) {
        const want = ((row[i]! - mean) / Math.sqrt(variance + 1e-6)) * (1 + scale[i]!) + shift[i]!;
        err = Math.max(err, Math.abs(want - pre.teacacheSignal!.data[t * hidden + i]!));
      }
    }
    expect(err).toBeLessThan(1e-4);
  });

  it('gives nearly the same velocity from a float16 build', async () => {
    const s16 = await sessions('float16');
    const v32 = await transformerForward(s32, config, inputs());
    const v16 = await transformerForward(s16, config, inputs());
    let err = 0, ref = 0;
    v32.data.forEach((v, i) => { err = Math.max(err, Math.abs(v - v16.data[i]!)); ref = Math.max(ref, Math.abs(v)); });
    expect(ref).toBeGreaterThan(0.5);
    expect(err).toBeLessThan(0.02 * ref);
    expect(err).toBeGreaterThan(0); // it really computed in float16
  });
});
