// Cross-checks daemon/media/pil-resample.ts and resizeAndCrop against real Pillow
// (scripts/reference/pil_resample_ref.py under /usr/bin/python3; Debian package python3-pil).
// Run: npx vitest run test/crosscheck/pil-resample.crosscheck.test.ts
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nearestBucket, resizeCropPlan } from '../../daemon/engine/buckets.js';
import { resizeAndCrop } from '../../daemon/media/image-input.js';
import { pilResize, type PilFilter } from '../../daemon/media/pil-resample.js';
import type { RgbImage } from '../../daemon/media/pixels.js';
import { SeededRandom } from '../../daemon/weights/seeded.js';
import { REFERENCE_PYTHON } from './harness.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/reference/pil_resample_ref.py');

/** Smooth gradients, hard checkerboard edges and noise: everything a resampler can get wrong. */
function testImage(width: number, height: number, seed: number): RgbImage {
  const rng = new SeededRandom(seed);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = Math.round(127.5 + 127.5 * Math.sin(x / 17 + y / 23));
      rgb[i + 1] = ((x >> 3) + (y >> 3)) & 1 ? 240 : 10;
      rgb[i + 2] = Math.floor(rng.uniform() * 256);
    }
  }
  return { width, height, rgb };
}

interface Case {
  name: string;
  image: RgbImage;
  op: 'resize' | 'center_crop';
  outWidth: number;
  outHeight: number;
  filter?: PilFilter;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fp-pil-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pillow(cases: Case[]): Promise<{ version: string; outputs: Uint8Array[] }> {
  await Promise.all(cases.map((c) => writeFile(path.join(dir, `${c.name}.in.raw`), c.image.rgb)));
  const request = {
    dir,
    cases: cases.map((c) => ({ name: c.name, width: c.image.width, height: c.image.height, op: c.op, outWidth: c.outWidth, outHeight: c.outHeight, filter: c.filter })),
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(REFERENCE_PYTHON, [SCRIPT], { timeout: 120_000 }, (err, out, stderr) => {
      if (err) {
        const hint = /No module named 'PIL'/.test(stderr) ? ' (install Debian python3-pil, as .ci/run must)' : '';
        reject(new Error(`${err.message}${hint}\n${stderr}`));
      } else resolve(out);
    });
    child.stdin!.end(JSON.stringify(request));
  });
  const outputs = await Promise.all(cases.map(async (c) => new Uint8Array(await readFile(path.join(dir, `${c.name}.out.raw`)))));
  return { version: (JSON.parse(stdout) as { pillow: string }).pillow, outputs };
}

function compare(ours: Uint8Array, theirs: Uint8Array): { maxAbs: number; differing: number } {
  expect(ours.length).toBe(theirs.length);
  let maxAbs = 0;
  let differing = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - theirs[i]!);
    if (d) differing++;
    maxAbs = Math.max(maxAbs, d);
  }
  return { maxAbs, differing };
}

describe('PIL resampling vs Pillow', () => {
  it('pilResize is bit-exact for lanczos, bicubic and bilinear, up and down, and resizeAndCrop matches the demo', async () => {
    const cases: Case[] = [
      { name: 'down-lanczos', image: testImage(157, 93, 1), op: 'resize', outWidth: 64, outHeight: 40, filter: 'lanczos' },
      { name: 'up-lanczos', image: testImage(50, 50, 2), op: 'resize', outWidth: 64, outHeight: 64, filter: 'lanczos' },
      { name: 'mixed-lanczos', image: testImage(80, 30, 3), op: 'resize', outWidth: 41, outHeight: 77, filter: 'lanczos' },
      { name: 'width-only', image: testImage(60, 20, 4), op: 'resize', outWidth: 33, outHeight: 20, filter: 'lanczos' },
      { name: 'height-only', image: testImage(20, 60, 5), op: 'resize', outWidth: 20, outHeight: 35, filter: 'lanczos' },
      { name: 'siglip-bicubic', image: testImage(96, 64, 6), op: 'resize', outWidth: 384, outHeight: 384, filter: 'bicubic' },
      { name: 'down-bicubic', image: testImage(211, 97, 7), op: 'resize', outWidth: 50, outHeight: 31, filter: 'bicubic' },
      { name: 'bilinear', image: testImage(70, 45, 8), op: 'resize', outWidth: 100, outHeight: 20, filter: 'bilinear' },
    ];
    // The demo's geometry on real buckets: a 16:9 photo down to 832×480, a 512² image UP to
    // 640×640 then cropped to 608 wide, a portrait photo.
    const crops: [number, number][] = [[640, 360], [512, 512], [300, 400]];
    for (const [w, h] of crops) {
      const b = nearestBucket(h, w);
      cases.push({ name: `crop-${w}x${h}`, image: testImage(w, h, w + h), op: 'center_crop', outWidth: b.widthPx, outHeight: b.heightPx });
    }
    const ref = await pillow(cases);
    const report: string[] = [];
    for (const [i, c] of cases.entries()) {
      const ours =
        c.op === 'resize'
          ? pilResize(c.image, c.outWidth, c.outHeight, c.filter!)
          : await resizeAndCrop(c.image, resizeCropPlan(c.image.width, c.image.height, { widthPx: c.outWidth, heightPx: c.outHeight }));
      expect([ours.width, ours.height]).toEqual([c.outWidth, c.outHeight]);
      const { maxAbs, differing } = compare(ours.rgb, ref.outputs[i]!);
      report.push(`${c.name} ${maxAbs}/${differing}`);
      expect({ case: c.name, maxAbs }).toEqual({ case: c.name, maxAbs: 0 });
    }
    console.log(`pil-resample vs Pillow ${ref.version} (case maxAbs/differing bytes): ${report.join(', ')}`);
  });
});
