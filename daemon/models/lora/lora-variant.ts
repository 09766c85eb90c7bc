// A bundle's transformer with a set of LoRAs applied, cached on disk keyed by the set: sha256 of the
// bundle's transformer files + each LoRA file's sha256 and strength, in order. The first job with a
// set patches the graphs the LoRAs touch (lora-graph-patch.ts: low-rank branches, base weights
// untouched) into <cacheDir>/<key>/; every later job with the same set opens those files at once.
// A bundle built with --block-groups also has its block-group graphs (transformer_blocks_g0 …)
// patched into the same entry, so a job whose plan streams the blocks (streamed-blocks.ts) runs
// the same LoRA as a resident one; one entry serves both forms.
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
import { blockGroupStem } from '../transformer/block-groups.js';
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
  /** .onnx path per block-group graph, in order (patched ones in the cache); [] when the bundle has no groups. */
  groupFiles: string[];
  /** Block-group stems (transformer_blocks_g<i>) that carry LoRA branches. */
  patchedGroups: string[];
}

/** variant.json: which graphs the entry holds. `groups` is present exactly when the bundle has block groups. */
interface Marker { patched: TransformerGraphName[]; beside?: Record<string, string>; groups?: string[] }

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
  // A grouped bundle's entries also hold the patched groups; the field keeps them apart from
  // entries an older daemon built for the same bundle without its groups.
  const k = bundle.manifest.components.transformer.blockGroups;
  return createHash('sha256').update(JSON.stringify({ v: 1, transformerFiles, sets, ...(k ? { blockGroups: k } : {}) })).digest('hex').slice(0, 32);
}

function bundleGraph(bundle: LoadedBundle, stem: string): string {
  const p = bundle.components.transformer.graphs[stem];
  if (!p) throw new Error(`bundle ${bundle.manifest.name}: transformer has no graph '${stem}'`);
  return p;
}

function baseFiles(bundle: LoadedBundle): Record<TransformerGraphName, string> {
  return Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, bundleGraph(bundle, g)])) as Record<TransformerGraphName, string>;
}

/** The bundle's block-group graph stems in order (none without --block-groups). */
export function groupStems(bundle: Pick<LoadedBundle, 'manifest'>): string[] {
  return Array.from({ length: bundle.manifest.components.transformer.blockGroups ?? 0 }, (_, i) => blockGroupStem(i));
}

/**
 * Patches one graph into the temp entry `tmp`: null when no LoRA target is in it. A graph with
 * external weights gets its .data hard-linked beside the patched copy, or, when no link is
 * possible (another filesystem), is written beside the bundle's graph instead (`beside`).
 */
async function patchInto(stem: string, src: string, factors: Parameters<typeof patchGraphWithLoras>[1], tmp: string, key: string): Promise<{ targets: string[]; beside?: string } | null> {
  const r = patchGraphWithLoras(await readFile(src), factors);
  if (r.patched.length === 0) return null;
  // External weights stay where they are: ORT resolves `<graph>.onnx.data` beside the model.
  const data = `${src}.data`;
  if (await stat(data).then(() => true, () => false)) {
    const linked = await link(data, path.join(tmp, `${stem}.onnx.data`)).then(() => true, () => false);
    if (!linked) {
      const beside = path.join(path.dirname(src), `${stem}.lora-${key}.onnx`);
      await writeFile(`${beside}.partial`, r.bytes);
      await rename(`${beside}.partial`, beside);
      return { targets: r.patched, beside };
    }
  }
  await writeFile(path.join(tmp, `${stem}.onnx`), r.bytes);
  return { targets: r.patched };
}

function variantOf(bundle: LoadedBundle, key: string, dir: string, m: Marker, built: boolean): LoraVariant {
  const at = (stem: string) => m.beside?.[stem] ?? path.join(dir, `${stem}.onnx`);
  const files = baseFiles(bundle);
  for (const g of m.patched) files[g] = at(g);
  const stems = groupStems(bundle);
  if (stems.length && !m.groups) throw new Error(`LoRA cache entry ${dir} has no block groups though the bundle has ${stems.length}: delete the folder (it is rebuilt on its next use)`);
  const patchedGroups = m.groups ?? [];
  const groupFiles = stems.map((s) => (patchedGroups.includes(s) ? at(s) : bundleGraph(bundle, s)));
  return { key, files, built, patchedGraphs: m.patched, groupFiles, patchedGroups };
}

/** The transformer graphs with `loras` applied: from the cache, or built into it. */
export async function loraVariant(bundle: LoadedBundle, loras: readonly LoraSetEntry[], cacheDir: string): Promise<LoraVariant> {
  const key = await loraSetKey(bundle, loras);
  const dir = path.join(cacheDir, key);
  const cached = await readFile(path.join(dir, MARKER), 'utf8').then((t) => JSON.parse(t) as Marker, () => null);
  if (cached) return variantOf(bundle, key, dir, cached, false);
  const files = baseFiles(bundle);
  const stems = groupStems(bundle);
  const cat = catalogueFor(bundle);
  const loaded: LoadedLora[] = [];
  for (const l of loras) loaded.push(await loadLoraFile(l.path, l.strength, cat));
  const factors = combineLoras(loaded);
  const tmp = path.join(cacheDir, `.${key}.${randomBytes(4).toString('hex')}.partial`);
  await mkdir(tmp, { recursive: true });
  try {
    const marker: Marker = { patched: [], beside: {}, ...(stems.length ? { groups: [] } : {}) };
    const seen = new Set<string>();
    let blockTargets: string[] = [];
    for (const g of TRANSFORMER_GRAPHS) {
      const r = await patchInto(g, files[g], factors, tmp, key);
      if (!r) continue;
      r.targets.forEach((t) => seen.add(t));
      if (g === 'transformer_blocks') blockTargets = r.targets;
      marker.patched.push(g);
      if (r.beside) marker.beside![g] = r.beside;
    }
    const missed = [...factors.keys()].filter((t) => !seen.has(t));
    // Every target is a Linear of the architecture, so this means the graphs and the catalogue disagree.
    if (missed.length) throw new Error(`internal: LoRA targets not found in the transformer graphs: ${missed.slice(0, 5).join(', ')}`);
    const inGroups = new Map<string, number>();
    for (const s of stems) {
      const r = await patchInto(s, bundleGraph(bundle, s), factors, tmp, key);
      if (!r) continue;
      for (const t of r.targets) inGroups.set(t, (inGroups.get(t) ?? 0) + 1);
      marker.groups!.push(s);
      if (r.beside) marker.beside![s] = r.beside;
    }
    // The groups together are the blocks graph: each of its adapted Linears in exactly one group.
    const groupMiss = stems.length ? blockTargets.filter((t) => inGroups.get(t) !== 1) : [];
    if (groupMiss.length || (stems.length && inGroups.size !== blockTargets.length)) {
      throw new Error(`internal: the block groups do not hold the blocks graph's LoRA targets once each: ${(groupMiss.length ? groupMiss : [...inGroups.keys()].filter((t) => !blockTargets.includes(t))).slice(0, 5).join(', ')}`);
    }
    await writeFile(path.join(tmp, MARKER), `${JSON.stringify({ ...marker, loras, bundle: bundle.manifest.name }, null, 2)}\n`);
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process built the same entry meanwhile: theirs is as good as ours.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(tmp, { recursive: true, force: true });
    });
    return variantOf(bundle, key, dir, marker, true);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
