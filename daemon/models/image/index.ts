// The image encoder as a component definition: `image_encoder` (SigLIP vision tower).
import type { ComponentDefinition } from '../component.js';
import { buildSiglipGraph, SIGLIP_GRAPH_STEM } from './siglip-graph.js';
import { siglipConfigSchema, siglipFull, siglipParameterShapes, siglipTiny, type SiglipConfig } from './siglip-config.js';

export const siglipDefinition: ComponentDefinition<SiglipConfig> = {
  id: 'image_encoder',
  configSchema: siglipConfigSchema,
  full: siglipFull,
  tiny: siglipTiny,
  parameterShapes: siglipParameterShapes,
  buildGraphs: (config, weights, opts) => ({ [SIGLIP_GRAPH_STEM]: buildSiglipGraph(config, weights, opts) }),
};

export * from './siglip-config.js';
export * from './siglip-graph.js';
export * from './siglip-preprocess.js';
