// The decoded-frame preview (issue 16 item 10): one frame of the newest decoded section, box-averaged
// down to at most FRAME_PREVIEW_MAX_PX so the file the dashboard reads stays small whatever the video
// size (a 640×480 video becomes 128×96 ≈ 37 KB of RGB before PNG compression).
import type { PixelVideo, RgbImage } from '../media/pixels.js';

/** Largest preview frame, width × height (fits a 160-column terminal at 1 pixel per column). */
export const FRAME_PREVIEW_MAX_PX = { width: 160, height: 100 } as const;

/** The size a width × height frame is shown at: the largest integer downscale (box) that fits the maximum. */
export function thumbnailSize(width: number, height: number, max: { width: number; height: number } = FRAME_PREVIEW_MAX_PX): { width: number; height: number; factor: number } {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) throw new RangeError(`thumbnailSize: bad size ${width}x${height}`);
  const factor = Math.max(1, Math.ceil(width / max.width), Math.ceil(height / max.height));
  return { width: Math.max(1, Math.floor(width / factor)), height: Math.max(1, Math.floor(height / factor)), factor };
}

/**
 * Frame `frame` of decoded pixels ([1, 3, T, H, W] float, about [−1, 1]) as 8-bit RGB, each output
 * pixel the mean of a factor × factor box; values map as the video encoder's (v + 1) · 127.5, clamped.
 */
export function frameThumbnail(pixels: PixelVideo, frame: number, max: { width: number; height: number } = FRAME_PREVIEW_MAX_PX): RgbImage {
  const { frames: t, height: h, width: w, data } = pixels;
  if (!(Number.isInteger(frame) && frame >= 0 && frame < t)) throw new RangeError(`frameThumbnail: frame ${frame} not in 0…${t - 1}`);
  if (data.length !== 3 * t * h * w) throw new RangeError(`frameThumbnail: ${data.length} values for 3x${t}x${h}x${w}`);
  const { width, height, factor } = thumbnailSize(w, h, max);
  const rgb = new Uint8Array(width * height * 3);
  const plane = t * h * w;
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = c * plane + (frame * h + y * factor + dy) * w + x * factor;
          for (let dx = 0; dx < factor; dx++) sum += data[row + dx]!;
        }
        rgb[(y * width + x) * 3 + c] = Math.round(Math.min(255, Math.max(0, (sum / area + 1) * 127.5)));
      }
    }
  }
  return { width, height, rgb };
}
