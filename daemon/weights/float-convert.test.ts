import { describe, expect, it } from 'vitest';
import { convertFloatBytes, floatToBf16Bits, floatToHalfBits, fromFloat32, halfBitsToFloat, roundToBf16, toFloat32, transpose2d } from './float-convert.js';

describe('float conversions', () => {
  it('rounds to bfloat16 as torch does (FRAMEPACK.md §6 values)', () => {
    expect(roundToBf16(10 * 1000)).toBe(9984);
    expect(roundToBf16(994.083)).toBe(996);
    expect(roundToBf16(987.73)).toBe(988);
    expect(roundToBf16(980.892)).toBe(980);
    expect(roundToBf16(1000)).toBe(1000);
  });

  it('rounds bf16 ties to even', () => {
    // 1 + 2^-8 is exactly halfway between bf16 1 and 1 + 2^-7: ties go to the even mantissa (1)
    expect(roundToBf16(1 + 2 ** -8)).toBe(1);
    expect(roundToBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(floatToBf16Bits(NaN)).toBe(0x7fc0);
  });

  it('encodes and decodes IEEE half, including subnormals and overflow', () => {
    expect(floatToHalfBits(1)).toBe(0x3c00);
    expect(floatToHalfBits(-2)).toBe(0xc000);
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(70000)).toBe(0x7c00);
    expect(halfBitsToFloat(0x0001)).toBe(2 ** -24);
    expect(floatToHalfBits(2 ** -24)).toBe(0x0001);
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(halfBitsToFloat(floatToHalfBits(0.1))).toBeCloseTo(0.1, 4);
  });

  it('converts whole buffers between fp32, fp16 and bf16', () => {
    const values = Float32Array.from([0, 1, -1.5, 3.140625, 1e-3, -65504]);
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const back = toFloat32(fromFloat32(values, dtype), dtype);
      const relTol = dtype === 'float16' ? 2 ** -11 : 2 ** -8; // half an ulp of the mantissa
      for (let i = 0; i < values.length; i++) expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * relTol + 1e-7);
    }
    const bf = fromFloat32(Float32Array.from([2.5]), 'bfloat16');
    expect(toFloat32(convertFloatBytes(bf, 'bfloat16', 'float16'), 'float16')[0]).toBe(2.5);
  });

  it('transposes a [2,3] matrix for 4- and 2-byte elements', () => {
    const m = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const t = new Float32Array(transpose2d(new Uint8Array(m.buffer), 2, 3, 4).buffer);
    expect(Array.from(t)).toEqual([1, 4, 2, 5, 3, 6]);
    const h = fromFloat32(m, 'float16');
    expect(Array.from(toFloat32(transpose2d(h, 2, 3, 2), 'float16'))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
