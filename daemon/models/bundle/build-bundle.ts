// Builds a model bundle folder from weights: every graph of every component (from its definition's
// buildGraphs), written with writeModel (inline under 2 GB, external data beyond), the tokenizer
// files copied, everything hashed, memory estimated, and manifest.json written last (atomically),
// so an interrupted build never leaves a folder that passes for a bundle.
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AttentionForm, GraphBuilder } from '../../onnx/graph.js';
import { writeModel } from '../../onnx/model-writer.js';
import { quantizeLinears } from '../../onnx/quantize-linears.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { BundleError } from './bundle-error.js';
import type { ComponentDefinitions, ResolvedBundleConfig } from './bundle-config.js';
import { estimateActivationBytes } from './estimate.js';
import { isQuantizedComponent, selectQuantizedLinear, type ComponentQuantization, type QuantizationChoice } from './quantization.js';
import {
  BUNDLE_COMPONENT_IDS, MANIFEST_FILE, MANIFEST_FORMAT_VERSION, MODEL_COMPONENT_IDS, describeManifestIssues, manifestSchema,
  type BundleComponentId, type FileEntry, type GraphEntry, type Manifest, type ModelComponentEntry, type ModelComponentId, type TokenizerComponentEntry,
} from './manifest.js';
import { sha256File } from './verify-cache.js';
import { blockGroupGraphsByStem } from '../transformer/block-groups.js';
import { transformerConfigSchema } from '../transformer/config.js';

export interface BuildProgress {
  component: BundleComponentId;
  phase: 'graphs' | 'write' | 'hash' | 'done';
  /** The graph or file concerned, when there is one. */
  detail?: string;
  /** Components finished so far / in total. */
  done: number;
  total: number;
}

export interface BuildBundleOptions {
  config: ResolvedBundleConfig;
  definitions: ComponentDefinitions;
  weights: Record<ModelComponentId, WeightSource>;
  /** tokenizer.json files (or folders of tokenizer files) for the Llama and CLIP tokenizers. */
  tokenizers: { llama: string; clip: string };
  outDir: string;
  /** Compute dtype: activations, and every weight that is not quantised. */
  weightDtype: 'float32' | 'float16';
  /** Store the transformer's and Llama's block Linears as MatMulNBits weights (quantization.ts). */
  quantization?: QuantizationChoice;
  /** How graphs write attention (ops.ts attention()); default defaultAttentionFor(weightDtype). Recorded in the manifest. */
  attention?: AttentionForm;
  /**
   * Also write the transformer's blocks as this many group graphs (transformer_blocks_g0 …), for
   * the stream-blocks memory plan (docs/memory.md); the manifest records it as `blockGroups`.
   */
  blockGroups?: number;
  /** 'auto' (default): weights inline unless a graph's exceed ~1.8 GB; 'always': every graph gets `<graph>.onnx.data`. */
  externalData?: 'auto' | 'always';
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildBundleResult { dir: string; manifest: Manifest }

/** Files copied from a tokenizer folder (tokenizer.json, vocab.json, merges.txt, *.model, configs). */
const TOKENIZER_FILE = /\.(json|txt|model)$/;
/** Parsed tokenizers (vocab + merges as JS objects) take several times their JSON size. */
export const TOKENIZER_RESIDENT_FACTOR = 8;

/**
 * The attention form a build gets unless it asks: float16 bundles are GPU bundles and get the fused
 * MultiHeadAttention (WebGPU's flash path, no S×S scores); float32 bundles are CPU bundles and keep
 * the explicit form, the one the default bundle and every earlier bundle hold (on the CPU the two
 * cost the same at small sizes; docs/benchmarks.md has the full-size comparison).
 */
export function defaultAttentionFor(weightDtype: 'float32' | 'float16'): AttentionForm {
  return weightDtype === 'float16' ? 'fused' : 'explicit';
}

export async function buildBundle(opts: BuildBundleOptions): Promise<BuildBundleResult> {
  const outDir = path.resolve(opts.outDir);
  await prepareOutDir(outDir);
  const total = BUNDLE_COMPONENT_IDS.length;
  let done = 0;
  const progress = (component: BundleComponentId, phase: BuildProgress['phase'], detail?: string) =>
    opts.onProgress?.({ component, phase, detail, done, total });

  const components: Partial<Record<BundleComponentId, ModelComponentEntry | TokenizerComponentEntry>> = {};
  for (const id of MODEL_COMPONENT_IDS) {
    components[id] = await buildComponent(id, opts, outDir, progress);
    done++;
    progress(id, 'done');
  }
  const tokenizerSources = { tokenizer: opts.tokenizers.llama, tokenizer_2: opts.tokenizers.clip } as const;
  for (const [id, src] of Object.entries(tokenizerSources) as [('tokenizer' | 'tokenizer_2'), string][]) {
    progress(id, 'write', src);
    const files = await copyTokenizer(src, outDir, id);
    progress(id, 'hash');
    const entries = await hashFiles(outDir, files);
    components[id] = {
      kind: 'tokenizer',
      config: { family: id === 'tokenizer' ? 'llama' : 'clip', files: entries.map((e) => path.posix.basename(e.path)) },
      files: entries,
      estimatedResidentBytes: TOKENIZER_RESIDENT_FACTOR * entries.reduce((a, e) => a + e.bytes, 0),
    };
    done++;
    progress(id, 'done');
  }

  const r = opts.config;
  const manifestInput = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    name: r.name, description: r.description, variant: r.variant,
    latent: r.latent, contextKernels: r.contextKernels, patchSize: r.patchSize,
    text: r.text, imageEncoder: r.imageEncoder,
    buckets: r.buckets, defaultBucket: r.defaultBucket, defaults: r.defaults,
    components,
  };
  const parsed = manifestSchema.safeParse(manifestInput);
  if (!parsed.success) {
    throw new BundleError('BUILD_FAILED', `built manifest is invalid (a bug or a bad config):\n  ${describeManifestIssues(parsed.error).join('\n  ')}`, MANIFEST_FILE);
  }
  const manifestPath = path.join(outDir, MANIFEST_FILE);
  await writeFile(`${manifestPath}.partial`, `${JSON.stringify(parsed.data, null, 2)}\n`);
  await rename(`${manifestPath}.partial`, manifestPath);
  return { dir: outDir, manifest: parsed.data };
}

