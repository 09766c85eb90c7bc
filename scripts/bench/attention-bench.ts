// `npm run bench -- fullsize --part attention`: one transformer-width attention call (24 heads ×
// 128, no mask) at S tokens in both forms, in one process, alternating fused and explicit runs so
// both see the same machine load; median wall time and CPU time of each.
import { GraphBuilder, type AttentionForm } from '../../daemon/onnx/graph.js';
import { attention, splitHeads } from '../../daemon/onnx/ops.js';
import { serializeModel } from '../../daemon/onnx/model-writer.js';
import { createCpuSession, tensorF32 } from '../../daemon/onnx/run.js';

export interface AttentionBenchRow {
  part: 'attention';
  tokens: number;
  heads: number;
  headDim: number;
  runs: number;
  /** Median wall ms and CPU ms per call, by form. */
  fusedMs: number; explicitMs: number;
  fusedCpuMs: number; explicitCpuMs: number;
  /** explicit / fused, wall time. */
  ratio: number;
  maxAbsDiff: number;
}

export async function benchAttention(tokens: number, runs = 3, heads = 24, headDim = 128): Promise<AttentionBenchRow> {
  const width = heads * headDim;
  const build = async (form: AttentionForm) => {
    const g = new GraphBuilder(`attention_${form}`, { attention: form });
    const [q, k, v] = ['q', 'k', 'v'].map((n) => splitHeads(g, g.input(n, 'float32', [1, tokens, width]), heads, headDim)) as [ReturnType<GraphBuilder['input']>, ReturnType<GraphBuilder['input']>, ReturnType<GraphBuilder['input']>];
    g.output(attention(g, q, k, v, heads, headDim), 'out', 'float32', [1, tokens, width]);
    return createCpuSession(await serializeModel(g));
  };
  const sessions = { fused: await build('fused'), explicit: await build('explicit') };
  const data = (salt: number) => Float32Array.from({ length: tokens * width }, (_, i) => Math.sin(i * 0.37 + salt));
  const feeds = { q: tensorF32(data(1), [1, tokens, width]), k: tensorF32(data(2), [1, tokens, width]), v: tensorF32(data(3), [1, tokens, width]) };
  const wall: Record<AttentionForm, number[]> = { fused: [], explicit: [] };
  const cpu: Record<AttentionForm, number[]> = { fused: [], explicit: [] };
  const outs: Partial<Record<AttentionForm, Float32Array>> = {};
  for (let r = 0; r < runs; r++) {
    for (const form of ['fused', 'explicit'] as const) {
      const c = process.cpuUsage();
      const t = performance.now();
      const res = await sessions[form].run(feeds);
      wall[form].push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[form].push((d.user + d.system) / 1000);
      outs[form] = res.out!.data as Float32Array;
    }
  }
  await Promise.all(Object.values(sessions).map((s) => s.release()));
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  let maxAbsDiff = 0;
  for (let i = 0; i < outs.fused!.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(outs.fused![i]! - outs.explicit![i]!));
  const fusedMs = Math.round(med(wall.fused)), explicitMs = Math.round(med(wall.explicit));
  return {
    part: 'attention', tokens, heads, headDim, runs, fusedMs, explicitMs,
    fusedCpuMs: Math.round(med(cpu.fused)), explicitCpuMs: Math.round(med(cpu.explicit)),
    ratio: Math.round((explicitMs / fusedMs) * 100) / 100, maxAbsDiff,
  };
}
