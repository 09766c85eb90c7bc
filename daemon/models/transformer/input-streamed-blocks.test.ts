import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type ort from 'onnxruntime-node';
import { serializeModel, writeModel } from '../../onnx/model-writer.js';
import { quantizeLinears } from '../../onnx/quantize-linears.js';
import { decodeModel } from '../../onnx/onnx-proto.js';
import { createCpuSession, tensorF32 } from '../../onnx/run.js';
import { isWeightInitializer, weightsAsInputs } from '../../onnx/weights-as-inputs.js';
import { buildBlockGroupGraphs } from './block-groups.js';
import { buildBlocksGraph } from './graphs.js';
import { inputStreamedBlocks } from './input-streamed-blocks.js';
import { parseStreamMode } from './stream-mode.js';
import { config, feeds, weights } from '../../../test/helpers/tiny-blocks.js';

// ORT's CPU MatMul prepacks a constant B (an initializer) into MLAS's packed layout, whose GEMM
// rounds differently from the unpacked one it runs on an input B: measured ≤ 1.1e-6 apart on
// outputs up to ~2. With prepacking off the resident graph runs the very kernels the fed groups run.
const NO_PREPACK = { 'session.disable_prepacking': '1' };

async function wholeOutput(weightDtype: 'float32' | 'float16', extra?: Record<string, string>): Promise<number[]> {
  const whole = await createCpuSession(await serializeModel(buildBlocksGraph(config, weights, { weightDtype })), extra ? { extra } : {});
  const out = Array.from((await whole.run(feeds())).hidden_states_out!.data as Float32Array);
  await whole.release();
  return out;
}

/** The groups run one after another as per-group sessions do (each its own session, weights constant): the reference the fed groups must give. */
async function runGroupsInTurn(files: readonly (string | Uint8Array)[]): Promise<Record<string, ort.Tensor>> {
  let f = feeds();
  for (const file of files) {
    const s = await createCpuSession(file, { extra: NO_PREPACK });
    const out = await s.run(f);
    f = { ...f, hidden_states: out.hidden_states_out!, encoder_hidden_states: out.encoder_hidden_states_out! };
    await s.release();
  }
  return f;
}

describe('weights as graph inputs', () => {
  it('moves every weight initializer to an input of the same name, keeping the builder constants', async () => {
    const [g] = buildBlockGroupGraphs(config, weights, { weightDtype: 'float16' }, 2);
    const r = await weightsAsInputs(await serializeModel(g!));
    const m = decodeModel(r.model) as { graph: { initializer?: { name: string }[]; input: { name: string }[] } };
    const kept = (m.graph.initializer ?? []).map((t) => t.name);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((n) => !isWeightInitializer(n))).toBe(true);
    expect(Object.keys(r.weights).sort()).toEqual([...g!.usedWeights].sort());
    expect(m.graph.input.map((i) => i.name)).toEqual(['hidden_states', 'encoder_hidden_states', 'temb', 'rope_cos', 'rope_sin', ...Object.keys(r.weights)]);
    const first = r.weights['transformer_blocks.0.attn.to_q.weight']!;
    expect(first.type).toBe('float16');
    expect(r.weightBytes).toBe(Object.values(r.weights).reduce((a, t) => a + (t.data as Uint16Array).byteLength, 0));
    expect(r.model.byteLength).toBeLessThan(r.weightBytes / 4);
  });
});

describe('streamed transformer blocks, weights fed as inputs', () => {
  it("give the whole blocks graph's output bit for bit with prepacking off, within 4e-6 with it on (float32, K = 3, 4), run after run", async () => {
    const expected = await wholeOutput('float32', NO_PREPACK);
    const prepacked = await wholeOutput('float32');
    for (const k of [3, 4]) {
      const groups = await Promise.all(buildBlockGroupGraphs(config, weights, { weightDtype: 'float32' }, k).map((g) => serializeModel(g)));
      const s = await inputStreamedBlocks(groups);
      expect(s.groups).toBe(k);
      expect(s.weightBytes).toBeGreaterThan(0);
      for (let run = 0; run < 2; run++) {
        const got = Array.from((await s.run(feeds())).hidden_states_out!.data as Float32Array);
        expect(got, `K = ${k}, run ${run}`).toEqual(expected);
        expect(Math.max(...got.map((x, i) => Math.abs(x - prepacked[i]!))), `K = ${k}, run ${run}`).toBeLessThan(4e-6);
      }
      await s.release();
    }
  });

  it('read groups written with external data, and give what per-group sessions of the same files give with prepacking off (float16)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-input-blocks-'));
    try {
      const files: string[] = [];
      for (const [i, g] of buildBlockGroupGraphs(config, weights, { weightDtype: 'float16' }, 2).entries()) {
        const file = path.join(dir, `g${i}.onnx`);
        expect((await writeModel(g, file, { externalData: 'always' })).dataBytes).toBeGreaterThan(0);
        files.push(file);
      }
      const f = await runGroupsInTurn(files);
      const s = await inputStreamedBlocks(files);
      expect(Array.from((await s.run(feeds())).hidden_states_out!.data as Float32Array)).toEqual(Array.from(f.hidden_states!.data as Float32Array));
      await s.release();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('feed int4 and int8 groups (MatMulNBits codes, scales, zero points as uint8/float inputs) as per-group sessions compute them', async () => {
    for (const bits of [4, 8] as const) {
      const graphs = buildBlockGroupGraphs(config, weights, { weightDtype: 'float32' }, 2);
      for (const g of graphs) expect(quantizeLinears(g, { bits, blockSize: 32, source: weights, select: () => true }).length).toBeGreaterThan(0);
      const files = await Promise.all(graphs.map((g) => serializeModel(g)));
      const f = await runGroupsInTurn(files);
      const fed = await weightsAsInputs(files[0]!);
      expect(Object.entries(fed.weights).filter(([n]) => n.endsWith('.MatMulNBits.B')).every(([, t]) => t.type === 'uint8')).toBe(true);
      const s = await inputStreamedBlocks(files);
      expect(Array.from((await s.run(feeds())).hidden_states_out!.data as Float32Array), `int${bits}`).toEqual(Array.from(f.hidden_states!.data as Float32Array));
      await s.release();
    }
  });

  it('release the groups opened so far when a group file cannot be read', async () => {
    const released: number[] = [];
    let n = 0;
    const open = async () => { const i = n++; return { run: async () => ({}), release: async () => { released.push(i); } }; };
    const good = await serializeModel(buildBlockGroupGraphs(config, weights, { weightDtype: 'float32' }, 2)[0]!);
    await expect(inputStreamedBlocks([good, good, '/nonexistent/g2.onnx'], {}, { open })).rejects.toThrow(/ENOENT/);
    expect(released).toEqual([0, 1]);
  });
});

describe('FRAMEPACK_STREAM_MODE', () => {
  it('defaults to per-group sessions and refuses unknown modes', () => {
    expect(parseStreamMode(undefined)).toBe('sessions');
    expect(parseStreamMode('')).toBe('sessions');
    expect(parseStreamMode('Inputs')).toBe('inputs');
    expect(parseStreamMode('sessions')).toBe('sessions');
    expect(() => parseStreamMode('weights')).toThrow(/one of sessions, inputs, got 'weights'/);
  });
});
