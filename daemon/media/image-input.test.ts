import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resizeCropPlan } from '../engine/buckets.js';
import { encodePng, InputImageError, loadInputImage, resizeAndCrop, resizeExact, savePng } from './image-input.js';
import type { RgbImage } from './pixels.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fp-image-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const px = (img: RgbImage, x: number, y: number): number[] => Array.from(img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

/** A solid-block image: colour(x, y) for every pixel. */
function blocks(width: number, height: number, colour: (x: number, y: number) => [number, number, number]): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set(colour(x, y), (y * width + x) * 3);
  return { width, height, rgb };
}

/** A PNG with a valid IHDR claiming widthPx × heightPx and no pixel data: a header-only bomb. */
function pngHeaderOnly(widthPx: number, heightPx: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(widthPx, 0);
  ihdr.writeUInt32BE(heightPx, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(4))), chunk('IEND', Buffer.alloc(0))]);
}

describe('loadInputImage', () => {
  it('reads a PNG to rgb24 HWC', async () => {
    const img = blocks(6, 4, (x, y) => [x * 40, y * 60, 200]);
    const file = path.join(dir, 'plain.png');
    await writeFile(file, await encodePng(img));
    const loaded = await loadInputImage(file);
    expect([loaded.width, loaded.height, loaded.format, loaded.hadAlpha]).toEqual([6, 4, 'png', false]);
    expect(Buffer.from(loaded.rgb).equals(Buffer.from(img.rgb))).toBe(true);
  });

  it('honours EXIF orientation 6 (rotate 90° clockwise): dims swap, top-left goes top-right', async () => {
    // 64×32 landscape: left half red, right half blue. Displayed upright it is 32×64 portrait
    // with red on top (the source's left edge becomes the displayed top edge).
    const img = blocks(64, 32, (x) => (x < 32 ? [255, 0, 0] : [0, 0, 255]));
    const file = path.join(dir, 'rotated.jpg');
    await sharp(img.rgb, { raw: { width: 64, height: 32, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(file);
    expect((await sharp(file).metadata()).orientation).toBe(6);
    const loaded = await loadInputImage(file);
    expect([loaded.width, loaded.height, loaded.exifOrientation]).toEqual([32, 64, 6]);
    const top = px(loaded, 16, 8);
    const bottom = px(loaded, 16, 56);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(50);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(50);
  });

  describe('alpha', () => {
    // 3×1 RGBA: transparent red, half-transparent blue, opaque green.
    const rgba = Uint8Array.from([255, 0, 0, 0, 0, 0, 255, 128, 0, 255, 0, 255]);
    let file: string;
    beforeAll(async () => {
      file = path.join(dir, 'alpha.png');
      await sharp(rgba, { raw: { width: 3, height: 1, channels: 4 } }).png().toFile(file);
    });

    it('flattens onto black by default', async () => {
      const img = await loadInputImage(file);
      expect(img.hadAlpha).toBe(true);
      expect(img.rgb.length).toBe(9);
      expect(px(img, 0, 0)).toEqual([0, 0, 0]);
      expect(px(img, 1, 0)[2]).toBeGreaterThanOrEqual(127);
      expect(px(img, 1, 0)[2]).toBeLessThanOrEqual(129);
      expect(px(img, 2, 0)).toEqual([0, 255, 0]);
    });

    it('flattens onto white on request', async () => {
      const img = await loadInputImage(file, { alpha: 'white' });
      expect(px(img, 0, 0)).toEqual([255, 255, 255]);
      expect(px(img, 1, 0)[0]).toBeGreaterThanOrEqual(126);
      expect(px(img, 1, 0)[0]).toBeLessThanOrEqual(128);
      expect(px(img, 2, 0)).toEqual([0, 255, 0]);
    });

    it("discards alpha like PIL convert('RGB') on request", async () => {
      const img = await loadInputImage(file, { alpha: 'discard' });
      expect(Array.from(img.rgb)).toEqual([255, 0, 0, 0, 0, 255, 0, 255, 0]);
    });
  });

  it('reads greyscale as three equal channels', async () => {
    const file = path.join(dir, 'grey.png');
    await sharp(Uint8Array.from([10, 200]), { raw: { width: 2, height: 1, channels: 1 } }).png().toFile(file);
    const img = await loadInputImage(file);
    expect(Array.from(img.rgb)).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const file = path.join(dir, 'bomb.png');
    await writeFile(file, pngHeaderOnly(30000, 30000));
    const err = await loadInputImage(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputImageError);
    expect((err as Error).message).toMatch(/bomb\.png: image is 30000x30000 = 900000000 pixels, over the limit of 67108864/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('applies a custom maxPixels', async () => {
    const file = path.join(dir, 'small.png');
    await writeFile(file, await encodePng(blocks(20, 20, () => [1, 2, 3])));
    await expect(loadInputImage(file, { maxPixels: 399 })).rejects.toThrow(/over the limit of 399/);
    await expect(loadInputImage(file, { maxPixels: 400 })).resolves.toMatchObject({ width: 20, height: 20 });
  });

  it('refuses a text file named .png, a missing file, a directory and an empty file, in one line each', async () => {
    const fake = path.join(dir, 'fake.png');
    await writeFile(fake, 'this is not an image\n');
    const empty = path.join(dir, 'empty.png');
    await writeFile(empty, '');
    const cases: [string, RegExp][] = [
      [fake, /fake\.png: not a readable image \(/],
      [path.join(dir, 'missing.png'), /missing\.png: file not found$/],
      [dir, /: not a regular file$/],
      [empty, /empty\.png: file is empty$/],
    ];
    for (const [file, pattern] of cases) {
      const err = await loadInputImage(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputImageError);
      expect((err as InputImageError).filePath).toBe(file);
      expect((err as Error).message).toMatch(pattern);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('refuses a truncated PNG with a decode error', async () => {
    const good = await encodePng(blocks(64, 64, (x, y) => [x * 4, y * 4, (x * y) & 255]));
    const file = path.join(dir, 'truncated.png');
    await writeFile(file, good.subarray(0, Math.floor(good.length / 2)));
    await expect(loadInputImage(file)).rejects.toThrow(InputImageError);
  });
});

describe('resizeAndCrop with the official plan (engine/buckets.ts resizeCropPlan)', () => {
  it('resizes with lanczos3 and centre-crops to the bucket', async () => {
    // 120×40 input into a 48 wide × 32 high bucket: scale = max(48/120, 32/40) = 0.8 → 96×32,
    // crop box x ∈ [24, 72). Columns: red for x < 60, blue from 60: the boundary lands at 48 → 24.
    const img = blocks(120, 40, (x) => (x < 60 ? [255, 0, 0] : [0, 0, 255]));
    const plan = resizeCropPlan(120, 40, { heightPx: 32, widthPx: 48 });
    expect([plan.resizedWidthPx, plan.resizedHeightPx, plan.cropBox.left, plan.cropBox.right]).toEqual([96, 32, 24, 72]);
    const out = await resizeAndCrop(img, plan);
    expect([out.width, out.height, out.rgb.length]).toEqual([48, 32, 48 * 32 * 3]);
    expect(px(out, 2, 16)).toEqual([255, 0, 0]);
    expect(px(out, 45, 16)).toEqual([0, 0, 255]);
    expect(px(out, 22, 16)[0]).toBeGreaterThan(200); // resized x = 46, red side of the edge at 48
    expect(px(out, 25, 16)[2]).toBeGreaterThan(200); // resized x = 49, blue side
  });

  it('keeps a constant image constant', async () => {
    const img = blocks(50, 70, () => [90, 140, 30]);
    const out = await resizeAndCrop(img, resizeCropPlan(50, 70, { heightPx: 64, widthPx: 32 }));
    expect([out.width, out.height]).toEqual([32, 64]);
    for (let i = 0; i < out.rgb.length; i += 3) expect([out.rgb[i], out.rgb[i + 1], out.rgb[i + 2]]).toEqual([90, 140, 30]);
  });

  it('returns the input unchanged when it already has the bucket size', async () => {
    const img = blocks(48, 32, (x, y) => [x, y, 7]);
    const out = await resizeAndCrop(img, resizeCropPlan(48, 32, { heightPx: 32, widthPx: 48 }));
    expect(Buffer.from(out.rgb).equals(Buffer.from(img.rgb))).toBe(true);
    expect(out.rgb).not.toBe(img.rgb);
  });

  it('can resample with libvips instead (resampler: sharp), same geometry', async () => {
    const img = blocks(120, 40, (x) => (x < 60 ? [255, 0, 0] : [0, 0, 255]));
    const out = await resizeAndCrop(img, resizeCropPlan(120, 40, { heightPx: 32, widthPx: 48 }), { resampler: 'sharp' });
    expect([out.width, out.height]).toEqual([48, 32]);
    expect(px(out, 2, 16)).toEqual([255, 0, 0]);
    expect(px(out, 45, 16)).toEqual([0, 0, 255]);
  });

  it('refuses a crop box outside the resized image', async () => {
    const plan = { resize: true, resizedWidthPx: 10, resizedHeightPx: 10, cropBox: { left: 2, top: 0, right: 12, bottom: 10 } };
    await expect(resizeAndCrop(blocks(20, 20, () => [0, 0, 0]), plan)).rejects.toThrow(/not inside 10x10/);
  });
});

describe('resizeExact and savePng', () => {
  it.each(['pil', 'sharp'] as const)('resizes to the exact size with bicubic, ignoring aspect (%s)', async (resampler) => {
    const out = await resizeExact(blocks(48, 32, (x) => [x * 5, 0, 0]), 384, 384, 'cubic', { resampler });
    expect([out.width, out.height, out.rgb.length]).toEqual([384, 384, 384 * 384 * 3]);
    expect(px(out, 0, 100)[0]).toBeLessThan(10);
    expect(px(out, 383, 100)[0]).toBeGreaterThan(220);
  });

  it('writes a PNG atomically that reads back identical, leaving no temp file', async () => {
    const img = blocks(9, 5, (x, y) => [x * 20, y * 50, (x + y) * 10]);
    const sub = await mkdtemp(path.join(dir, 'png-'));
    const file = path.join(sub, 'out.png');
    await savePng(img, file);
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([9, 5, 3]);
    expect(Buffer.from(data).equals(Buffer.from(img.rgb))).toBe(true);
    expect(await readdir(sub)).toEqual(['out.png']);
  });
});
