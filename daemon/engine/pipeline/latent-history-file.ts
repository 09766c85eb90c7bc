// A finished job's final latent history as one compact file next to its video (`<stem>.latents`
// beside `<stem>.mp4`), so `--extend-job` continues the job from its own latents with no VAE
// re-encode. Layout: the line `FPLATENTS/1`, one JSON header line (geometry, frame counts, bucket,
// model), then the frames in display order as IEEE float16 little-endian, each [C, h, w]
// channel-major like the pipeline's history frames. float16 halves the float32 size; the latents
// (|x| ≲ 10 after scaling) keep ~3 significant digits, far below what the VAE decodes as visible.
// Size: 7.5 latent frames per second of video at 30 fps, C·h·w·2 bytes each (docs/extension.md).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../media/atomic-file.js';
import { floatToHalfBits, halfBitsToFloat } from '../../weights/float-convert.js';

export const LATENTS_MAGIC = 'FPLATENTS/1';
/** `<stem>.latents` next to `<stem>.mp4`. */
export const latentsPathFor = (videoPath: string): string => videoPath.replace(/\.mp4$/i, '') + '.latents';

export const LatentHistoryHeader = z.object({
  /** Latent frames stored (the whole final history, display order). */
  frames: z.number().int().positive(),
  channels: z.number().int().positive(),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  dtype: z.literal('float16'),
  /** Pixel frames of the video these latents belong to. */
  videoFrames: z.number().int().positive(),
  fps: z.number().positive(),
  bucket: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }),
  /** Bundle name that made them (another bundle's latents are another latent space). */
  model: z.string(),
});
export type LatentHistoryHeader = z.infer<typeof LatentHistoryHeader>;

/** The file's bytes. */
export function encodeLatentHistory(frames: readonly Float32Array[], header: Omit<LatentHistoryHeader, 'frames' | 'dtype'>): Uint8Array {
  const frameFloats = header.channels * header.height * header.width;
  const head = Buffer.from(`${LATENTS_MAGIC}\n${JSON.stringify({ ...header, frames: frames.length, dtype: 'float16' })}\n`, 'utf8');
  const out = new Uint8Array(head.length + frames.length * frameFloats * 2);
  out.set(head, 0);
  const view = new DataView(out.buffer, head.length);
  frames.forEach((frame, f) => {
    if (frame.length !== frameFloats) throw new RangeError(`latent frame ${f} has ${frame.length} values, expected ${frameFloats}`);
    for (let i = 0; i < frameFloats; i++) view.setUint16((f * frameFloats + i) * 2, floatToHalfBits(frame[i]!), true);
  });
  return out;
}

export class LatentHistoryError extends Error {
  override readonly name = 'LatentHistoryError';
}

/** Parses the file's bytes (throws LatentHistoryError naming what is wrong). */
export function decodeLatentHistory(bytes: Uint8Array, what = 'latent history'): { header: LatentHistoryHeader; frames: Float32Array[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = buf.indexOf(0x0a);
  if (first < 0 || buf.subarray(0, first).toString('utf8') !== LATENTS_MAGIC) throw new LatentHistoryError(`${what} is not a framepack latents file (no ${LATENTS_MAGIC} line)`);
  const second = buf.indexOf(0x0a, first + 1);
  let header: LatentHistoryHeader;
  try {
    header = LatentHistoryHeader.parse(JSON.parse(buf.subarray(first + 1, second).toString('utf8')));
  } catch (err: unknown) {
    throw new LatentHistoryError(`${what}: bad header (${(err as Error).message.split('\n')[0]})`);
  }
  const frameFloats = header.channels * header.height * header.width;
  const body = buf.subarray(second + 1);
  if (body.length !== header.frames * frameFloats * 2) throw new LatentHistoryError(`${what} has ${body.length} data bytes, expected ${header.frames * frameFloats * 2} (truncated?)`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const frames = Array.from({ length: header.frames }, (_, f) => {
    const out = new Float32Array(frameFloats);
    for (let i = 0; i < frameFloats; i++) out[i] = halfBitsToFloat(view.getUint16((f * frameFloats + i) * 2, true));
    return out;
  });
  return { header, frames };
}

export async function writeLatentHistory(file: string, frames: readonly Float32Array[], header: Omit<LatentHistoryHeader, 'frames' | 'dtype'>): Promise<void> {
  await writeFileAtomic(file, encodeLatentHistory(frames, header));
}

export async function readLatentHistory(file: string): Promise<{ header: LatentHistoryHeader; frames: Float32Array[] }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err: unknown) {
    throw new LatentHistoryError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return decodeLatentHistory(bytes, file);
}
