import { describe, expect, it } from 'vitest';
import { parsePlacements, summariseCpuNodes } from './placements.js';

const v = (graph: string, msg: string) => `2026-12-04 20:32:13.287 [V:onnxruntime:graph:${graph}, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp] ${msg}`;

describe('parsePlacements', () => {
  it('all nodes on one provider (the CPU run of this machine)', () => {
    const log = [v('transformer_post', 'Node placements'), v('transformer_post', ' All nodes placed on [CPUExecutionProvider]. Number of nodes: 19'), 'noise',
      '2026-12-04 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [X]. Number of nodes: 1'].join('\n');
    expect(parsePlacements(log)).toEqual({ transformer_post: { counts: { CPUExecutionProvider: 19 }, cpuNodes: [] } });
  });

  it('a split graph: the nodes that fell back to the CPU, per graph, whatever order the lines come in', () => {
    const log = [
      v('vae_decoder', 'Node placements'),
      v('vae_decoder', ' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 3'), v('vae_decoder', '  Conv (conv_in)'),
      v('text_encoder', ' All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 40'),
      v('vae_decoder', '  Mul (m1)'), v('vae_decoder', '  Add (a1)'),
      v('vae_decoder', ' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2'), v('vae_decoder', '  Range (range_0)'), v('vae_decoder', '  Cast (cast_7)'),
    ].join('\n');
    const p = parsePlacements(log);
    expect(p.vae_decoder).toEqual({ counts: { WebGpuExecutionProvider: 3, CPUExecutionProvider: 2 }, cpuNodes: [{ opType: 'Range', name: 'range_0' }, { opType: 'Cast', name: 'cast_7' }] });
    expect(p.text_encoder).toEqual({ counts: { WebGpuExecutionProvider: 40 }, cpuNodes: [] });
    expect(summariseCpuNodes(p.vae_decoder)).toBe('Cast×1, Range×1');
  });
});
