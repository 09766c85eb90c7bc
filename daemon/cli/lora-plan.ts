// The CLI's view of a job's LoRAs before it runs: `generate` and `plan` check them the same way
// (names, shapes and alphas against the bundle, no weights read) and `plan` shows what each adapts.
import type { Manifest } from '../models/bundle/manifest.js';
import { LoraError, type LoadedLora } from '../models/lora/lora-load.js';
import { checkLoras, type LoraSetEntry } from '../models/lora/lora-variant.js';
import { UsageError } from './errors.js';

/** Every `--lora` checked against the bundle; a bad one is a usage error (exit 2) naming the file and the problem. */
export async function checkLoraFlags(manifest: Manifest, loras: readonly LoraSetEntry[]): Promise<LoadedLora[]> {
  if (loras.length === 0) return [];
  try {
    return await checkLoras({ manifest }, loras);
  } catch (err: unknown) {
    if (err instanceof LoraError) throw new UsageError(`--lora ${err.message}`);
    throw err;
  }
}

export function loraJson(l: LoadedLora) {
  return { file: l.file, strength: l.strength, layout: l.layout, modules: l.modules };
}

/** `loras     /abs/blue.safetensors ×0.8 (Kohya/Musubi, 24 modules)`, one line per LoRA; none when there are none. */
export function loraText(loras: readonly ReturnType<typeof loraJson>[]): string[] {
  return loras.map((l, i) => `${i === 0 ? 'loras ' : '      '}    ${l.file} ×${l.strength} (${l.layout}, ${l.modules} module${l.modules === 1 ? '' : 's'})`);
}
