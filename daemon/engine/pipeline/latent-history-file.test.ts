import { describe, expect, it } from 'vitest';
import { floatToHalfBits as toHalf, halfBitsToFloat as fromHalf } from '../../weights/float-convert.js';
import { decodeLatentHistory, encodeLatentHistory, latentsPathFor } from './latent-history-file.js';

const header = { channels: 2, height: 2, width: 3, videoFrames: 5, fps: 30, bucket: { width: 24, height: 16 }, model: 'framepack-tiny' };

describe('latent history file', () => {
  it('rounds to IEEE half exactly on known values', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(2 ** -24)).toBe(0x0001);
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (const h of [0x0000, 0x0001, 0x03ff, 0x0400, 0x3555, 0x3c00, 0x7bff, 0xbc00, 0xfbff]) expect(toHalf(fromHalf(h))).toBe(h);
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
  });

  it('round-trips frames within half precision and keeps the header', () => {
    const frames = [0, 1].map((f) => Float32Array.from({ length: 12 }, (_, i) => Math.sin(f * 12 + i) * 7.3));
    const bytes = encodeLatentHistory(frames, header);
    const back = decodeLatentHistory(bytes);
    expect(back.header).toEqual({ ...header, frames: 2, dtype: 'float16' });
    back.frames.forEach((fr, f) => fr.forEach((v, i) => expect(Math.abs(v - frames[f]![i]!)).toBeLessThanOrEqual(Math.abs(frames[f]![i]!) * 2 ** -11 + 1e-7)));
    // 2 bytes per value after the two header lines.
    expect(bytes.length - Buffer.from(bytes).indexOf(0x0a, Buffer.from(bytes).indexOf(0x0a) + 1) - 1).toBe(2 * 12 * 2);
  });

  it('names what is wrong with a damaged file', () => {
    const bytes = encodeLatentHistory([new Float32Array(12)], header);
    expect(() => decodeLatentHistory(bytes.subarray(0, bytes.length - 2), 'x.latents')).toThrow('x.latents has 22 data bytes, expected 24 (truncated?)');
    expect(() => decodeLatentHistory(Buffer.from('hello\n{}\n'), 'y')).toThrow('y is not a framepack latents file');
    expect(() => encodeLatentHistory([new Float32Array(5)], header)).toThrow(/frame 0 has 5 values/);
  });

  it('sits next to the video', () => {
    expect(latentsPathFor('/out/a_seed1.mp4')).toBe('/out/a_seed1.latents');
  });
});
