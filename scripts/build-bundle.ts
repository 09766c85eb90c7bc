// `npm run build-bundle -- --config CONFIG.json --weights COMPONENT=PATH ... --tokenizer PATH
// --tokenizer-2 PATH --out DIR [--dtype fp32|fp16|int8|int4] [--block-size N] [--compute fp32|fp16]
// [--block-groups K]`: builds a model bundle (docs/bundles.md) from
// safetensors weights and a bundle config. Exit codes: 0 built, 2 bad input, 1 build failed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AttentionForm } from '../daemon/onnx/graph.js';
import { buildBundle, type BuildBundleResult, type BuildProgress } from '../daemon/models/bundle/build-bundle.js';
import { BundleError } from '../daemon/models/bundle/bundle-error.js';
import { resolveBundleConfig, type ComponentDefinitions } from '../daemon/models/bundle/bundle-config.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../daemon/models/bundle/manifest.js';
import { DEFAULT_QUANT_BLOCK_SIZE, WEIGHT_FORMATS, quantizationFor, type QuantizationChoice, type WeightFormat } from '../daemon/models/bundle/quantization.js';
import { openWeights, type ShardedWeights } from '../daemon/weights/safetensors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: npm run build-bundle -- --config CONFIG.json --weights COMPONENT=PATH ... \\
         --tokenizer PATH --tokenizer-2 PATH --out DIR [--dtype fp32|fp16|int8|int4]
         [--block-size N] [--compute fp32|fp16] [--attention fused|explicit] [--block-groups K]

Builds a FramePack model bundle: ONNX graphs for every component, tokenizer files, manifest.json.

  --config FILE        bundle config (JSON; see docs/bundles.md)
  --weights C=PATH     weights of component C, once for each of
                       ${MODEL_COMPONENT_IDS.join(', ')}:
                       a .safetensors file, a *.safetensors.index.json, or a folder
  --tokenizer PATH     Llama tokenizer: tokenizer.json or a folder of tokenizer files
  --tokenizer-2 PATH   CLIP tokenizer: tokenizer.json or a folder of tokenizer files
  --out DIR            output folder (created; an existing bundle there is replaced)
  --dtype D            weight precision (default fp32): fp32 or fp16 (weights and compute), or
                       int8 / int4: the transformer's and Llama's block Linear layers stored as
                       ONNX Runtime MatMulNBits weights, the rest in the compute dtype
  --block-size N       int8/int4: weights per quantisation block along the input features
                       (a power of two ≥ 16; default ${DEFAULT_QUANT_BLOCK_SIZE})
  --compute fp32|fp16  int8/int4: activation and unquantised-weight dtype (default fp32, the
                       CPU's; fp16 for GPUs)
  --attention fused|explicit
                       fused: one com.microsoft MultiHeadAttention node per attention (CPU, CUDA,
                       WebGPU); explicit: MatMul→Softmax→MatMul (default: fused when the compute
                       dtype is fp16, explicit with fp32)
  --block-groups K     also write the transformer's blocks as K group graphs, so a job whose
                       transformer does not fit the device can stream them (the stream-blocks
                       memory plan, docs/memory.md); 2 ≤ K ≤ the transformer's blocks; costs a
                       second copy of the block weights on disk
  -h, --help           show this help

npm run build-bundle -- --dry-run [--config FILE] [--block-size N] [--compute fp32|fp16] [--json]
  prints each component's bytes as an fp32, fp16, int8 and int4 bundle (default config: the
  official full-size model) without reading or writing weights; --dry-run --help for details`;

/** A bad command line or input file: reported as one line, exit code 2. */
export class UsageError extends Error { override readonly name = 'UsageError'; }

export interface BuildRequest {
  /** Bundle config: a path to a JSON file, or the parsed object. */
  config: string | unknown;
  weights: Record<ModelComponentId, string>;
  tokenizer: string;
  tokenizer2: string;
  outDir: string;
  /** Compute dtype (and weight dtype of everything not quantised). */
  dtype: 'float32' | 'float16';
  quantization?: QuantizationChoice;
  /** Attention form of the graphs; default defaultAttentionFor(dtype): fused for fp16, explicit for fp32. */
  attention?: AttentionForm;
  /** Also write the transformer's blocks as K group graphs (stream-blocks plan). */
  blockGroups?: number;
}

/** --block-groups: an integer ≥ 2 (the upper bound, the transformer's blocks, is checked by the build). */
export function parseBlockGroups(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const k = Number(value);
  if (!Number.isInteger(k) || k < 2) throw new UsageError(`--block-groups must be an integer ≥ 2, not '${value}'`);
  return k;
}

export function parseBuildArgs(argv: string[]): BuildRequest | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' }, weights: { type: 'string', multiple: true }, tokenizer: { type: 'string' },
        'tokenizer-2': { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string', default: 'fp32' },
        'block-size': { type: 'string' }, compute: { type: 'string' }, attention: { type: 'string' },
        'block-groups': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true, allowPositionals: false,
    }));
  } catch (err: unknown) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  for (const flag of ['config', 'tokenizer', 'tokenizer-2', 'out'] as const) {
    if (!values[flag]) throw new UsageError(`missing --${flag}`);
  }
  const format = values.dtype as WeightFormat;
  if (!WEIGHT_FORMATS.includes(format)) throw new UsageError(`--dtype must be one of ${WEIGHT_FORMATS.join(', ')}, not '${values.dtype}'`);
  const quantized = format === 'int8' || format === 'int4';
  if (!quantized && (values['block-size'] !== undefined || values.compute !== undefined)) {
    throw new UsageError(`--block-size and --compute apply to --dtype int8 or int4 only (fp32/fp16 compute in their own dtype)`);
  }
  if (values.compute !== undefined && values.compute !== 'fp32' && values.compute !== 'fp16') throw new UsageError(`--compute must be fp32 or fp16, not '${values.compute}'`);
  const blockSize = values['block-size'] === undefined ? DEFAULT_QUANT_BLOCK_SIZE : Number(values['block-size']);
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new UsageError(`--block-size must be a power of two ≥ 16 (ONNX Runtime's MatMulNBits), not '${values['block-size']}'`);
  }
  const quantization = quantizationFor(format, blockSize);
  const dtype = format === 'fp16' || values.compute === 'fp16' ? 'float16' : 'float32';
  const attention = values.attention;
  if (attention !== undefined && attention !== 'fused' && attention !== 'explicit') throw new UsageError(`--attention must be fused or explicit, not '${attention}'`);
  const blockGroups = parseBlockGroups(values['block-groups']);
  const weights: Partial<Record<ModelComponentId, string>> = {};
  for (const spec of values.weights ?? []) {
    const eq = spec.indexOf('=');
    const id = spec.slice(0, eq) as ModelComponentId;
    if (eq < 1 || !spec.slice(eq + 1)) throw new UsageError(`--weights expects COMPONENT=PATH, got '${spec}'`);
    if (!MODEL_COMPONENT_IDS.includes(id)) throw new UsageError(`--weights: unknown component '${id}' (expected one of ${MODEL_COMPONENT_IDS.join(', ')})`);
    if (weights[id]) throw new UsageError(`--weights ${id} given twice`);
    weights[id] = spec.slice(eq + 1);
  }
  const missing = MODEL_COMPONENT_IDS.filter((id) => !weights[id]);
  if (missing.length) throw new UsageError(`missing --weights for ${missing.join(', ')}`);
  return {
    config: values.config!, weights: weights as Record<ModelComponentId, string>, tokenizer: values.tokenizer!,
    tokenizer2: values['tokenizer-2']!, outDir: values.out!, dtype, ...(quantization ? { quantization } : {}), attention,
    ...(blockGroups !== undefined ? { blockGroups } : {}),
  };
}

