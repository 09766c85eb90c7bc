// The builder without weights: every graph of every component built from a config and the
// definitions' parameter shapes, the chosen quantisation applied, and the initializer bytes summed,
// so the size of a full 13B bundle is known for fp32 / fp16 / int8 / int4 without a checkpoint and
// without writing anything (`npm run build-bundle -- --dry-run`, docs/bundles.md "Bundle sizes").
// The figures are the graphs' weight bytes, which is what the files hold to within their protobuf
// framing (a few kB per graph); tokenizer files are not counted.
import type { ComponentDefinitions, ResolvedBundleConfig } from './bundle-config.js';
import { defaultAttentionFor, quantizeComponent } from './build-bundle.js';
import type { AttentionForm } from '../../onnx/graph.js';
import { MODEL_COMPONENT_IDS, type ModelComponentId } from './manifest.js';
import type { QuantizationChoice } from './quantization.js';
import type { WeightBytes, WeightInfo, WeightSource } from '../../weights/weight-source.js';

export interface DryRunComponent {
  id: ModelComponentId;
  /** Bytes of all initializers of the component's graphs, as the build would write them. */
  weightBytes: number;
  /** Parameters the graphs read (Llama's unused last layers excluded, as in the manifest). */
  parameterCount: number;
  /** Linear layers stored quantised and the parameters they hold (0 without quantisation). */
  linears: number;
  quantizedParameters: number;
}

/** Shapes only: what the graph builder checks against; reading is a bug in a dry run. */
class ShapeOnlyWeights implements WeightSource {
  private readonly shapes: Map<string, number[]>;
  constructor(shapes: [string, number[]][]) { this.shapes = new Map(shapes); }
  names(): string[] { return [...this.shapes.keys()]; }
  info(name: string): WeightInfo | undefined {
    const shape = this.shapes.get(name);
    return shape && { dtype: 'float32', shape, byteLength: 4 * shape.reduce((a, d) => a * d, 1) };
  }
  read(name: string): Promise<WeightBytes> { return Promise.reject(new Error(`dry run: tensor '${name}' was read`)); }
}

export function dryRunBundle(config: ResolvedBundleConfig, definitions: ComponentDefinitions, weightDtype: 'float32' | 'float16', quantization?: QuantizationChoice,
  attention: AttentionForm = defaultAttentionFor(weightDtype)): DryRunComponent[] {
  return MODEL_COMPONENT_IDS.map((id) => {
    const def = definitions[id];
    const weights = new ShapeOnlyWeights(def.parameterShapes(config.components[id]));
    // The attention form the build would use: the fused form writes other constants than the explicit one.
    const graphs = def.buildGraphs(config.components[id], weights, { weightDtype, attention });
    for (const g of Object.values(graphs)) g.assertWeightsMatch();
    const q = quantizeComponent(id, graphs, weights, quantization);
    let weightBytes = 0;
    const used = new Set<string>();
    for (const g of Object.values(graphs)) {
      for (const t of g.initializers.values()) weightBytes += 'read' in t ? t.byteLength : t.bytes.byteLength;
      for (const w of g.usedWeights) used.add(w);
    }
    let parameterCount = 0;
    for (const name of used) parameterCount += (weights.info(name)?.shape ?? []).reduce((a, d) => a * d, 1);
    return { id, weightBytes, parameterCount, linears: q?.linears ?? 0, quantizedParameters: q?.quantizedParameters ?? 0 };
  });
}
