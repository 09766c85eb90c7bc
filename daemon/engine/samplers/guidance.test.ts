import { describe, expect, it } from 'vitest';
import { roundToBf16 } from '../../weights/float-convert.js';
import { makeDenoiser, rescaleGuidance, roundArrayToBf16, stdUnbiased, type VelocityCall } from './guidance.js';

describe('roundArrayToBf16', () => {
  it('matches roundToBf16 element by element, ties to even', () => {
    const v = Float32Array.of(1, 1.00390625, 1.01171875, -3.14159, 1e-20, 65504, 0, -0, 0.1);
    expect(Array.from(roundArrayToBf16(v))).toEqual(Array.from(v, (x) => roundToBf16(x)));
    expect(roundArrayToBf16(Float32Array.of(1.00390625))[0]).toBe(1); // halfway → even
    expect(Number.isNaN(roundArrayToBf16(Float32Array.of(NaN))[0])).toBe(true);
    expect(roundArrayToBf16(Float32Array.of(Infinity))[0]).toBe(Infinity);
  });
});

describe('stdUnbiased / rescaleGuidance', () => {
  it('uses the n − 1 denominator like torch.std', () => {
    expect(stdUnbiased(Float32Array.of(1, 2, 3, 4))).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
  it('rs = 0 leaves v_cfg; rs = 1 rescales it to std(v_pos)', () => {
    const pos = Float32Array.of(1, -1, 2, -2);
    const cfg = Float32Array.of(3, -3, 6, -6);
    expect(Array.from(rescaleGuidance(Float32Array.from(cfg), pos, 0))).toEqual(Array.from(cfg));
    const close = (a: Float32Array, b: number[]) => b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
    close(rescaleGuidance(Float32Array.from(cfg), pos, 1), [1, -1, 2, -2]);
    close(rescaleGuidance(Float32Array.from(cfg), pos, 0.5), [2, -2, 4, -4]);
  });
});

describe('makeDenoiser (fm_wrapper)', () => {
  it('cfg = 1: one call, bf16 input, bf16 timestep/guidance, x0 = x_bf16 − v·σ', async () => {
    const calls: Array<{ x: number[]; sigma: number; call: VelocityCall }> = [];
    const den = makeDenoiser(async (x, sigma, call) => { calls.push({ x: Array.from(x), sigma, call }); return Float32Array.of(0.5, -0.25); }, { distilledGuidance: 10, cfg: 1, rescale: 0 });
    const sigma = 0.9940827488899231;
    const x0 = await den(Float32Array.of(1.00390625, 0.1), sigma, 1);
    expect(calls.length).toBe(1);
    expect(calls[0]!.x).toEqual([1, roundToBf16(0.1)]);
    expect(calls[0]!.call).toEqual({ timestep: 996, guidance: 9984, branch: 'positive', stepIndex: 1 });
    expect(x0[0]).toBe(Math.fround(1 - Math.fround(0.5 * sigma)));
    expect(x0[1]).toBe(Math.fround(roundToBf16(0.1) + Math.fround(0.25 * sigma)));
  });
  it('cfg > 1: negative branch, v = v_neg + cfg·(v_pos − v_neg)', async () => {
    const branches: string[] = [];
    const den = makeDenoiser(async (_x, _s, call) => { branches.push(call.branch); return call.branch === 'positive' ? Float32Array.of(1, 2) : Float32Array.of(0.5, 1); }, { distilledGuidance: 10, cfg: 3, rescale: 0 });
    const x0 = await den(Float32Array.of(0, 0), 0.5, 0);
    expect(branches).toEqual(['positive', 'negative']);
    expect(Array.from(x0)).toEqual([-(0.5 + 3 * 0.5) * 0.5, -(1 + 3 * 1) * 0.5]);
  });
  it('x0From fp32 subtracts from the unrounded latent (diffusers-style velocity stepping)', async () => {
    const den = makeDenoiser(async () => Float32Array.of(0), { distilledGuidance: 6, cfg: 1, rescale: 0, x0From: 'fp32' });
    expect(Array.from(await den(Float32Array.of(0.1), 0.5, 0))).toEqual([Math.fround(0.1)]);
  });
});
