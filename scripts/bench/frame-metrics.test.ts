import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  colourHistogram, followsPrompt, histogramDistance, laplacianVariance, measureMotion, promptMatches, sharpness, type FrameSet,
} from './frame-metrics.js';

const W = 48, H = 32;

/** A frame with a coloured square (side `side`, top-left x0,y0) on a plain background. */
function squareFrame(x0: number, y0: number, side: number, fg: [number, number, number], bg: [number, number, number] = [30, 60, 200]): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side ? fg : bg;
      f.set(c, 3 * (y * W + x));
    }
  }
  return f;
}

/** 3×3 box blur per channel (edges clamped). */
function boxBlur(f: Uint8Array): Uint8Array {
  const out = new Uint8Array(f.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const yy = Math.min(H - 1, Math.max(0, y + dy)), xx = Math.min(W - 1, Math.max(0, x + dx));
          s += f[3 * (yy * W + xx) + c]!;
        }
        out[3 * (y * W + x) + c] = Math.round(s / 9);
      }
    }
  }
  return out;
}

const set = (frames: Uint8Array[]): FrameSet => ({ width: W, height: H, frames });

describe('colour histogram distance', () => {
  it('is 0 for identical frames, 1 for disjoint colours, and in between for a partial change', () => {
    const a = set([squareFrame(10, 10, 8, [220, 40, 40])]);
    expect(histogramDistance(colourHistogram(a), colourHistogram(set([squareFrame(10, 10, 8, [220, 40, 40])])))).toBe(0);
    // Moving the square does not change the colour distribution.
    expect(histogramDistance(colourHistogram(a), colourHistogram(set([squareFrame(20, 5, 8, [220, 40, 40])])))).toBeCloseTo(0, 12);
    const black = set([new Uint8Array(W * H * 3)]);
    const white = set([new Uint8Array(W * H * 3).fill(255)]);
    expect(histogramDistance(colourHistogram(black), colourHistogram(white))).toBe(1);
    // A square of 64 / 1536 pixels changing colour in every channel's bin: distance = 64/1536.
    const b = set([squareFrame(10, 10, 8, [40, 180, 100])]);
    expect(histogramDistance(colourHistogram(a), colourHistogram(b))).toBeCloseTo(64 / (W * H), 12);
  });

  it('each channel histogram sums to 1', () => {
    const h = colourHistogram(set([squareFrame(3, 4, 10, [245, 140, 30]), squareFrame(30, 4, 10, [245, 140, 30])]));
    for (let c = 0; c < 3; c++) expect(h.slice(16 * c, 16 * c + 16).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });
});

describe('sharpness (variance of the luma Laplacian)', () => {
  it('is 0 on a flat frame, positive with an edge, and lower after a blur', () => {
    expect(laplacianVariance(new Uint8Array(W * H * 3).fill(90), W, H)).toBe(0);
    const sharp = squareFrame(10, 10, 12, [245, 245, 245], [15, 15, 15]);
    const v = laplacianVariance(sharp, W, H);
    expect(v).toBeGreaterThan(100);
    const blurred = boxBlur(sharp);
    expect(laplacianVariance(blurred, W, H)).toBeLessThan(0.5 * v);
    expect(laplacianVariance(boxBlur(blurred), W, H)).toBeLessThan(laplacianVariance(blurred, W, H));
    expect(sharpness(set([sharp, blurred]))).toBeCloseTo((v + laplacianVariance(blurred, W, H)) / 2, 9);
  });
});

describe('measureMotion / promptMatches (data.py rules)', () => {
  it('sees a square moving left, growing and changing colour, and nothing on still frames', () => {
    const left = set(Array.from({ length: 9 }, (_, k) => squareFrame(30 - 2 * k, 12, 6, [220, 40, 40])));
    const m = measureMotion(left)!;
    expect(m.dx).toBeCloseTo(-16, 6);
    expect(m.dy).toBeCloseTo(0, 6);
    expect(promptMatches('a red square moves left on a blue background', m)).toBe(true);
    expect(promptMatches('a red square moves right on a blue background', m)).toBe(false);
    const grow = set(Array.from({ length: 9 }, (_, k) => squareFrame(20 - k, 14 - k, 4 + 2 * k, [240, 220, 40])));
    expect(measureMotion(grow)!.areaRatio).toBeCloseTo(400 / 16, 6);
    expect(promptMatches('a yellow square grows on a blue background', measureMotion(grow))).toBe(true);
    const still = set(Array.from({ length: 5 }, () => squareFrame(10, 10, 8, [220, 40, 40])));
    expect(measureMotion(still)).toBeNull(); // the square is part of the temporal median
    expect(followsPrompt('a red square bounces on a blue background', still).follows).toBe(false);
  });

  it('equals data.py measure_motion/prompt_matches on its own clips of every motion', () => {
    const script = `
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import data
for i, motion in enumerate(data.MOTIONS):
    px, prompt, _ = data.clip(11, 100 + i, frames=37, motion=motion)
    m = data.measure_motion(px)
    print(json.dumps({"prompt": prompt, "shape": list(px.shape), "m": m, "matches": bool(data.prompt_matches(prompt, m)), "px": base64.b64encode(px.tobytes()).decode()}))
`;
    const out = execFileSync('/usr/bin/python3', ['-c', script, path.resolve(import.meta.dirname, '../train')], { maxBuffer: 64 << 20 }).toString();
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; shape: number[]; m: { dx: number; dy: number; areaRatio: number | null; colourDelta: number } | null; matches: boolean; px: string });
    expect(lines).toHaveLength(9);
    for (const c of lines) {
      const [t, h, w] = c.shape as [number, number, number];
      const bytes = new Uint8Array(Buffer.from(c.px, 'base64'));
      const frames = Array.from({ length: t }, (_, k) => bytes.subarray(k * h * w * 3, (k + 1) * h * w * 3));
      const m = measureMotion({ width: w, height: h, frames });
      expect(m === null, c.prompt).toBe(c.m === null);
      if (m && c.m) {
        expect(m.dx).toBeCloseTo(c.m.dx, 9);
        expect(m.dy).toBeCloseTo(c.m.dy, 9);
        expect(m.colourDelta).toBeCloseTo(c.m.colourDelta, 9);
        if (c.m.areaRatio === null) expect(m.areaRatio).toBeNull();
        else expect(m.areaRatio).toBeCloseTo(c.m.areaRatio, 12);
      }
      expect(promptMatches(c.prompt, m), c.prompt).toBe(c.matches);
      expect(followsPrompt(c.prompt, { width: w, height: h, frames }).follows, c.prompt).toBe(true);
    }
  });
});
