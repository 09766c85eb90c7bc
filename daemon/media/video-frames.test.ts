import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMp4 } from './ffmpeg.js';
import { framesAtFps, inspectVideo, lastFrame, readVideoFrames } from './video-frames.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'fp-vframes-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** A 64×32 clip whose frame t is a flat grey of level 40 + 10·t (left half) and 200 (right half). */
async function clip(frames: number, fps: number): Promise<string> {
  const file = path.join(dir, `clip-${frames}-${fps}.mp4`);
  const data = Array.from({ length: frames }, (_, t) => {
    const rgb = new Uint8Array(64 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) rgb.fill(x < 32 ? 40 + 10 * t : 200, (y * 64 + x) * 3, (y * 64 + x) * 3 + 3);
    return rgb;
  });
  await encodeMp4({ frames: data, width: 64, height: 32, fps, crf: 0, outPath: file });
  return file;
}

describe('readVideoFrames', () => {
  it('reads every frame at the bucket size, centre-cropped, in order', async () => {
    const file = await clip(12, 30);
    expect(await inspectVideo(file)).toMatchObject({ width: 64, height: 32, frames: 12 });
    // 32×32 from 64×32: the centre, half dark-to-light ramp and half 200.
    const v = await readVideoFrames(file, { width: 32, height: 32 });
    expect(v.frames).toHaveLength(12);
    const at = (t: number, x: number) => v.frames[t]![(16 * 32 + x) * 3]!;
    expect(Math.abs(at(0, 2) - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs(at(11, 2) - 150)).toBeLessThanOrEqual(3);
    expect(Math.abs(at(11, 30) - 200)).toBeLessThanOrEqual(3);
    expect(lastFrame(v).rgb).toBe(v.frames[11]);
  });

  it('converts another frame rate to 30 fps', async () => {
    const file = await clip(15, 15);
    const v = await readVideoFrames(file, { width: 32, height: 32 });
    expect(v.frames.length).toBe(framesAtFps(15, 15));
    expect(v.frames.length).toBe(30);
  });

  it('fails with the file named for something that is not a video', async () => {
    const bad = path.join(dir, 'not-a-video.mp4');
    await writeFile(bad, 'hello');
    await expect(readVideoFrames(bad, { width: 32, height: 32 })).rejects.toThrow(/could not read the video .*not-a-video\.mp4/);
    await expect(inspectVideo(bad)).rejects.toThrow(/not-a-video\.mp4/);
  });

  it('refuses a video longer than the cap', async () => {
    const file = await clip(12, 30);
    await expect(readVideoFrames(file, { width: 32, height: 32 }, { maxFrames: 5 })).rejects.toThrow(/longer than 5 frames/);
  });
});
