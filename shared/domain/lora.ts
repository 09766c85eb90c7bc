// LoRAs on a job: which files (HunyuanVideo / FramePack LoRAs in .safetensors, any of the layouts
// docs/lora.md lists) and how strongly each applies. Shared by the protocol (JobSpec.loras), the
// CLI's `--lora FILE[:STRENGTH]` and the dashboard's form, so all three read the text alike.
import { z } from 'zod';

/** Most LoRAs on one job. */
export const MAX_LORAS = 8;
/** Strength range (ComfyUI's and FramePack-Studio's sliders sit inside it). */
export const MAX_LORA_STRENGTH = 10;

export const LoraRef = z.strictObject({
  /** A .safetensors LoRA file, absolute path on the daemon's machine. */
  path: z.string().min(1).max(4096),
  /** Multiplier on the LoRA's delta (its alpha/rank already applied), −10…10; 1 = as trained. */
  strength: z.number().min(-MAX_LORA_STRENGTH).max(MAX_LORA_STRENGTH).default(1),
}).meta({ description: 'One LoRA: file and strength' });
export type LoraRef = z.output<typeof LoraRef>;

/**
 * `FILE[:STRENGTH]` → a LoraRef (path not yet made absolute). The strength is what follows the
 * last ':' when that reads as a number, so paths with colons still work; absent = 1.
 */
export function parseLoraArg(text: string): LoraRef {
  const t = text.trim();
  const colon = t.lastIndexOf(':');
  let file = t;
  let strength = 1;
  if (colon >= 0) {
    const tail = t.slice(colon + 1).trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(tail)) {
      file = t.slice(0, colon);
      strength = Number(tail);
    }
  }
  if (file === '') throw new Error(`--lora needs a file: FILE[:STRENGTH] (got ${JSON.stringify(text)})`);
  if (!(Math.abs(strength) <= MAX_LORA_STRENGTH)) throw new Error(`--lora strength must be between -${MAX_LORA_STRENGTH} and ${MAX_LORA_STRENGTH} (got ${strength} in ${JSON.stringify(text)})`);
  return { path: file, strength };
}

/** The CLI/form text of a LoraRef: `FILE` at strength 1, else `FILE:STRENGTH`. */
export function formatLoraArg(l: LoraRef): string {
  return l.strength === 1 ? l.path : `${l.path}:${l.strength}`;
}
