import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Value } from '../../onnx/graph.js';
import { serializeModel } from '../../onnx/model-writer.js';
import { runOnce, tensorF32 } from '../../onnx/run.js';
import { SeededRandom } from '../../weights/seeded.js';
import { MemoryWeights } from '../../weights/weight-source.js';
import { causalAttention, causalConv3d, upsampleCausal } from './layers.js';
import { framesOf, maxAbsDiff } from './test-helpers.js';

/** A 1-channel 3×3×3 conv whose only tap is at (dt, dy, dx), so it copies one padded neighbour. */
function tapWeights(prefix: string, dt: number, dy: number, dx: number): MemoryWeights {
  const w = new MemoryWeights();
  const k = new Float32Array(27);
  k[dt * 9 + dy * 3 + dx] = 1;
  w.setFloat32(`${prefix}.conv.weight`, [1, 1, 3, 3, 3], k);
  w.setFloat32(`${prefix}.conv.bias`, [1], new Float32Array(1));
  return w;
}

async function run1(build: (g: GraphBuilder, x: Value) => Value, weights: MemoryWeights, data: Float32Array, dims: number[]) {
  const g = new GraphBuilder('t', { weights });
  const x = g.input('x', 'float32', ['b', 'c', 't', 'h', 'w']);
  g.output(build(g, x), 'y', 'float32', ['b', 'c', 't2', 'h2', 'w2']);
  return (await runOnce(await serializeModel(g), { x: tensorF32(data, dims) })).y!;
}

// Input value = 100·t + 10·y + x on a [1,1,3,2,2] clip.
const clip = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 4) + 10 * Math.floor((i % 4) / 2) + (i % 2));

describe('VAE layers', () => {
  it('causal conv pads two replicated frames in front and one replicated pixel per side', async () => {
    // Tap at (t−2, y, x): output(t) = input(max(t−2, 0)); zero padding would give zeros for t < 2.
    const y = await run1((g, x) => causalConv3d(g, x, 'c', 1, 1, 3), tapWeights('c', 0, 1, 1), clip, [1, 1, 3, 2, 2]);
    expect(y.dims).toEqual([1, 1, 3, 2, 2]);
    expect(Array.from(y.data)).toEqual([0, 1, 10, 11, 0, 1, 10, 11, 0, 1, 10, 11]);
    // Tap at (t, y+1, x+1): the last row/column replicate.
    const z = await run1((g, x) => causalConv3d(g, x, 'c', 1, 1, 3), tapWeights('c', 2, 2, 2), clip, [1, 1, 3, 2, 2]);
    expect(Array.from(z.data)).toEqual([11, 11, 11, 11, 111, 111, 111, 111, 211, 211, 211, 211]);
    // Tap at (t−1, y, x): frame 0 sees its own replicated copy.
    const u = await run1((g, x) => causalConv3d(g, x, 'c', 1, 1, 3), tapWeights('c', 1, 1, 1), clip, [1, 1, 3, 2, 2]);
    expect(Array.from(u.data)).toEqual([0, 1, 10, 11, 0, 1, 10, 11, 100, 101, 110, 111]);
  });

  it('temporal upsampler keeps frame 0 once and repeats later frames (T → 2T − 1), nearest ×2 in space', async () => {
    const identity = tapWeights('up.conv', 2, 1, 1);
    const y = await run1((g, x) => upsampleCausal(g, x, 'up', 1, true), identity, clip, [1, 1, 3, 2, 2]);
    expect(y.dims).toEqual([1, 1, 5, 4, 4]);
    const frame = (f: number) => Array.from(y.data.subarray(f * 16, f * 16 + 16));
    expect([0, 1, 2, 3, 4].map((f) => frame(f)[0])).toEqual([0, 100, 100, 200, 200]);
    expect(frame(3)).toEqual([200, 200, 201, 201, 200, 200, 201, 201, 210, 210, 211, 211, 210, 210, 211, 211]);
    const spatialOnly = await run1((g, x) => upsampleCausal(g, x, 'up', 1, false), identity, clip, [1, 1, 3, 2, 2]);
    expect(spatialOnly.dims).toEqual([1, 1, 3, 4, 4]);
    const single = await run1((g, x) => upsampleCausal(g, x, 'up', 1, true), identity, clip.subarray(0, 4), [1, 1, 1, 2, 2]);
    expect(single.dims).toEqual([1, 1, 1, 4, 4]);
  });

  it('attention lets a token see only its own and earlier frames', async () => {
    const c = 8;
    const rng = new SeededRandom(3);
    const w = new MemoryWeights();
    const p = 'attn';
    w.setFloat32(`${p}.group_norm.weight`, [c], rng.normalArray(c, 0.1, 1));
    w.setFloat32(`${p}.group_norm.bias`, [c], rng.normalArray(c, 0.1));
    for (const n of ['to_q', 'to_k', 'to_v', 'to_out.0']) {
      w.setFloat32(`${p}.${n}.weight`, [c, c], rng.normalArray(c * c, 1 / Math.sqrt(c)));
      w.setFloat32(`${p}.${n}.bias`, [c], rng.normalArray(c, 0.1));
    }
    const [t, h, wd] = [3, 2, 2];
    const a = rng.normalArray(c * t * h * wd);
    // Swap two pixels of frame 2 in channel 0 only: every channel keeps its values, so GroupNorm
    // statistics stay identical, but two frame-2 tokens change. Frames 0–1 may only move if they
    // attend to frame 2.
    const b = a.slice();
    const base = 2 * h * wd;
    [b[base], b[base + 3]] = [b[base + 3]!, b[base]!];
    const dims = [1, c, t, h, wd];
    const build = (g: GraphBuilder, x: Value) => causalAttention(g, x, p, c, 2);
    const ya = await run1(build, w, a, dims);
    const yb = await run1(build, w, b, dims);
    expect(ya.dims).toEqual(dims);
    expect(maxAbsDiff(framesOf(ya.data, dims, 0, 2), framesOf(yb.data, dims, 0, 2))).toBeLessThan(1e-6);
    expect(maxAbsDiff(framesOf(ya.data, dims, 2, 3), framesOf(yb.data, dims, 2, 3))).toBeGreaterThan(1e-3);
  });
});
