import { readdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeCheckpointsBefore } from '../engine/pipeline/checkpoint-files.js';
import { removeJobScratch } from '../jobs/job-files.js';
import { chunkProblem, readChunkFrames, removeFrameChunks, writeFrameChunk } from './frame-spool.js';
import { videoFrameToRgb, type PixelVideo } from './pixels.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';

const video = (frames: number): PixelVideo => ({ frames, height: 2, width: 4, data: Float32Array.from({ length: 3 * frames * 8 }, (_, i) => Math.sin(i) * 1.1) });

async function framesOf(chunk: Parameters<typeof readChunkFrames>[0]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of readChunkFrames(chunk)) out.push(f);
  return out;
}

describe('frame spool', () => {
  it('writes rgb24 frames as the MP4 writer converts them and reads them back one at a time', async () => {
    const dir = testTempDir('fp-spool-');
    const v = video(3);
    const chunk = await writeFrameChunk(dir, 2, v);
    expect(path.basename(chunk.file)).toBe('frames-2.rgb');
    expect(chunk.frames).toBe(3);
    expect(await framesOf(chunk)).toEqual([0, 1, 2].map((t) => videoFrameToRgb(v, t)));
    expect(await chunkProblem(chunk)).toBeNull();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('says why a chunk cannot be resumed from: missing, truncated, damaged', async () => {
    const dir = testTempDir('fp-spool-');
    const chunk = await writeFrameChunk(dir, 1, video(2));
    await writeFile(chunk.file, Buffer.alloc(2 * 24));
    expect(await chunkProblem(chunk)).toMatch(/frames-1\.rgb does not match its sha256 \(damaged\)/);
    await truncate(chunk.file, 10);
    expect(await chunkProblem(chunk)).toMatch(/frames-1\.rgb has 10 bytes, expected 48 \(truncated\)/);
    await expect(framesOf(chunk)).rejects.toThrow('frame 0 is cut short');
    await removeFrameChunks(dir);
    expect(await chunkProblem(chunk)).toMatch(/frames-1\.rgb is missing/);
  });

  it('chunks stay while checkpoints rotate and go with the job\'s scratch files', async () => {
    const dir = testTempDir('fp-spool-');
    for (const k of [1, 2]) {
      await writeFrameChunk(dir, k, video(1));
      await writeFile(path.join(dir, `checkpoint-${k}.pixels.f32`), '');
      await writeFile(path.join(dir, `checkpoint-${k}.history.f32`), '');
    }
    await removeCheckpointsBefore(dir, 2, 2);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint-2.history.f32', 'checkpoint-2.pixels.f32', 'frames-1.rgb', 'frames-2.rgb']);
    await removeCheckpointsBefore(dir, Infinity, 2);
    expect(await readdir(dir)).toEqual([]);
    await writeFrameChunk(dir, 3, video(1));
    await writeFile(path.join(dir, 'input.png'), '');
    expect(await removeJobScratch(dir)).toEqual(['frames-3.rgb']);
    expect(await readdir(dir)).toEqual(['input.png']);
  });
});
