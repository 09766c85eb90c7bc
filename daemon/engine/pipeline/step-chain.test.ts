import { describe, expect, it } from 'vitest';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { loadBundle } from '../../models/bundle/load-bundle.js';
import { ropeFor, runBlocks, runContext, runImageProjection, runPost, runPre, type F32, type PreInputs } from '../../models/transformer/run-transformer.js';
import type { TransformerConfig } from '../../models/transformer/config.js';
import { SeededRandom } from '../../weights/seeded.js';
import { TeaCache } from '../teacache.js';
import { REPO_MODELS_DIR } from './model-location.js';
import { openSessions } from './sessions.js';
import { runStepChain, stepChainLocations, type ChainSessions } from './step-chain.js';

describe('stepChainLocations: which outputs are requested where', () => {
  it('WebGPU keeps pre → blocks → post activations on the GPU; TeaCache brings the hidden states back', () => {
    expect(stepChainLocations('webgpu', { teacache: false })).toEqual({
      transformer_pre: { hidden_states: 'gpu-buffer', encoder_hidden_states: 'gpu-buffer', temb: 'gpu-buffer', teacache_signal: 'cpu' },
      transformer_blocks: { hidden_states_out: 'gpu-buffer' },
      transformer_post: { velocity: 'cpu' },
    });
    const cached = stepChainLocations('webgpu', { teacache: true });
    expect(cached.transformer_pre).toMatchObject({ hidden_states: 'cpu', encoder_hidden_states: 'gpu-buffer', temb: 'gpu-buffer' });
    expect(cached.transformer_blocks).toEqual({ hidden_states_out: 'cpu' });
    // CUDA outputs always come back to the host in Node (no GPU-resident IO); the CPU has nothing to keep.
    expect(stepChainLocations('cuda', { teacache: false })).toEqual({});
    expect(stepChainLocations('cpu', { teacache: false })).toEqual({});
  });
});

/** A stand-in for a WebGPU output: opaque data, a location, and a dispose that is counted. */
class FakeGpuTensor {
  readonly location = 'gpu-buffer';
  readonly type = 'float32';
  disposed = 0;
  constructor(readonly name: string, readonly dims: number[]) {}
  get data(): never { throw new Error(`${this.name}: data is on the GPU`); }
  dispose() { this.disposed++; }
}

describe('runStepChain wiring (fake sessions)', () => {
  const config = { guidanceEmbeds: true } as TransformerConfig;
  const x: PreInputs = {
    latents: { data: new Float32Array(4), dims: [1, 1, 1, 2, 2] }, timestep: 1000, guidance: 10000,
    textEmbeddings: { data: new Float32Array(2), dims: [1, 1, 2] }, pooledProjections: { data: new Float32Array(2), dims: [1, 2] },
    imageTokens: { data: new Float32Array(2), dims: [1, 1, 2] }, contextTokens: { data: new Float32Array(2), dims: [1, 1, 2] },
  };
  const rope = { tokens: 3, headDim: 2, cos: new Float32Array(6), sin: new Float32Array(6) };

  function fakes(failPost = false) {
    const made: FakeGpuTensor[] = [];
    const gpu = (name: string, dims: number[]) => { const t = new FakeGpuTensor(name, dims); made.push(t); return t as unknown as ort.Tensor; };
    const fed: Record<string, Record<string, unknown>> = {};
    const s: ChainSessions = {
      transformer_pre: { run: async (f) => { fed.pre = f; return { hidden_states: gpu('hidden', [1, 3, 2]), encoder_hidden_states: gpu('encoder', [1, 2, 2]), temb: gpu('temb', [1, 2]) }; } },
      transformer_blocks: { run: async (f) => { fed.blocks = f; return { hidden_states_out: gpu('hidden_out', [1, 3, 2]) }; } },
      transformer_post: { run: async (f) => { fed.post = f; if (failPost) throw new Error('post failed'); return { velocity: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [1, 1, 1, 2, 2]) }; } },
    };
    return { s, made, fed };
  }

  it('feeds each GPU output to the next graph as it is (no copy) and disposes every one once', async () => {
    const { s, made, fed } = fakes();
    const step = await runStepChain(s, config, x, rope, [1, 2, 2], null);
    expect(Array.from(step.velocity)).toEqual([1, 2, 3, 4]);
    expect(step).toMatchObject({ skipped: false, disposed: 4 });
    const byName = Object.fromEntries(made.map((t) => [t.name, t]));
    expect(fed.blocks!.hidden_states).toBe(byName.hidden);
    expect(fed.blocks!.encoder_hidden_states).toBe(byName.encoder);
    expect(fed.blocks!.temb).toBe(byName.temb);
    expect(fed.post!.hidden_states).toBe(byName.hidden_out);
    expect(fed.post!.temb).toBe(byName.temb);
    expect(made.map((t) => t.disposed)).toEqual([1, 1, 1, 1]);
    expect(Object.keys(fed.pre!).sort()).toEqual(['context_tokens', 'guidance', 'image_tokens', 'latents', 'pooled_projections', 'text_embeddings', 'timestep']);
  });

  it('frees the GPU outputs when a later graph fails', async () => {
    const { s, made } = fakes(true);
    await expect(runStepChain(s, config, x, rope, [1, 2, 2], null)).rejects.toThrow('post failed');
    expect(made.map((t) => t.disposed)).toEqual([1, 1, 1, 1]);
  });

  it('refuses to read a GPU output on the CPU (TeaCache needs hidden states located on the cpu)', async () => {
    const { s } = fakes();
    const pre = s.transformer_pre.run;
    s.transformer_pre = { run: async (f) => ({ ...(await pre(f)), teacache_signal: new ort.Tensor('float32', new Float32Array(6), [1, 3, 2]) }) };
    const tc = new TeaCache({ enabled: true, numSteps: 4, threshold: 0.15 });
    await expect(runStepChain(s, config, x, rope, [1, 2, 2], tc, true)).rejects.toThrow("step chain: 'hidden_states' is on the GPU but the CPU needs it (its location must be 'cpu')");
  });
});

