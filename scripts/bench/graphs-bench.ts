// `npm run bench -- graphs`: for each graph of a bundle (default: models/framepack-tiny), the
// session load time and the time of one forward at the bundle's default bucket, as the engine
// would run it (the transformer chained image projection → context → pre → blocks → post with real
// RoPE tables for the first inverted section). One JSON line per graph with --json.
import os from 'node:os';
import type ort from 'onnxruntime-node';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import type { ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { defaultBucketAxes, feedsFromSignature } from '../../daemon/models/bundle/sample-feeds.js';
import { createCpuSession, tensorF32, tensorI64 } from '../../daemon/onnx/run.js';
import { packedRope } from '../../daemon/models/transformer/rope.js';
import type { TransformerConfig } from '../../daemon/models/transformer/config.js';
import { planJob } from '../../daemon/engine/section-plan.js';

export interface GraphBenchRow {
  bench: 'graphs';
  bundle: string;
  component: string;
  graph: string;
  bucket: string;
  loadMs: number;
  firstForwardMs: number;
  medianForwardMs: number;
  runs: number;
  threads: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeRuns(run: () => Promise<unknown>, runs: number): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return { first: times[0]!, median: median(times.slice(1)) };
}

export async function benchGraphs(opts: { bundleDir: string; runs: number; onRow: (row: GraphBenchRow) => void }): Promise<void> {
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const m = bundle.manifest;
  const axes = defaultBucketAxes(m);
  const threads = os.availableParallelism();
  const bucket = `${m.defaultBucket.height}x${m.defaultBucket.width}`;
  const sessions = new Map<string, ort.InferenceSession>();
  const outputs = new Map<string, Record<string, ort.Tensor>>();

  const bench = async (component: ModelComponentId, stem: string, feeds: () => Record<string, ort.Tensor>) => {
    const file = bundle.components[component].graphs[stem];
    if (!file) throw new Error(`bundle ${m.name} has no graph ${component}/${stem}`);
    const t0 = performance.now();
    const session = await createCpuSession(file);
    const loadMs = performance.now() - t0;
    sessions.set(stem, session);
    const f = feeds();
    let last: Record<string, ort.Tensor> = {};
    const t = await timeRuns(async () => { last = await session.run(f); }, opts.runs);
    outputs.set(stem, last);
    opts.onRow({ bench: 'graphs', bundle: m.name, component, graph: stem, bucket, loadMs: round(loadMs), firstForwardMs: round(t.first), medianForwardMs: round(t.median), runs: opts.runs, threads });
  };
  const sig = (c: ModelComponentId, stem: string) => m.components[c].graphs[stem]!;
  const pixelAxes = { ...axes, height: m.defaultBucket.height, width: m.defaultBucket.width };

  await bench('text_encoder', 'text_encoder', () => feedsFromSignature(sig('text_encoder', 'text_encoder'), axes, {
    input_ids: tensorI64(new Array(axes.sequence!).fill(1), [1, axes.sequence!]),
  }));
  await bench('text_encoder_2', 'text_encoder_2', () => feedsFromSignature(sig('text_encoder_2', 'text_encoder_2'), axes, {
    input_ids: tensorI64(new Array(m.text.clipMaxLength).fill(1), [1, m.text.clipMaxLength]), eos_index: tensorI64([5], [1]),
  }));
  await bench('image_encoder', 'image_encoder', () => feedsFromSignature(sig('image_encoder', 'image_encoder'), axes));
  await bench('vae', 'vae_encoder', () => feedsFromSignature(sig('vae', 'vae_encoder'), { ...pixelAxes, frames: 1 }));
  await bench('vae', 'vae_decoder', () => feedsFromSignature(sig('vae', 'vae_decoder'), axes));

  // The transformer, chained as one sampling step of the first inverted section.
  const tf = m.components.transformer.config as TransformerConfig;
  const h = axes.height!, w = axes.width!;
  const section = planJob({ mode: m.variant, seconds: 5, latentHeight: h, latentWidth: w, latentWindowSize: m.defaults.windowSize }).sections[0]!;
  await bench('transformer', 'transformer_image_projection', () => feedsFromSignature(sig('transformer', 'transformer_image_projection'), axes));
  await bench('transformer', 'transformer_context', () => feedsFromSignature(sig('transformer', 'transformer_context'), {
    ...axes, clean_frames: section.indices.clean.length, clean_2x_frames: section.indices.clean2x.length, clean_4x_frames: section.indices.clean4x.length,
  }));
  const imageTokens = outputs.get('transformer_image_projection')!.image_tokens!;
  const contextTokens = outputs.get('transformer_context')!.context_tokens!;
  await bench('transformer', 'transformer_pre', () => feedsFromSignature(sig('transformer', 'transformer_pre'), { ...axes, context_tokens: contextTokens.dims[1]! }, {
    timestep: tensorF32(Float32Array.of(996), [1]), guidance: tensorF32(Float32Array.of(9984), [1]), image_tokens: imageTokens, context_tokens: contextTokens,
  }));
  const pre = outputs.get('transformer_pre')!;
  const rope = packedRope({ theta: tf.ropeTheta, axesDim: tf.ropeAxesDim }, section.indices, h, w);
  await bench('transformer', 'transformer_blocks', () => ({
    hidden_states: pre.hidden_states!, encoder_hidden_states: pre.encoder_hidden_states!, temb: pre.temb!,
    rope_cos: tensorF32(rope.cos, [rope.tokens, rope.headDim]), rope_sin: tensorF32(rope.sin, [rope.tokens, rope.headDim]),
  }));
  await bench('transformer', 'transformer_post', () => ({
    hidden_states: outputs.get('transformer_blocks')!.hidden_states_out!, temb: pre.temb!, latent_shape: tensorI64([m.defaults.windowSize, h, w], [3]),
  }));
  await Promise.all([...sessions.values()].map((s) => s.release()));
}

const round = (ms: number) => Math.round(ms * 100) / 100;
