// The real architecture definitions per bundle component, in one table for the bundle builder
// and the importer.
import type { ComponentDefinitions } from './bundle-config.js';
import { transformerDefinition } from '../transformer/index.js';
import { vaeDefinition } from '../vae/index.js';
import { clipTextDefinition, llamaDefinition } from '../text/index.js';
import { siglipDefinition } from '../image/index.js';

export const componentDefinitions: ComponentDefinitions = {
  transformer: transformerDefinition,
  vae: vaeDefinition,
  text_encoder: llamaDefinition,
  text_encoder_2: clipTextDefinition,
  image_encoder: siglipDefinition,
};
