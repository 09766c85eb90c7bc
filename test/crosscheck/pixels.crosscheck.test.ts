// Cross-checks daemon/media/pixels.ts (soft append of decoded sections, float → uint8 video bytes)
// against torch (scripts/reference/pixels_ref.py, Debian python3-torch 1.13).
// Run: npx vitest run test/crosscheck/pixels.crosscheck.test.ts
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../daemon/weights/seeded.js';
import { decodedToByte, imageToVaeInput, softAppend, videoToRgbFrames, type PixelVideo } from '../../daemon/media/pixels.js';
import { REFERENCE_PYTHON } from './harness.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/reference/pixels_ref.py');

interface Reference {
  cases: { blend: number[]; bytes32: number[]; bytes16: number[] }[];
  values: number[];
  normalised: number[];
}

function reference(request: unknown): Promise<Reference> {
  return new Promise((resolve, reject) => {
    const child = execFile(REFERENCE_PYTHON, [SCRIPT], { maxBuffer: 256 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Reference);
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

/** Decoder-like values: mostly inside [−1, 1], some outside to exercise the clamp. */
function randomVideo(rng: SeededRandom, frames: number, height: number, width: number): PixelVideo {
  const data = new Float32Array(3 * frames * height * width);
  for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() * 2 - 1) * 1.15;
  return { frames, height, width, data };
}

describe('pixels vs torch', () => {
  it('soft append (float32), the uint8 conversion and the VAE input normalisation match torch exactly', async () => {
    const rng = new SeededRandom(2024);
    const cases = [
      // The official section overlap: 33 frames between a 73-frame decode and a 69-frame history.
      { earlier: randomVideo(rng, 73, 4, 6), later: randomVideo(rng, 69, 4, 6), overlap: 33 },
      // An overlap whose linspace steps are not powers of two.
      { earlier: randomVideo(rng, 12, 3, 5), later: randomVideo(rng, 9, 3, 5), overlap: 7 },
      { earlier: randomVideo(rng, 3, 2, 2), later: randomVideo(rng, 4, 2, 2), overlap: 0 },
    ];
    const values = [-1, 1, 0, -2, 2, 0.5, 0.9999, -0.99999, ...Array.from({ length: 4000 }, () => (rng.uniform() * 2 - 1) * 1.01)].map(Math.fround);
    const ref = await reference({
      cases: cases.map((c) => ({ overlap: c.overlap, earlier: { ...c.earlier, data: Array.from(c.earlier.data) }, later: { ...c.later, data: Array.from(c.later.data) } })),
      values,
    });

    expect(values.map(decodedToByte)).toEqual(ref.values);
    const allBytes = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3)); // pixel p = (p, p, p)
    expect(Array.from(imageToVaeInput({ width: 256, height: 1, rgb: allBytes }).subarray(0, 256))).toEqual(ref.normalised);
    let worstBlend = 0;
    let bytes16Differ = 0;
    let bytes16Worst = 0;
    let bytesTotal = 0;
    cases.forEach((c, k) => {
      const ours = softAppend(c.earlier, c.later, c.overlap);
      const theirs = ref.cases[k]!;
      expect(ours.data.length).toBe(theirs.blend.length);
      for (let i = 0; i < ours.data.length; i++) worstBlend = Math.max(worstBlend, Math.abs(ours.data[i]! - theirs.blend[i]!));
      const bytes = Buffer.concat([...videoToRgbFrames(ours)]);
      expect(Array.from(bytes)).toEqual(theirs.bytes32);
      for (let i = 0; i < bytes.length; i++) {
        const d = Math.abs(bytes[i]! - theirs.bytes16[i]!);
        if (d) bytes16Differ++;
        bytes16Worst = Math.max(bytes16Worst, d);
      }
      bytesTotal += bytes.length;
    });
    console.log(
      `pixels: soft-append max abs err ${worstBlend} (float32); vs the official float16 blend ${bytes16Differ}/${bytesTotal} bytes differ, by at most ${bytes16Worst}`,
    );
    expect(worstBlend).toBe(0);
    // fp16 inputs and arithmetic move some truncated bytes; never by more than a couple of levels.
    expect(bytes16Worst).toBeLessThanOrEqual(2);
  });
});
