// `npm run bench -- fullsize`: the official widths on this machine's CPU. A config with the full
// transformer (hidden 3072, 24 heads × 128, 16-channel latent) but 1 dual- and 1 single-stream
// block, the full VAE (channels 128/256/512/512) and the full Llama (hidden 4096, 4 layers of which
// 2 run, as hidden_states[-3] skips the last two), with cheap deterministic weights (a hash per
// element, scaled like the seeded init), graphs written to a temp folder under /tmp and deleted
// afterwards. Parts, each in its own process so every peak RSS is its own:
//   transformer  one sampling step (pre → blocks → post) at the 640×608 bucket with an official
//                middle section's tokens (9 noisy latent frames, clean 1+1, 2× 2, 4× 16), after the
//                per-section context graph and the per-job image projection
//   vae          one decode of a 640×608 section tile (5 latent frames → 17 frames)
//   llama        the text encoder on one prompt's worth of tokens
// Each part runs in the fused attention form, and in the explicit form unless its S×S scores
// alone would pass --max-scores-gib (they are then reported as not run, with the size).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import type { AttentionForm, GraphBuilder } from '../../daemon/onnx/graph.js';
import { writeModel } from '../../daemon/onnx/model-writer.js';
import { createCpuSession, tensorF32, tensorI64 } from '../../daemon/onnx/run.js';
import { defaultInit } from '../../daemon/weights/seeded.js';
import type { WeightBytes, WeightInfo, WeightSource } from '../../daemon/weights/weight-source.js';
import { transformerDefinition } from '../../daemon/models/transformer/index.js';
import { fullTransformerConfig, type TransformerConfig } from '../../daemon/models/transformer/config.js';
import { TRANSFORMER_GRAPHS } from '../../daemon/models/transformer/graphs.js';
import { createTransformerSessions, ropeFor, runBlocks, runContext, runImageProjection, runPost, runPre, type F32 } from '../../daemon/models/transformer/run-transformer.js';
import { packedTokenCounts, type PackedIndices } from '../../daemon/models/transformer/rope.js';
import { vaeDefinition } from '../../daemon/models/vae/index.js';
import { fullVaeConfig, type VaeConfig } from '../../daemon/models/vae/config.js';
import { llamaDefinition } from '../../daemon/models/text/index.js';
import { llamaFull, type LlamaConfig } from '../../daemon/models/text/llama-config.js';
import { MemorySampler } from './memory-sampler.js';

export const FULLSIZE_PARTS = ['transformer', 'vae', 'llama'] as const;
export type FullsizePart = typeof FULLSIZE_PARTS[number];

/** The bench's architecture: official widths, few layers. */
export const FULLSIZE_CONFIG: { transformer: TransformerConfig; vae: VaeConfig; text_encoder: LlamaConfig } = {
  transformer: { ...fullTransformerConfig, numLayers: 1, numSingleLayers: 1 },
  vae: fullVaeConfig,
  text_encoder: { ...llamaFull, numLayers: 4 },
};

/** The 640×608 bucket in latents (÷8), and an official middle section of the 5-second job:
 *  latent window 9, clean = [start, 1 history frame], 2 at 2×, 16 at 4× (FRAMEPACK.md §5). */
export const BUCKET = { height: 640, width: 608 } as const;
const LATENT_H = BUCKET.height / 8, LATENT_W = BUCKET.width / 8;
const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);
export const MIDDLE_SECTION: PackedIndices = {
  clean: [0, 1 + 16 + 2 + 9], clean4x: range(1, 16), clean2x: range(17, 2), latent: range(19, 9),
};
/** SigLIP tokens (27 × 27) and a short prompt's valid Llama tokens. */
export const IMAGE_TOKENS = 729;
export const TEXT_TOKENS = 32;
/** A VAE section tile: the official temporal tiling's 5 latent frames (--vae-frames changes it). */
export const VAE_TILE_FRAMES = 5;

/**
 * Deterministic weights without a random generator: element i of tensor `name` is a 32-bit hash
 * of (i, name) mapped to a uniform value with the mean and std defaultInit gives the tensor. Fast
 * enough for a billion values, and never held in memory beyond the tensor being written.
 */
