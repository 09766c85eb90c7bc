// Cross-checks the three encoder graphs against independent PyTorch references
// (scripts/reference/{llama,clip_text,siglip}_ref.py) on the same seeded tiny weights.
import { describe, expect, it } from 'vitest';
import { serializeModel } from '../../daemon/onnx/model-writer.js';
import { tensorF32, tensorI64 } from '../../daemon/onnx/run.js';
import { SeededRandom, seededWeights } from '../../daemon/weights/seeded.js';
import { clipPoolingIndex, clipTextDefinition, llamaDefinition, type ClipTextConfig } from '../../daemon/models/text/index.js';
import { siglipDefinition, type SiglipConfig } from '../../daemon/models/image/index.js';
import { crosscheck, type CrosscheckResult } from './harness.js';

const TOLERANCE = 1e-4;
// Every encoder runs in both attention forms (ops.ts attention()); each must match the reference.
const FORMS = ['explicit', 'fused'] as const;

function expectClose(report: CrosscheckResult, output: string, label: string): void {
  const r = report[output];
  console.info(`${label}: ${output} maxAbsErr=${r?.maxAbsErr?.toExponential(2)} refMaxAbs=${r?.refMaxAbs?.toFixed(3)}`);
  expect(r?.error).toBeUndefined();
  expect(r?.maxAbsErr).toBeLessThanOrEqual(TOLERANCE);
  // A reference that returned zeros would pass the error bound against a zero graph; it must not.
  expect(r?.refMaxAbs).toBeGreaterThan(0.1);
}

describe.each(FORMS)('text_encoder (Llama, %s attention) vs PyTorch', (attention) => {
  const f32 = { weightDtype: 'float32', attention } as const;
  const config = llamaDefinition.tiny;
  const weights = seededWeights(llamaDefinition.parameterShapes(config), 101);
  const model = serializeModel(llamaDefinition.buildGraphs(config, weights, f32).text_encoder!);

  for (const length of [7, 23]) {
    it(`matches hidden_states[-3] at ${length} tokens`, async () => {
      const rng = new SeededRandom(length);
      const ids = Array.from({ length }, () => Math.floor(rng.uniform() * config.vocabSize));
      const report = await crosscheck({ module: 'llama_ref', model: await model, weights, config, feeds: { input_ids: tensorI64(ids, [1, length]) } });
      expectClose(report, 'hidden_states', `llama (${attention}) L=${length}`);
    });
  }
});

describe.each(FORMS)('text_encoder_2 (CLIP, %s attention) vs PyTorch', (attention) => {
  const f32 = { weightDtype: 'float32', attention } as const;
  const config: ClipTextConfig = clipTextDefinition.tiny;
  const weights = seededWeights(clipTextDefinition.parameterShapes(config), 202);
  const model = serializeModel(clipTextDefinition.buildGraphs(config, weights, f32).text_encoder_2!);
  // As the official tokenizer: EOS is the largest id and also pads, so the legacy argmax pooling of
  // the reference lands on the first EOS, which is what clipPoolingIndex hands the graph.
  const eos = config.vocabSize - 1;

  for (const promptTokens of [5, 40]) {
    it(`matches pooler_output with EOS at position ${promptTokens + 1}`, async () => {
      const rng = new SeededRandom(promptTokens);
      const ids = [eos - 1, ...Array.from({ length: promptTokens }, () => Math.floor(rng.uniform() * (eos - 1))), eos];
      while (ids.length < config.maxPositions) ids.push(eos);
      const eosIndex = clipPoolingIndex(ids, eos);
      expect(eosIndex).toBe(promptTokens + 1);
      const report = await crosscheck({
        module: 'clip_text_ref', model: await model, weights, config,
        feeds: { input_ids: tensorI64(ids, [1, config.maxPositions]), eos_index: tensorI64([eosIndex], [1]) },
      });
      expectClose(report, 'pooled', `clip (${attention}) eos=${eosIndex}`);
    });
  }
});

describe.each(FORMS)('image_encoder (SigLIP, %s attention) vs PyTorch', (attention) => {
  const f32 = { weightDtype: 'float32', attention } as const;
  // 36 px in 8 px patches: a 4 × 4 grid (16 position embeddings) with the last 4 pixel rows and
  // columns dropped, as the official 384 px / 14 px (27 × 27 = 378 px used).
  const sizes: SiglipConfig[] = [siglipDefinition.tiny, { ...siglipDefinition.tiny, imageSize: 36 }];
  for (const config of sizes) {
    it(`matches last_hidden_state at ${config.imageSize}px, patch ${config.patchSize}`, async () => {
      const weights = seededWeights(siglipDefinition.parameterShapes(config), 303);
      const model = await serializeModel(siglipDefinition.buildGraphs(config, weights, f32).image_encoder!);
      const S = config.imageSize;
      const rng = new SeededRandom(S);
      const pixels = Float32Array.from({ length: 3 * S * S }, () => rng.uniform() * 2 - 1);
      const report = await crosscheck({ module: 'siglip_ref', model, weights, config, feeds: { pixel_values: tensorF32(pixels, [1, 3, S, S]) } });
      expectClose(report, 'last_hidden_state', `siglip (${attention}) ${S}px`);
    });
  }
});
