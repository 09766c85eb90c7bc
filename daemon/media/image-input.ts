// Reads the job's start image with sharp and applies the official preprocessing geometry
// (FRAMEPACK.md §3.2): EXIF orientation, alpha removal, LANCZOS resize + centre crop, and the
// exact-size bicubic resize used for the SigLIP input. Resampling reproduces Pillow
// (pil-resample.ts); the pure planning lives in engine/buckets.ts.
import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata as SharpMetadata, Sharp } from 'sharp';
import type { RgbImage } from './pixels.js';
import { writeFileAtomic } from './atomic-file.js';
import { pilResize } from './pil-resample.js';

/** 8192² ≈ 67 megapixels: far above any camera photo we expect, far below a decompression bomb. */
export const DEFAULT_MAX_INPUT_PIXELS = 8192 * 8192;

/**
 * What to do with an alpha channel.
 * - `black` (default): composite onto black. The official demo gets its image from Gradio, which
 *   calls PIL `convert('RGB')`; that drops alpha and keeps whatever colour transparent pixels
 *   store, which most encoders write as 0,0,0, so fully transparent areas come out black there too.
 * - `white`: composite onto white.
 * - `discard`: drop alpha without compositing, exactly like PIL's RGBA→RGB conversion.
 */
export type AlphaHandling = 'black' | 'white' | 'discard';

export interface LoadInputImageOptions {
  /** Refuse images with more pixels than this (decompression-bomb guard). */
  maxPixels?: number;
  alpha?: AlphaHandling;
}

/** The decoded start image plus what we learned while loading it. */
export interface LoadedImage extends RgbImage {
  /** Container format as sharp names it ('png', 'jpeg', 'webp', …). */
  format: string;
  /** EXIF orientation tag (1–8) that was applied, if any. */
  exifOrientation?: number;
  /** True when the file had an alpha channel that was removed. */
  hadAlpha: boolean;
}

/** A start image that cannot be used. The message is one line naming the file and the problem. */
export class InputImageError extends Error {
  override readonly name = 'InputImageError';
  constructor(
    readonly filePath: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`input image ${filePath}: ${problem}`, options);
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.trim();
}

/** What the header says about a usable start image (no pixel is decoded). */
export interface InputImageHeader {
  /** Stored size (before EXIF rotation). */
  width: number;
  height: number;
  /** Size after EXIF orientation 5–8's transpose: what decoding (and the bucketing) sees. */
  upright: { width: number; height: number };
  meta: SharpMetadata;
}

/**
 * The header checks every start image passes, shared by jobs.submit (through loadInputImage) and
 * jobs.plan so the two never disagree: a regular, non-empty, readable image no larger than
 * `maxPixels` (a decompression bomb is refused before any pixel is decoded).
 */
export async function inspectInputImage(filePath: string, options: { maxPixels?: number } = {}): Promise<InputImageHeader> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  try {
    const st = await stat(filePath);
    if (!st.isFile()) throw new InputImageError(filePath, 'not a regular file');
    if (st.size === 0) throw new InputImageError(filePath, 'file is empty');
  } catch (err: unknown) {
    if (err instanceof InputImageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : firstLine(err);
    throw new InputImageError(filePath, problem, { cause: err });
  }
  let meta: SharpMetadata;
  try {
    meta = await sharp(filePath, { limitInputPixels: false }).metadata();
  } catch (err: unknown) {
    throw new InputImageError(filePath, `not a readable image (${firstLine(err)})`, { cause: err });
  }
  const { width, height, format } = meta;
  if (!width || !height) throw new InputImageError(filePath, `not a readable image (no dimensions in ${format ?? 'unknown'} header)`);
  if (width * height > maxPixels) {
    throw new InputImageError(
      filePath,
      `image is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels} (decompression-bomb guard: downscale it first)`,
    );
  }
  const upright = (meta.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
  return { width, height, upright, meta };
}

/** Decodes any image sharp supports into rgb24, upright, without alpha. */
export async function loadInputImage(filePath: string, options: LoadInputImageOptions = {}): Promise<LoadedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const alpha = options.alpha ?? 'black';
  // Header first: a bomb is refused before any pixel is decoded.
  const { meta } = await inspectInputImage(filePath, { maxPixels });
  const { format } = meta;

  try {
    let pipeline = sharp(filePath, { limitInputPixels: maxPixels }).rotate();
    if (alpha === 'discard') pipeline = pipeline.removeAlpha();
    else pipeline = pipeline.flatten({ background: alpha === 'white' ? '#ffffff' : '#000000' });
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    const result: LoadedImage = {
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      format: format ?? 'unknown',
      hadAlpha: meta.hasAlpha === true,
    };
    if (meta.orientation !== undefined) result.exifOrientation = meta.orientation;
    return result;
  } catch (err: unknown) {
    throw new InputImageError(filePath, `could not decode ${format ?? 'image'} (${firstLine(err)})`, { cause: err });
  }
}

