import { describe, expect, it } from 'vitest';
import { frameThumbnail, thumbnailSize } from './frame-thumbnail.js';

describe('decoded-frame preview thumbnail', () => {
  it('downscales by the smallest integer factor that fits 160×100, keeping small frames as they are', () => {
    expect(thumbnailSize(640, 480)).toEqual({ width: 128, height: 96, factor: 5 });
    expect(thumbnailSize(832, 480)).toEqual({ width: 138, height: 80, factor: 6 });
    expect(thumbnailSize(64, 40)).toEqual({ width: 64, height: 40, factor: 1 });
    expect(() => thumbnailSize(0, 4)).toThrow(/bad size/);
  });

  it('box-averages the chosen frame and maps [-1, 1] to 0…255', () => {
    // 2 frames of 4×2, factor 2 by a 2×1 maximum: frame 1 is red = +1 on the left half, −1 on the right; G a ramp; B 0.
    const t = 2, h = 2, w = 4, plane = t * h * w;
    const data = new Float32Array(3 * plane).fill(0.5);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (1 * h + y) * w + x;
      data[i] = x < 2 ? 1 : -1;
      data[plane + i] = x < 2 ? -1 : y === 0 ? 0 : 1; // right box mean 0.5
      data[2 * plane + i] = 0;
    }
    const img = frameThumbnail({ frames: t, height: h, width: w, data }, 1, { width: 2, height: 1 });
    expect([img.width, img.height]).toEqual([2, 1]);
    expect(Array.from(img.rgb)).toEqual([255, 0, 128, 0, 191, 128]);
    expect(() => frameThumbnail({ frames: t, height: h, width: w, data }, 2)).toThrow(/frame 2/);
  });
});
