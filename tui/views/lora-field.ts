// The new-job form's LoRA field: `FILE[:STRENGTH]` entries separated by commas, each read like
// generate's `--lora` (shared/domain/lora.ts). Paths must be absolute: the daemon resolves nothing
// against the dashboard's folder.
import { formatLoraArg, MAX_LORAS, parseLoraArg, type LoraRef } from '../../shared/domain/lora.js';

export type LoraFieldResult = { ok: true; loras: LoraRef[] } | { ok: false; error: string };

export function parseLoraField(text: string): LoraFieldResult {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length > MAX_LORAS) return { ok: false, error: `at most ${MAX_LORAS} LoRAs (got ${items.length})` };
  const loras: LoraRef[] = [];
  for (const item of items) {
    let l: LoraRef;
    try { l = parseLoraArg(item); } catch (err: unknown) { return { ok: false, error: (err as Error).message.replace(/^--lora /, '') }; }
    if (!l.path.startsWith('/')) return { ok: false, error: `must be an absolute path (got ${l.path})` };
    loras.push(l);
  }
  return { ok: true, loras };
}

export function formatLoraField(loras: readonly { path: string; strength?: number }[] | undefined): string {
  return (loras ?? []).map((l) => formatLoraArg({ path: l.path, strength: l.strength ?? 1 })).join(', ');
}
