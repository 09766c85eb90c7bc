// A tiny bundle whose transformer has the official width (24 heads × 128 = 3072 hidden) but
// `--dual N` dual- and `--single M` single-stream blocks (default 1 and 0), seeded weights — for
// `npm run bench -- memory --bundle DIR`, where weights dominate the per-session overhead the
// tiny bundle's RSS is made of. It makes noise; only its memory is of interest. (One dual and one
// single block make a 1.9 GB blocks graph, over the writer's 1.8 GB inline limit, and ORT then
// refuses the external-data file: see the report of issue 14's plan work.)
//   npx tsx scripts/bench/wide-bundle.ts --out DIR [--dual N] [--single M]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { fullTransformerConfig } from '../../daemon/models/transformer/config.js';
import { builtSummary, runBuildBundle } from '../build-bundle.js';
import { SEEDED_BUNDLE_CONFIG, SEEDED_BUNDLE_SEED, TOKENIZERS_SRC, writeSeededWeights } from '../seeded-bundle.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string' }, dual: { type: 'string', default: '1' }, single: { type: 'string', default: '0' } } });
const dual = Number(values.dual);
const single = Number(values.single);
if (!values.out || !(Number.isInteger(dual) && dual >= 0 && Number.isInteger(single) && single >= 0 && dual + single >= 1)) {
  process.stderr.write('usage: npx tsx scripts/bench/wide-bundle.ts --out DIR [--dual N] [--single M]\n');
  process.exit(2);
}
// Official widths; the encoder-facing sizes stay the tiny encoders' (they produce them).
const transformer = {
  numAttentionHeads: fullTransformerConfig.numAttentionHeads, attentionHeadDim: fullTransformerConfig.attentionHeadDim,
  ropeAxesDim: fullTransformerConfig.ropeAxesDim, mlpRatio: fullTransformerConfig.mlpRatio,
  numLayers: dual, numSingleLayers: single, numRefinerLayers: 1,
};
const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-wide-bundle-'));
try {
  const weights = await writeSeededWeights(tmp, componentDefinitions, SEEDED_BUNDLE_SEED, { transformer });
  const configPath = path.join(tmp, 'config.json');
  await writeFile(configPath, JSON.stringify({ ...SEEDED_BUNDLE_CONFIG, name: 'framepack-wide', description: `Tiny bundle, official-width transformer with ${dual} dual- and ${single} single-stream blocks, seeded.`, components: { transformer } }));
  const result = await runBuildBundle({
    config: configPath, weights, tokenizer: path.join(TOKENIZERS_SRC, 'llama', 'tokenizer.json'),
    tokenizer2: path.join(TOKENIZERS_SRC, 'clip', 'tokenizer.json'), outDir: path.resolve(values.out), dtype: 'float32',
  }, componentDefinitions);
  process.stdout.write(`${builtSummary(result)}\n`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
