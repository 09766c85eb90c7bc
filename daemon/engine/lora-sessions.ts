// Which LoRA set the resident transformer carries, and switching it for a job. The residency
// scheduler sees one 'transformer' component; its sessions are the bundle's graphs or a cached LoRA
// variant of them (models/lora/lora-variant.ts). A job with the set already resident starts at
// once; another set releases the old sessions first (never two transformers in memory) and opens
// the variant's files, built on the set's first use. A transformer whose blocks are streamed gets
// the variant's block-group files (the same cache entry), so it switches exactly as a resident one.
import path from 'node:path';
import { dataDir } from '../../shared/ipc/socket-path.js';
import type { LoadedBundle } from '../models/bundle/load-bundle.js';
import type { TransformerSessions } from '../models/transformer/run-transformer.js';
import { TRANSFORMER_GRAPHS, type TransformerGraphName } from '../models/transformer/graphs.js';
import { LoraError } from '../models/lora/lora-load.js';
import { checkLoras, groupStems, loraSetKey, loraVariant, type LoraSetEntry } from '../models/lora/lora-variant.js';
import { JobRejected } from './engine.js';

export interface TransformerState { sessions: TransformerSessions; /** '' = no LoRAs. */ loraKey: string }

/** <data dir>/lora-cache, or $FRAMEPACK_LORA_CACHE_DIR (the daemon sets it from its data dir). */
export function loraCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FRAMEPACK_LORA_CACHE_DIR ? path.resolve(env.FRAMEPACK_LORA_CACHE_DIR) : path.join(dataDir(env), 'lora-cache');
}

/** The submit-time check: absolute paths, files that are LoRAs for this bundle. Throws JobRejected('loras', …). */
export async function validateLoras(bundle: Pick<LoadedBundle, 'manifest'>, loras: readonly LoraSetEntry[]): Promise<void> {
  for (const l of loras) if (!path.isAbsolute(l.path)) throw new JobRejected('loras', `${l.path}: the LoRA path must be absolute`);
  try {
    await checkLoras(bundle, loras);
  } catch (err: unknown) {
    if (err instanceof LoraError) throw new JobRejected('loras', err.message);
    throw err;
  }
}

/** The transformer graphs with `loras` for sessions opened outside the daemon (generate --local). */
export async function loraTransformerFiles(bundle: LoadedBundle, loras: readonly LoraSetEntry[], say: (line: string) => void): Promise<Record<TransformerGraphName, string>> {
  const v = await loraVariant(bundle, loras, loraCacheDir());
  say(`${v.built ? 'built' : 'reusing'} the transformer variant with ${loras.length} LoRA(s) (cache ${v.key.slice(0, 12)})`);
  return v.files;
}

export function bundleTransformerFiles(bundle: LoadedBundle): Record<TransformerGraphName, string> {
  return Object.fromEntries(TRANSFORMER_GRAPHS.map((g) => [g, bundle.components.transformer.graphs[g]!])) as Record<TransformerGraphName, string>;
}

/** The bundle's own block-group graph files, in order ([] without --block-groups). */
export function bundleGroupFiles(bundle: LoadedBundle): string[] {
  return groupStems(bundle).map((s) => bundle.components.transformer.graphs[s]!);
}

/** Opens transformer sessions from these files; `groupFiles` are the block groups' (used when the blocks are streamed). */
export type OpenTransformer = (files: Record<TransformerGraphName, string>, groupFiles: readonly string[]) => Promise<TransformerSessions>;

/**
 * Puts `loras` on the transformer: null when `current` already carries them, else the new state
 * (the old sessions released). `say` reports what happens (a stage detail line).
 */
export async function switchTransformerLoras(
  current: TransformerState, bundle: LoadedBundle, loras: readonly LoraSetEntry[],
  open: OpenTransformer, say: (line: string) => void,
): Promise<TransformerState | null> {
  const wanted = loras.length ? await loraSetKey(bundle, loras) : '';
  if (wanted === current.loraKey) return null;
  const startedMs = performance.now();
  let files = bundleTransformerFiles(bundle);
  let groupFiles = bundleGroupFiles(bundle);
  if (loras.length) {
    const v = await loraVariant(bundle, loras, loraCacheDir());
    files = v.files;
    groupFiles = v.groupFiles;
    // Groups counted, not named: a bundle may have dozens, and the stage detail is short.
    const groups = v.groupFiles.length ? `, ${v.patchedGroups.length} of ${v.groupFiles.length} block groups` : '';
    say(`${v.built ? 'built' : 'reusing'} the transformer variant with ${loras.length} LoRA(s) (${v.patchedGraphs.join(', ')}${groups}; cache ${v.key.slice(0, 12)})`);
  } else {
    say('removing the LoRAs of the previous job from the transformer');
  }
  await Promise.all(Object.values(current.sessions).map((s) => s.release()));
  try {
    const sessions = await open(files, groupFiles);
    say(`transformer ready with ${loras.length ? `${loras.length} LoRA(s)` : 'no LoRAs'} in ${Math.round(performance.now() - startedMs)} ms`);
    return { sessions, loraKey: wanted };
  } catch (err) {
    // Leave the component usable (the bundle's own graphs) and fail this job.
    current.sessions = await open(bundleTransformerFiles(bundle), bundleGroupFiles(bundle));
    current.loraKey = '';
    throw err;
  }
}
