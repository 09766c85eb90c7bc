import { describe, expect, it } from 'vitest';
import { axisFrequencies, packedRope, packedTokenCounts, padAndPool, ropeGrid, type RopeSettings } from './rope.js';

const full: RopeSettings = { axesDim: [16, 56, 56], theta: 256 };
const tiny: RopeSettings = { axesDim: [8, 12, 12], theta: 256 };

/** Value of the table at (frame position t, y, x) for channel c, computed from the definition. */
function direct(s: RopeSettings, t: number, y: number, x: number, c: number): [number, number] {
  const [dt, dy] = s.axesDim;
  const [pos, dim, local] = c < dt ? [t, dt, c] : c < dt + dy ? [y, dy, c - dt] : [x, s.axesDim[2], c - dt - dy];
  const k = Math.floor(local / 2);
  const angle = pos * Math.pow(s.theta, -2 * k / dim);
  return [Math.cos(angle), Math.sin(angle)];
}

describe('ropeGrid', () => {
  it('has the official frequencies theta^(-2k/d)', () => {
    const f = axisFrequencies(16, 256);
    expect(f[0]).toBe(1);
    expect(f[1]).toBeCloseTo(Math.pow(256, -2 / 16), 15);
    expect(f.length).toBe(8);
  });

  it('holds [t ‖ y ‖ x] channels with interleaved duplicate frequencies, rows t-major then y, x', () => {
    const frames = [20, 21, 22];
    const gh = 4, gw = 5;
    const table = ropeGrid(full, frames, gh, gw);
    expect(table.tokens).toBe(3 * 4 * 5);
    expect(table.headDim).toBe(128);
    // row of (frame 21, y 3, x 2)
    const row = (1 * gh + 3) * gw + 2;
    const at = (c: number) => [table.cos[row * 128 + c]!, table.sin[row * 128 + c]!];
    expect(at(0)[0]).toBeCloseTo(Math.cos(21), 6); // t, k = 0 → angle 21
    expect(at(1)[1]).toBeCloseTo(Math.sin(21), 6); // pair partner repeats it
    expect(at(16)[0]).toBeCloseTo(Math.cos(3), 6); // y, k = 0 → angle 3
    expect(at(18)[1]).toBeCloseTo(Math.sin(3 * Math.pow(256, -2 / 56)), 6); // y, k = 1
    expect(at(72)[0]).toBeCloseTo(Math.cos(2), 6); // x, k = 0 → angle 2
    for (let c = 0; c < 128; c++) {
      const [cs, sn] = direct(full, 21, 3, 2, c);
      expect(at(c)[0]).toBeCloseTo(cs, 6);
      expect(at(c)[1]).toBeCloseTo(sn, 6);
    }
  });
});

describe('padAndPool (replicate pad + avg pool, as pad_for_3d_conv + center_down_sample_3d)', () => {
  /** Mean over each k-block of the values at clamped (replicate-padded) positions, straight from angles. */
  function directPooled(s: RopeSettings, frames: number[], gh: number, gw: number, k: number) {
    const [pt, ph, pw] = [Math.ceil(frames.length / k), Math.ceil(gh / k), Math.ceil(gw / k)];
    const d = s.axesDim[0] + s.axesDim[1] + s.axesDim[2];
    const cos: number[] = [], sin: number[] = [];
    for (let t = 0; t < pt; t++) for (let y = 0; y < ph; y++) for (let x = 0; x < pw; x++) {
      for (let c = 0; c < d; c++) {
        let sc = 0, ss = 0;
        for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let e = 0; e < k; e++) {
          const [vc, vs] = direct(s, frames[Math.min(t * k + a, frames.length - 1)]!, Math.min(y * k + b, gh - 1), Math.min(x * k + e, gw - 1), c);
          sc += vc; ss += vs;
        }
        cos.push(sc / k ** 3); sin.push(ss / k ** 3);
      }
    }
    return { tokens: pt * ph * pw, cos, sin };
  }

  for (const [k, frames, gh, gw] of [[2, [17, 18], 5, 7], [4, [1, 2, 3, 4, 5, 6], 5, 7], [4, Array.from({ length: 16 }, (_, i) => i + 1), 8, 4]] as const) {
    it(`matches a direct computation for k=${k}, ${frames.length} frames on a ${gh}×${gw} grid`, () => {
      const got = padAndPool(ropeGrid(tiny, [...frames], gh, gw), frames.length, gh, gw, [k, k, k]);
      const want = directPooled(tiny, [...frames], gh, gw, k);
      expect(got.tokens).toBe(want.tokens);
      let err = 0;
      for (let i = 0; i < want.cos.length; i++) err = Math.max(err, Math.abs(got.cos[i]! - want.cos[i]!), Math.abs(got.sin[i]! - want.sin[i]!));
      expect(err).toBeLessThan(1e-6);
    });
  }

  it('averages values, not angles (the pooled pair is no longer a unit rotation)', () => {
    const pooled = padAndPool(ropeGrid(tiny, [0, 3], 2, 2), 2, 2, 2, [2, 2, 2]);
    const c = pooled.cos[0]!, s = pooled.sin[0]!; // t channel, angles 0 and 3
    expect(c).toBeCloseTo((1 + Math.cos(3)) / 2, 6);
    expect(c * c + s * s).toBeLessThan(0.99);
  });
});

describe('packedRope', () => {
  it('orders rows [4×, 2×, clean, noisy] and matches the conv token counts', () => {
    const idx = { latent: [10, 11, 12], clean: [0, 13], clean2x: [8, 9], clean4x: [1, 2, 3, 4, 5, 6, 7] };
    const table = packedRope(tiny, idx, 10, 14);
    const n = packedTokenCounts(idx, 10, 14);
    expect(n).toMatchObject({ clean4x: 2 * 2 * 2, clean2x: 1 * 3 * 4, clean: 2 * 35, noisy: 3 * 35 });
    expect(table.tokens).toBe(n.total);
    const noisy = ropeGrid(tiny, idx.latent, 5, 7);
    expect(Array.from(table.cos.slice(-noisy.cos.length))).toEqual(Array.from(noisy.cos));
    const first4x = padAndPool(ropeGrid(tiny, idx.clean4x, 5, 7), 7, 5, 7, [4, 4, 4]);
    expect(Array.from(table.sin.slice(0, first4x.sin.length))).toEqual(Array.from(first4x.sin));
  });

  it('reproduces the token counts of every official bucket (FRAMEPACK.md §5.2)', () => {
    const idx = { latent: Array(9).fill(0), clean: [0, 0], clean2x: [0, 0], clean4x: Array(16).fill(0) };
    const buckets: [number, number, number, number, number, number][] = [
      [416, 960, 14040, 3120, 390, 420], [448, 864, 13608, 3024, 378, 392], [480, 832, 14040, 3120, 390, 416],
      [512, 768, 13824, 3072, 384, 384], [544, 704, 13464, 2992, 374, 396], [576, 672, 13608, 3024, 378, 396],
      [608, 640, 13680, 3040, 380, 400],
    ];
    for (const [h, w, noisy, clean, x2, x4] of buckets) {
      for (const [ph, pw] of [[h, w], [w, h]]) {
        expect(packedTokenCounts(idx, ph! / 8, pw! / 8)).toMatchObject({ noisy, clean, clean2x: x2, clean4x: x4 });
      }
    }
  });
});
