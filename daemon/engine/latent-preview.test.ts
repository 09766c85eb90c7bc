import { describe, expect, it } from 'vitest';
import { LATENT_RGB_BIAS, LATENT_RGB_FACTORS, latentPreview, previewRgbMap } from './latent-preview.js';

const dims = (frames: number, height: number, width: number, batch = 1) => ({ batch, channels: 16, frames, height, width });

describe('latentPreview', () => {
  it('has the 16×3 factors and bias of FRAMEPACK.md §4.4', () => {
    expect(LATENT_RGB_FACTORS.length).toBe(16);
    expect(LATENT_RGB_FACTORS[0]).toEqual([-0.0395, -0.0331, 0.0445]);
    expect(LATENT_RGB_FACTORS[12]).toEqual([-0.2315, -0.192, -0.1355]);
    expect(LATENT_RGB_FACTORS[15]).toEqual([0.0249, -0.0469, -0.1703]);
    expect(LATENT_RGB_BIAS).toEqual([0.0259, -0.0192, -0.0761]);
  });
  it('a zero latent shows the clamped bias: (6, 0, 0)', () => {
    const p = latentPreview(new Float32Array(16), dims(1, 1, 1));
    expect(Array.from(p.rgb)).toEqual([6, 0, 0]); // 0.0259·255 = 6.6 → 6 (truncated)
  });
  it('channel 10 = 1 gives (36, 36, 5); large values clamp to 255', () => {
    const lat = new Float32Array(16);
    lat[10] = 1;
    expect(Array.from(latentPreview(lat, dims(1, 1, 1)).rgb)).toEqual([36, 36, 5]);
    lat[10] = 100;
    expect(Array.from(latentPreview(lat, dims(1, 1, 1)).rgb)).toEqual([255, 255, 255]);
    lat[10] = -100;
    expect(Array.from(latentPreview(lat, dims(1, 1, 1)).rgb)).toEqual([0, 0, 0]);
  });
  it('lays frames side by side and batch items below: (b h) (t w) c', () => {
    // batch 2, 3 frames, 2×2 latent; mark each (b, t, y, x) by its channel-10 value.
    const [B, T, H, W] = [2, 3, 2, 2];
    const lat = new Float32Array(B * 16 * T * H * W);
    const val = (b: number, t: number, y: number, x: number) => 0.5 + 0.1 * t + 0.05 * y + 0.025 * x + 1 * b;
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      lat[b * 16 * T * H * W + 10 * T * H * W + (t * H + y) * W + x] = val(b, t, y, x);
    }
    const p = latentPreview(lat, dims(T, H, W, B));
    expect([p.widthPx, p.heightPx, p.rgb.length]).toEqual([6, 4, 72]);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const v = val(b, t, y, x);
      const r = Math.trunc(Math.fround(Math.min(Math.max(Math.fround(Math.fround(0.0259) + Math.fround(0.1166) * Math.fround(v)), 0), 1) * 255));
      expect(p.rgb[((b * H + y) * 6 + t * W + x) * 3]).toBe(r);
    }
  });
  it('the official 640×608 bucket gives an 80 × 684 preview', () => {
    const p = latentPreview(new Float32Array(16 * 9 * 80 * 76), dims(9, 80, 76));
    expect([p.heightPx, p.widthPx]).toEqual([80, 684]);
  });
  it('rejects wrong shapes', () => {
    expect(() => latentPreview(new Float32Array(15), { channels: 15, frames: 1, height: 1, width: 1 })).toThrow();
    expect(() => latentPreview(new Float32Array(17), dims(1, 1, 1))).toThrow();
  });
  it('uses HunyuanVideo\'s factors for 16 channels and reads channels 0–2 as RGB for other latents', () => {
    expect(previewRgbMap(16, 0.476986).factors).toBe(LATENT_RGB_FACTORS);
    // The tiny bundle's 4-channel latent: latent = pixel(−1…1) · scalingFactor in channels 0–2.
    const s = 1.7;
    const map = previewRgbMap(4, s);
    expect(map.factors.length).toBe(4);
    const lat = new Float32Array([1 * s, 0, -1 * s, 5]); // red 1, green 0, blue −1; channel 3 ignored
    expect(Array.from(latentPreview(lat, { channels: 4, frames: 1, height: 1, width: 1 }, map).rgb)).toEqual([255, 127, 0]);
    // One channel: grey.
    expect(Array.from(latentPreview(new Float32Array([0.5 * s]), { channels: 1, frames: 1, height: 1, width: 1 }, previewRgbMap(1, s)).rgb)).toEqual([191, 191, 191]);
    expect(() => latentPreview(new Float32Array(16), dims(1, 1, 1), map)).toThrow(/4 channels, the latent 16/);
    expect(() => previewRgbMap(0, 1)).toThrow(/positive integer/);
    expect(() => previewRgbMap(4, 0)).toThrow(/scalingFactor/);
  });
});
