import { describe, expect, it } from 'vitest';
import { borderColour, meanAbsDiff, sectionDiff, sectionDx, sectionDy, shapeCentroid } from './direct-metrics.js';

/** A w×h frame of colour bg with a 2×2 square of colour fg at (x, y). */
function frame(w: number, h: number, x: number, y: number, bg = [0, 100, 0], fg = [255, 0, 0]): Uint8Array {
  const f = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) {
    const inSquare = p % w >= x && p % w < x + 2 && Math.floor(p / w) >= y && Math.floor(p / w) < y + 2;
    f.set(inSquare ? fg : bg, 3 * p);
  }
  return f;
}

describe('direct benchmark metrics', () => {
  it('mean absolute difference and the border colour', () => {
    expect(meanAbsDiff(Uint8Array.from([0, 10, 20]), Uint8Array.from([3, 10, 14]))).toBe(3);
    expect(borderColour(frame(8, 6, 3, 2), 8, 6)).toEqual([0, 100, 0]);
  });

  it('finds the shape centroid and its horizontal motion per section', () => {
    expect(shapeCentroid(frame(8, 6, 3, 2), 8, 6, [0, 100, 0])).toEqual({ x: 3.5, y: 2.5 });
    // 9 frames, 4 per section: right 2 px, then left 1 px.
    const xs = [1, 1, 2, 2, 3, 3, 3, 2, 2];
    const video = { width: 8, height: 6, frames: xs.map((x) => frame(8, 6, x, 2)) };
    expect(sectionDx(video, 4, [0, 100, 0])).toEqual([2, -1]);
    expect(sectionDy(video, 4, [0, 100, 0])).toEqual([0, 0]);
    // Against the same video moved one row down: the frames differ where the square's rows differ.
    const moved = { ...video, frames: xs.map((x) => frame(8, 6, x, 3)) };
    expect(sectionDiff(video, video, 4)).toEqual([0, 0]);
    expect(sectionDiff(video, moved, 4)[0]).toBeCloseTo((4 * (255 + 100)) / (8 * 6 * 3), 2);
  });
});