/** Refuses a non-empty folder that is not a bundle; clears an old bundle's manifest and components. */
async function prepareOutDir(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new BundleError('BUILD_FAILED', `${outDir}: cannot read the output folder (${err.message})`);
  });
  if (names.length && !names.includes(MANIFEST_FILE)) {
    throw new BundleError('BUILD_FAILED', `${outDir}: output folder is not empty and holds no bundle (no ${MANIFEST_FILE}); refusing to write into it`);
  }
  // The manifest goes first: from here until the new one is written, the folder is not a bundle.
  await rm(path.join(outDir, MANIFEST_FILE), { force: true });
  for (const id of BUNDLE_COMPONENT_IDS) await rm(path.join(outDir, id), { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
}

async function buildComponent(
  id: ModelComponentId, opts: BuildBundleOptions, outDir: string,
  progress: (c: BundleComponentId, phase: BuildProgress['phase'], detail?: string) => void,
): Promise<ModelComponentEntry> {
  const def = opts.definitions[id];
  const config = opts.config.components[id];
  const weights = opts.weights[id];
  const attention = opts.attention ?? defaultAttentionFor(opts.weightDtype);
  progress(id, 'graphs');
  let graphs: Record<string, GraphBuilder>;
  try {
    graphs = def.buildGraphs(config, weights, { weightDtype: opts.weightDtype, attention });
  } catch (err: unknown) {
    throw new BundleError('BUILD_FAILED', `${id}: building graphs failed: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const streamed = id === 'transformer' && opts.blockGroups !== undefined ? opts.blockGroups : undefined;
  const groupStems = new Set<string>();
  if (streamed !== undefined) {
    try {
      if (streamed < 2) throw new RangeError(`block groups must be at least 2, got ${streamed}`);
      const groups = blockGroupGraphsByStem(transformerConfigSchema.parse(config), weights, { weightDtype: opts.weightDtype, attention }, streamed);
      for (const [stem, g] of Object.entries(groups)) { graphs[stem] = g; groupStems.add(stem); }
    } catch (err: unknown) {
      throw new BundleError('BUILD_FAILED', `${id}: building block groups failed: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
    }
  }
  const quantization = quantizeComponent(id, graphs, weights, opts.quantization);
  await mkdir(path.join(outDir, id), { recursive: true });
  const written: string[] = [];
  const graphEntries: Record<string, GraphEntry> = {};
  const used = new Set<string>();
  let weightBytes = 0;
  for (const [stem, g] of Object.entries(graphs)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(stem)) throw new BundleError('BUILD_FAILED', `${id}: graph stem '${stem}' is not a plain file name`);
    const rel = `${id}/${stem}.onnx`;
    progress(id, 'write', rel);
    let res;
    try {
      res = await writeModel(g, path.join(outDir, ...rel.split('/')), {
        externalData: opts.externalData ?? 'auto',
        metadata: { 'framepack.bundle': opts.config.name, 'framepack.component': id, 'framepack.graph': stem },
      });
    } catch (err: unknown) {
      throw new BundleError('BUILD_FAILED', `${id}: writing ${rel} failed: ${err instanceof Error ? err.message : String(err)}`, rel, { cause: err });
    }
    written.push(rel);
    if (res.dataPath) written.push(`${rel}.data`);
    // The group graphs repeat transformer_blocks' weights: a job holds one form or the other.
    if (!groupStems.has(stem)) for (const t of g.initializers.values()) weightBytes += 'read' in t ? t.byteLength : t.bytes.byteLength;
    for (const w of g.usedWeights) used.add(w);
    graphEntries[stem] = {
      file: rel,
      inputs: g.inputs.map((v) => ({ name: v.name, dtype: v.dtype, dims: [...v.dims] })),
      outputs: g.outputs.map((v) => ({ name: v.name, dtype: v.dtype, dims: [...v.dims] })),
    };
  }
  progress(id, 'hash');
  const files = await hashFiles(outDir, written);
  // Parameters the graphs actually hold (e.g. Llama's last two layers never run and are not counted).
  let parameterCount = 0;
  for (const name of used) parameterCount += (weights.info(name)?.shape ?? []).reduce((a, d) => a * d, 1);
  const activationBytes = estimateActivationBytes(id, config, opts.config, weightBytes, opts.weightDtype, attention);
  return {
    kind: 'model',
    config: config as Record<string, unknown>,
    files,
    graphs: graphEntries,
    weightDtype: opts.weightDtype,
    attention,
    ...(quantization ? { quantization } : {}),
    ...(streamed !== undefined ? { blockGroups: streamed } : {}),
    parameterCount,
    memory: { weightBytes, activationBytes },
    estimatedResidentBytes: weightBytes + activationBytes,
  };
}

