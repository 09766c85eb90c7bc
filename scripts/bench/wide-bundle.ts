// A tiny bundle whose transformer has the official head size (128) and `--heads H` heads (default
// the official 24: 3072 hidden) but `--dual N` dual- and `--single M` single-stream blocks
// (default 1 and 0), seeded weights — for `npm run bench -- memory --bundle DIR`, where weights
// dominate the per-session overhead the tiny bundle's RSS is made of, and (with `--block-groups K`)
// for `npm run bench -- stream`. It makes noise; only its memory is of interest. (One dual and one
// single block at 3072 make a 1.9 GB blocks graph, over the writer's 1.8 GB inline limit, and ORT
// then refuses the external-data file: see the report of issue 14's plan work.)
//   npx tsx scripts/bench/wide-bundle.ts --out DIR [--dual N] [--single M] [--heads H] [--block-groups K]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import type { BuildBundleResult } from '../../daemon/models/bundle/build-bundle.js';
import { fullTransformerConfig } from '../../daemon/models/transformer/config.js';
import { builtSummary, runBuildBundle } from '../build-bundle.js';
import { SEEDED_BUNDLE_CONFIG, SEEDED_BUNDLE_SEED, TOKENIZERS_SRC, writeSeededWeights } from '../seeded-bundle.js';

export interface WideBundleOptions {
  outDir: string;
  dual: number;
  single: number;
  /** Attention heads of 128 (default the official 24). */
  heads?: number;
  /** Also write the blocks as K group graphs (build-bundle --block-groups). */
  blockGroups?: number;
  name?: string;
}

export async function buildWideBundle(o: WideBundleOptions): Promise<BuildBundleResult> {
  const heads = o.heads ?? fullTransformerConfig.numAttentionHeads;
  // Official head size and MLP ratio; the encoder-facing sizes stay the tiny encoders' (they produce them).
  const transformer = {
    numAttentionHeads: heads, attentionHeadDim: fullTransformerConfig.attentionHeadDim,
    ropeAxesDim: fullTransformerConfig.ropeAxesDim, mlpRatio: fullTransformerConfig.mlpRatio,
    numLayers: o.dual, numSingleLayers: o.single, numRefinerLayers: 1,
  };
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-wide-bundle-'));
  try {
    const weights = await writeSeededWeights(tmp, componentDefinitions, SEEDED_BUNDLE_SEED, { transformer });
    const configPath = path.join(tmp, 'config.json');
    const hidden = heads * fullTransformerConfig.attentionHeadDim;
    await writeFile(configPath, JSON.stringify({
      ...SEEDED_BUNDLE_CONFIG, name: o.name ?? 'framepack-wide',
      description: `Tiny bundle, ${hidden}-wide transformer (${heads} heads × 128) with ${o.dual} dual- and ${o.single} single-stream blocks, seeded.`, components: { transformer },
    }));
    return await runBuildBundle({
      config: configPath, weights, tokenizer: path.join(TOKENIZERS_SRC, 'llama', 'tokenizer.json'),
      tokenizer2: path.join(TOKENIZERS_SRC, 'clip', 'tokenizer.json'), outDir: path.resolve(o.outDir), dtype: 'float32',
      ...(o.blockGroups !== undefined ? { blockGroups: o.blockGroups } : {}),
    }, componentDefinitions);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: {
    out: { type: 'string' }, dual: { type: 'string', default: '1' }, single: { type: 'string', default: '0' },
    heads: { type: 'string', default: String(fullTransformerConfig.numAttentionHeads) }, 'block-groups': { type: 'string' },
  } });
  const [dual, single, heads] = [Number(values.dual), Number(values.single), Number(values.heads)];
  const blockGroups = values['block-groups'] === undefined ? undefined : Number(values['block-groups']);
  const count = (n: number) => Number.isInteger(n) && n >= 0;
  if (!values.out || !(count(dual) && count(single) && dual + single >= 1 && count(heads) && heads >= 1) || (blockGroups !== undefined && !(Number.isInteger(blockGroups) && blockGroups >= 2))) {
    process.stderr.write('usage: npx tsx scripts/bench/wide-bundle.ts --out DIR [--dual N] [--single M] [--heads H] [--block-groups K ≥ 2]\n');
    process.exit(2);
  }
  const result = await buildWideBundle({ outDir: values.out, dual, single, heads, ...(blockGroups !== undefined ? { blockGroups } : {}) });
  process.stdout.write(`${builtSummary(result)}\n`);
}
