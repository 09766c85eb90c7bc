// Section checkpoints on disk, so a job interrupted by a crash resumes from its last finished
// section (docs/daemon.md "Resume"). After section k the pipeline writes the latent history
// ([frames][C·h·w] float32 little-endian) and the pixel frames a later section can still change
// (the pixel store's held frames, PixelVideo.data float32, at most one overlap) as
// `checkpoint-<k>.history.f32` / `checkpoint-<k>.pixels.f32` (temp file + rename), and returns a
// small JSON-able record naming them, the final-frame chunk files written so far (pixel-store.ts;
// each is written once and never changed) and the noise generator's state. Files are per section
// so the record a journal holds always names complete files; older ones are removed once a newer
// record has been handed over. Records of older versions hold the whole video in pixelsFile and no
// chunks; they resume the same way (the store then holds that video until its next section).
import { createHash } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfNoSpace } from '../../media/disk-full.js';
import { chunkProblem, removeFrameChunks, type FrameChunk } from '../../media/frame-spool.js';
import type { PixelVideo } from '../../media/pixels.js';
import type { NoiseState } from '../seeded-noise.js';
import type { LoopCheckpoint, LoopResumeState } from './section-loop.js';

export interface PipelineCheckpoint {
  /** 1-based sections finished, generation order. */
  sectionsDone: number;
  historyFile: string;
  historyFrames: number;
  /** Floats per latent frame (C·h·w), checked on resume. */
  frameFloats: number;
  /** SeededNoise.saveState() after that section's noise was drawn. */
  noise: NoiseState;
  /** The held frames (older versions: the whole video); frames 0 when none are held. */
  pixelsFile: string;
  pixels: { frames: number; height: number; width: number; floats: number };
  /** Final frames on disk, display order (absent in records of older versions: pixelsFile is the whole video). */
  frameChunks?: FrameChunk[];
  /** sha256 (hex) of each file, checked before a resume (absent in records of older versions). */
  historySha256?: string;
  pixelsSha256?: string;
}

/** Temp file, fsync, rename: a crash (or power loss) never leaves a renamed but unwritten file. */
async function writeAtomically(file: string, data: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err: unknown) {
    await rm(tmp, { force: true });
    await throwIfNoSpace(err, file, data.byteLength);
    throw err;
  }
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes section k's state under `dir`; the caller persists the returned record. */
export async function writeCheckpoint(dir: string, c: LoopCheckpoint): Promise<PipelineCheckpoint> {
  const frameFloats = c.history[0]?.length ?? 0;
  const history = new Float32Array(c.history.length * frameFloats);
  c.history.forEach((f, i) => {
    if (f.length !== frameFloats) throw new Error(`checkpoint: latent frame ${i} has ${f.length} floats, expected ${frameFloats}`);
    history.set(f, i * frameFloats);
  });
  const historyFile = path.join(dir, `checkpoint-${c.sectionsDone}.history.f32`);
  const pixelsFile = path.join(dir, `checkpoint-${c.sectionsDone}.pixels.f32`);
  await writeAtomically(historyFile, bytesOf(history));
  const held = c.pixels.held;
  const heldData = held?.data ?? new Float32Array(0);
  await writeAtomically(pixelsFile, bytesOf(heldData));
  const size = held ?? c.pixels.chunks[0];
  return {
    sectionsDone: c.sectionsDone, historyFile, historyFrames: c.history.length, frameFloats, noise: c.noise, pixelsFile,
    pixels: { frames: held?.frames ?? 0, height: size?.height ?? 0, width: size?.width ?? 0, floats: heldData.length },
    frameChunks: c.pixels.chunks,
    historySha256: sha256(bytesOf(history)), pixelsSha256: sha256(bytesOf(heldData)),
  };
}

/**
 * Why a checkpoint record cannot be resumed from (a file missing, truncated, or not what was
 * written), or null when both files are whole. The caller then starts the job over: with the same
 * seed that gives the same video, only slower.
 */
export async function checkpointProblem(c: PipelineCheckpoint): Promise<string | null> {
  const files = [
    { file: c.historyFile, bytes: c.historyFrames * c.frameFloats * 4, sha: c.historySha256 },
    { file: c.pixelsFile, bytes: c.pixels.floats * 4, sha: c.pixelsSha256 },
  ];
  for (const f of files) {
    const size = await stat(f.file).then((st) => st.size, () => null);
    if (size === null) return `${f.file} is missing`;
    if (size !== f.bytes) return `${f.file} has ${size} bytes, expected ${f.bytes} (truncated)`;
    if (f.sha !== undefined && sha256(await readFile(f.file)) !== f.sha) return `${f.file} does not match its sha256 (damaged)`;
  }
  for (const chunk of c.frameChunks ?? []) {
    const problem = await chunkProblem(chunk);
    if (problem) return problem;
  }
  return null;
}

async function readFloats(file: string, count: number): Promise<Float32Array> {
  const buf = await readFile(file);
  if (buf.byteLength !== count * 4) throw new Error(`checkpoint ${file}: ${buf.byteLength} bytes, expected ${count * 4}`);
  // Copy into an aligned buffer (readFile's may be a slice of a pool).
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** The loop state a checkpoint record describes (throws when its files are missing or the wrong size). */
export async function readCheckpoint(c: PipelineCheckpoint): Promise<LoopResumeState> {
  const flat = await readFloats(c.historyFile, c.historyFrames * c.frameFloats);
  const history = Array.from({ length: c.historyFrames }, (_, i) => flat.slice(i * c.frameFloats, (i + 1) * c.frameFloats));
  const { floats, ...p } = c.pixels;
  const held: PixelVideo | null = p.frames > 0 ? { ...p, data: await readFloats(c.pixelsFile, floats) } : null;
  return { sectionsDone: c.sectionsDone, history, pixels: { held, chunks: [...(c.frameChunks ?? [])] } };
}

/**
 * Removes the files of every checkpoint before section `keep`; keep = Infinity removes all of them
 * and the final-frame chunks too (the final video is written: nothing resumes any more). Chunks
 * otherwise stay: the newest record still names every one of them.
 */
export async function removeCheckpointsBefore(dir: string, keep: number, upTo: number): Promise<void> {
  for (let k = 1; k <= upTo; k++) {
    if (k >= keep) break;
    await rm(path.join(dir, `checkpoint-${k}.history.f32`), { force: true });
    await rm(path.join(dir, `checkpoint-${k}.pixels.f32`), { force: true });
  }
  if (keep === Infinity) await removeFrameChunks(dir);
}
