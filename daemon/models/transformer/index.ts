// The packed FramePack transformer as a ComponentDefinition: configs, parameter list and graphs.
import type { ComponentDefinition } from '../component.js';
import { fullTransformerConfig, tinyTransformerConfig, transformerConfigSchema, type TransformerConfig } from './config.js';
import { buildTransformerGraphs } from './graphs.js';
import { transformerParameterShapes } from './params.js';

export const transformerDefinition: ComponentDefinition<TransformerConfig> = {
  id: 'transformer',
  configSchema: transformerConfigSchema,
  full: fullTransformerConfig,
  tiny: tinyTransformerConfig,
  parameterShapes: transformerParameterShapes,
  buildGraphs: (config, weights, opts) => buildTransformerGraphs(config, weights, opts),
};

export type { TransformerConfig } from './config.js';
export { TRANSFORMER_GRAPHS, type TransformerGraphName } from './graphs.js';
