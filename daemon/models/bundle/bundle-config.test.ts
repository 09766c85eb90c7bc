import { describe, expect, it } from 'vitest';
import { HUNYUAN_LLAMA_TEMPLATE, OFFICIAL_BUCKETS_640, TINY_BUCKETS, resolveBundleConfig } from './bundle-config.js';
import { BundleError } from './bundle-error.js';
import { fakeDefinitions } from '../../../test/bundle/fake-definitions.js';

const defs = fakeDefinitions();

function configError(input: unknown): BundleError {
  try {
    resolveBundleConfig(input, defs);
  } catch (err: unknown) {
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('INVALID_CONFIG');
    return err as BundleError;
  }
  throw new Error('expected resolveBundleConfig to throw');
}

describe('resolveBundleConfig', () => {
  it('fills the full preset with the official values', () => {
    const r = resolveBundleConfig({ name: 'framepack-i2v' }, defs);
    expect(r.variant).toBe('inverted');
    expect(r.components.transformer).toEqual({ width: 8 });
    expect(r.buckets).toEqual(OFFICIAL_BUCKETS_640);
    expect(r.buckets).toHaveLength(14);
    expect(r.buckets[0]).toEqual({ height: 416, width: 960 });
    expect(r.defaultBucket).toEqual({ height: 640, width: 608 });
    expect(r.text).toEqual({ llamaTemplate: HUNYUAN_LLAMA_TEMPLATE, maxUserTokens: 256, paddedLength: 512, clipMaxLength: 77 });
    expect(r.imageEncoder).toEqual({ imageSize: 384, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(r.patchSize).toEqual([1, 2, 2]);
    expect(r.defaults.steps).toBe(25);
  });

  it('keeps the official template byte-exact (no spaces between the numbered items)', () => {
    expect(HUNYUAN_LLAMA_TEMPLATE).toContain('of the video.2. The color');
    expect(HUNYUAN_LLAMA_TEMPLATE.endsWith('<|start_header_id|>user<|end_header_id|>\n\n{}<|eot_id|>')).toBe(true);
    expect(HUNYUAN_LLAMA_TEMPLATE.startsWith('<|start_header_id|>system<|end_header_id|>\n\nDescribe the video')).toBe(true);
  });

  it('tiny buckets are multiples of 16, mirrored, widest first, with 64×96 as default', () => {
    const r = resolveBundleConfig({ name: 't', preset: 'tiny' }, defs);
    expect(r.buckets).toEqual(TINY_BUCKETS);
    expect(r.defaultBucket).toEqual({ height: 64, width: 96 });
    for (const b of TINY_BUCKETS) expect([b.height % 16, b.width % 16]).toEqual([0, 0]);
    const aspects = TINY_BUCKETS.map((b) => b.width / b.height);
    expect([...aspects].sort((a, b) => b - a)).toEqual(aspects);
    expect(TINY_BUCKETS.map((b) => `${b.width}x${b.height}`)).toEqual([...TINY_BUCKETS].reverse().map((b) => `${b.height}x${b.width}`));
  });

  it('lays per-component presets and overrides over the base preset', () => {
    const r = resolveBundleConfig({ name: 'mixed', preset: 'tiny', components: { transformer: 'full', vae: { width: 6 } }, defaults: { steps: 8 }, text: { maxUserTokens: 32 } }, defs);
    expect(r.components.transformer).toEqual({ width: 8 });
    expect(r.components.vae).toEqual({ width: 6, latentChannels: 16 });
    expect(r.components.text_encoder).toEqual({ width: 4 });
    expect(r.defaults).toMatchObject({ steps: 8, gs: 10 });
    expect(r.text.maxUserTokens).toBe(32);
  });

  it('takes latent geometry from the VAE config', () => {
    const r = resolveBundleConfig({ name: 'x', components: { vae: { latentChannels: 4 } } }, defs);
    expect(r.latent.channels).toBe(4);
  });

  it.each([
    ['a missing name', {}, /name/],
    ['an unknown top-level key', { name: 'x', extra: 1 }, /extra/],
    ['an unknown component', { name: 'x', components: { unet: 'tiny' } }, /unet/],
    ['a bad component config', { name: 'x', components: { vae: { width: -1 } } }, /components\.vae\.width/],
    ['a bad preset', { name: 'x', preset: 'huge' }, /preset/],
    ['a bucket off the 16-pixel grid', { name: 'x', buckets: [{ height: 40, width: 64 }] }, /40×64/],
    ['a default bucket outside the table', { name: 'x', buckets: [{ height: 64, width: 64 }], defaultBucket: { height: 32, width: 32 } }, /defaultBucket 32×32/],
    ['a template without a slot', { name: 'x', text: { llamaTemplate: 'nothing' } }, /text\.llamaTemplate/],
    ['a bad default', { name: 'x', defaults: { cfg: 0 } }, /defaults\.cfg/],
  ])('refuses %s with INVALID_CONFIG', (_what, input, pattern) => {
    expect(configError(input).message).toMatch(pattern);
  });
});
