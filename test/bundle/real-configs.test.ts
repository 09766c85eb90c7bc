// The bundle config presets against the real architecture definitions: geometry taken from the
// configs agrees with FRAMEPACK.md, and the full-size activation estimates are in the range the
// official code is known to need.
import { describe, expect, it } from 'vitest';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { resolveBundleConfig } from '../../daemon/models/bundle/bundle-config.js';
import { estimateActivationBytes, transformerImageTokens } from '../../daemon/models/bundle/estimate.js';
import { MODEL_COMPONENT_IDS } from '../../daemon/models/bundle/manifest.js';

describe('bundle presets with the real definitions', () => {
  it('full: official geometry from the official configs', () => {
    const r = resolveBundleConfig({ name: 'framepack-i2v' }, componentDefinitions);
    expect(r.latent).toEqual({ channels: 16, spatialCompression: 8, temporalCompression: 4, scalingFactor: 0.476986 });
    expect(r.patchSize).toEqual([1, 2, 2]);
    expect(r.imageEncoder.imageSize).toBe(384);
    expect(r.text.clipMaxLength).toBe(77);
    for (const id of MODEL_COMPONENT_IDS) expect(r.components[id]).toEqual(componentDefinitions[id].full);
    expect(transformerImageTokens(r, 640, 608)).toBe(17500);
    // One transformer call at 640×608 with explicit attention in fp16: 24 heads × (17500 + 729 + 256)² scores ×2.
    const tf = estimateActivationBytes('transformer', r.components.transformer, r, 0, 'float16');
    expect(tf / 1e9).toBeGreaterThan(30);
    expect(tf / 1e9).toBeLessThan(40);
  });

  it('tiny: geometry of the default bundle', () => {
    const r = resolveBundleConfig({ name: 'framepack-tiny', preset: 'tiny' }, componentDefinitions);
    expect(r.latent.channels).toBe(16);
    expect(r.imageEncoder.imageSize).toBe(64);
    for (const id of MODEL_COMPONENT_IDS) expect(r.components[id]).toEqual(componentDefinitions[id].tiny);
    expect(transformerImageTokens(r, r.defaultBucket.height, r.defaultBucket.width)).toBe(278);
  });
});
