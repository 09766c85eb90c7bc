import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GraphBuilder, WeightMismatchError } from './graph.js';
import { linear, layerNorm } from './ops.js';
import { serializeModel, writeModel } from './model-writer.js';
import { decodeModel } from './onnx-proto.js';
import { runOnce, tensorF32 } from './run.js';
import { MemoryWeights } from '../weights/weight-source.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';

function tinyWeights() {
  const w = new MemoryWeights();
  // fc.weight is [out=3, in=2] as in PyTorch
  w.setFloat32('fc.weight', [3, 2], Float32Array.from([1, 2, 3, 4, 5, 6]));
  w.setFloat32('fc.bias', [3], Float32Array.from([0.5, -1, 0]));
  w.setFloat32('ln.weight', [3], Float32Array.from([1, 1, 2]));
  w.setFloat32('ln.bias', [3], Float32Array.from([0, 0, 1]));
  return w;
}

function buildTiny(weights: MemoryWeights) {
  const g = new GraphBuilder('tiny', { weights });
  const x = g.input('x', 'float32', ['batch', 2]);
  const y = linear(g, x, 'fc', 2, 3);
  g.output(y, 'y', 'float32', ['batch', 3]);
  g.output(layerNorm(g, y, 'ln', 3, 1e-5), 'z', 'float32', ['batch', 3]);
  return g;
}

describe('GraphBuilder + model writer', () => {
  it('writes a model whose Linear matches x·Wᵀ+b, with dynamic batch', async () => {
    const bytes = await serializeModel(buildTiny(tinyWeights()));
    const out = await runOnce(bytes, { x: tensorF32(Float32Array.from([1, 1, 0, 2]), [2, 2]) });
    expect(Array.from(out.y!.data)).toEqual([3.5, 6, 11, 4.5, 7, 12]);
    expect(out.y!.dims).toEqual([2, 3]);
  });

  it('declares the opset, dynamic axes and metadata', async () => {
    const bytes = await serializeModel(buildTiny(tinyWeights()), { metadata: { arch: 'tiny' } });
    const m = decodeModel(bytes) as any;
    expect(m.opsetImport[0].version).toBe(21);
    expect(m.graph.input[0].type.tensorType.shape.dim[0].dimParam).toBe('batch');
    expect(m.metadataProps).toEqual([{ key: 'arch', value: 'tiny' }]);
  });

  it('writes external data that ORT loads with identical results', async () => {
    const dir = testTempDir('fp-graph-');
    const inline = await serializeModel(buildTiny(tinyWeights()));
    const p = path.join(dir, 'tiny.onnx');
    const written = await writeModel(buildTiny(tinyWeights()), p, { externalData: 'always' });
    expect(written.dataPath).toBe(`${p}.data`);
    expect((await stat(written.dataPath!)).size).toBe(written.dataBytes);
    const inits = (decodeModel(await readFile(p)) as any).graph.initializer as any[];
    expect(inits.every((t) => t.dataLocation === 1 && !t.rawData)).toBe(true);
    const feeds = { x: tensorF32(Float32Array.from([0.3, -2]), [1, 2]) };
    const a = await runOnce(inline, feeds);
    const b = await runOnce(p, feeds);
    expect(Array.from(b.z!.data)).toEqual(Array.from(a.z!.data));
  });

  it('keeps build-time constants inline with external data, so ORT shape inference can read them', async () => {
    // Shape ops read their int64 inputs (Unsqueeze axes, Reshape shapes) at load time; ORT refuses
    // those in external data ("Cannot parse data from external tensors"), which broke every graph
    // over the inline limit (the full-size transformer_blocks).
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-graph-'));
    try {
      const g = buildTiny(tinyWeights());
      const y = g.op('Unsqueeze', [g.op('Mul', [{ name: 'x' }, g.scalar(2)]), g.ints([0])]);
      g.output(y, 'u', 'float32', [1, 'batch', 2]);
      const p = path.join(dir, 'shapes.onnx');
      await writeModel(g, p, { externalData: 'always' });
      const out = await runOnce(p, { x: tensorF32(Float32Array.from([0.3, -2]), [1, 2]) });
      expect(out.u!.dims).toEqual([1, 1, 2]);
      expect(Array.from(out.u!.data)).toEqual([0.6000000238418579, -4]);
      const inits = (decodeModel(await readFile(p)) as any).graph.initializer as any[];
      expect(inits.filter((t) => t.dataLocation === 1).map((t) => t.name).sort()).toEqual(['fc.bias', 'fc.weight', 'ln.bias', 'ln.weight']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names every missing or mis-shaped tensor', async () => {
    const w = new MemoryWeights();
    w.setFloat32('fc.weight', [2, 3], new Float32Array(6));
    const g = buildTiny(w);
    const err = await serializeModel(g).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightMismatchError);
    const msg = (err as Error).message;
    expect(msg).toContain("tensor 'fc.weight' has shape [2, 3], expected [3, 2]");
    expect(msg).toContain("missing tensor 'fc.bias'");
    expect(msg).toContain("missing tensor 'ln.weight'");
  });
});
