// `npx tsx scripts/train/build-trained-bundle.ts --vae V.safetensors --transformer T.safetensors
//   --out DIR [--name N] [--card FILE.json] [--scaling-factor K] [--components JSON]`: builds a bundle from trained VAE and transformer weights
// (scripts/train/export.py) and the seeded, frozen text and image encoders (the weights training
// conditioned on), through the project's own path: runBuildBundle, the same safetensors → ONNX
// graph builder → manifest route as scripts/build-bundle.ts.
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import type { BundleConfig } from '../../daemon/models/bundle/bundle-config.js';
import type { BuildBundleResult } from '../../daemon/models/bundle/build-bundle.js';
import type { QuantizationChoice } from '../../daemon/models/bundle/quantization.js';
import type { AttentionForm } from '../../daemon/onnx/graph.js';
import { builtSummary, runBuildBundle } from '../build-bundle.js';
import { SEEDED_BUNDLE_SEED, TOKENIZERS_SRC, writeSeededWeights } from '../seeded-bundle.js';

export interface TrainedBundleRequest {
  vae: string;
  transformer: string;
  outDir: string;
  name?: string;
  description?: string;
  /** A training card (JSON) copied into the bundle folder as training-card.json. */
  card?: string;
  /** The trained VAE's latent scaling factor (1/std of its posterior means), else the preset's. */
  scalingFactor?: number;
  /** Architecture overrides training used (config.json "components", e.g. { vae: { normNumGroups: 1 } }),
   *  laid over the tiny preset of those components. */
  components?: { vae?: Record<string, unknown>; transformer?: Record<string, unknown> };
  /** Graph precision (default float32; float16 builds measure the GPU precision on the CPU). */
  dtype?: 'float32' | 'float16';
  /** Attention form (default by dtype: fused for float16, explicit for float32). */
  attention?: AttentionForm;
  /** Seed of the frozen encoders' weights (the seeded bundle's, scripts/seeded-bundle.ts). */
  encoderSeed?: number;
  /** Store the transformer's and Llama's block Linears as MatMulNBits weights (compute stays fp32). */
  quantization?: QuantizationChoice;
  /** Also write the transformer's blocks as K group graphs (build-bundle --block-groups). */
  blockGroups?: number;
}

export async function buildTrainedBundle(req: TrainedBundleRequest): Promise<BuildBundleResult> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-trained-bundle-'));
  try {
    const seeded = await writeSeededWeights(tmp, componentDefinitions, req.encoderSeed ?? SEEDED_BUNDLE_SEED);
    const config: BundleConfig = {
      name: req.name ?? 'framepack-tiny-trained',
      description: req.description ?? 'Tiny FramePack (inverted anti-drifting) trained on procedural moving-shape clips (scripts/train/).',
      variant: 'inverted',
      preset: 'tiny',
      components: {
        ...(req.components?.transformer ? { transformer: req.components.transformer } : {}),
        vae: { ...req.components?.vae, ...(req.scalingFactor !== undefined ? { scalingFactor: req.scalingFactor } : {}) },
      },
    };
    const configPath = path.join(tmp, 'config.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const result = await runBuildBundle({
      config: configPath,
      weights: { ...seeded, vae: path.resolve(req.vae), transformer: path.resolve(req.transformer) },
      tokenizer: path.join(TOKENIZERS_SRC, 'llama', 'tokenizer.json'),
      tokenizer2: path.join(TOKENIZERS_SRC, 'clip', 'tokenizer.json'),
      outDir: req.outDir, dtype: req.dtype ?? 'float32', ...(req.quantization ? { quantization: req.quantization } : {}), attention: req.attention,
      ...(req.blockGroups !== undefined ? { blockGroups: req.blockGroups } : {}),
    }, componentDefinitions);
    if (req.card) await copyFile(req.card, path.join(result.dir, 'training-card.json'));
    return result;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      vae: { type: 'string' }, transformer: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, card: { type: 'string' },
      'scaling-factor': { type: 'string' }, components: { type: 'string' },
    },
  });
  if (!values.vae || !values.transformer || !values.out) {
    process.stderr.write('Usage: npx tsx scripts/train/build-trained-bundle.ts --vae V.safetensors --transformer T.safetensors --out DIR [--name N] [--card FILE] [--scaling-factor K] [--components JSON]\n');
    return 2;
  }
  const r = await buildTrainedBundle({ vae: values.vae, transformer: values.transformer, outDir: path.resolve(values.out), name: values.name, card: values.card,
    scalingFactor: values['scaling-factor'] === undefined ? undefined : Number(values['scaling-factor']),
    components: values.components === undefined ? undefined : JSON.parse(values.components) as TrainedBundleRequest['components'] });
  process.stdout.write(`${builtSummary(r)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`build-trained-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}
