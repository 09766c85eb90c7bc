// `npm run make-default-bundle [-- --from RUN/export] [--out DIR]`: builds models/framepack-tiny,
// the default bundle, from the trained weights committed in models/framepack-tiny-weights/
// (vae.safetensors, transformer.safetensors with official names, and training-card.json, written by
// scripts/train/export.py) plus the seeded, frozen text and image encoders training conditioned on.
// The route is the project's own: safetensors → ONNX graph builder → manifest (runBuildBundle), so
// the same weights give the same bytes and test/bundle/default-bundle.test.ts can check that the
// committed bundle is current. --from first copies a training run's export into the weights folder.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BuildBundleResult } from '../daemon/models/bundle/build-bundle.js';
import type { AttentionForm } from '../daemon/onnx/graph.js';
import { builtSummary, parseBlockGroups } from './build-bundle.js';
import { DEFAULT_QUANT_BLOCK_SIZE, quantizationFor, type QuantizationChoice } from '../daemon/models/bundle/quantization.js';
import { buildTrainedBundle, type TrainedBundleRequest } from './train/build-trained-bundle.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const DEFAULT_BUNDLE_DIR = path.join(REPO_ROOT, 'models', 'framepack-tiny');
export const DEFAULT_WEIGHTS_DIR = path.join(REPO_ROOT, 'models', 'framepack-tiny-weights');
export const DEFAULT_BUNDLE_NAME = 'framepack-tiny';
export const DEFAULT_BUNDLE_DESCRIPTION = 'Tiny FramePack (inverted anti-drifting) trained on the CPU on procedural clips ' +
  '(scripts/train/, training-card.json): one coloured circle, square or triangle on a plain or gradient background that moves, ' +
  'bounces, grows, shrinks, rotates or changes colour, at 64×96. It knows nothing else.';
/** The files scripts/train/export.py writes and the weights folder holds. */
export const TRAINED_FILES = ['vae.safetensors', 'transformer.safetensors', 'training-card.json'] as const;

export interface MakeDefaultBundleOptions {
  outDir?: string;
  weightsDir?: string;
  /** int8/int4 variants of the default model (docs/bundles.md "Quantised bundles"); never the committed folder. */
  quantization?: QuantizationChoice;
  name?: string;
  /** Only for measurements (the committed bundle is float32 / explicit): the trained weights in fp16. */
  dtype?: 'float32' | 'float16';
  attention?: AttentionForm;
  /** The same model with its transformer blocks also as K group graphs (stream-blocks plan); never the committed folder. */
  blockGroups?: number;
}

interface TrainingCard { vae?: { scalingFactor?: number }; components?: TrainedBundleRequest['components'] }

export async function makeDefaultBundle(opts: MakeDefaultBundleOptions = {}): Promise<BuildBundleResult> {
  const weightsDir = opts.weightsDir ?? DEFAULT_WEIGHTS_DIR;
  const cardPath = path.join(weightsDir, 'training-card.json');
  const card = JSON.parse(await readFile(cardPath, 'utf8')) as TrainingCard;
  const scalingFactor = card.vae?.scalingFactor;
  if (typeof scalingFactor !== 'number' || !(scalingFactor > 0)) {
    throw new Error(`${cardPath}: vae.scalingFactor must be a positive number (the trained VAE's latent scale)`);
  }
  return buildTrainedBundle({
    vae: path.join(weightsDir, 'vae.safetensors'), transformer: path.join(weightsDir, 'transformer.safetensors'),
    outDir: opts.outDir ?? DEFAULT_BUNDLE_DIR, name: opts.name ?? DEFAULT_BUNDLE_NAME, description: DEFAULT_BUNDLE_DESCRIPTION,
    card: cardPath, scalingFactor, components: card.components, ...(opts.quantization ? { quantization: opts.quantization } : {}), dtype: opts.dtype, attention: opts.attention,
    ...(opts.blockGroups !== undefined ? { blockGroups: opts.blockGroups } : {}),
  });
}

/** Copies a training run's export (RUN/export) into the weights folder; checks every file first so a
 *  bad --from leaves the committed weights as they were. */
export async function adoptExport(exportDir: string, weightsDir = DEFAULT_WEIGHTS_DIR): Promise<void> {
  const missing = [];
  for (const f of TRAINED_FILES) if (!(await stat(path.join(exportDir, f)).then((s) => s.isFile(), () => false))) missing.push(f);
  if (missing.length > 0) throw new Error(`${exportDir} is not a training export (scripts/train/export.py): missing ${missing.join(', ')}`);
  await mkdir(weightsDir, { recursive: true });
  for (const f of TRAINED_FILES) await copyFile(path.join(exportDir, f), path.join(weightsDir, f));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    from: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' }, 'block-size': { type: 'string' }, name: { type: 'string' },
    'block-groups': { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } });
  if (values.help) {
    process.stdout.write('Usage: npm run make-default-bundle [-- --from RUN/export] [--out DIR] [--dtype int8|int4 --out DIR [--block-size N] [--name NAME]]\n' +
      'Rebuilds models/framepack-tiny/ from models/framepack-tiny-weights/ (trained VAE and transformer, training card)\n' +
      'and the seeded frozen encoders. --from first copies a training run\'s export (scripts/train/export.py) there.\n' +
      `--dtype int8|int4 builds the same model with MatMulNBits weights (block ${DEFAULT_QUANT_BLOCK_SIZE} unless --block-size) into --out.\n` +
      '--block-groups K (with --out DIR) also writes the transformer\'s blocks as K group graphs (the stream-blocks memory plan, docs/memory.md).\n');
    return 0;
  }
  let quantization: QuantizationChoice | undefined;
  if (values.dtype !== undefined) {
    if (values.dtype !== 'int8' && values.dtype !== 'int4') throw new Error(`--dtype must be int8 or int4 (the default bundle itself is fp32), not '${values.dtype}'`);
    if (!values.out) throw new Error('--dtype needs --out DIR: the committed models/framepack-tiny stays fp32');
    quantization = quantizationFor(values.dtype, values['block-size'] === undefined ? undefined : Number(values['block-size']));
  }
  const blockGroups = parseBlockGroups(values['block-groups']);
  if (blockGroups !== undefined && !values.out) throw new Error('--block-groups needs --out DIR: the committed models/framepack-tiny has no block groups');
  if (values.from) await adoptExport(path.resolve(values.from));
  const result = await makeDefaultBundle({
    outDir: values.out ? path.resolve(values.out) : undefined, ...(quantization ? { quantization } : {}),
    ...(values.name ? { name: values.name } : {}), ...(blockGroups !== undefined ? { blockGroups } : {}),
  });
  process.stdout.write(`${builtSummary(result)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`make-default-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}