export class HashWeights implements WeightSource {
  private readonly shapes: Map<string, number[]>;
  constructor(shapes: Iterable<[string, number[]]>) { this.shapes = new Map(shapes); }
  names(): string[] { return [...this.shapes.keys()]; }
  info(name: string): WeightInfo | undefined {
    const shape = this.shapes.get(name);
    return shape && { dtype: 'float32', shape, byteLength: 4 * shape.reduce((a, b) => a * b, 1) };
  }
  async read(name: string): Promise<WeightBytes> {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`no tensor named '${name}'`);
    const { mean, std } = defaultInit(name, shape);
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    let seed = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) seed = Math.imul(seed ^ name.charCodeAt(i), 0x01000193);
    const half = std * Math.sqrt(3); // uniform on [−half, half] has this std
    for (let i = 0; i < n; i++) {
      let x = (Math.imul(i, 0x9e3779b1) ^ seed) >>> 0;
      x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d); x ^= x >>> 12; x = Math.imul(x, 0x297a2d39); x ^= x >>> 15;
      out[i] = mean + half * ((x >>> 0) / 2147483648 - 1);
    }
    return { dtype: 'float32', shape, bytes: new Uint8Array(out.buffer) };
  }
}

export interface FullsizeRow {
  part: FullsizePart;
  attention: AttentionForm;
  ran: boolean;
  /** Why it did not run (explicit form whose scores would not fit). */
  skipped?: string;
  /** What was timed, e.g. "one step: pre + blocks + post, 17,500 image-side tokens". */
  what: string;
  buildS?: number;
  loadS?: number;
  /** Per graph, the timed run in ms. */
  graphMs?: Record<string, number>;
  /** The timed total (the step, the decode, the encode), s. */
  totalS?: number;
  /** CPU time of the part's process (all threads) over the timed total, s: on a shared machine the
   *  wall time depends on the load, this much less. */
  cpuS?: number;
  /** Peak RSS of the part's process (getrusage), MiB. */
  peakRssMiB?: number;
  /** Bytes of one attention's float32 S×S scores at this shape, GiB. */
  scoresGiB: number;
}

/** Float32 bytes of the S×S attention scores of one attention call in `part` (all heads), GiB. */
export function scoresGiB(part: FullsizePart, vaeFrames = VAE_TILE_FRAMES): number {
  if (part === 'transformer') {
    const c = FULLSIZE_CONFIG.transformer;
    const s = packedTokenCounts(MIDDLE_SECTION, LATENT_H, LATENT_W).total + IMAGE_TOKENS + TEXT_TOKENS;
    return (c.numAttentionHeads * s * s * 4) / 2 ** 30;
  }
  if (part === 'vae') { const s = vaeFrames * LATENT_H * LATENT_W; return (s * s * 4) / 2 ** 30; }
  return (FULLSIZE_CONFIG.text_encoder.numHeads * TEXT_TOKENS * TEXT_TOKENS * 4) / 2 ** 30;
}

const sec = (ms: number) => Math.round(ms / 10) / 100;

async function writeGraphs(graphs: Record<string, GraphBuilder>, dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [stem, g] of Object.entries(graphs)) {
    g.assertWeightsMatch();
    files[stem] = path.join(dir, `${stem}.onnx`);
    await writeModel(g, files[stem]);
  }
  return files;
}

/** A deterministic float32 tensor with values in [−1, 1) (inputs, not weights). */
function inputF32(dims: number[], salt: number): F32 {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.7311 + salt) * 0.8;
  return { data, dims };
}

