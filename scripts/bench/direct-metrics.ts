// Pure measures for the directing benchmark (direct-bench.ts): how far a frame is from a target
// image (mean absolute RGB difference) and where the shape is (centroid of the pixels that differ
// from the background colour), per frame and per display section. Frames are rgb24, HWC.
import type { FrameSet } from './frame-metrics.js';

/** Mean |a − b| over all RGB values, 0…255. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`meanAbsDiff: ${a.length} vs ${b.length} values`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

/** The image's background colour: the per-channel median of its border pixels. */
export function borderColour(frame: Uint8Array, width: number, height: number): [number, number, number] {
  const px: number[][] = [[], [], []];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y !== 0 && y !== height - 1 && x !== 0 && x !== width - 1) continue;
      for (let c = 0; c < 3; c++) px[c]!.push(frame[3 * (y * width + x) + c]!);
    }
  }
  return px.map((v) => v.sort((a, b) => a - b)[v.length >> 1]!) as [number, number, number];
}

/** Centroid (x, y) of the pixels whose max channel difference to `bg` exceeds 40 (data.py's threshold), or null. */
export function shapeCentroid(frame: Uint8Array, width: number, height: number, bg: readonly number[]): { x: number; y: number } | null {
  let n = 0, sx = 0, sy = 0;
  for (let p = 0; p < width * height; p++) {
    const d = Math.max(Math.abs(frame[3 * p]! - bg[0]!), Math.abs(frame[3 * p + 1]! - bg[1]!), Math.abs(frame[3 * p + 2]! - bg[2]!));
    if (d > 40) { n++; sx += p % width; sy += Math.floor(p / width); }
  }
  return n === 0 ? null : { x: sx / n, y: sy / n };
}

/** Centroid motion along `axis` per display section d (frames framesPerSection·d → framesPerSection·(d+1)), or null where no shape shows. */
function sectionMotion(video: FrameSet, framesPerSection: number, bg: readonly number[], axis: 'x' | 'y'): (number | null)[] {
  const sections = Math.floor((video.frames.length - 1) / framesPerSection);
  return Array.from({ length: sections }, (_, d) => {
    const a = shapeCentroid(video.frames[d * framesPerSection]!, video.width, video.height, bg);
    const b = shapeCentroid(video.frames[(d + 1) * framesPerSection]!, video.width, video.height, bg);
    return a && b ? Math.round((b[axis] - a[axis]) * 100) / 100 : null;
  });
}

/** Horizontal shape motion per display section (px, + = right). */
export const sectionDx = (video: FrameSet, framesPerSection: number, bg: readonly number[]) => sectionMotion(video, framesPerSection, bg, 'x');
/** Vertical shape motion per display section (px, + = down). */
export const sectionDy = (video: FrameSet, framesPerSection: number, bg: readonly number[]) => sectionMotion(video, framesPerSection, bg, 'y');

/** Mean |ΔRGB| between two equally long videos over each display section's frames [fps·d, fps·(d+1)). */
export function sectionDiff(a: FrameSet, b: FrameSet, framesPerSection: number): number[] {
  if (a.frames.length !== b.frames.length) throw new RangeError(`sectionDiff: ${a.frames.length} vs ${b.frames.length} frames`);
  const sections = Math.floor((a.frames.length - 1) / framesPerSection);
  return Array.from({ length: sections }, (_, d) => {
    let s = 0;
    for (let f = d * framesPerSection; f < (d + 1) * framesPerSection; f++) s += meanAbsDiff(a.frames[f]!, b.frames[f]!);
    return Math.round((s / framesPerSection) * 100) / 100;
  });
}
