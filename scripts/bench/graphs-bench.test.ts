import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { benchGraphs, type GraphBenchRow } from './graphs-bench.js';

describe('bench graphs', () => {
  it('loads and runs every graph of the default bundle, one row each', async () => {
    const rows: GraphBenchRow[] = [];
    await benchGraphs({ bundleDir: path.resolve(import.meta.dirname, '../../models/framepack-tiny'), runs: 1, onRow: (r) => rows.push(r) });
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
