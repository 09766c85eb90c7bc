// The job view's preview: decode the daemon's newest preview PNG (8-bit grey/RGB/RGBA, any PNG
// filter, no interlace) with node:zlib, scale it to the space available, and turn each pair of
// pixel rows into one row of "▀" cells (foreground = upper pixel, background = lower pixel), the
// usual truecolor half-block trick: two pixels per character cell.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export interface RgbImage {
  width: number;
  height: number;
  /** Interleaved RGB, row-major. */
  rgb: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decode a PNG; throws on anything it does not support (palette, 16-bit, interlaced). */
export function decodePng(bytes: Uint8Array): RgbImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      depth = body[8]!;
      colorType = body[9]!;
      interlace = body[12]!;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const channels = CHANNELS[colorType];
  if (depth !== 8 || channels === undefined || interlace !== 0) throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[row + x - channels]! : 0;
      const b = y > 0 ? pixels[row - stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[row - stride + x - channels]! : 0;
      let v = raw[src + x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[row + x] = v & 0xff;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    if (channels <= 2) rgb.fill(pixels[s]!, i * 3, i * 3 + 3);
    else rgb.set(pixels.subarray(s, s + 3), i * 3);
  }
  return { width, height, rgb };
}

export interface HalfBlockCell {
  /** Upper pixel, '#rrggbb'. */
  fg: string;
  /** Lower pixel, '#rrggbb'. */
  bg: string;
}

function hex(rgb: Uint8Array, i: number): string {
  return `#${[rgb[i]!, rgb[i + 1]!, rgb[i + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Fit the image into cols × rows cells (2 pixel rows per cell), keeping its aspect ratio; nearest-neighbour. */
export function toHalfBlocks(img: RgbImage, maxCols: number, maxRows: number): HalfBlockCell[][] {
  if (img.width === 0 || img.height === 0 || maxCols <= 0 || maxRows <= 0) return [];
  const scale = Math.min(maxCols / img.width, (maxRows * 2) / img.height);
  const cols = Math.max(1, Math.floor(img.width * scale));
  const pxRows = Math.max(2, Math.floor((img.height * scale) / 2) * 2);
  const out: HalfBlockCell[][] = [];
  for (let r = 0; r < pxRows; r += 2) {
    const line: HalfBlockCell[] = [];
    const yTop = Math.min(img.height - 1, Math.floor((r / pxRows) * img.height));
    const yBottom = Math.min(img.height - 1, Math.floor(((r + 1) / pxRows) * img.height));
    for (let c = 0; c < cols; c++) {
      const x = Math.min(img.width - 1, Math.floor((c / cols) * img.width));
      line.push({ fg: hex(img.rgb, (yTop * img.width + x) * 3), bg: hex(img.rgb, (yBottom * img.width + x) * 3) });
    }
    out.push(line);
  }
  return out;
}

export type PreviewLoad = { kind: 'image'; image: RgbImage } | { kind: 'none'; reason: string };

/** Read a preview file: a PNG becomes an image; anything else (the fake engine's JSON) is described. */
export function loadPreview(file: string): PreviewLoad {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err: unknown) {
    return { kind: 'none', reason: `preview unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) return { kind: 'none', reason: 'no image preview from this engine' };
  try {
    return { kind: 'image', image: decodePng(bytes) };
  } catch (err: unknown) {
    return { kind: 'none', reason: (err as Error).message };
  }
}

/** How the job view splits its free rows (each part's rows include its caption line). */
export interface PreviewRows {
  frameRows: number;
  latentRows: number;
}

/** Most rows the latent strip gets under a decoded frame: a 9×(12×8) strip is ~7 rows at 160 columns. */
const LATENT_ROWS_UNDER_FRAME = 7;

/**
 * Split the job view's free rows: the decoded frame takes the space, the latent strip of the current
 * step sits below it (a quarter of the rows, 2…7); a latent that is no image (the fake engine's)
 * needs only its one line of explanation; with only one of them, that one takes all rows.
 */
export function previewRows(rows: number, hasFrame: boolean, latent: 'image' | 'note' | null): PreviewRows {
  if (rows <= 0) return { frameRows: 0, latentRows: 0 };
  if (!hasFrame) return { frameRows: 0, latentRows: latent ? rows : 0 };
  if (latent === null || rows < 6) return { frameRows: rows, latentRows: 0 };
  const latentRows = latent === 'note' ? 1 : Math.min(LATENT_ROWS_UNDER_FRAME, Math.max(2, Math.floor(rows / 4)));
  return { frameRows: rows - latentRows, latentRows };
}

/** Darkest to brightest, for terminals without colour (NO_COLOR). */
const ASCII_RAMP = ' .:-=+*#%@';

function luma(hexColour: string): number {
  const v = Number.parseInt(hexColour.slice(1), 16);
  return (0.299 * ((v >> 16) & 255) + 0.587 * ((v >> 8) & 255) + 0.114 * (v & 255)) / 255;
}

/** The NO_COLOR rendering of half-block cells: one character per cell from the mean brightness of its two pixels. */
export function toAscii(cells: HalfBlockCell[][]): string[] {
  return cells.map((row) => row.map((c) => ASCII_RAMP[Math.min(ASCII_RAMP.length - 1, Math.floor(((luma(c.fg) + luma(c.bg)) / 2) * ASCII_RAMP.length))]!).join(''));
}

/** Whether the terminal may get colours (NO_COLOR, TERM=dumb): one rule for the whole dashboard. */
export { colourAllowed } from '../theme/no-colour.js';
