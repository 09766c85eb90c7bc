import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { colourAllowed, decodePng, loadPreview, previewRows, toAscii, toHalfBlocks } from './preview-image.js';
import { testTempDir } from '../../test/helpers/temp-dir.js';

// sharp writes real PNGs with adaptive filters; the test uses it as an independent encoder only.
async function png(width: number, height: number, channels: 3 | 4, pixel: (x: number, y: number) => number[]): Promise<{ bytes: Buffer; rgb: number[] }> {
  const raw = Buffer.alloc(width * height * channels);
  const rgb: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const p = pixel(x, y);
    raw.set(p.slice(0, channels), (y * width + x) * channels);
    rgb.push(p[0]!, p[1]!, p[2]!);
  }
  return { bytes: await sharp(raw, { raw: { width, height, channels } }).png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer(), rgb };
}

describe('preview image', () => {
  it('decodes RGB and RGBA PNGs with every filter type exactly', async () => {
    for (const channels of [3, 4] as const) {
      const { bytes, rgb } = await png(37, 23, channels, (x, y) => [(x * 7 + y * 3) & 255, (x * x + y) & 255, (y * 11) & 255, 255]);
      const img = decodePng(bytes);
      expect([img.width, img.height]).toEqual([37, 23]);
      expect(Array.from(img.rgb)).toEqual(rgb);
    }
  });

  it('renders two pixel rows per cell as fg/bg colours, keeping the aspect ratio', () => {
    const img = { width: 4, height: 4, rgb: new Uint8Array(4 * 4 * 3) };
    for (let i = 0; i < 16; i++) img.rgb.set(i < 8 ? [255, 0, 0] : [0, 0, 255], i * 3); // top half red, bottom blue
    const cells = toHalfBlocks(img, 4, 10);
    expect(cells).toHaveLength(2);
    expect(cells[0]!.every((c) => c.fg === '#ff0000' && c.bg === '#ff0000')).toBe(true);
    expect(cells[1]!.every((c) => c.fg === '#0000ff' && c.bg === '#0000ff')).toBe(true);
    const small = toHalfBlocks({ width: 80, height: 40, rgb: new Uint8Array(80 * 40 * 3) }, 20, 20);
    expect([small[0]!.length, small.length]).toEqual([20, 5]);
  });

  it('describes previews that are not PNG images instead of failing', () => {
    const dir = testTempDir('fp-prev-');
    const file = path.join(dir, 'preview.json');
    writeFileSync(file, '{"section":0}');
    expect(loadPreview(file)).toEqual({ kind: 'none', reason: 'no image preview from this engine' });
    expect(loadPreview(path.join(dir, 'missing.png'))).toMatchObject({ kind: 'none' });
  });
});

describe('preview layout and fallbacks', () => {
  it('gives the decoded frame the free rows and the latent strip a quarter below it (2…7 rows, 1 for a note)', () => {
    expect(previewRows(36, true, 'image')).toEqual({ frameRows: 29, latentRows: 7 });
    expect(previewRows(12, true, 'image')).toEqual({ frameRows: 9, latentRows: 3 });
    expect(previewRows(20, true, 'note')).toEqual({ frameRows: 19, latentRows: 1 });
    expect(previewRows(5, true, 'image')).toEqual({ frameRows: 5, latentRows: 0 });
    expect(previewRows(20, false, 'image')).toEqual({ frameRows: 0, latentRows: 20 });
    expect(previewRows(20, true, null)).toEqual({ frameRows: 20, latentRows: 0 });
    expect(previewRows(0, true, 'image')).toEqual({ frameRows: 0, latentRows: 0 });
  });

  it('scales a 160×100 frame to fill 156 columns × 28 rows keeping its aspect', () => {
    const cells = toHalfBlocks({ width: 160, height: 100, rgb: new Uint8Array(160 * 100 * 3) }, 156, 28);
    // Height-bound: 56 pixel rows of 100 → scale 0.56 → 89 columns, 28 rows.
    expect([cells[0]!.length, cells.length]).toEqual([89, 28]);
  });

  it('without colour, one ASCII character per cell by brightness', () => {
    const img = { width: 2, height: 2, rgb: new Uint8Array([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]) };
    expect(toAscii(toHalfBlocks(img, 2, 1))).toEqual([' @']);
    expect(colourAllowed({ NO_COLOR: '1' })).toBe(false);
    expect(colourAllowed({ TERM: 'dumb' })).toBe(false);
    expect(colourAllowed({ TERM: 'xterm-256color' })).toBe(true);
  });
});
