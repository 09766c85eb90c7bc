// `npm run bench -- graphs`: for each graph of a bundle (default: models/framepack-tiny), the
// session load time and the time of one forward at the bundle's default bucket, as the engine
// would run it (the transformer chained image projection → context → pre → blocks → post with real
// RoPE tables for the first inverted section). One JSON line per graph with --json. Then one
// transformer step (pre → blocks → post) through the step chain: on WebGPU with the activations
// kept on the GPU between graphs and, for comparison, with every output copied to the host
// (step-chain.ts). `provider` picks the execution provider, `bucket` overrides the bundle's
// default bucket, and `placementLog` makes ORT log node placements (for bench.ts to report which
// nodes fell back to the CPU).
import os from 'node:os';
import type ort from 'onnxruntime-node';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import type { ModelComponentId } from '../../daemon/models/bundle/manifest.js';
import { defaultBucketAxes, feedsFromSignature } from '../../daemon/models/bundle/sample-feeds.js';
import { createCpuSession, tensorF32, tensorI64, type SessionOptions } from '../../daemon/onnx/run.js';
import { runStepChain, stepChainLocations, type ChainLocations } from '../../daemon/engine/pipeline/step-chain.js';
import { openTransformerSessions } from '../../daemon/engine/pipeline/sessions.js';
import { TRANSFORMER_GRAPHS } from '../../daemon/models/transformer/graphs.js';
import { LOG_ID_PREFIX, type Placement } from './placements.js';
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
  provider: string;
  /** Nodes per provider and those on the CPU (bench.ts fills it from the placement log). */
  placement?: Placement;
}

/** One transformer step through the step chain; `chain` 'gpu' = activations stay on the GPU (WebGPU only). */
export interface StepBenchRow {
  bench: 'graphs-step';
  bundle: string;
  bucket: string;
  provider: string;
  chain: 'host' | 'gpu';
  imageSideTokens: number;
  firstStepMs: number;
  medianStepMs: number;
  runs: number;
}

export interface GraphBenchOptions {
  bundleDir: string;
  runs: number;
  onRow: (row: GraphBenchRow | StepBenchRow) => void;
  provider?: 'cpu' | 'cuda' | 'webgpu';
  /** Pixel bucket instead of the bundle's default (e.g. { height: 640, width: 608 }). */
  bucket?: { height: number; width: number };
  /** ORT logs node placements (verbose session log, logId graph:<name>) for scripts/bench/placements.ts. */
  placementLog?: boolean;
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

export async function benchGraphs(opts: GraphBenchOptions): Promise<void> {
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const m = opts.bucket ? { ...bundle.manifest, defaultBucket: { ...bundle.manifest.defaultBucket, ...opts.bucket } } : bundle.manifest;
  const provider = opts.provider ?? 'cpu';
  const sessionOpts: SessionOptions = { executionProviders: [provider], ...(opts.placementLog ? { logSeverityLevel: 0 } : {}) };
  // Verbose logging is for session creation only; runs log errors.
  const runOptions = opts.placementLog ? { logSeverityLevel: 3 as const } : {};
  const axes = defaultBucketAxes(m);
  const threads = os.availableParallelism();
  const bucket = `${m.defaultBucket.height}x${m.defaultBucket.width}`;
  const sessions = new Map<string, ort.InferenceSession>();
  const outputs = new Map<string, Record<string, ort.Tensor>>();

  const bench = async (component: ModelComponentId, stem: string, feeds: () => Record<string, ort.Tensor>) => {
    const file = bundle.components[component].graphs[stem];
    if (!file) throw new Error(`bundle ${m.name} has no graph ${component}/${stem}`);
    const t0 = performance.now();
    const session = await createCpuSession(file, { ...sessionOpts, logId: `${LOG_ID_PREFIX}${stem}` });
    const loadMs = performance.now() - t0;
    sessions.set(stem, session);
    const f = feeds();
    let last: Record<string, ort.Tensor> = {};
    const t = await timeRuns(async () => { last = await session.run(f, runOptions); }, opts.runs);
    outputs.set(stem, last);
    opts.onRow({ bench: 'graphs', bundle: m.name, component, graph: stem, bucket, loadMs: round(loadMs), firstForwardMs: round(t.first), medianForwardMs: round(t.median), runs: opts.runs, threads, provider });
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

  // One step through the chain: host round trips with the sessions above; on WebGPU also with the
  // activations left on the GPU (second set of transformer sessions with output locations).
  const preFeeds = feedsFromSignature(sig('transformer', 'transformer_pre'), { ...axes, context_tokens: contextTokens.dims[1]! }, {});
  const asF32 = (t: ort.Tensor) => ({ data: t.data as Float32Array, dims: [...t.dims] });
  const stepInputs = {
    latents: asF32(preFeeds.latents!), timestep: 996, guidance: 9984,
    textEmbeddings: asF32(preFeeds.text_embeddings!), pooledProjections: asF32(preFeeds.pooled_projections!),
    imageTokens: asF32(imageTokens), contextTokens: asF32(contextTokens),
  };
  const latentShape = [m.defaults.windowSize, h, w] as const;
  const stepRow = async (chain: 'host' | 'gpu', s: Parameters<typeof runStepChain>[0]) => {
    const t = await timeRuns(() => runStepChain(s, tf, stepInputs, rope, latentShape, null), opts.runs);
    opts.onRow({ bench: 'graphs-step', bundle: m.name, bucket, provider, chain, imageSideTokens: rope.tokens, firstStepMs: round(t.first), medianStepMs: round(t.median), runs: opts.runs });
  };
  await stepRow('host', { transformer_pre: sessions.get('transformer_pre')!, transformer_blocks: sessions.get('transformer_blocks')!, transformer_post: sessions.get('transformer_post')! });
  await Promise.all([...sessions.values()].map((s) => s.release()));
  const locations: ChainLocations = stepChainLocations(provider, { teacache: false });
  if (Object.keys(locations).length) {
    const files = Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, bundle.components.transformer.graphs[g]!])) as Parameters<typeof openTransformerSessions>[0];
    const gpu = await openTransformerSessions(files, { executionProviders: [provider] }, locations);
    try { await stepRow('gpu', gpu); } finally { await Promise.all(Object.values(gpu).map((s) => s.release())); }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
