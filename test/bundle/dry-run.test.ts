// The dry run must predict what the builder writes: for the tiny preset its per-component weight
// bytes, parameter counts and quantised-Linear counts equal a real build's manifest (int4 with fp16
// compute, the GPU form, and fp32), and on the official config it gives the full model's sizes.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { componentDefinitions } from '../../daemon/models/bundle/definitions.js';
import { resolveBundleConfig } from '../../daemon/models/bundle/bundle-config.js';
import { dryRunBundle } from '../../daemon/models/bundle/dry-run.js';
import { MODEL_COMPONENT_IDS } from '../../daemon/models/bundle/manifest.js';
import { runBuildBundle } from '../../scripts/build-bundle.js';
import { OFFICIAL_DRY_RUN_CONFIG, dryRunFormats } from '../../scripts/bundle-dry-run.js';
import { SEEDED_BUNDLE_SEED, TOKENIZERS_SRC, writeSeededWeights } from '../../scripts/seeded-bundle.js';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-dry-run-'));
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('dry run of the bundle builder', () => {
  it('predicts a real tiny build byte for byte (int4 block 16 with fp16 compute, and fp32)', async () => {
    const weights = await writeSeededWeights(path.join(tmp, 'w'), componentDefinitions, SEEDED_BUNDLE_SEED);
    const configJson = { name: 'dry', preset: 'tiny' };
    const configPath = path.join(tmp, 'config.json');
    await writeFile(configPath, JSON.stringify(configJson));
    const config = resolveBundleConfig(configJson, componentDefinitions);
    for (const [dtype, quantization] of [['float16', { bits: 4, blockSize: 16 }], ['float32', undefined]] as const) {
      const built = await runBuildBundle({
        config: configPath, weights, tokenizer: path.join(TOKENIZERS_SRC, 'llama', 'tokenizer.json'), tokenizer2: path.join(TOKENIZERS_SRC, 'clip', 'tokenizer.json'),
        outDir: path.join(tmp, `out-${dtype}`), dtype, ...(quantization ? { quantization } : {}),
      }, componentDefinitions);
      const dry = dryRunBundle(config, componentDefinitions, dtype, quantization);
      for (const c of dry) {
        const m = built.manifest.components[c.id];
        expect({ id: c.id, weightBytes: c.weightBytes, parameterCount: c.parameterCount, linears: c.linears })
          .toEqual({ id: c.id, weightBytes: m.memory.weightBytes, parameterCount: m.parameterCount, linears: m.quantization?.linears ?? 0 });
      }
      if (quantization) expect(dry.find((c) => c.id === 'transformer')!.linears).toBeGreaterThan(0);
    }
  });

  it('sizes the official model without weights: 12.9 B transformer parameters, int4 bytes as its bits per weight predict', () => {
    const rows = dryRunFormats(OFFICIAL_DRY_RUN_CONFIG, componentDefinitions, 32, 'float16');
    const byFormat = Object.fromEntries(rows.map((r) => [r.format, r]));
    const tf = (f: string) => byFormat[f]!.components.find((c) => c.id === 'transformer')!;
    expect(tf('fp32').parameterCount).toBe(12874314816);
    expect(tf('fp16').weightBytes / tf('fp32').weightBytes).toBeCloseTo(0.5, 2);
    // int4 block 32 with fp16 scales and packed zero points: 4 + 16/32 + 4/32 bits per quantised weight.
    const q = tf('int4');
    expect(q.quantizedParameters / q.parameterCount).toBeGreaterThan(0.99);
    const predicted = q.quantizedParameters * (4 + 16 / 32 + 4 / 32) / 8 + (tf('fp16').weightBytes - 2 * q.quantizedParameters);
    expect(q.weightBytes / predicted).toBeCloseTo(1, 3);
    expect(MODEL_COMPONENT_IDS.filter((id) => byFormat.int4!.components.find((c) => c.id === id)!.linears > 0)).toEqual(['transformer', 'text_encoder']);
  });
});
