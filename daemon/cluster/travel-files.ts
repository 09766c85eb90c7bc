// Which files of a job travel with it through Redis to the worker (docs/cluster.md "What travels"):
// the start image, the end image, each keyframe image, the video an extension continues and each
// LoRA file. Pure: the list with each file's limit, the blob each goes to, the spec rewritten to
// other paths (basenames in the queue, the worker's own copies when it submits). `extendJob` does
// not travel — a finished job's latent history lives on the daemon that ran it.
import path from 'node:path';
import type { JobSpec } from '../../shared/domain/job.js';

export type TravelField = 'image' | 'extend' | 'endImage' | 'keyframes' | 'loras';

export interface TravelFile {
  field: TravelField;
  /** Its place in `keyframes` / `loras`; 0 for the others. */
  index: number;
  path: string;
}

const MiB = 1024 * 1024;
/** Largest image (start, end, each keyframe), bytes; a daemon's smaller --max-input-size wins. */
export const MAX_IMAGE_BYTES = 64 * MiB;
/** Largest video an extension continues, bytes (the daemon's default --max-input-size, which caps copying it on the worker too). */
export const MAX_EXTEND_BYTES = 256 * MiB;
/** All LoRA files of one job together, bytes (one is usually 10–600 MB; Redis holds them until the job ends). */
export const MAX_LORA_TOTAL_BYTES = 512 * MiB;

/** The spec's fields as a flag, for messages. */
export const FIELD_FLAG: Record<TravelField, string> = { image: '--image', extend: '--extend', endImage: '--end-image', keyframes: '--keyframe', loras: '--lora' };

/** Every file of `spec` that travels, in a fixed order. */
export function travellingFiles(spec: JobSpec): TravelFile[] {
  const out: TravelFile[] = [];
  if (spec.image !== undefined) out.push({ field: 'image', index: 0, path: spec.image });
  if (spec.extend !== undefined) out.push({ field: 'extend', index: 0, path: spec.extend });
  if (spec.endImage !== undefined) out.push({ field: 'endImage', index: 0, path: spec.endImage });
  for (const [i, k] of (spec.keyframes ?? []).entries()) out.push({ field: 'keyframes', index: i, path: k.image });
  for (const [i, l] of (spec.loras ?? []).entries()) out.push({ field: 'loras', index: i, path: l.path });
  return out;
}

/** The spec with each travelling file's path replaced by `to(file)`. */
export function withTravelPaths(spec: JobSpec, to: (f: TravelFile) => string): JobSpec {
  return {
    ...spec,
    ...(spec.image !== undefined ? { image: to({ field: 'image', index: 0, path: spec.image }) } : {}),
    ...(spec.extend !== undefined ? { extend: to({ field: 'extend', index: 0, path: spec.extend }) } : {}),
    ...(spec.endImage !== undefined ? { endImage: to({ field: 'endImage', index: 0, path: spec.endImage }) } : {}),
    ...(spec.keyframes !== undefined ? { keyframes: spec.keyframes.map((k, i) => ({ ...k, image: to({ field: 'keyframes', index: i, path: k.image }) })) } : {}),
    ...(spec.loras !== undefined ? { loras: spec.loras.map((l, i) => ({ ...l, path: to({ field: 'loras', index: i, path: l.path }) })) } : {}),
  };
}

/** The blob of a travelling file. The start image keeps the name it always had. */
export function travelBlob(jobId: string, f: Pick<TravelFile, 'field' | 'index'>): string {
  return f.field === 'image' ? `input:${jobId}` : `input:${jobId}:${f.field}-${f.index}`;
}

/** Where the worker writes it: one folder per file, so two keyframes both named `k.png` stay apart. */
export function inboxPath(inbox: string, f: Pick<TravelFile, 'field' | 'index'>, name: string): string {
  return path.join(inbox, `${f.field}-${f.index}`, path.basename(name));
}

/**
 * The first file over its limit, as the message the submitter refuses it with; null when all fit.
 * `sizes` are the files' sizes in travellingFiles order; `maxInputBytes` a daemon's --max-input-size.
 */
export function overLimit(files: readonly TravelFile[], sizes: readonly number[], maxInputBytes = Infinity): string | null {
  let loraBytes = 0;
  for (const [i, f] of files.entries()) {
    const bytes = sizes[i]!;
    const name = f.field === 'keyframes' || f.field === 'loras' ? `${f.field}[${f.index}]` : f.field;
    if (f.field === 'loras') {
      loraBytes += bytes;
      if (loraBytes > MAX_LORA_TOTAL_BYTES) return `${name}: ${f.path} brings the job's LoRA files to ${loraBytes} bytes; a shared-queue job carries LoRA files up to ${MAX_LORA_TOTAL_BYTES} bytes (512 MiB) in all`;
      continue;
    }
    const max = Math.min(maxInputBytes, f.field === 'extend' ? MAX_EXTEND_BYTES : MAX_IMAGE_BYTES);
    if (bytes > max) return `${name}: ${f.path} is ${bytes} bytes; a shared-queue job carries ${f.field === 'extend' ? 'a video to extend' : 'images'} up to ${max} bytes`;
  }
  return null;
}
