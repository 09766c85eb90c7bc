import { describe, expect, it } from 'vitest';
import { parsePlacements, summariseCpuNodes } from './placements.js';

const v = (msg: string) => `2026-12-04 20:32:13.287 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp] ${msg}`;

describe('parsePlacements', () => {
  it('all nodes on one provider (the CPU run of this machine)', () => {
    const log = ['@@graph transformer_post', v('Node placements'), v(' All nodes placed on [CPUExecutionProvider]. Number of nodes: 19'), 'noise'].join('\n');
    expect(parsePlacements(log)).toEqual({ transformer_post: { counts: { CPUExecutionProvider: 19 }, cpuNodes: [] } });
  });

  it('a split graph: the nodes that fell back to the CPU, per graph', () => {
    const log = [
      '@@graph vae_decoder', v('Node placements'),
      v(' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 3'), v('  Conv (conv_in)'), v('  Mul (m1)'), v('  Add (a1)'),
      v(' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2'), v('  Range (range_0)'), v('  Cast (cast_7)'),
      '@@graph text_encoder', v(' All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 40'),
    ].join('\n');
    const p = parsePlacements(log);
    expect(p.vae_decoder).toEqual({ counts: { WebGpuExecutionProvider: 3, CPUExecutionProvider: 2 }, cpuNodes: [{ opType: 'Range', name: 'range_0' }, { opType: 'Cast', name: 'cast_7' }] });
    expect(p.text_encoder!.cpuNodes).toEqual([]);
    expect(summariseCpuNodes(p.vae_decoder)).toBe('Cast×1, Range×1');
  });
});
