// A bundle's transformer with a set of LoRAs applied, cached on disk keyed by the set: sha256 of the
// bundle's transformer files + each LoRA file's sha256 and strength, in order. The first job with a
// set patches the graphs the LoRAs touch (lora-graph-patch.ts: low-rank branches, base weights
// untouched) into <cacheDir>/<key>/; every later job with the same set opens those files at once.
// External weight files are hard-linked, never copied, so a variant of the 13B transformer costs the
// size of its LoRAs (ORT refuses external data reached through a symlink out of the model's folder);
// when the cache is on another filesystem than the bundle, the patched graph is written beside the
// bundle's own (`<graph>.lora-<key>.onnx`, sharing its .onnx.data). Entries are written to a temp
// folder and renamed, so a crash leaves none half-made.
import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { LoadedBundle } from '../bundle/load-bundle.js';
import { sha256File } from '../bundle/verify-cache.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../transformer/graphs.js';
import { transformerConfigSchema } from '../transformer/config.js';
import { combineLoras, loadLoraFile, LoraError, type LoadedLora } from './lora-load.js';
import { patchGraphWithLoras } from './lora-graph-patch.js';
import { loraTargets, type TargetCatalogue } from './lora-targets.js';

export interface LoraSetEntry { path: string; strength: number }

export interface LoraVariant {
  key: string;
  /** .onnx path per transformer graph: patched ones in the cache, the rest the bundle's own. */
  files: Record<TransformerGraphName, string>;
  /** True when this call built the entry (first job with this set). */
  built: boolean;
  /** Graph stems that carry LoRA branches. */
  patchedGraphs: TransformerGraphName[];
}

const MARKER = 'variant.json';

export function catalogueFor(bundle: Pick<LoadedBundle, 'manifest'>): TargetCatalogue {
  return loraTargets(transformerConfigSchema.parse(bundle.manifest.components.transformer.config));
}

/** Checks every LoRA against the bundle (names, shapes, alphas; no weights read); throws LoraError. */
export async function checkLoras(bundle: Pick<LoadedBundle, 'manifest'>, loras: readonly LoraSetEntry[]): Promise<LoadedLora[]> {
  const cat = catalogueFor(bundle);
  const out: LoadedLora[] = [];
  for (const l of loras) out.push(await loadLoraFile(l.path, l.strength, cat, false));
  return out;
}

/**
 * sha256 of a LoRA file, remembered for this process by path + size + mtime (as the bundle verify
 * cache does), so a daemon's repeat jobs do not read a 300 MB LoRA again.
 */
const hashMemo = new Map<string, { bytes: number; mtimeMs: number; sha256: string }>();
async function loraFileHash(file: string): Promise<string> {
  const st = await stat(file);
  const m = hashMemo.get(file);
  if (m && m.bytes === st.size && m.mtimeMs === st.mtimeMs) return m.sha256;
  const sha256 = await sha256File(file);
  hashMemo.set(file, { bytes: st.size, mtimeMs: st.mtimeMs, sha256 });
  return sha256;
}

/** The cache key of a LoRA set on a bundle (hashes every LoRA file, once per path/size/mtime). */
export async function loraSetKey(bundle: Pick<LoadedBundle, 'manifest'>, loras: readonly LoraSetEntry[]): Promise<string> {
  const transformerFiles = bundle.manifest.components.transformer.files.map((f) => f.sha256);
  const sets = [];
  for (const l of loras) {
    const sha256 = await loraFileHash(l.path).catch((err: NodeJS.ErrnoException) => {
      // Checked at submit; a file moved or deleted while the job waited fails the job naming it.
      throw new LoraError(l.path, err.code === 'ENOENT' ? 'no such file (it was there when the job was submitted?)' : `cannot read it (${err.message})`);
    });
    sets.push({ sha256, strength: l.strength });
  }
  return createHash('sha256').update(JSON.stringify({ v: 1, transformerFiles, sets })).digest('hex').slice(0, 32);
}

function baseFiles(bundle: LoadedBundle): Record<TransformerGraphName, string> {
  return Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => {
    const p = bundle.components.transformer.graphs[g];
    if (!p) throw new Error(`bundle ${bundle.manifest.name}: transformer has no graph '${g}'`);
    return [g, p];
  })) as Record<TransformerGraphName, string>;
}

/** The transformer graphs with `loras` applied: from the cache, or built into it. */
export async function loraVariant(bundle: LoadedBundle, loras: readonly LoraSetEntry[], cacheDir: string): Promise<LoraVariant> {
  const key = await loraSetKey(bundle, loras);
  const dir = path.join(cacheDir, key);
  const files = baseFiles(bundle);
  const cached = await readFile(path.join(dir, MARKER), 'utf8').then((t) => JSON.parse(t) as { patched: TransformerGraphName[]; beside?: Record<string, string> }, () => null);
  if (cached) {
    for (const g of cached.patched) files[g] = cached.beside?.[g] ?? path.join(dir, `${g}.onnx`);
    return { key, files, built: false, patchedGraphs: cached.patched };
  }
  const cat = catalogueFor(bundle);
  const loaded: LoadedLora[] = [];
  for (const l of loras) loaded.push(await loadLoraFile(l.path, l.strength, cat));
  const factors = combineLoras(loaded);
  const tmp = path.join(cacheDir, `.${key}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(tmp, { recursive: true });
  try {
    const patched: TransformerGraphName[] = [];
    const beside: Record<string, string> = {};
    const seen = new Set<string>();
    for (const g of TRANSFORMER_GRAPHS) {
      const r = patchGraphWithLoras(await readFile(files[g]), factors);
      if (r.patched.length === 0) continue;
      r.patched.forEach((t) => seen.add(t));
      patched.push(g);
      // External weights stay where they are: ORT resolves `<graph>.onnx.data` beside the model.
      const data = `${files[g]}.data`;
      if (await stat(data).then(() => true, () => false)) {
        const linked = await link(data, path.join(tmp, `${g}.onnx.data`)).then(() => true, () => false);
        if (!linked) {
          beside[g] = path.join(path.dirname(files[g]), `${g}.lora-${key}.onnx`);
          await writeFile(`${beside[g]}.partial`, r.bytes);
          await rename(`${beside[g]}.partial`, beside[g]);
          continue;
        }
      }
      await writeFile(path.join(tmp, `${g}.onnx`), r.bytes);
    }
    const missed = [...factors.keys()].filter((t) => !seen.has(t));
    // Every target is a Linear of the architecture, so this means the graphs and the catalogue disagree.
    if (missed.length) throw new Error(`internal: LoRA targets not found in the transformer graphs: ${missed.slice(0, 5).join(', ')}`);
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify({ patched, beside, loras, bundle: bundle.manifest.name }, null, 2)}\n`);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process built the same entry meanwhile: theirs is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(tmp, { recursive: true, force: true });
    });
    for (const g of patched) files[g] = beside[g] ?? path.join(dir, `${g}.onnx`);
    return { key, files, built: true, patchedGraphs: patched };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
