// `npx tsx scripts/train/seeded-weights.ts --out DIR [--seed N] [--components JSON]`: writes the default bundle's seeded
// weights (the seeded bundle's tensors, scripts/seeded-bundle.ts; the default bundle keeps its encoders)
// as DIR/<component>.safetensors with official names. Training starts the transformer from them and
// keeps the text and image encoders frozen at them.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { SEEDED_BUNDLE_SEED, writeSeededWeights, type ComponentOverrides } from '../seeded-bundle.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, seed: { type: 'string' }, components: { type: 'string' } } });
  if (!values.out) { process.stderr.write('Usage: npx tsx scripts/train/seeded-weights.ts --out DIR [--seed N] [--components JSON]\n'); return 2; }
  const seed = values.seed === undefined ? SEEDED_BUNDLE_SEED : Number(values.seed);
  await mkdir(values.out, { recursive: true });
  // --components: the training config's architecture overrides, e.g. {"transformer": {"numAttentionHeads": 4}}.
  const overrides = values.components ? JSON.parse(values.components) as ComponentOverrides : {};
  const paths = await writeSeededWeights(path.resolve(values.out), componentDefinitions, seed, overrides);
  process.stdout.write(`${JSON.stringify({ seed, paths })}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
