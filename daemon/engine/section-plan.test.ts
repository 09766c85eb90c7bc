import { describe, expect, it } from 'vitest';
import { contextRange, latentPaddings, packedSequenceLength, planJob, sectionCount, sectionTokens } from './section-plan.js';

const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('sectionCount', () => {
  it('rounds seconds·30/36 half-even', () => {
    const cases: Array<[number, number]> = [[1, 1], [2, 2], [5, 4], [60, 50], [120, 100], [0.1, 1], [3.0, 2], [5.4, 4], [5.5, 5], [5.3, 4], [7.8, 6], [10.2, 8], [15.0, 12]];
    for (const [s, n] of cases) expect(sectionCount(s), `${s} s`).toBe(n);
  });
  it('follows the double computation: 65.4 s is 54.50000000000001 sections, so 55', () => {
    expect((65.4 * 30) / 36).toBe(54.50000000000001);
    expect(sectionCount(65.4)).toBe(55);
  });
  it('differs from Math.round on exactly 48 of the 1191 slider values', () => {
    const differs: number[] = [];
    for (let k = 10; k <= 1200; k++) {
      const s = k / 10;
      if (sectionCount(s) !== Math.max(Math.round((s * 30) / 36), 1)) differs.push(s);
    }
    expect(differs.length).toBe(48);
    expect(differs.slice(0, 6)).toEqual([3, 5.4, 7.8, 10.2, 12.6, 15]);
    expect(differs).not.toContain(65.4);
  });
  it('depends on the window size', () => {
    expect(sectionCount(5, 5)).toBe(8); // 7.5 → 8 (even)
    expect(sectionCount(3, 5)).toBe(4); // 4.5 → 4 (even)
    expect(sectionCount(3, 10)).toBe(2); // 2.25
  });
});

describe('latentPaddings', () => {
  it('is N−1..0 up to 4 and [3, 2.., 1, 0] beyond', () => {
    expect(latentPaddings(1)).toEqual([0]);
    expect(latentPaddings(2)).toEqual([1, 0]);
    expect(latentPaddings(3)).toEqual([2, 1, 0]);
    expect(latentPaddings(4)).toEqual([3, 2, 1, 0]);
    expect(latentPaddings(5)).toEqual([3, 2, 2, 1, 0]);
    expect(latentPaddings(6)).toEqual([3, 2, 2, 2, 1, 0]);
    expect(latentPaddings(50).length).toBe(50);
  });
});

describe('sectionTokens (FRAMEPACK.md §5.2 table)', () => {
  const rows: Array<[number, number, number, number, number, number, number, number]> = [
    [416, 960, 14040, 3120, 390, 420, 17970, 18955],
    [448, 864, 13608, 3024, 378, 392, 17402, 18387],
    [480, 832, 14040, 3120, 390, 416, 17966, 18951],
    [512, 768, 13824, 3072, 384, 384, 17664, 18649],
    [544, 704, 13464, 2992, 374, 396, 17226, 18211],
    [576, 672, 13608, 3024, 378, 396, 17406, 18391],
    [608, 640, 13680, 3040, 380, 400, 17500, 18485],
  ];
  it.each(rows)('%ix%i and its transpose', (H, W, noisy, clean, c2, c4, image, maxTotal) => {
    for (const [h, w] of [[H / 8, W / 8], [W / 8, H / 8]] as const) {
      const t = sectionTokens(h, w);
      expect([t.noisy, t.clean, t.clean2x, t.clean4x, t.imageSide]).toEqual([noisy, clean, c2, c4, image]);
      expect(packedSequenceLength(t, 256)).toBe(maxTotal);
    }
  });
});

describe('contextRange', () => {
  it('zero-fills after a short history (inverted) and before it (forward)', () => {
    expect(contextRange(3, 16, 9)).toEqual({ from: 3, to: 9, zerosBefore: 0, zerosAfter: 10 });
    expect(contextRange(-18, 16, 1)).toEqual({ from: 0, to: 0, zerosBefore: 16, zerosAfter: 0 });
    expect(contextRange(-2, 2, 1)).toEqual({ from: 0, to: 0, zerosBefore: 2, zerosAfter: 0 });
    expect(contextRange(-6, 16, 10)).toEqual({ from: 0, to: 10, zerosBefore: 6, zerosAfter: 0 });
    expect(contextRange(0, 1, 0)).toEqual({ from: 0, to: 0, zerosBefore: 0, zerosAfter: 1 });
  });
});

