import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { benchGraphs, type GraphBenchRow, type StepBenchRow } from './graphs-bench.js';

describe('bench graphs', () => {
  it('loads and runs every graph of the default bundle, one row each', async () => {
    const all: (GraphBenchRow | StepBenchRow)[] = [];
    await benchGraphs({ bundleDir: path.resolve(import.meta.dirname, '../../models/framepack-tiny'), runs: 1, onRow: (r) => all.push(r) });
    const rows = all.filter((r): r is GraphBenchRow => r.bench === 'graphs');
    // The step through the chain: on the CPU only the host variant (no GPU-resident IO).
    expect(all.filter((r) => r.bench === 'graphs-step')).toEqual([expect.objectContaining({ chain: 'host', provider: 'cpu', imageSideTokens: expect.any(Number), medianStepMs: expect.any(Number) })]);
    expect(rows.map((r) => r.graph).sort()).toEqual([
      'image_encoder', 'text_encoder', 'text_encoder_2',
      'transformer_blocks', 'transformer_context', 'transformer_image_projection', 'transformer_post', 'transformer_pre',
      'vae_decoder', 'vae_encoder',
    ]);
    for (const r of rows) {
      expect(r.bucket).toBe('64x96');
      for (const ms of [r.loadMs, r.firstForwardMs, r.medianForwardMs]) expect(ms).toBeGreaterThan(0);
    }
  });
});
