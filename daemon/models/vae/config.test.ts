import { describe, expect, it } from 'vitest';
import { decoderBlocks, encoderBlocks, fullVaeConfig, latentFrames, pixelFrames, tinyVaeConfig, vaeConfigFromDiffusers, vaeConfigSchema } from './config.js';
import { vaeParameterShapes } from './parameters.js';

describe('VAE config', () => {
  it('validates the full and tiny configs and rejects a bad group count', () => {
    expect(vaeConfigSchema.parse(fullVaeConfig)).toEqual(fullVaeConfig);
    expect(vaeConfigSchema.parse(tinyVaeConfig)).toEqual(tinyVaeConfig);
    expect(() => vaeConfigSchema.parse({ ...tinyVaeConfig, normNumGroups: 7 })).toThrow(/divisible/);
    expect(tinyVaeConfig).toMatchObject({ latentChannels: 16, blockOutChannels: [16, 32, 32, 32], layersPerBlock: 1, normNumGroups: 8, scalingFactor: 0.476986 });
  });

  it('maps an official diffusers config.json', () => {
    const c = vaeConfigFromDiffusers({
      _class_name: 'AutoencoderKLHunyuanVideo', act_fn: 'silu', block_out_channels: [128, 256, 512, 512], in_channels: 3,
      latent_channels: 16, layers_per_block: 2, norm_num_groups: 32, out_channels: 3, scaling_factor: 0.476986,
      spatial_compression_ratio: 8, temporal_compression_ratio: 4, mid_block_add_attention: true,
    });
    expect(c).toEqual(fullVaeConfig);
  });

  it('halves space in blocks 0–2 and time in blocks 1–2 (encoder and decoder alike)', () => {
    const enc = encoderBlocks(fullVaeConfig);
    expect(enc.map((b) => [b.spatial, b.temporal])).toEqual([[true, false], [true, true], [true, true], [false, false]]);
    expect(enc.map((b) => [b.inChannels, b.outChannels])).toEqual([[128, 128], [128, 256], [256, 512], [512, 512]]);
    const dec = decoderBlocks(fullVaeConfig);
    expect(dec.map((b) => [b.spatial, b.temporal])).toEqual([[true, false], [true, true], [true, true], [false, false]]);
    expect(dec.map((b) => [b.inChannels, b.outChannels])).toEqual([[512, 512], [512, 512], [512, 256], [256, 128]]);
    expect([1, 5, 9, 33].map(latentFrames)).toEqual([1, 2, 3, 9]);
    expect([1, 2, 9].map(pixelFrames)).toEqual([1, 5, 33]);
  });

  it('lists the official checkpoint names and shapes', () => {
    const shapes = new Map(vaeParameterShapes(fullVaeConfig));
    expect(shapes.size).toBe(vaeParameterShapes(fullVaeConfig).length); // no duplicates
    expect(shapes.get('encoder.conv_in.conv.weight')).toEqual([128, 3, 3, 3, 3]);
    expect(shapes.get('encoder.down_blocks.1.resnets.0.conv_shortcut.conv.weight')).toEqual([256, 128, 1, 1, 1]);
    expect(shapes.get('encoder.down_blocks.2.downsamplers.0.conv.conv.weight')).toEqual([512, 512, 3, 3, 3]);
    expect(shapes.has('encoder.down_blocks.3.downsamplers.0.conv.conv.weight')).toBe(false);
    expect(shapes.get('encoder.mid_block.attentions.0.to_q.weight')).toEqual([512, 512]);
    expect(shapes.get('encoder.mid_block.attentions.0.to_out.0.bias')).toEqual([512]);
    expect(shapes.get('encoder.mid_block.attentions.0.group_norm.weight')).toEqual([512]);
    expect(shapes.get('encoder.conv_out.conv.weight')).toEqual([32, 512, 3, 3, 3]);
    expect(shapes.get('quant_conv.weight')).toEqual([32, 32, 1, 1, 1]);
    expect(shapes.get('post_quant_conv.weight')).toEqual([16, 16, 1, 1, 1]);
    expect(shapes.get('decoder.conv_in.conv.weight')).toEqual([512, 16, 3, 3, 3]);
    expect(shapes.get('decoder.up_blocks.0.resnets.2.conv2.conv.weight')).toEqual([512, 512, 3, 3, 3]);
    expect(shapes.get('decoder.up_blocks.3.resnets.0.conv_shortcut.conv.weight')).toEqual([128, 256, 1, 1, 1]);
    expect(shapes.has('decoder.up_blocks.3.upsamplers.0.conv.conv.weight')).toBe(false);
    expect(shapes.get('decoder.conv_out.conv.weight')).toEqual([3, 128, 3, 3, 3]);
    const params = [...shapes.values()].reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
    // ≈ 0.24 B (FRAMEPACK.md §1) – 940 MB at fp32.
    expect(params).toBeGreaterThan(0.23e9);
    expect(params).toBeLessThan(0.25e9);
  });
});
