// `npm run make-default-bundle [-- --seed N --out DIR]`: writes seeded tiny weights for every
// component to safetensors in a temp folder, then builds models/framepack-tiny/ from them through
// the same path as scripts/build-bundle.ts. Same seed, same bytes: the bundle is reproducible.
// (A trained tiny model replaces the seeded weights later; the build path stays the same.)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BundleConfig, ComponentDefinitions } from '../daemon/models/bundle/bundle-config.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from '../daemon/models/bundle/manifest.js';
import type { BuildBundleResult } from '../daemon/models/bundle/build-bundle.js';
import { writeSafetensors } from '../daemon/weights/safetensors.js';
import { defaultInit, seededWeights } from '../daemon/weights/seeded.js';
import { runBuildBundle } from './build-bundle.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const DEFAULT_BUNDLE_DIR = path.join(REPO_ROOT, 'models', 'framepack-tiny');
export const DEFAULT_BUNDLE_CONFIG_FILE = path.join(REPO_ROOT, 'models', 'framepack-tiny.config.json');
export const TOKENIZERS_SRC = path.join(REPO_ROOT, 'models', 'tokenizers-src');
export const DEFAULT_SEED = 20250503;

export const DEFAULT_BUNDLE_CONFIG: BundleConfig = {
  name: 'framepack-tiny',
  description: 'Tiny FramePack (inverted anti-drifting) of the official architecture with seeded random weights: ' +
    'for tests and CPU smoke runs; it does not produce meaningful video.',
  variant: 'inverted',
  preset: 'tiny',
};

export interface MakeDefaultBundleOptions {
  seed?: number;
  outDir?: string;
  /** Where the bundle config used is written (null: not written). */
  configFile?: string | null;
  tokenizersSrc?: string;
  definitions?: ComponentDefinitions;
}

/** Seeded weights of component `index` use seed + index, so components are not copies of one stream. */
export async function writeSeededWeights(dir: string, definitions: ComponentDefinitions, seed: number): Promise<Record<ModelComponentId, string>> {
  const paths = {} as Record<ModelComponentId, string>;
  for (const [i, id] of MODEL_COMPONENT_IDS.entries()) {
    const def = definitions[id];
    const weights = seededWeights(def.parameterShapes(def.tiny), seed + i, def.init ? (name, shape) => def.init!(name, shape) : defaultInit);
    const file = path.join(dir, `${id}.safetensors`);
    await writeSafetensors(file, weights.names().map((name) => {
      const info = weights.info(name)!;
      return { name, dtype: info.dtype, shape: info.shape, read: async () => (await weights.read(name)).bytes };
    }), { seed: String(seed + i) });
    paths[id] = file;
  }
  return paths;
}

export async function makeDefaultBundle(opts: MakeDefaultBundleOptions = {}, onProgress?: Parameters<typeof runBuildBundle>[2]): Promise<BuildBundleResult> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const definitions = opts.definitions ?? (await import('../daemon/models/bundle/definitions.js')).componentDefinitions;
  const tokenizersSrc = opts.tokenizersSrc ?? TOKENIZERS_SRC;
  const configFile = opts.configFile === undefined ? DEFAULT_BUNDLE_CONFIG_FILE : opts.configFile;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-default-bundle-'));
  try {
    const weights = await writeSeededWeights(tmp, definitions, seed);
    const config = { ...DEFAULT_BUNDLE_CONFIG, description: `${DEFAULT_BUNDLE_CONFIG.description} Seed ${seed}.` };
    const configPath = configFile ?? path.join(tmp, 'config.json');
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    return await runBuildBundle({
      config: configPath, weights,
      tokenizer: path.join(tokenizersSrc, 'llama', 'tokenizer.json'),
      tokenizer2: path.join(tokenizersSrc, 'clip', 'tokenizer.json'),
      outDir: opts.outDir ?? DEFAULT_BUNDLE_DIR, dtype: 'float32',
    }, definitions, onProgress);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { seed: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: npm run make-default-bundle [-- --seed N --out DIR]\nRebuilds models/framepack-tiny/ (and models/framepack-tiny.config.json) from seeded weights.\n');
    return 0;
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) { process.stderr.write(`make-default-bundle: --seed must be a non-negative integer\n`); return 2; }
  const result = await makeDefaultBundle({ seed, outDir: values.out ? path.resolve(values.out) : undefined }, (p) => {
    if (p.phase === 'done') process.stderr.write(`[${p.done}/${p.total}] ${p.component}\n`);
  });
  const files = Object.values(result.manifest.components).flatMap((c) => c.files);
  process.stdout.write(`built ${result.manifest.name} in ${result.dir}: ${files.length} files, ${(files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(2)} MB\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`make-default-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  });
}
