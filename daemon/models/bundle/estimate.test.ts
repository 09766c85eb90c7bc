import { describe, expect, it } from 'vitest';
import { resolveBundleConfig } from './bundle-config.js';
import { blockActivationElements, estimateActivationBytes, transformerImageTokens } from './estimate.js';
import { fakeDefinitions } from '../../../test/bundle/fake-definitions.js';

const full = resolveBundleConfig({ name: 'full' }, fakeDefinitions());
const tiny = resolveBundleConfig({ name: 'tiny', preset: 'tiny' }, fakeDefinitions());

describe('activation estimates', () => {
  it.each([
    [416, 960, 17970], [448, 864, 17402], [480, 832, 17966], [512, 768, 17664],
    [544, 704, 17226], [576, 672, 17406], [608, 640, 17500], [960, 416, 17970],
  ])('counts the image-side tokens of FRAMEPACK.md §5.2 at %i×%i', (h, w, tokens) => {
    expect(transformerImageTokens(full, h, w)).toBe(tokens);
  });

  it('counts 278 image-side tokens at the tiny default bucket (216 noisy + 62 context)', () => {
    expect(transformerImageTokens(tiny, 64, 96)).toBe(278);
  });

  it('sizes one transformer call from heads, hidden and tokens', () => {
    const config = { numAttentionHeads: 2, attentionHeadDim: 32, mlpRatio: 4 };
    const withTiny = { ...tiny, components: { ...tiny.components, image_encoder: { patchSize: 8 } }, imageEncoder: { ...tiny.imageEncoder, imageSize: 64 } };
    const tokens = 278 + 64 + 64;
    expect(estimateActivationBytes('transformer', config, withTiny, 1000, 'float32')).toBe(4 * blockActivationElements(tokens, 64, 2, 256));
    expect(estimateActivationBytes('transformer', config, withTiny, 1000, 'float16')).toBe(2 * blockActivationElements(tokens, 64, 2, 256));
  });

  it('drops the S×S scores for fused attention, which keeps none', () => {
    const config = { numAttentionHeads: 24, attentionHeadDim: 128, mlpRatio: 4 };
    const explicit = estimateActivationBytes('transformer', config, full, 0, 'float16', 'explicit');
    const fused = estimateActivationBytes('transformer', config, full, 0, 'float16', 'fused');
    // Image-side tokens at the default bucket + SigLIP tokens (patch 14 assumed: the fake config has none) + text.
    const tokens = transformerImageTokens(full, full.defaultBucket.height, full.defaultBucket.width) + Math.floor((384 / 14) ** 2) + full.text.maxUserTokens;
    expect(explicit - fused).toBe(2 * 2 * 24 * tokens * tokens);
    expect(fused).toBe(2 * (2 * tokens * 4 * 3072 + 8 * tokens * 3072));
    // The VAE keeps its estimate: the fused form still takes the S×S frame-causal mask.
    const vae = { blockOutChannels: [128, 256, 512, 512], midBlockAddAttention: true };
    expect(estimateActivationBytes('vae', vae, full, 0, 'float16', 'fused')).toBe(estimateActivationBytes('vae', vae, full, 0, 'float16', 'explicit'));
  });

  it('falls back to a quarter of the weights when a config says too little', () => {
    expect(estimateActivationBytes('image_encoder', { width: 4 }, tiny, 1000, 'float32')).toBe(250);
    expect(estimateActivationBytes('vae', {}, tiny, 400, 'float32')).toBe(100);
  });

  it('counts the VAE decode of one section at the full default bucket in GB', () => {
    const bytes = estimateActivationBytes('vae', { blockOutChannels: [128, 256, 512, 512], midBlockAddAttention: true }, full, 0, 'float16');
    // The mid-block attention over 9 × 80 × 76 latent cells (scores + softmax, ≈ 12 GB in fp16)
    // outweighs 3 full-resolution maps of 128 channels × 33 frames (≈ 9.9 GB).
    const cells = 9 * 80 * 76;
    expect(bytes).toBe(2 * 2 * cells * cells);
    expect(bytes).toBeGreaterThan(2 * 3 * 128 * 33 * 640 * 608);
    expect(estimateActivationBytes('vae', { blockOutChannels: [128, 256, 512, 512], midBlockAddAttention: false }, full, 0, 'float16')).toBe(2 * 3 * 128 * 33 * 640 * 608);
  });
});