/**
 * A resize-then-crop plan. `resizeCropPlan` in daemon/engine/buckets.ts returns this shape
 * (the official rounding rules live there; this file only applies the numbers).
 */
export interface ResizeCropPlanLike {
  /** False when the input already has the target size: the official code returns it untouched. */
  resize: boolean;
  resizedWidthPx: number;
  resizedHeightPx: number;
  /** Integer crop box in resized pixels, [left, right) × [top, bottom). */
  cropBox: { left: number; top: number; right: number; bottom: number };
}

function checkRgb(image: RgbImage): void {
  if (image.rgb.length !== image.width * image.height * 3) {
    throw new RangeError(`image ${image.width}x${image.height} needs ${image.width * image.height * 3} rgb bytes, got ${image.rgb.length}`);
  }
}

function rawInput(image: RgbImage): Sharp {
  checkRgb(image);
  return sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function toRgbImage(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`sharp returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Which implementation resamples. 'pil' (default) reproduces Pillow bit for bit, as the official
 * demo and SigLIP's processor use it; 'sharp' is libvips: faster on huge inputs, but not
 * Pillow's numbers, and when upscaling it interpolates bicubically whatever kernel is named.
 */
export type Resampler = 'pil' | 'sharp';

/** Kernels both resamplers offer: PIL BILINEAR / BICUBIC / LANCZOS and libvips linear / cubic / lanczos3. */
export type ResizeKernel = 'linear' | 'cubic' | 'lanczos3';
const PIL_FILTER = { linear: 'bilinear', cubic: 'bicubic', lanczos3: 'lanczos' } as const;

/**
 * `resize_and_center_crop`: LANCZOS resize to the plan's size, then crop the plan's box.
 * With the default 'pil' resampler the result equals the official one exactly.
 */
export async function resizeAndCrop(image: RgbImage, plan: ResizeCropPlanLike, options: { resampler?: Resampler } = {}): Promise<RgbImage> {
  const { cropBox: box } = plan;
  const width = box.right - box.left;
  const height = box.bottom - box.top;
  if (!plan.resize) {
    if (image.width !== width || image.height !== height) {
      throw new RangeError(`resizeAndCrop: plan says no resize but image is ${image.width}x${image.height}, box ${width}x${height}`);
    }
    return { width, height, rgb: image.rgb.slice() };
  }
  const { resizedWidthPx: rw, resizedHeightPx: rh } = plan;
  if (!(box.left >= 0 && box.top >= 0 && width > 0 && height > 0 && box.right <= rw && box.bottom <= rh)) {
    throw new RangeError(`resizeAndCrop: crop box ${JSON.stringify(box)} is not inside ${rw}x${rh}`);
  }
  if ((options.resampler ?? 'pil') === 'sharp') {
    // extract() after resize() crops the resized image (sharp applies them in call order).
    return toRgbImage(
      rawInput(image)
        .resize(rw, rh, { fit: 'fill', kernel: 'lanczos3' })
        .extract({ left: box.left, top: box.top, width, height }),
    );
  }
  checkRgb(image);
  return cropRgb(pilResize(image, rw, rh, 'lanczos'), box.left, box.top, width, height);
}

function cropRgb(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    out.set(image.rgb.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, rgb: out };
}

/**
 * Resize to exactly widthPx × heightPx, ignoring aspect. The SigLIP input is
 * `resizeExact(image, 384, 384, 'cubic')` (PIL BICUBIC in its processor).
 */
export async function resizeExact(
  image: RgbImage,
  widthPx: number,
  heightPx: number,
  kernel: ResizeKernel = 'cubic',
  options: { resampler?: Resampler } = {},
): Promise<RgbImage> {
  if (!(Number.isInteger(widthPx) && Number.isInteger(heightPx) && widthPx > 0 && heightPx > 0)) {
    throw new RangeError(`resizeExact: bad size ${widthPx}x${heightPx}`);
  }
  checkRgb(image);
  if (image.width === widthPx && image.height === heightPx) return { width: widthPx, height: heightPx, rgb: image.rgb.slice() };
  if ((options.resampler ?? 'pil') === 'sharp') return toRgbImage(rawInput(image).resize(widthPx, heightPx, { fit: 'fill', kernel }));
  return pilResize(image, widthPx, heightPx, PIL_FILTER[kernel]);
}

/** Encodes an rgb24 image as PNG bytes. */
export async function encodePng(image: RgbImage): Promise<Uint8Array> {
  const buf = await rawInput(image).png().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Writes an rgb24 image as a PNG file, atomically (temp file beside it, then rename). */
export async function savePng(image: RgbImage, filePath: string): Promise<void> {
  await writeFileAtomic(filePath, await encodePng(image));
}