/** Rewrites the component's selected Linears to MatMulNBits; undefined when it is not quantised. */
export function quantizeComponent(id: ModelComponentId, graphs: Record<string, GraphBuilder>, weights: WeightSource, q: QuantizationChoice | undefined): ComponentQuantization | undefined {
  if (!q || !isQuantizedComponent(id)) return undefined;
  let linears = 0;
  let quantizedParameters = 0;
  for (const g of Object.values(graphs)) {
    for (const l of quantizeLinears(g, { ...q, source: weights, select: (name) => selectQuantizedLinear(id, name) })) {
      linears++;
      quantizedParameters += l.n * l.k;
    }
  }
  return { method: 'MatMulNBits', bits: q.bits, blockSize: q.blockSize, symmetric: q.symmetric ?? false, linears, quantizedParameters };
}

async function copyTokenizer(src: string, outDir: string, id: 'tokenizer' | 'tokenizer_2'): Promise<string[]> {
  const st = await stat(src).catch(() => { throw new BundleError('BUILD_FAILED', `${src}: tokenizer file or folder does not exist`); });
  const sources = st.isDirectory()
    ? (await readdir(src, { withFileTypes: true })).filter((e) => e.isFile() && TOKENIZER_FILE.test(e.name)).map((e) => path.join(src, e.name)).sort()
    : [src];
  if (sources.length === 0) throw new BundleError('BUILD_FAILED', `${src}: no tokenizer files (*.json, *.txt, *.model) in this folder`);
  await mkdir(path.join(outDir, id), { recursive: true });
  const rels: string[] = [];
  for (const s of sources) {
    const rel = `${id}/${path.basename(s)}`;
    await copyFile(s, path.join(outDir, id, path.basename(s)));
    rels.push(rel);
  }
  return rels;
}

async function hashFiles(outDir: string, rels: string[]): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const rel of [...rels].sort()) {
    const abs = path.join(outDir, ...rel.split('/'));
    const { size } = await stat(abs);
    entries.push({ path: rel, bytes: size, sha256: await sha256File(abs) });
  }
  return entries;
}