describe('planJob inverted (FRAMEPACK.md §8)', () => {
  const plan = planJob({ mode: 'inverted', seconds: 5, latentHeight: 80, latentWidth: 76 });
  it('reproduces the 5 s worked example of §8.4', () => {
    expect(plan.sectionCount).toBe(4);
    const rows = plan.sections.map((s) => [s.latentPadding, s.indices.latent[0], s.indices.latent.at(-1), s.indices.clean, s.indices.clean2x, s.indices.clean4x[0], s.indices.clean4x.at(-1), s.newLatentFrames, s.historyAfter, s.decode.to - s.decode.from, s.decode.totalFrames]);
    expect(rows).toEqual([
      [3, 28, 36, [0, 37], [38, 39], 40, 55, 9, 9, 9, 33],
      [2, 19, 27, [0, 28], [29, 30], 31, 46, 9, 18, 18, 69],
      [1, 10, 18, [0, 19], [20, 21], 22, 37, 9, 27, 18, 105],
      [0, 1, 9, [0, 10], [11, 12], 13, 28, 10, 37, 19, 145],
    ]);
    expect(plan.totalFrames).toBe(145);
    expect(plan.totalLatentFrames).toBe(37);
    expect(plan.durationSeconds).toBeCloseTo(4.83, 2);
  });
  it('index lists for ws=9, p = 0..3', () => {
    for (const s of plan.sections) {
      const p = s.latentPadding;
      const ps = 9 * p;
      expect(s.indices.blank).toEqual(ps ? span(1, ps) : []);
      expect(s.indices.latent).toEqual(span(ps + 1, ps + 9));
      expect(s.indices.clean).toEqual([0, ps + 10]);
      expect(s.indices.clean2x).toEqual([ps + 11, ps + 12]);
      expect(s.indices.clean4x).toEqual(span(ps + 13, ps + 28));
      expect(s.isLast).toBe(p === 0);
    }
  });
  it('takes context from the front of the history and zero-fills after it', () => {
    const [s0, s1, s2, s3] = plan.sections;
    expect(s0!.context).toEqual({
      cleanLead: 'start-latent',
      clean1x: { from: 0, to: 0, zerosBefore: 0, zerosAfter: 1 },
      clean2x: { from: 0, to: 0, zerosBefore: 0, zerosAfter: 2 },
      clean4x: { from: 0, to: 0, zerosBefore: 0, zerosAfter: 16 },
    });
    expect(s1!.context.clean1x).toEqual({ from: 0, to: 1, zerosBefore: 0, zerosAfter: 0 });
    expect(s1!.context.clean4x).toEqual({ from: 3, to: 9, zerosBefore: 0, zerosAfter: 10 });
    expect(s2!.context.clean4x).toEqual({ from: 3, to: 18, zerosBefore: 0, zerosAfter: 1 });
    expect(s3!.context.clean4x).toEqual({ from: 3, to: 19, zerosBefore: 0, zerosAfter: 0 });
    expect(plan.sections.map((s) => [s.historyBefore, s.historyUpdate, s.prependsStartLatent])).toEqual([
      [0, 'prepend', false], [9, 'prepend', false], [18, 'prepend', false], [27, 'prepend', true],
    ]);
  });
  it('displays sections in reverse generation order and soft-appends new pixels first', () => {
    expect(plan.sections.map((s) => s.displayIndex)).toEqual([3, 2, 1, 0]);
    expect(plan.sections.map((s) => [s.decode.decodedFrames, s.decode.overlapFrames, s.decode.framesAdded])).toEqual([
      [33, 0, 33], [69, 33, 36], [69, 33, 36], [73, 33, 40],
    ]);
    expect(plan.sections.every((s) => s.decode.newPixelsFirst)).toBe(true);
  });
  it('N = 1 decodes 10 latents into 37 frames', () => {
    const one = planJob({ mode: 'inverted', seconds: 1, latentHeight: 80, latentWidth: 76 });
    expect(one.sections.length).toBe(1);
    const s = one.sections[0]!;
    expect([s.latentPadding, s.isLast, s.newLatentFrames, s.decode.decodedFrames, one.totalFrames]).toEqual([0, true, 10, 37, 37]);
  });
});

describe('planJob f1 (FRAMEPACK.md §9)', () => {
  const plan = planJob({ mode: 'f1', seconds: 5, latentHeight: 80, latentWidth: 76 });
  it('uses the fixed split [1, 16, 2, 1, ws]', () => {
    for (const s of plan.sections) {
      expect(s.indices.clean).toEqual([0, 19]);
      expect(s.indices.clean4x).toEqual(span(1, 16));
      expect(s.indices.clean2x).toEqual([17, 18]);
      expect(s.indices.latent).toEqual(span(20, 28));
      expect(s.indices.blank).toEqual([]);
    }
  });
  it('takes the most recent 19 history frames, zero-filled at the start', () => {
    const [s0, s1, s2] = plan.sections;
    // First section: history = [start]; 1× is the start latent, 2×/4× are zeros.
    expect(s0!.context).toEqual({
      cleanLead: 'start-latent',
      clean4x: { from: 0, to: 0, zerosBefore: 16, zerosAfter: 0 },
      clean2x: { from: 0, to: 0, zerosBefore: 2, zerosAfter: 0 },
      clean1x: { from: 0, to: 1, zerosBefore: 0, zerosAfter: 0 },
    });
    expect(s1!.context.clean4x).toEqual({ from: 0, to: 7, zerosBefore: 9, zerosAfter: 0 });
    expect(s1!.context.clean2x).toEqual({ from: 7, to: 9, zerosBefore: 0, zerosAfter: 0 });
    expect(s1!.context.clean1x).toEqual({ from: 9, to: 10, zerosBefore: 0, zerosAfter: 0 });
    expect(s2!.context.clean4x).toEqual({ from: 0, to: 16, zerosBefore: 0, zerosAfter: 0 });
    expect(plan.sections[3]!.context.clean4x).toEqual({ from: 9, to: 25, zerosBefore: 0, zerosAfter: 0 });
  });
  it('appends and writes _10 (37 f), _19 (73), _28 (109), _37 (145)', () => {
    expect(plan.sections.map((s) => [s.historyAfter, s.decode.totalFrames])).toEqual([[10, 37], [19, 73], [28, 109], [37, 145]]);
    expect(plan.sections.map((s) => [s.decode.from, s.decode.to, s.decode.decodedFrames])).toEqual([[0, 10, 37], [1, 19, 69], [10, 28, 69], [19, 37, 69]]);
    expect(plan.sections.map((s) => s.displayIndex)).toEqual([0, 1, 2, 3]);
    expect(plan.sections.every((s) => s.historyUpdate === 'append' && !s.decode.newPixelsFirst)).toBe(true);
  });
});