describe('runStepChain on the CPU = runPre → runBlocks → runPost', () => {
  it('same velocity and the same TeaCache decisions on the default bundle', async () => {
    const bundle = await loadBundle(path.join(REPO_MODELS_DIR, 'framepack-tiny'), { verify: 'none' });
    const s = await openSessions(bundle, { threads: 2 });
    try {
      const c = s.transformerConfig;
      const rng = new SeededRandom(3);
      const t = (dims: number[]): F32 => ({ data: rng.normalArray(dims.reduce((a, b) => a * b, 1)), dims });
      const [h, w] = [8, 12];
      const imageTokens = await runImageProjection(s.transformer, t([1, 7, c.imageProjDim]));
      const contextTokens = await runContext(s.transformer, { clean: t([1, c.inChannels, 2, h, w]), clean2x: t([1, c.inChannels, 2, h, w]), clean4x: t([1, c.inChannels, 16, h, w]) });
      const indices = { clean: [0, 22], clean4x: Array.from({ length: 16 }, (_, i) => i + 1), clean2x: [17, 18], latent: [19, 20, 21] };
      const rope = ropeFor(c, indices, h, w);
      const base = { textEmbeddings: t([1, 5, c.textEmbedDim]), pooledProjections: t([1, c.pooledProjectionDim]), imageTokens, contextTokens, guidance: 10000 };
      const latents = [t([1, c.inChannels, 3, h, w]), t([1, c.inChannels, 3, h, w]), t([1, c.inChannels, 3, h, w])];
      const tcA = new TeaCache({ enabled: true, numSteps: 3, threshold: 10 });
      const tcB = new TeaCache({ enabled: true, numSteps: 3, threshold: 10 });
      const skips: boolean[] = [];
      for (const [i, lat] of latents.entries()) {
        const x = { ...base, latents: lat, timestep: 1000 - 300 * i };
        const chain = await runStepChain(s.transformer, c, x, rope, [3, h, w], tcA, true);
        const pre = await runPre(s.transformer, c, x);
        const compute = tcB.shouldCompute(pre.teacacheSignal!.data);
        let hidden: F32;
        if (compute) { hidden = await runBlocks(s.transformer, pre, rope); tcB.storeResidual(pre.hidden.data, hidden.data); }
        else hidden = { data: tcB.applyCachedResidual(pre.hidden.data), dims: pre.hidden.dims };
        const ref = await runPost(s.transformer, hidden, pre.temb, [3, h, w]);
        expect(chain.skipped).toBe(!compute);
        expect(chain.disposed).toBe(0);
        expect(Array.from(chain.velocity)).toEqual(Array.from(ref.data));
        skips.push(chain.skipped);
      }
      // The first and last calls always compute; a threshold of 10 skips the middle one.
      expect(skips).toEqual([false, true, false]);
    } finally {
      await s.release();
    }
  });
});