/** Runs one part in this process. */
export async function runFullsizePart(part: FullsizePart, attention: AttentionForm, opts: { vaeFrames?: number; tmpRoot?: string } = {}): Promise<FullsizeRow> {
  const vaeFrames = opts.vaeFrames ?? VAE_TILE_FRAMES;
  const dir = await mkdtemp(path.join(opts.tmpRoot ?? os.tmpdir(), `fp-fullsize-${part}-`));
  const row: FullsizeRow = { part, attention, ran: true, what: '', scoresGiB: scoresGiB(part, vaeFrames) };
  const sampler = new MemorySampler(50);
  sampler.start();
  try {
    let t = performance.now();
    const graphMs: Record<string, number> = {};
    let cpuUs = 0;
    const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const a = performance.now();
      const cpu = process.cpuUsage();
      const r = await fn();
      const d = process.cpuUsage(cpu);
      graphMs[name] = Math.round(performance.now() - a);
      if (part !== 'transformer' || /pre|blocks|post/.test(name)) cpuUs += d.user + d.system;
      return r;
    };
    if (part === 'transformer') {
      const c = FULLSIZE_CONFIG.transformer;
      const weights = new HashWeights(transformerDefinition.parameterShapes(c));
      const files = await writeGraphs(transformerDefinition.buildGraphs(c, weights, { weightDtype: 'float32', attention }), dir);
      row.buildS = sec(performance.now() - t);
      t = performance.now();
      const s = await createTransformerSessions(Object.fromEntries(TRANSFORMER_GRAPHS.map((n) => [n, files[n]!])) as Record<typeof TRANSFORMER_GRAPHS[number], string>);
      row.loadS = sec(performance.now() - t);
      const idx = MIDDLE_SECTION;
      const C = c.inChannels;
      const imageTokens = await timed('transformer_image_projection', () => runImageProjection(s, inputF32([1, IMAGE_TOKENS, c.imageProjDim], 1)));
      const contextTokens = await timed('transformer_context', () => runContext(s, {
        clean: inputF32([1, C, idx.clean.length, LATENT_H, LATENT_W], 2),
        clean2x: inputF32([1, C, idx.clean2x.length, LATENT_H, LATENT_W], 3),
        clean4x: inputF32([1, C, idx.clean4x.length, LATENT_H, LATENT_W], 4),
      }));
      const latents = inputF32([1, C, idx.latent.length, LATENT_H, LATENT_W], 5);
      const step0 = performance.now();
      const pre = await timed('transformer_pre', () => runPre(s, c, {
        latents, timestep: 875, guidance: 10000, textEmbeddings: inputF32([1, TEXT_TOKENS, c.textEmbedDim], 6),
        pooledProjections: inputF32([1, c.pooledProjectionDim], 7), imageTokens, contextTokens,
      }));
      const hidden = await timed('transformer_blocks', () => runBlocks(s, pre, ropeFor(c, idx, LATENT_H, LATENT_W)));
      const velocity = await timed('transformer_post', () => runPost(s, hidden, pre.temb, [idx.latent.length, LATENT_H, LATENT_W]));
      row.totalS = sec(performance.now() - step0);
      if (!velocity.data.every(Number.isFinite)) throw new Error('transformer step produced non-finite values');
      row.what = `one step (pre + blocks + post), ${pre.hidden.dims[1]} image-side + ${pre.encoder.dims[1]} text-side tokens`;
      await Promise.all(Object.values(s).map((x) => x.release()));
    } else if (part === 'vae') {
      const c = FULLSIZE_CONFIG.vae;
      const weights = new HashWeights(vaeDefinition.parameterShapes(c));
      const { vae_decoder } = vaeDefinition.buildGraphs(c, weights, { weightDtype: 'float32', attention });
      const files = await writeGraphs({ vae_decoder: vae_decoder! }, dir);
      row.buildS = sec(performance.now() - t);
      t = performance.now();
      const session = await createCpuSession(files.vae_decoder!);
      row.loadS = sec(performance.now() - t);
      const z = inputF32([1, c.latentChannels, vaeFrames, LATENT_H, LATENT_W], 8);
      const a = performance.now();
      const out = await timed('vae_decoder', () => session.run({ latents: tensorF32(z.data, z.dims) }));
      row.totalS = sec(performance.now() - a);
      const pixels = out.pixels as ort.Tensor;
      row.what = `one decode of ${vaeFrames} latent frames → [${pixels.dims.join(', ')}]`;
      await session.release();
    } else {
      const c = FULLSIZE_CONFIG.text_encoder;
      const weights = new HashWeights(llamaDefinition.parameterShapes(c));
      const files = await writeGraphs(llamaDefinition.buildGraphs(c, weights, { weightDtype: 'float32', attention }), dir);
      row.buildS = sec(performance.now() - t);
      t = performance.now();
      const session = await createCpuSession(files.text_encoder!);
      row.loadS = sec(performance.now() - t);
      const ids = Array.from({ length: TEXT_TOKENS }, (_, i) => (i * 7919) % c.vocabSize);
      const a = performance.now();
      await timed('text_encoder', () => session.run({ input_ids: tensorI64(ids, [1, TEXT_TOKENS]) }));
      row.totalS = sec(performance.now() - a);
      row.what = `${TEXT_TOKENS} tokens through 2 decoder layers`;
      await session.release();
    }
    row.graphMs = graphMs;
    row.cpuS = Math.round(cpuUs / 1e4) / 100;
    return row;
  } finally {
    row.peakRssMiB = Math.round(sampler.stop().maxRssMiB);
    await rm(dir, { recursive: true, force: true });
  }
}