/** "built NAME in DIR: N files, X MB" (DIR relative to the working folder when inside it): the last
 *  line of every bundle-building script. */
export function builtSummary(result: BuildBundleResult): string {
  const files = Object.values(result.manifest.components).flatMap((c) => c.files);
  const bytes = files.reduce((a, f) => a + f.bytes, 0);
  const rel = path.relative(process.cwd(), result.dir);
  return `built ${result.manifest.name} in ${rel && !rel.startsWith('..') ? rel : result.dir}: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB`;
}

/** The build path shared by this CLI, scripts/seeded-bundle.ts and scripts/train/build-trained-bundle.ts. */
export async function runBuildBundle(req: BuildRequest, definitions: ComponentDefinitions, onProgress?: (p: BuildProgress) => void): Promise<BuildBundleResult> {
  let configJson: unknown = req.config;
  if (typeof req.config === 'string') {
    const text = await readFile(req.config, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--config ${req.config}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    try { configJson = JSON.parse(text); } catch (err: unknown) {
      throw new UsageError(`--config ${req.config}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const config = resolveBundleConfig(configJson, definitions);
  const opened: ShardedWeights[] = [];
  try {
    const weights = {} as Record<ModelComponentId, ShardedWeights>;
    for (const id of MODEL_COMPONENT_IDS) {
      weights[id] = await openWeights(req.weights[id]).catch((err: unknown) => {
        throw new UsageError(`--weights ${id}=${req.weights[id]}: ${err instanceof Error ? err.message : String(err)}`);
      });
      opened.push(weights[id]);
    }
    return await buildBundle({
      config, definitions, weights, tokenizers: { llama: req.tokenizer, clip: req.tokenizer2 },
      outDir: req.outDir, weightDtype: req.dtype, ...(req.quantization ? { quantization: req.quantization } : {}), attention: req.attention, onProgress,
      ...(req.blockGroups !== undefined ? { blockGroups: req.blockGroups } : {}),
    });
  } finally {
    await Promise.all(opened.map((w) => w.close()));
  }
}

/** Runs the CLI; returns the exit code. Output goes to the given writers (stdout/stderr by default). */
export async function main(argv: string[], definitions?: ComponentDefinitions, out = (s: string) => process.stdout.write(s), err = (s: string) => process.stderr.write(s)): Promise<number> {
  try {
    if (argv.includes('--dry-run')) {
      const { dryRunMain } = await import('./bundle-dry-run.js');
      const defs = definitions ?? (await import('../daemon/models/bundle/definitions.js')).componentDefinitions;
      return await dryRunMain(argv, defs, out, err);
    }
    const req = parseBuildArgs(argv);
    if (req === 'help') { out(`${USAGE}\n`); return EXIT_OK; }
    const defs = definitions ?? (await import('../daemon/models/bundle/definitions.js')).componentDefinitions;
    const result = await runBuildBundle(req, defs, (p) => {
      if (p.phase !== 'graphs') err(`[${p.done}/${p.total}] ${p.component}: ${p.phase}${p.detail ? ` ${p.detail}` : ''}\n`);
    });
    out(`${builtSummary(result)}\n`);
    return EXIT_OK;
  } catch (e: unknown) {
    if (e instanceof UsageError) { err(`build-bundle: ${e.message}\n(run with --help for usage)\n`); return EXIT_USAGE; }
    if (e instanceof BundleError && e.code === 'INVALID_CONFIG') { err(`build-bundle: ${e.message}\n`); return EXIT_USAGE; }
    err(`build-bundle: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
