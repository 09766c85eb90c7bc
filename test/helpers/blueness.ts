// How blue a video is, for the blue LoRA fixture's tests (test/fixtures/lora/blue-kohya.safetensors).
import { extractFrameRgb } from '../../daemon/media/ffmpeg.js';

/** Mean of B − (R + G)/2 over frames 6, 18 and 30 (0–255 scale). */
export async function blueness(file: string): Promise<number> {
  let sum = 0;
  let n = 0;
  for (const f of [6, 18, 30]) {
    const { rgb } = await extractFrameRgb(file, f);
    for (let i = 0; i < rgb.length; i += 3) { sum += rgb[i + 2]! - (rgb[i]! + rgb[i + 1]!) / 2; n++; }
  }
  return sum / n;
}
