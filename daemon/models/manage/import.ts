// `framepack models import --from DIR`: turns the official FramePack weights, as distributed, into
// a bundle. Each folder's config.json is mapped onto our architecture config, every tensor the
// graphs read is checked by name, shape and dtype before anything is written (a folder with
// missing or mismatched tensors is refused with their names), the CLIP tokenizer's vocab.json +
// merges.txt become a tokenizer.json, and buildBundle streams the weights into the graphs. The
// bundle is built beside its destination and renamed into place, so a failed import leaves nothing.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBundle, type BuildProgress } from '../bundle/build-bundle.js';
import { resolveBundleConfig, type ComponentDefinitions } from '../bundle/bundle-config.js';
import { componentDefinitions } from '../bundle/definitions.js';
import { MODEL_COMPONENT_IDS, type Manifest, type ModelComponentId } from '../bundle/manifest.js';
import { DEFAULT_QUANT_BLOCK_SIZE, quantizationFor, type QuantizationChoice } from '../bundle/quantization.js';
import { validateNBitsOptions } from '../../weights/matmul-nbits.js';
import { clipTokenizerJson, type ClipSpecialTokens } from '../tokenizer/clip-vocab-merges.js';
import { openWeights, type ShardedWeights } from '../../weights/safetensors.js';
import type { WeightSource } from '../../weights/weight-source.js';
import { installModelsDir } from './models-dir.js';
import { configFromOfficial } from './official-configs.js';
import { locateOfficialLayout, type OfficialLayout } from './official-layout.js';

export type ImportDtype = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';

export interface ImportOptions {
  from: string;
  dtype?: ImportDtype;
  /** int8/int4: weights per quantisation block (default DEFAULT_QUANT_BLOCK_SIZE). */
  blockSize?: number;
  /** int8/int4: activation (and unquantised weight) dtype; fp32 (default) for the CPU, fp16 for GPUs. */
  compute?: 'fp32' | 'fp16';
  /** Bundle name (default framepack-i2v-<dtype> / framepack-f1-<dtype>). */
  name?: string;
  /** Models folder to install into (default installModelsDir()). */
  modelsDir?: string;
  /** Section preset for buckets/text lengths: 'full' (official) or 'tiny' (tests). */
  preset?: 'full' | 'tiny';
  variant?: 'inverted' | 'f1';
  /** Replace an installed bundle of the same name. */
  force?: boolean;
  definitions?: ComponentDefinitions;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  component: string;
  phase: 'config' | 'check' | BuildProgress['phase'];
  detail?: string;
  done: number;
  total: number;
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(message: string, readonly problems: string[] = []) { super(message); }
}

/** `fp16` → float16 graphs; int8/int4 compute in `compute` (fp32 unless told); bf16 has no bundle
 *  form (ORT's CPU provider lacks bf16 kernels for these graphs). */
export function weightDtypeFor(dtype: ImportDtype, compute?: 'fp32' | 'fp16'): 'float32' | 'float16' {
  if (compute !== undefined && dtype !== 'int8' && dtype !== 'int4') {
    throw new ImportError(`--compute applies to --dtype int8 or int4 only (--dtype ${dtype} computes in its own precision)`);
  }
  if (dtype === 'int8' || dtype === 'int4') return compute === 'fp16' ? 'float16' : 'float32';
  if (dtype === 'bf16') {
    throw new ImportError('--dtype bf16: bundles store float32 or float16 graphs (onnxruntime has no bf16 kernels for most of these ops on the CPU, and fp16 runs on every CUDA GPU); use --dtype fp16 for GPUs or fp32 for the CPU. The bf16 checkpoints convert to either.');
  }
  return dtype === 'fp16' ? 'float16' : 'float32';
}

const FLOAT_DTYPES = new Set(['float32', 'float16', 'bfloat16']);
const MAX_LISTED = 12;

/** Names every expected tensor that is absent, has another shape, or is not a float type. */
export function checkTensors(id: string, expected: [string, number[]][], weights: WeightSource): string[] {
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const info = weights.info(name);
    if (!info) problems.push(`${id}: missing tensor '${name}' [${shape.join(', ')}]`);
    else if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) problems.push(`${id}: tensor '${name}' is [${info.shape.join(', ')}], expected [${shape.join(', ')}]`);
    else if (!FLOAT_DTYPES.has(info.dtype)) problems.push(`${id}: tensor '${name}' is ${info.dtype}, expected a float type`);
  }
  return problems;
}

/** A tokenizer folder with a tokenizer.json: the official one, or a staged copy with one built from vocab.json + merges.txt. */
async function stageClipTokenizer(src: string, staging: string): Promise<string> {
  if (await stat(path.join(src, 'tokenizer.json')).then(() => true, () => false)) return src;
  const out = path.join(staging, 'tokenizer_2');
  await mkdir(out, { recursive: true });
  for (const name of await readdir(src)) if (/\.(json|txt)$/.test(name)) await copyFile(path.join(src, name), path.join(out, name));
  const vocab = JSON.parse(await readFile(path.join(src, 'vocab.json'), 'utf8')) as Record<string, number>;
  const merges = await readFile(path.join(src, 'merges.txt'), 'utf8');
  const special = JSON.parse(await readFile(path.join(src, 'tokenizer_config.json'), 'utf8').catch(() => '{}')) as ClipSpecialTokens;
  await writeFile(path.join(out, 'tokenizer.json'), JSON.stringify(clipTokenizerJson(vocab, merges, special)));
  return out;
}

