// The README strip tool on a real MP4 (real ffmpeg): the frames it picks, the strip's size, that
// each tile shows the frame it claims (a clip whose grey level encodes the frame index), and the GIF.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { encodeMp4 } from '../daemon/media/ffmpeg.js';
import { evenlySpacedFrames, previewStrip } from './preview-strip.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-strip-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('preview strip', () => {
  it('spaces frames evenly from first to last', () => {
    expect(evenlySpacedFrames(145, 8)).toEqual([0, 21, 41, 62, 82, 103, 123, 144]);
    expect(evenlySpacedFrames(3, 8)).toEqual([0, 1, 2]);
    expect(evenlySpacedFrames(10, 1)).toEqual([0]);
    expect(() => evenlySpacedFrames(0, 4)).toThrow(/0 frames/);
  });

  it('tiles the chosen frames of a real MP4, upscaled, and writes a looping GIF', async () => {
    const width = 16, height = 12, total = 31;
    const grey = (i: number) => Math.round((i / (total - 1)) * 200 + 20);
    const video = path.join(tmp, 'ramp.mp4');
    await encodeMp4({ frames: Array.from({ length: total }, (_, i) => new Uint8Array(width * height * 3).fill(grey(i))), width, height, fps: 30, crf: 0, outPath: video });
    const png = path.join(tmp, 'out', 'strip.png');
    const gif = path.join(tmp, 'out', 'clip.gif');
    const r = await previewStrip({ video, png, gif, frames: 4, scale: 2, gapPx: 1 });
    expect(r.frameIndices).toEqual([0, 10, 20, 30]);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([4 * 32 + 3 * 2, 24]);
    for (const [tile, index] of r.frameIndices.entries()) {
      const x = tile * (32 + 2) + 16;
      const px = data[(12 * info.width + x) * info.channels]!;
      expect(Math.abs(px - grey(index)), `tile ${tile} shows frame ${index}`).toBeLessThanOrEqual(3);
    }
    const meta = await sharp(gif, { animated: true }).metadata();
    expect(meta.format).toBe('gif');
    expect(meta.pages).toBe(16); // 31 frames at 30 fps resampled to 15 fps
    expect(meta.width).toBe(32);
    expect(r.gifBytes).toBe((await stat(gif)).size);
  });

  it('refuses a bad scale before touching ffmpeg', async () => {
    await expect(previewStrip({ video: path.join(tmp, 'none.mp4'), png: path.join(tmp, 'x.png'), scale: 0 })).rejects.toThrow(/--scale/);
  });
});
