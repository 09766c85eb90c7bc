import { describe, expect, it } from 'vitest';
import { dequantizeNBits, nbitsBytes, nbitsShapes, quantizeNBits } from './matmul-nbits.js';

describe('MatMulNBits packing', () => {
  it('4-bit asymmetric: codes low nibble first, zero point from the range widened to 0, two blocks per zero-point byte', () => {
    // One row, K = 32, block 16: block 0 holds 0..15 (min 0, max 15 → scale 1, zp 0),
    // block 1 holds −8..7 (scale 1, zp 8).
    const w = Float32Array.from([...Array.from({ length: 16 }, (_, i) => i), ...Array.from({ length: 16 }, (_, i) => i - 8)]);
    const t = quantizeNBits(w, 1, 32, { bits: 4, blockSize: 16 });
    expect(Array.from(t.scales)).toEqual([1, 1]);
    expect(t.packed.length).toBe(16);
    expect(t.packed[0]).toBe(0x10); // elements 0 (low) and 1 (high)
    expect(t.packed[7]).toBe(0xfe); // elements 14 and 15
    expect(t.packed[8]).toBe(0x10); // block 1: −8 + 8 = 0, −7 + 8 = 1
    expect(Array.from(t.zeroPoints!)).toEqual([0x80]); // block 0's zp 0 low, block 1's zp 8 high
    expect(Array.from(dequantizeNBits(t, 1, 32, { bits: 4, blockSize: 16 }))).toEqual(Array.from(w));
  });

  it('8-bit: one byte per code, one zero point per block; a block of zeros gets scale 0', () => {
    const w = Float32Array.from([...new Array(16).fill(0), ...Array.from({ length: 16 }, (_, i) => (i - 3) * 0.5)]);
    const t = quantizeNBits(w, 1, 32, { bits: 8, blockSize: 16 });
    expect(t.scales[0]).toBe(0);
    expect(t.zeroPoints![0]).toBe(128);
    expect(t.packed[0]).toBe(128);
    // Block 1: min −1.5, max 6 → scale 7.5/255, zp round(1.5·255/7.5) = 51.
    expect(t.scales[1]).toBeCloseTo(7.5 / 255, 7);
    expect(t.zeroPoints![1]).toBe(51);
    expect(t.packed[16]).toBe(0); // −1.5 → code 0
    expect(t.packed[31]).toBe(255); // 6 → code 255
    const back = dequantizeNBits(t, 1, 32, { bits: 8, blockSize: 16 });
    for (let i = 0; i < 32; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(t.scales[1]! / 2 + 1e-7);
  });

  it('pads K to whole blocks with the zero point (dequantised padding is 0), per row', () => {
    const n = 3, k = 20;
    const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i) + 0.3);
    const o = { bits: 4 as const, blockSize: 16 };
    const s = nbitsShapes(n, k, o);
    expect(s).toMatchObject({ kBlocks: 2, blobBytes: 8, packedDims: [3, 2, 8], scalesDims: [6], zeroPointDims: [3, 1] });
    const t = quantizeNBits(w, n, k, o);
    for (let row = 0; row < n; row++) {
      const zp = t.zeroPoints![row]! >> 4; // block 1's zero point
      const blob = t.packed.subarray((row * 2 + 1) * 8, (row * 2 + 2) * 8);
      // Elements 20..31 of the row are padding: codes 4..15 of block 1 (bytes 2..7) equal zp.
      for (let i = 2; i < 8; i++) expect(blob[i]).toBe(zp | (zp << 4));
    }
    const back = dequantizeNBits(t, n, k, o);
    expect(back.length).toBe(n * k);
    expect(nbitsBytes(n, k, o, 4)).toBe(3 * 2 * 8 + 6 * 4 + 3);
  });

  it('4-bit zero points: an odd block count pads each row to a whole byte', () => {
    const s = nbitsShapes(5, 48, { bits: 4, blockSize: 16 });
    expect(s.zeroPointDims).toEqual([5, 2]);
    const w = Float32Array.from({ length: 5 * 48 }, (_, i) => (i % 7) - 1);
    const t = quantizeNBits(w, 5, 48, { bits: 4, blockSize: 16 });
    for (let row = 0; row < 5; row++) expect(t.zeroPoints![row * 2 + 1]! >> 4).toBe(0); // the unused nibble
  });

  it('symmetric: no zero points; the largest-magnitude value maps to code 0 exactly', () => {
    const w = Float32Array.from({ length: 16 }, (_, i) => (i === 5 ? -4 : i / 8));
    const t = quantizeNBits(w, 1, 16, { bits: 4, blockSize: 16, symmetric: true });
    expect(t.zeroPoints).toBeNull();
    expect(t.scales[0]).toBe(0.5); // −4 / −8
    expect((t.packed[2]! >> 4) & 0xf).toBe(0); // element 5 (high nibble of byte 2)
    expect(dequantizeNBits(t, 1, 16, { bits: 4, blockSize: 16, symmetric: true })[5]).toBe(-4);
  });

  it('rounds halves to even, as ORT\'s quantisers do', () => {
    // Range [0, 255] → scale 1, zp 0: codes are the values rounded.
    const w = new Float32Array(16);
    w.set([0, 2.5, 3.5, 4.5, -0, 254.5, 255, 1.5, 0.49]);
    const t = quantizeNBits(w, 1, 16, { bits: 8, blockSize: 16 });
    expect(t.scales[0]).toBe(1);
    expect(Array.from(t.packed.subarray(0, 9))).toEqual([0, 2, 4, 4, 0, 254, 255, 2, 0]);
  });

  it('rejects what ORT would reject', () => {
    expect(() => quantizeNBits(new Float32Array(32), 1, 32, { bits: 3 as 4, blockSize: 16 })).toThrow(/bits must be 4 or 8/);
    expect(() => quantizeNBits(new Float32Array(32), 1, 32, { bits: 4, blockSize: 8 })).toThrow(/power of two ≥ 16/);
    expect(() => quantizeNBits(new Float32Array(31), 1, 32, { bits: 4, blockSize: 16 })).toThrow(/31 values/);
  });
});
