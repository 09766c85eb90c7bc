import { describe, expect, it } from 'vitest';
import { roundToBf16 } from '../weights/float-convert.js';
import { diffusersEulerSigmas, distilledGuidanceValue, fluxMu, linspaceF32, noisySeqLen, sigmaSchedule, timestepForSigma } from './sigmas.js';

// FRAMEPACK.md §6.2, default schedule (25 steps, shift 7): σ_i and bf16(σ·1000).
const TABLE_6_2: Array<[number, number]> = [
  [1.0, 1000], [0.994083, 996], [0.98773, 988], [0.980892, 980], [0.97351, 972], [0.965517, 964],
  [0.956835, 956], [0.947368, 948], [0.937008, 936], [0.92562, 924], [0.913043, 912], [0.899083, 900],
  [0.883495, 884], [0.865979, 864], [0.846154, 848], [0.823529, 824], [0.797468, 796], [0.767123, 768],
  [0.731343, 732], [0.688525, 688], [0.636364, 636], [0.571429, 572], [0.488372, 488], [0.378378, 378],
  [0.225806, 226],
];

// torch 1.13 (AVX2 CPU) values of flux_time_shift(linspace(1, 0, 26), ln 7), as float32.
const TORCH_SHIFT7 = [
  1.0, 0.9940827488899231, 0.987730085849762, 0.9808917045593262, 0.9735099673271179, 0.9655172228813171,
  0.9568345546722412, 0.9473684430122375, 0.9370078444480896, 0.9256197810173035, 0.9130434989929199,
  0.8990825414657593, 0.8834951519966125, 0.8659794330596924, 0.8461538553237915, 0.8235294222831726,
  0.797468364238739, 0.767123281955719, 0.7313432693481445, 0.6885245442390442, 0.6363636255264282,
  0.5714285373687744, 0.4883720576763153, 0.37837839126586914, 0.22580644488334656, 0.0,
];

describe('linspaceF32', () => {
  it('matches torch.linspace float32 values, including where naive float math differs', () => {
    // torch 1.13 CPU values (see test/crosscheck/unipc.crosscheck.test.ts for n = 1..120).
    expect(Array.from(linspaceF32(1, 0, 10))).toEqual([1.0, 0.8888888955116272, 0.7777777910232544, 0.6666666865348816, 0.5555555820465088, 0.4444444477558136, 0.3333333432674408, 0.2222222238779068, 0.1111111119389534, 0.0]);
    expect(linspaceF32(1, 0, 14)[7]).toBe(0.46153849363327026);
    expect(Array.from(linspaceF32(1, 0, 73).subarray(0, 10))).toEqual([1.0, 0.9861111044883728, 0.9722222089767456, 0.9583333134651184, 0.9444444179534912, 0.9305555820465088, 0.9166666865348816, 0.9027777910232544, 0.8888888955116272, 0.875]);
    expect(linspaceF32(1, 0, 26)[20]).toBe(0.19999998807907104);
  });
});

describe('sigmaSchedule', () => {
  it('μ is capped at ln 7 for every ws=9 bucket', () => {
    for (const [h, w] of [[52, 120], [56, 108], [60, 104], [64, 96], [68, 88], [72, 84], [76, 80]] as const) {
      const s = sigmaSchedule({ steps: 25, latentFrames: 9, latentHeight: h, latentWidth: w });
      expect(s.mu).toBe(Math.log(7));
      expect(s.shift).toBeCloseTo(7, 12);
      expect(s.seqLen).toBe((9 * h * w) / 4);
    }
  });
  it('reproduces the 25-step table of FRAMEPACK.md §6.2 and torch bit for bit', () => {
    const { sigmas } = sigmaSchedule({ steps: 25, latentFrames: 9, latentHeight: 76, latentWidth: 80 });
    expect(sigmas.length).toBe(26);
    expect(Array.from(sigmas)).toEqual(TORCH_SHIFT7);
    TABLE_6_2.forEach(([sigma, bf16], i) => {
      expect(sigmas[i]!).toBeCloseTo(sigma, 6);
      expect(timestepForSigma(sigmas[i]!)).toBe(bf16);
      expect(roundToBf16(Math.fround(sigmas[i]! * 1000))).toBe(bf16);
    });
    expect(sigmas[25]).toBe(0);
  });
  it('gives the shifts 2.04, 2.64, 3.42, 4.42, 5.72 for ws 1..5 at 608x640', () => {
    const shifts = [1, 2, 3, 4, 5].map((ws) => sigmaSchedule({ steps: 25, latentFrames: ws, latentHeight: 76, latentWidth: 80 }).shift);
    expect(shifts.map((s) => s.toFixed(2))).toEqual(['2.04', '2.64', '3.42', '4.42', '5.72']);
    expect(sigmaSchedule({ steps: 25, latentFrames: 6, latentHeight: 76, latentWidth: 80 }).shift).toBeCloseTo(7, 12);
  });
  it('uses μ = ln(shift) for an explicit shift', () => {
    const s = sigmaSchedule({ steps: 4, latentFrames: 9, latentHeight: 76, latentWidth: 80, shift: 3 });
    expect(s.mu).toBe(Math.log(3));
    expect(s.sigmas[2]).toBeCloseTo((3 * 0.5) / (1 + 2 * 0.5), 6);
  });
  it('k, b and the cap threshold', () => {
    expect(fluxMu(256)).toBeCloseTo(0.5, 15);
    expect(fluxMu(4096)).toBeCloseTo(1.15, 15);
    const k = 0.65 / 3840;
    expect((Math.log(7) - (0.5 - 256 * k)) / k).toBeCloseTo(8797.6, 0);
    expect(noisySeqLen(9, 80, 76)).toBe(13680);
  });
});

describe('bf16 inputs', () => {
  it('distilled guidance 10 → 9984, timestep of σ₀ → 1000', () => {
    expect(distilledGuidanceValue(10)).toBe(9984);
    expect(distilledGuidanceValue(6)).toBe(6016);
    expect(timestepForSigma(1)).toBe(1000);
  });
});

describe('diffusersEulerSigmas', () => {
  it('shifts linspace(1, 0, n+1)[:-1] and appends 0', () => {
    const s = diffusersEulerSigmas(25, Math.log(7));
    expect(s.length).toBe(26);
    expect(s[0]).toBe(1);
    expect(s[25]).toBe(0);
    const official = sigmaSchedule({ steps: 25, latentFrames: 9, latentHeight: 76, latentWidth: 80 }).sigmas;
    for (let i = 0; i < 26; i++) expect(s[i]).toBeCloseTo(official[i]!, 6);
    expect(s[1]).toBeCloseTo((7 * 0.96) / (1 + 6 * 0.96), 6);
  });
});
