// The step chain (WebGPU's pre → blocks → post with activations left on the GPU) with the blocks
// stage streamed (stream-blocks plan): pre's GPU outputs go into the first group as they are, the
// groups' outputs come back to host memory and feed post; on the CPU the velocity is the whole
// blocks graph's, bit for bit.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { blockGroupStem } from '../../daemon/models/transformer/block-groups.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../../daemon/models/transformer/graphs.js';
import { ropeFor, runContext, runImageProjection, type F32, type PreInputs } from '../../daemon/models/transformer/run-transformer.js';
import { streamedBlocks } from '../../daemon/models/transformer/streamed-blocks.js';
import { transformerConfigSchema, type TransformerConfig } from '../../daemon/models/transformer/config.js';
import { SeededRandom } from '../../daemon/weights/seeded.js';
import { makeDefaultBundle } from '../../scripts/make-default-bundle.js';
import { openTransformerSessions } from '../../daemon/engine/pipeline/sessions.js';
import { runStepChain, type ChainSessions } from '../../daemon/engine/pipeline/step-chain.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-chain-streamed-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('runStepChain with streamed blocks', () => {
  it("feeds pre's GPU outputs to the first group as they are and frees them; post gets the last group's output", async () => {
    const made: { name: string; disposed: number }[] = [];
    const gpu = (name: string, dims: number[]) => {
      const t = { name, dims, location: 'gpu-buffer', type: 'float32', disposed: 0, get data(): never { throw new Error(`${name} is on the GPU`); }, dispose() { this.disposed++; } };
      made.push(t);
      return t as unknown as ort.Tensor;
    };
    const fedGroups: Record<string, ort.Tensor>[] = [];
    const blocks = streamedBlocks(['0', '1'], {}, {
      open: async () => ({
        run: async (f) => {
          fedGroups.push(f);
          return { hidden_states_out: new ort.Tensor('float32', new Float32Array(6), [1, 3, 2]), encoder_hidden_states_out: new ort.Tensor('float32', new Float32Array(4), [1, 2, 2]) };
        },
        release: async () => {},
      }),
    });
    let postHidden: ort.Tensor | undefined;
    const s: ChainSessions = {
      transformer_pre: { run: async () => ({ hidden_states: gpu('hidden', [1, 3, 2]), encoder_hidden_states: gpu('encoder', [1, 2, 2]), temb: gpu('temb', [1, 2]) }) },
      transformer_blocks: blocks,
      transformer_post: { run: async (f) => { postHidden = f.hidden_states; return { velocity: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 1, 1, 2, 2]) }; } },
    };
    const x: PreInputs = {
      latents: { data: new Float32Array(4), dims: [1, 1, 1, 2, 2] }, timestep: 1000, guidance: 10000,
      textEmbeddings: { data: new Float32Array(2), dims: [1, 1, 2] }, pooledProjections: { data: new Float32Array(2), dims: [1, 2] },
      imageTokens: { data: new Float32Array(2), dims: [1, 1, 2] }, contextTokens: { data: new Float32Array(2), dims: [1, 1, 2] },
    };
    const rope = { tokens: 3, headDim: 2, cos: new Float32Array(6), sin: new Float32Array(6) };
    const step = await runStepChain(s, { guidanceEmbeds: true } as TransformerConfig, x, rope, [1, 2, 2], null);
    expect(Array.from(step.velocity)).toEqual([1, 2, 3, 4]);
    const byName = Object.fromEntries(made.map((t) => [t.name, t]));
    expect(fedGroups).toHaveLength(2);
    expect(fedGroups[0]!.hidden_states).toBe(byName.hidden);
    expect(fedGroups[0]!.encoder_hidden_states).toBe(byName.encoder);
    expect(fedGroups[1]!.temb).toBe(byName.temb);
    expect(postHidden?.location).toBe('cpu');
    expect(made.map((t) => t.disposed)).toEqual([1, 1, 1]);
    expect(step.disposed).toBe(3);
  });

  it('gives the whole blocks graph\'s velocity bit for bit on the CPU (the default model in 4 groups)', async () => {
    const { dir } = await makeDefaultBundle({ outDir: path.join(tmp, 'g4'), blockGroups: 4 });
    const bundle = await loadBundle(dir, { verify: 'none' });
    const files = Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, bundle.components.transformer.graphs[g]!])) as Record<TransformerGraphName, string>;
    const groups = Array.from({ length: 4 }, (_, i) => bundle.components.transformer.graphs[blockGroupStem(i)]!);
    const whole = await openTransformerSessions(files, { threads: 2 }, {});
    const streamed = await openTransformerSessions(files, { threads: 2 }, {}, groups);
    try {
      expect(streamed.transformer_blocks).toMatchObject({ groups: 4 });
      const c = transformerConfigSchema.parse(bundle.manifest.components.transformer.config);
      const rng = new SeededRandom(3);
      const t = (dims: number[]): F32 => ({ data: rng.normalArray(dims.reduce((a, b) => a * b, 1)), dims });
      const [h, w] = [8, 12];
      const imageTokens = await runImageProjection(whole, t([1, 7, c.imageProjDim]));
      const contextTokens = await runContext(whole, { clean: t([1, c.inChannels, 2, h, w]), clean2x: t([1, c.inChannels, 2, h, w]), clean4x: t([1, c.inChannels, 16, h, w]) });
      const rope = ropeFor(c, { clean: [0, 22], clean4x: Array.from({ length: 16 }, (_, i) => i + 1), clean2x: [17, 18], latent: [19, 20, 21] }, h, w);
      const x = { textEmbeddings: t([1, 5, c.textEmbedDim]), pooledProjections: t([1, c.pooledProjectionDim]), imageTokens, contextTokens, guidance: 10000, latents: t([1, c.inChannels, 3, h, w]), timestep: 800 };
      const a = await runStepChain(whole, c, x, rope, [3, h, w], null);
      const b = await runStepChain(streamed, c, x, rope, [3, h, w], null);
      expect(Array.from(b.velocity)).toEqual(Array.from(a.velocity));
    } finally {
      await Promise.all([...Object.values(whole), ...Object.values(streamed)].map((s) => s.release()));
    }
  });
});
