// The seeded tiny bundle: every component of the tiny preset with seeded random weights, built
// through the same path as scripts/build-bundle.ts. Same seed, same bytes. It makes noise; it is
// (1) where training starts (transformer init) and what it keeps frozen (text and image encoders),
// and (2) a fixture for tests that need a bundle whose every byte follows from the code (models
// import, rebuild checks). models/framepack-tiny, the default, is the trained bundle
// (scripts/make-default-bundle.ts).
//   npm run make-seeded-bundle -- --out DIR [--seed N] [--block-groups K]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BundleConfig, ComponentDefinitions } from '../daemon/models/bundle/bundle-config.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../daemon/models/bundle/manifest.js';
import type { BuildBundleResult } from '../daemon/models/bundle/build-bundle.js';
import { writeSafetensors } from '../daemon/weights/safetensors.js';
import { defaultInit, seededWeights } from '../daemon/weights/seeded.js';
import { builtSummary, parseBlockGroups, runBuildBundle } from './build-bundle.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const TOKENIZERS_SRC = path.join(REPO_ROOT, 'models', 'tokenizers-src');
/** Seed of the seeded tiny weights; the trained default keeps this seed's text and image encoders. */
export const SEEDED_BUNDLE_SEED = 20250503;

export const SEEDED_BUNDLE_CONFIG: BundleConfig = {
  name: 'framepack-tiny-seeded',
  description: 'Tiny FramePack (inverted anti-drifting) of the official architecture with seeded random weights: ' +
    'the starting point of training and a test fixture; it does not produce meaningful video.',
  variant: 'inverted',
  preset: 'tiny',
};

export interface MakeSeededBundleOptions {
  outDir: string;
  /** Bundle name (default framepack-tiny-seeded). The name is in every graph's metadata, so two
   *  bundles' files can only be compared byte for byte under the same name. */
  name?: string;
  seed?: number;
  tokenizersSrc?: string;
  definitions?: ComponentDefinitions;
  /** Also write the transformer's blocks as K group graphs (build-bundle --block-groups). */
  blockGroups?: number;
}

/** Architecture fields laid over a component's tiny preset (training config.json "components"). */
export type ComponentOverrides = Partial<Record<ModelComponentId, Record<string, unknown>>>;

/** Seeded weights of component `index` use seed + index, so components are not copies of one stream. */
export async function writeSeededWeights(dir: string, definitions: ComponentDefinitions, seed: number, overrides: ComponentOverrides = {}): Promise<Record<ModelComponentId, string>> {
  const paths = {} as Record<ModelComponentId, string>;
  await mkdir(dir, { recursive: true });
  for (const [i, id] of MODEL_COMPONENT_IDS.entries()) {
    const def = definitions[id];
    const config = overrides[id] ? def.configSchema.parse({ ...(def.tiny as object), ...overrides[id] }) : def.tiny;
    const weights = seededWeights(def.parameterShapes(config), seed + i, def.init ? (name, shape) => def.init!(name, shape) : defaultInit);
    const file = path.join(dir, `${id}.safetensors`);
    await writeSafetensors(file, weights.names().map((name) => {
      const info = weights.info(name)!;
      return { name, dtype: info.dtype, shape: info.shape, read: async () => (await weights.read(name)).bytes };
    }), { seed: String(seed + i) });
    paths[id] = file;
  }
  return paths;
}

export async function makeSeededBundle(opts: MakeSeededBundleOptions, onProgress?: Parameters<typeof runBuildBundle>[2]): Promise<BuildBundleResult> {
  const seed = opts.seed ?? SEEDED_BUNDLE_SEED;
  const definitions = opts.definitions ?? (await import('../daemon/models/bundle/definitions.js')).componentDefinitions;
  const tokenizersSrc = opts.tokenizersSrc ?? TOKENIZERS_SRC;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-seeded-bundle-'));
  try {
    const weights = await writeSeededWeights(tmp, definitions, seed);
    const config = { ...SEEDED_BUNDLE_CONFIG, ...(opts.name ? { name: opts.name } : {}), description: `${SEEDED_BUNDLE_CONFIG.description} Seed ${seed}.` };
    const configPath = path.join(tmp, 'config.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    return await runBuildBundle({
      config: configPath, weights,
      tokenizer: path.join(tokenizersSrc, 'llama', 'tokenizer.json'),
      tokenizer2: path.join(tokenizersSrc, 'clip', 'tokenizer.json'),
      outDir: opts.outDir, dtype: 'float32', ...(opts.blockGroups !== undefined ? { blockGroups: opts.blockGroups } : {}),
    }, definitions, onProgress);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { seed: { type: 'string' }, out: { type: 'string' }, 'block-groups': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.out) {
    process.stdout.write('Usage: npm run make-seeded-bundle -- --out DIR [--seed N] [--block-groups K]\n' +
      `Builds the tiny bundle with seeded random weights (default seed ${SEEDED_BUNDLE_SEED}) into DIR. It makes noise: a test fixture and training's starting point.\n` +
      '--block-groups K also writes the transformer\'s blocks as K group graphs (the stream-blocks memory plan, docs/memory.md).\n');
    return values.help ? 0 : 2;
  }
  const seed = values.seed === undefined ? SEEDED_BUNDLE_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) { process.stderr.write('make-seeded-bundle: --seed must be a non-negative integer\n'); return 2; }
  let blockGroups: number | undefined;
  try { blockGroups = parseBlockGroups(values['block-groups']); } catch (err: unknown) { process.stderr.write(`make-seeded-bundle: ${(err as Error).message}\n`); return 2; }
  const result = await makeSeededBundle({ seed, outDir: path.resolve(values.out), ...(blockGroups !== undefined ? { blockGroups } : {}) }, (p) => {
    if (p.phase === 'done') process.stderr.write(`[${p.done}/${p.total}] ${p.component}\n`);
  });
  process.stdout.write(`${builtSummary(result)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`make-seeded-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}
