import { describe, expect, it } from 'vitest';
import {
  decodedToByte,
  imageToVaeInput,
  linspaceF32,
  sliceFrames,
  softAppend,
  videoFrameToRgb,
  videoToRgbFrames,
  type PixelVideo,
} from './pixels.js';

/** A video whose value at (c, t, y, x) is f(c, t, y, x), in [1,3,T,H,W] layout. */
function makeVideo(frames: number, height: number, width: number, f: (c: number, t: number, y: number, x: number) => number): PixelVideo {
  const data = new Float32Array(3 * frames * height * width);
  let i = 0;
  for (let c = 0; c < 3; c++) for (let t = 0; t < frames; t++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[i++] = f(c, t, y, x);
  return { frames, height, width, data };
}

const at = (v: PixelVideo, c: number, t: number, y: number, x: number): number =>
  v.data[((c * v.frames + t) * v.height + y) * v.width + x]!;

describe('imageToVaeInput', () => {
  it('maps bytes to x/127.5 − 1 in float32, HWC → CHW', () => {
    // 2×1 image: pixel 0 = (0, 255, 127), pixel 1 = (128, 1, 64)
    const out = imageToVaeInput({ width: 2, height: 1, rgb: Uint8Array.from([0, 255, 127, 128, 1, 64]) });
    expect(out.length).toBe(6);
    expect(out[0]).toBe(-1); // R of pixel 0
    expect(out[1]).toBe(Math.fround(Math.fround(128 / 127.5) - 1)); // R of pixel 1
    expect(out[2]).toBe(1); // G of pixel 0
    expect(out[3]).toBe(Math.fround(Math.fround(1 / 127.5) - 1));
    expect(out[4]).toBe(Math.fround(Math.fround(127 / 127.5) - 1));
    expect(out[5]).toBe(Math.fround(Math.fround(64 / 127.5) - 1));
  });

  it('refuses a buffer of the wrong length', () => {
    expect(() => imageToVaeInput({ width: 2, height: 2, rgb: new Uint8Array(11) })).toThrow(/needs 12 rgb bytes/);
  });
});

describe('decodedToByte (save_bcthw_as_mp4: clamp, ·127.5 + 127.5, truncate)', () => {
  it('hits the ends and truncates instead of rounding', () => {
    expect(decodedToByte(-1)).toBe(0);
    expect(decodedToByte(1)).toBe(255);
    expect(decodedToByte(0)).toBe(127); // 127.5 truncates to 127; rounding would give 128
    expect(decodedToByte(-3)).toBe(0);
    expect(decodedToByte(7)).toBe(255);
    expect(decodedToByte(0.5)).toBe(191); // 191.25 → 191
    expect(decodedToByte(0.9999)).toBe(254); // 254.987… → 254
    expect(decodedToByte(Number.NaN)).toBe(0);
  });

  it('inverts imageToVaeInput exactly for every byte (checked against torch 1.13: no byte lost)', () => {
    const rgb = Uint8Array.from({ length: 768 }, (_, i) => Math.floor(i / 3));
    const table = imageToVaeInput({ width: 256, height: 1, rgb });
    for (let v = 0; v < 256; v++) expect(decodedToByte(table[v]!)).toBe(v);
  });
});

describe('video frames to rgb24', () => {
  it('interleaves channels of frame t and converts with truncation', () => {
    const v = makeVideo(3, 2, 2, (c, t, y, x) => (c === 0 ? -1 + t * 0.5 : c === 1 ? 0 : 1) + 0 * (x + y));
    const f1 = videoFrameToRgb(v, 1);
    expect(Array.from(f1.subarray(0, 3))).toEqual([decodedToByte(-0.5), 127, 255]);
    expect(f1.length).toBe(2 * 2 * 3);
    const all = [...videoToRgbFrames(v)];
    expect(all).toHaveLength(3);
    expect(all[2]![0]).toBe(decodedToByte(0));
    expect(() => videoFrameToRgb(v, 3)).toThrow(/out of/);
  });
});

describe('linspaceF32', () => {
  it('matches torch.linspace(1, 0, n) for the section overlap n = 33 (steps of 1/32)', () => {
    const w = linspaceF32(1, 0, 33);
    for (let k = 0; k < 33; k++) expect(w[k]).toBe(1 - k / 32);
  });
  it('handles n = 1 and n = 2', () => {
    expect(Array.from(linspaceF32(1, 0, 1))).toEqual([1]);
    expect(Array.from(linspaceF32(1, 0, 2))).toEqual([1, 0]);
  });
});

describe('softAppend (soft_append_bcthw)', () => {
  const earlier = makeVideo(5, 2, 3, (c, t, y, x) => 0.1 * t + 0.01 * c + 0.001 * (y * 3 + x));
  const later = makeVideo(4, 2, 3, (c, t, y, x) => -0.2 * t - 0.01 * c - 0.001 * (y * 3 + x));

  it('keeps earlier[:-n], blends n frames with w = linspace(1,0,n), keeps later[n:]', () => {
    const n = 3;
    const out = softAppend(earlier, later, n);
    expect(out.frames).toBe(5 + 4 - n);
    const w = [1, 0.5, 0];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 3; x++) {
          expect(at(out, c, 0, y, x)).toBe(at(earlier, c, 0, y, x));
          expect(at(out, c, 1, y, x)).toBe(at(earlier, c, 1, y, x));
          for (let k = 0; k < n; k++) {
            const a = at(earlier, c, 5 - n + k, y, x);
            const b = at(later, c, k, y, x);
            const want = Math.fround(Math.fround(w[k]! * a) + Math.fround((1 - w[k]!) * b));
            expect(at(out, c, 2 + k, y, x)).toBe(want);
          }
          expect(at(out, c, 5, y, x)).toBe(at(later, c, 3, y, x));
        }
      }
    }
  });

  it('blend starts at the earlier frame and ends at the later frame', () => {
    const out = softAppend(earlier, later, 4);
    expect(at(out, 1, 1, 1, 2)).toBe(at(earlier, 1, 1, 1, 2)); // k = 0: w = 1
    expect(at(out, 1, 4, 1, 2)).toBe(at(later, 1, 3, 1, 2)); // k = n−1: w = 0
  });

  it('overlap 0 concatenates', () => {
    const out = softAppend(earlier, later, 0);
    expect(out.frames).toBe(9);
    expect(at(out, 2, 4, 1, 1)).toBe(at(earlier, 2, 4, 1, 1));
    expect(at(out, 2, 5, 1, 1)).toBe(at(later, 2, 0, 1, 1));
  });

  it('gives the official frame counts: 69 + 37 (section decode of 18 latents, 9+1 latents)', () => {
    const history = makeVideo(69, 1, 2, () => 0.25);
    const current = makeVideo(73, 1, 2, () => -0.25);
    expect(softAppend(current, history, 33).frames).toBe(73 + 69 - 33);
  });

  it('refuses overlaps longer than either video and mismatched sizes', () => {
    expect(() => softAppend(earlier, later, 5)).toThrow(/later length \(4\) must be >= overlap \(5\)/);
    expect(() => softAppend(earlier, makeVideo(2, 3, 3, () => 0), 1)).toThrow(/frame sizes differ/);
  });
});

describe('sliceFrames', () => {
  it('copies frames [start, end) of every channel', () => {
    const v = makeVideo(4, 1, 2, (c, t, _y, x) => c * 100 + t * 10 + x);
    const s = sliceFrames(v, 1, 3);
    expect(s.frames).toBe(2);
    expect(Array.from(s.data)).toEqual([10, 11, 20, 21, 110, 111, 120, 121, 210, 211, 220, 221]);
    expect(() => sliceFrames(v, 3, 5)).toThrow(/not inside/);
  });
});
