import { describe, expect, it } from 'vitest';
import { serializeModel } from '../../onnx/model-writer.js';
import { runOnce, tensorF32 } from '../../onnx/run.js';
import { blockGroups, buildBlockGroupGraph, buildBlockGroupGraphs } from './block-groups.js';
import { buildBlocksGraph } from './graphs.js';
import { transformerDefinition } from './index.js';
import { config, feeds, weights } from '../../../test/helpers/tiny-blocks.js';

async function chained(groups: number, weightDtype: 'float32' | 'float16'): Promise<Float32Array> {
  let f = feeds();
  for (const g of buildBlockGroupGraphs(config, weights, { weightDtype }, groups)) {
    const out = await runOnce(await serializeModel(g), f);
    f = { ...f, hidden_states: tensorF32(out.hidden_states_out!.data, out.hidden_states_out!.dims), encoder_hidden_states: tensorF32(out.encoder_hidden_states_out!.data, out.encoder_hidden_states_out!.dims) };
  }
  return f.hidden_states!.data as Float32Array;
}

describe('transformer block groups', () => {
  it('splits the blocks into K consecutive, even groups', () => {
    expect(blockGroups(config, 1)).toEqual([{ from: 0, to: 4 }]);
    expect(blockGroups(config, 3)).toEqual([{ from: 0, to: 2 }, { from: 2, to: 3 }, { from: 3, to: 4 }]);
    expect(blockGroups(transformerDefinition.full, 7).map((r) => r.to - r.from)).toEqual([9, 9, 9, 9, 8, 8, 8]);
    expect(() => blockGroups(config, 5)).toThrow(/from 1 to 4/);
    expect(() => buildBlockGroupGraph(config, weights, { weightDtype: 'float32' }, { from: 3, to: 3 })).toThrow(/not within 0–4/);
  });

  it('reads each block weight in exactly one group, and all of them together', () => {
    const whole = buildBlocksGraph(config, weights, { weightDtype: 'float32' });
    const groups = buildBlockGroupGraphs(config, weights, { weightDtype: 'float32' }, 4);
    const seen = groups.flatMap((g) => [...g.usedWeights]);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...whole.usedWeights].sort());
  });

  it("chained float32 groups give the unsplit graph's output bit for bit (K = 2, 3, 4)", async () => {
    const whole = await runOnce(await serializeModel(buildBlocksGraph(config, weights, { weightDtype: 'float32' })), feeds());
    for (const k of [2, 3, 4]) expect(Array.from(await chained(k, 'float32')), `K = ${k}`).toEqual(Array.from(whole.hidden_states_out!.data));
  });

  it('chained float16 groups stay within one fp16 step (at the output\'s scale) of the unsplit graph on the CPU (K = 2, 3, 4)', async () => {
    // ORT's CPU provider runs fp16 ops without fp16 kernels in float32 behind inserted casts and
    // then drops back-to-back casts, so inside the unsplit graph some values skip a rounding to fp16
    // that a group boundary (an fp16 value by the graph's own semantics) keeps. Measured: K = 2 (the
    // dual/single boundary) identical; K = 3, 4 at most 0.00098 and 0.00195 on outputs up to 2.39,
    // one fp16 step at that magnitude.
    const whole = await runOnce(await serializeModel(buildBlocksGraph(config, weights, { weightDtype: 'float16' })), feeds());
    const expected = whole.hidden_states_out!.data;
    const scale = expected.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
    for (const k of [2, 3, 4]) {
      const got = await chained(k, 'float16');
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
      expect(worst, `K = ${k}`).toBeLessThanOrEqual(scale * 2 ** -10);
    }
  });
});
