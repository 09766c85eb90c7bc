// Final video frames on disk: one chunk file per section, `frames-<k>.rgb` (k = the section, 1-based
// generation order; 0 = an extension's source video), holding the frames that became final after section k as raw rgb24 (the bytes
// ffmpeg reads, converted exactly as save_bcthw_as_mp4: media/pixels.ts decodedToByte). Written
// atomically (temp + fsync + rename) so a checkpoint that names a chunk always names a whole file,
// and read back one frame at a time so a video is assembled without holding it.
import { createHash } from 'node:crypto';
import { open, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { videoFrameToRgb, type PixelVideo } from './pixels.js';

/** One chunk file: what a checkpoint records and what the video is assembled from. */
export interface FrameChunk {
  file: string;
  frames: number;
  width: number;
  height: number;
  /** sha256 (hex) of the file, checked before a resume. */
  sha256: string;
}

export const chunkFileName = (section: number): string => `frames-${section}.rgb`;
const CHUNK_NAME = /^frames-\d+\.rgb$/;

/** Converts `video` to rgb24 and writes it as section `section`'s chunk under `dir`. */
export async function writeFrameChunk(dir: string, section: number, video: PixelVideo): Promise<FrameChunk> {
  // Section 0 is an extension's source video (pixel-store.ts fromSource).
  if (!(Number.isInteger(section) && section >= 0)) throw new RangeError(`writeFrameChunk: section must be an integer >= 0, got ${section}`);
  const frameBytes = video.width * video.height * 3;
  const bytes = new Uint8Array(video.frames * frameBytes);
  for (let t = 0; t < video.frames; t++) bytes.set(videoFrameToRgb(video, t), t * frameBytes);
  const file = path.join(dir, chunkFileName(section));
  await writeFileAtomic(file, bytes);
  return { file, frames: video.frames, width: video.width, height: video.height, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The frames of a chunk, one rgb24 frame at a time. */
export async function* readChunkFrames(chunk: FrameChunk): AsyncGenerator<Uint8Array> {
  const frameBytes = chunk.width * chunk.height * 3;
  const handle = await open(chunk.file, 'r');
  try {
    for (let t = 0; t < chunk.frames; t++) {
      const frame = new Uint8Array(frameBytes);
      const { bytesRead } = await handle.read(frame, 0, frameBytes, t * frameBytes);
      if (bytesRead !== frameBytes) throw new Error(`${chunk.file}: frame ${t} is cut short (${bytesRead} of ${frameBytes} bytes)`);
      yield frame;
    }
  } finally {
    await handle.close();
  }
}

/** Why a chunk cannot be used (missing, wrong size, or not what was written), or null. */
export async function chunkProblem(chunk: FrameChunk): Promise<string | null> {
  const want = chunk.frames * chunk.width * chunk.height * 3;
  const size = await stat(chunk.file).then((st) => st.size, () => null);
  if (size === null) return `${chunk.file} is missing`;
  if (size !== want) return `${chunk.file} has ${size} bytes, expected ${want} (truncated)`;
  const hash = createHash('sha256');
  for await (const frame of readChunkFrames(chunk)) hash.update(frame);
  return hash.digest('hex') === chunk.sha256 ? null : `${chunk.file} does not match its sha256 (damaged)`;
}

/** Deletes every chunk file under `dir` (once the final video no longer needs them). */
export async function removeFrameChunks(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (CHUNK_NAME.test(name)) await rm(path.join(dir, name), { force: true });
}