describe('planJob vanilla (the causal baseline: recent frames only)', () => {
  const f1 = planJob({ mode: 'f1', seconds: 5, latentHeight: 80, latentWidth: 76 });
  const plan = planJob({ mode: 'vanilla', seconds: 5, latentHeight: 80, latentWidth: 76 });
  const zeros = (n: number) => ({ from: 0, to: 0, zerosBefore: n, zerosAfter: 0 });
  it("puts both 1× frames right before the window and keeps F1's 2×/4× positions", () => {
    for (const s of plan.sections) {
      expect(s.indices.clean).toEqual([18, 19]);
      expect(s.indices.clean4x).toEqual(span(1, 16));
      expect(s.indices.clean2x).toEqual([17, 18]);
      expect(s.indices.latent).toEqual(span(20, 28));
      expect(s.indices.blank).toEqual([]);
    }
    expect(plan.sections[0]!.indices.clean).not.toEqual(f1.sections[0]!.indices.clean);
  });
  it('conditions on the two most recent latents only: no start anchor, 2×/4× always zero', () => {
    expect(plan.sections.map((s) => s.context)).toEqual([
      // history = [start]: the lead slot is zero, the 1× slot is the start latent.
      { cleanLead: zeros(1), clean1x: { from: 0, to: 1, zerosBefore: 0, zerosAfter: 0 }, clean2x: zeros(2), clean4x: zeros(16) },
      { cleanLead: { from: 8, to: 9, zerosBefore: 0, zerosAfter: 0 }, clean1x: { from: 9, to: 10, zerosBefore: 0, zerosAfter: 0 }, clean2x: zeros(2), clean4x: zeros(16) },
      { cleanLead: { from: 17, to: 18, zerosBefore: 0, zerosAfter: 0 }, clean1x: { from: 18, to: 19, zerosBefore: 0, zerosAfter: 0 }, clean2x: zeros(2), clean4x: zeros(16) },
      { cleanLead: { from: 26, to: 27, zerosBefore: 0, zerosAfter: 0 }, clean1x: { from: 27, to: 28, zerosBefore: 0, zerosAfter: 0 }, clean2x: zeros(2), clean4x: zeros(16) },
    ]);
    // F1 differs from the first section on: the start latent leads, 2×/4× fill with history.
    expect(f1.sections[1]!.context.clean4x).not.toEqual(plan.sections[1]!.context.clean4x);
    expect(plan.sections.every((s) => s.context.cleanLead !== 'start-latent')).toBe(true);
  });
  it('keeps F1 token budget, history growth, decode and frame accounting (a fair baseline)', () => {
    expect(plan.mode).toBe('vanilla');
    const strip = (p: typeof plan) => p.sections.map(({ context: _c, indices: _i, ...rest }) => rest);
    expect(strip(plan)).toEqual(strip(f1));
    expect([plan.totalFrames, plan.totalLatentFrames, plan.sectionCount]).toEqual([145, 37, 4]);
  });
});

describe('frame accounting', () => {
  it('36·N + 1 frames for both orders at ws = 9, 4·ws·N + 1 in general', () => {
    for (const seconds of [1, 2, 3, 5, 10, 60, 120]) {
      for (const mode of ['inverted', 'f1', 'vanilla'] as const) {
        const p = planJob({ mode, seconds, latentHeight: 80, latentWidth: 76 });
        expect(p.totalFrames).toBe(36 * p.sectionCount + 1);
        expect(p.totalLatentFrames).toBe(9 * p.sectionCount + 1);
        expect(p.sections.reduce((a, s) => a + s.decode.framesAdded, 0)).toBe(p.totalFrames);
        const q = planJob({ mode, seconds, latentHeight: 80, latentWidth: 76, latentWindowSize: 5 });
        expect(q.totalFrames).toBe(20 * q.sectionCount + 1);
      }
    }
    expect(planJob({ mode: 'inverted', seconds: 60, latentHeight: 80, latentWidth: 76 }).totalFrames).toBe(1801);
  });
});
