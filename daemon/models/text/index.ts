// The two text encoders as component definitions: `text_encoder` (Llama) and `text_encoder_2` (CLIP-L).
import type { ComponentDefinition } from '../component.js';
import { buildClipTextGraph, CLIP_TEXT_GRAPH_STEM } from './clip-text-graph.js';
import { clipTextConfigSchema, clipTextFull, clipTextParameterShapes, clipTextTiny, type ClipTextConfig } from './clip-text-config.js';
import { buildLlamaGraph, LLAMA_GRAPH_STEM } from './llama-graph.js';
import { llamaConfigSchema, llamaFull, llamaParameterShapes, llamaTiny, type LlamaConfig } from './llama-config.js';

export const llamaDefinition: ComponentDefinition<LlamaConfig> = {
  id: 'text_encoder',
  configSchema: llamaConfigSchema,
  full: llamaFull,
  tiny: llamaTiny,
  parameterShapes: llamaParameterShapes,
  buildGraphs: (config, weights, opts) => ({ [LLAMA_GRAPH_STEM]: buildLlamaGraph(config, weights, opts) }),
};

export const clipTextDefinition: ComponentDefinition<ClipTextConfig> = {
  id: 'text_encoder_2',
  configSchema: clipTextConfigSchema,
  full: clipTextFull,
  tiny: clipTextTiny,
  parameterShapes: clipTextParameterShapes,
  buildGraphs: (config, weights, opts) => ({ [CLIP_TEXT_GRAPH_STEM]: buildClipTextGraph(config, weights, opts) }),
};

export * from './llama-config.js';
export * from './llama-graph.js';
export * from './clip-text-config.js';
export * from './clip-text-graph.js';
