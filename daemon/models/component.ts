// The contract every architecture definition (transformer, VAE, text and image encoders) fulfils,
// so the bundle builder, the importer and the tests treat them alike: one definition, any size.
import type { z } from 'zod';
import type { AttentionForm, GraphBuilder } from '../onnx/graph.js';
import type { WeightSource } from '../weights/weight-source.js';
import type { InitSpec } from '../weights/seeded.js';

/** Bundle component ids, as used in manifest.json. */
export type ComponentId = 'transformer' | 'vae' | 'text_encoder' | 'text_encoder_2' | 'image_encoder';

export interface BuildOptions {
  /** Element type the graph stores its weights in and computes with. */
  weightDtype: 'float32' | 'float16';
  /** Attention form (ops.ts attention()); default 'explicit'. Recorded per component in the manifest. */
  attention?: AttentionForm;
}

export interface ComponentDefinition<Config> {
  id: ComponentId;
  /** Validates a config (from a bundle config file or an official config.json mapping). */
  configSchema: z.ZodType<Config>;
  /** The official full-size configuration. */
  full: Config;
  /** The small configuration of the default bundle. */
  tiny: Config;
  /** Every checkpoint tensor this architecture reads, by official name, in a stable order. */
  parameterShapes(config: Config): [string, number[]][];
  /** Initialisation for seeded weights (default: daemon/weights/seeded.ts defaultInit). */
  init?(name: string, shape: number[]): InitSpec;
  /** The graphs of this component, keyed by file stem (e.g. 'vae_decoder' → vae_decoder.onnx). */
  buildGraphs(config: Config, weights: WeightSource, opts: BuildOptions): Record<string, GraphBuilder>;
}