async function readConfig(dir: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, 'config.json');
  try { return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>; } catch (err: unknown) {
    throw new ImportError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The MatMulNBits choice of an int8/int4 import (a bad block size is refused before any work). */
export function quantizationOf(opts: Pick<ImportOptions, 'dtype' | 'blockSize'>): QuantizationChoice | undefined {
  const dtype = opts.dtype ?? 'fp32';
  if (dtype !== 'int8' && dtype !== 'int4') {
    if (opts.blockSize !== undefined) throw new ImportError(`--block-size applies to --dtype int8 or int4 only`);
    return undefined;
  }
  const q = quantizationFor(dtype, opts.blockSize ?? DEFAULT_QUANT_BLOCK_SIZE)!;
  try { validateNBitsOptions(q); } catch (err: unknown) { throw new ImportError(`--block-size: ${(err as Error).message}`); }
  return q;
}

export interface ImportResult { dir: string; manifest: Manifest; layout: OfficialLayout }

export async function importOfficial(opts: ImportOptions): Promise<ImportResult> {
  const defs = opts.definitions ?? componentDefinitions;
  const weightDtype = weightDtypeFor(opts.dtype ?? 'fp32', opts.compute);
  const quantization = quantizationOf(opts);
  const layout = await locateOfficialLayout(opts.from);
  const variant = opts.variant ?? layout.variant;
  const name = opts.name ?? `framepack-${variant === 'f1' ? 'f1' : 'i2v'}-${opts.dtype ?? 'fp32'}`;
  const modelsDir = path.resolve(opts.modelsDir ?? installModelsDir());
  const dest = path.join(modelsDir, name);
  if (!opts.force && (await stat(dest).then(() => true, () => false))) {
    throw new ImportError(`${dest} already exists; remove it first (\`framepack models rm ${name}\`) or pass --force`);
  }
  const total = MODEL_COMPONENT_IDS.length + 2;
  const progress = (component: string, phase: ImportProgress['phase'], done: number, detail?: string) =>
    opts.onProgress?.({ component, phase, done, total, ...(detail ? { detail } : {}) });

  const opened: ShardedWeights[] = [];
  const staging = await mkdtemp(path.join(os.tmpdir(), 'fp-import-'));
  const building = `${dest}.importing-${process.pid}`;
  try {
    const configs = {} as Record<ModelComponentId, unknown>;
    const weights = {} as Record<ModelComponentId, ShardedWeights>;
    const problems: string[] = [];
    for (const [i, id] of MODEL_COMPONENT_IDS.entries()) {
      const dir = layout.components[id];
      progress(id, 'config', i, dir);
      try {
        configs[id] = configFromOfficial(id, await readConfig(dir));
      } catch (err: unknown) {
        if (err instanceof ImportError) throw err;
        const zodIssues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
        const why = zodIssues ? zodIssues.map((x) => `${x.path.map(String).join('.') || '(root)'}: ${x.message}`).join('; ') : err instanceof Error ? err.message : String(err);
        throw new ImportError(`${path.join(dir, 'config.json')}: not a supported ${id} config (${why})`);
      }
      const w = await openWeights(dir).catch((err: unknown) => { throw new ImportError(`${id}: ${err instanceof Error ? err.message : String(err)}`); });
      opened.push(w);
      weights[id] = w;
      const expected = defs[id].parameterShapes(configs[id]);
      progress(id, 'check', i, `${expected.length} tensors`);
      problems.push(...checkTensors(id, expected, w));
    }
    if (problems.length) {
      const shown = problems.slice(0, MAX_LISTED).join('\n  ');
      throw new ImportError(`the weights do not match the architectures their config.json describe (${problems.length} problem(s)):\n  ${shown}${problems.length > MAX_LISTED ? `\n  … and ${problems.length - MAX_LISTED} more` : ''}`, problems);
    }
    const config = resolveBundleConfig({
      name, variant, preset: opts.preset ?? 'full',
      description: `FramePack${variant === 'f1' ? ' F1' : ''} imported from ${path.resolve(opts.from)} (${opts.dtype ?? 'fp32'})`,
      components: configs as Record<string, Record<string, unknown>>,
    }, defs);
    const tokenizer2 = await stageClipTokenizer(layout.tokenizer2, staging);
    await rm(building, { recursive: true, force: true });
    const built = await buildBundle({
      config, definitions: defs, weights, tokenizers: { llama: layout.tokenizer, clip: tokenizer2 }, outDir: building, weightDtype,
      ...(quantization ? { quantization } : {}),
      onProgress: (p) => progress(p.component, p.phase, p.done, p.detail),
    });
    await mkdir(modelsDir, { recursive: true });
    if (opts.force) await rm(dest, { recursive: true, force: true });
    await rename(building, dest);
    return { dir: dest, manifest: built.manifest, layout };
  } finally {
    await Promise.all(opened.map((w) => w.close()));
    await rm(staging, { recursive: true, force: true });
    await rm(building, { recursive: true, force: true });
  }
}
