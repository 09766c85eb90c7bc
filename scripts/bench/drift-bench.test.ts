import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  benchDrift, driftCases, lateSeconds, perSecondMetrics, promptWindows, BASE_SEED, LATE_SECONDS, PROMPT_WINDOW_FRAMES,
  type DriftBenchOutput, type DriftCaseRow, type DriftSummaryRow,
} from './drift-bench.js';

const bundleDir = path.resolve(import.meta.dirname, '../../models/framepack-tiny');
const W = 24, H = 16;

/** A checkerboard of 4-pixel cells (sharp edges), optionally 3×3 box-blurred `blurs` times. */
function checker(blurs: number): Uint8Array {
  let f = new Float64Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) f[y * W + x] = (((x >> 2) + (y >> 2)) & 1) * 200 + 20;
  for (let b = 0; b < blurs; b++) {
    const g = new Float64Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += f[Math.min(H - 1, Math.max(0, y + dy)) * W + Math.min(W - 1, Math.max(0, x + dx))]!;
      g[y * W + x] = s / 9;
    }
    f = g;
  }
  const rgb = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) rgb.fill(Math.round(f[p]!), 3 * p, 3 * p + 3);
  return rgb;
}

describe('drift metrics on synthetic videos', () => {
  it('identical frames: zero drift, sharpness ratio 1 every second', () => {
    const video = { width: W, height: H, frames: Array.from({ length: 95 }, () => checker(0)) };
    const per = perSecondMetrics(video, 30);
    expect(per.map((s) => s.second)).toEqual([0, 1, 2]); // the 5-frame tail is dropped
    for (const s of per) expect([s.histDistance, s.sharpnessRatio]).toEqual([0, 1]);
  });

  it('frames blurred more each second: drift rises and sharpness falls', () => {
    const video = { width: W, height: H, frames: Array.from({ length: 4 * 30 }, (_, k) => checker(Math.floor(k / 30))) };
    const per = perSecondMetrics(video, 30);
    expect(per[0]!.histDistance).toBe(0);
    for (let s = 1; s < 4; s++) {
      expect(per[s]!.sharpnessRatio).toBeLessThan(per[s - 1]!.sharpnessRatio);
      expect(per[s]!.histDistance).toBeGreaterThan(0);
    }
    expect(per[3]!.sharpnessRatio).toBeLessThan(0.2);
    // Late = the last LATE_SECONDS seconds after second 0 (here seconds 1–3).
    expect(lateSeconds(per).map((s) => s.second)).toEqual([1, 2, 3]);
    const long = Array.from({ length: 12 }, (_, s) => ({ second: s, histDistance: 0, sharpness: 1, sharpnessRatio: 1 }));
    expect(lateSeconds(long).map((s) => s.second)).toEqual([7, 8, 9, 10, 11]);
    expect(LATE_SECONDS).toBe(5);
  });

  it('prompt following per 145-frame window: a shape moving left follows "moves left" only', () => {
    // A bright 4×4 block moving 1 px left every 10 frames on a dark background (≈14 px per window).
    const frame = (k: number) => {
      const f = new Uint8Array(96 * 16 * 3).fill(20);
      const x0 = 90 - Math.floor(k / 10);
      for (let y = 6; y < 10; y++) for (let x = x0; x < x0 + 4; x++) f.fill(230, 3 * (y * 96 + x), 3 * (y * 96 + x) + 3);
      return f;
    };
    const video = { width: 96, height: 16, frames: Array.from({ length: 2 * PROMPT_WINDOW_FRAMES + 20 }, (_, k) => frame(k)) };
    const left = promptWindows('a white square moves left on a black background', video);
    expect(left.map((w) => [w.startFrame, w.frames, w.follows])).toEqual([[0, 145, true], [145, 145, true]]);
    expect(left[0]!.measured!.dx).toBeLessThan(-5);
    expect(promptWindows('a white square moves right on a black background', video).every((w) => !w.follows)).toBe(true);
    // Shorter than a window: the whole video is one window.
    expect(promptWindows('a white square moves left on a black background', { ...video, frames: video.frames.slice(0, 73) }).map((w) => w.frames)).toEqual([73]);
  });
});

describe('bench drift (2 s, 1 case, 2 steps on the tiny bundle)', () => {
  it('uses fixed held-out data.py cases', async () => {
    const [a, b] = [await driftCases(2), await driftCases(2)];
    expect(a.map((c) => [c.motion, c.seed, c.width, c.height, c.rgb.length])).toEqual([['left', BASE_SEED, 96, 64, 96 * 64 * 3], ['right', BASE_SEED + 1, 96, 64, 96 * 64 * 3]]);
    expect(a.map((c) => c.prompt)).toEqual(b.map((c) => c.prompt));
    expect(Buffer.from(a[0]!.rgb).equals(Buffer.from(b[0]!.rgb))).toBe(true);
    expect(a[0]!.prompt).toMatch(/ (moves|slides) (to the )?left on a /);
  });

  it('one row per case and mode, then a summary comparing the modes', async () => {
    const out: DriftBenchOutput[] = [];
    await benchDrift({ bundleDir, seconds: 2, cases: 1, steps: 2, onRow: (r) => out.push(r) });
    expect(out.map((r) => (r.type === 'case' ? `${r.case}:${r.mode}` : 'summary'))).toEqual(['0:inverted', '0:vanilla', 'summary']);
    const rows = out.slice(0, 2) as DriftCaseRow[];
    for (const r of rows) {
      expect(r).toMatchObject({ bench: 'drift', motion: 'left', seed: BASE_SEED, fps: 30 });
      expect(r.frames).toBeGreaterThanOrEqual(60);
      expect(r.perSecond.map((s) => s.second)).toEqual([0, 1]);
      expect(r.perSecond[0]).toMatchObject({ histDistance: 0, sharpnessRatio: 1 });
      for (const s of r.perSecond) {
        expect(s.histDistance).toBeGreaterThanOrEqual(0);
        expect(s.histDistance).toBeLessThanOrEqual(1);
        expect(s.sharpness).toBeGreaterThan(0);
      }
      expect(r.lateHistDistance).toBe(r.perSecond[1]!.histDistance);
      expect(r.lateSharpnessRatio).toBe(r.perSecond[1]!.sharpnessRatio);
      expect(r.promptWindows).toHaveLength(1);
      expect(r.promptWindows[0]).toMatchObject({ startFrame: 0, frames: r.frames });
      expect(r.promptFollowingRate).toBe(r.promptWindows[0]!.follows ? 1 : 0);
    }
    // Same start image and seed, different context scheme: the videos differ.
    expect(rows[0]!.perSecond[1]!.sharpness).not.toBe(rows[1]!.perSecond[1]!.sharpness);
    const s = out[2] as DriftSummaryRow;
    expect(s).toMatchObject({ bench: 'drift', bundle: 'framepack-tiny', bucket: '64x96', seconds: 2, steps: 2, lateSeconds: 5 });
    expect(s.modes.map((m) => [m.mode, m.cases, m.meanLateHistDistance, m.promptFollowingRate, m.promptFollowingRateMeasurable])).toEqual(
      rows.map((r) => [r.mode, 1, r.lateHistDistance, r.promptFollowingRate, r.promptFollowingRate]));
    expect(s.lateHistDistanceRatio).toBeCloseTo(rows[0]!.lateHistDistance / rows[1]!.lateHistDistance, 3);
    expect(s.casesInvertedDriftsLess).toBe(rows[0]!.lateHistDistance < rows[1]!.lateHistDistance ? 1 : 0);
  }, 30_000);
});
