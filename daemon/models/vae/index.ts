// The VAE component definition: HunyuanVideo's causal 3D VAE as two graphs, vae_encoder and
// vae_decoder, from one config at any size (docs/graphs/vae.md).
import type { ComponentDefinition } from '../component.js';
import { fullVaeConfig, tinyVaeConfig, vaeConfigSchema, type VaeConfig } from './config.js';
import { buildVaeDecoder } from './decoder.js';
import { buildVaeEncoder } from './encoder.js';
import { vaeParameterShapes } from './parameters.js';

export const vaeDefinition: ComponentDefinition<VaeConfig> = {
  id: 'vae',
  configSchema: vaeConfigSchema,
  full: fullVaeConfig,
  tiny: tinyVaeConfig,
  parameterShapes: vaeParameterShapes,
  buildGraphs(config, weights, opts) {
    return {
      vae_encoder: buildVaeEncoder(config, weights, opts.weightDtype, opts.attention),
      vae_decoder: buildVaeDecoder(config, weights, opts.weightDtype, opts.attention),
    };
  },
};

export type { VaeConfig } from './config.js';
export { fullVaeConfig, tinyVaeConfig, vaeConfigFromDiffusers, latentFrames, pixelFrames } from './config.js';
export { buildVaeEncoder } from './encoder.js';
export { buildVaeDecoder } from './decoder.js';
export { temporalTiledDecode, temporalTilePlan } from './temporal-tiling.js';
