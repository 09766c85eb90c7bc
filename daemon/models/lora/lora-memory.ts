// What a job's LoRAs add to the transformer's memory: the low-rank branches lora-graph-patch.ts puts
// into the graphs, stored in the compute dtype of the weights they sit beside (fp16 in an fp16
// bundle; fp32 otherwise, which over-counts an int8/int4 bundle run in fp16 on a GPU by 2×: a
// few hundred MB at most for a rank-64 LoRA on the 13B model, so the plan errs on the safe side).
import type { Manifest } from '../bundle/manifest.js';
import type { LoadedLora } from './lora-load.js';
import { checkLoras, type LoraSetEntry } from './lora-variant.js';

/** Bytes per stored branch number for this bundle's transformer. */
export function loraBytesPerElement(manifest: Pick<Manifest, 'components'>): number {
  return manifest.components.transformer.weightDtype === 'float16' ? 2 : 4;
}

/** The branch bytes of LoRAs already checked against the bundle. */
export function checkedLoraBytes(manifest: Pick<Manifest, 'components'>, loras: readonly Pick<LoadedLora, 'branchElements'>[]): number {
  return loras.reduce((a, l) => a + l.branchElements, 0) * loraBytesPerElement(manifest);
}

/**
 * The branch bytes of a job's LoRAs, from the files' headers. A file that cannot be read counts
 * nothing here: submit refuses it first (validateLoras), and a job whose file went away meanwhile
 * fails with that reason when it loads its LoRAs, not with a memory figure.
 */
export async function loraBranchBytes(manifest: Manifest, loras: readonly LoraSetEntry[] | undefined): Promise<number> {
  let bytes = 0;
  for (const l of loras ?? []) bytes += checkedLoraBytes(manifest, await checkLoras({ manifest }, [l]).catch(() => []));
  return bytes;
}
