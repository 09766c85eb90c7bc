// Which execution provider ONNX Runtime placed each node on, read from its verbose session log
// (session_state.cc VerifyEachNodeIsAssignedToAnEp, logged at severity 0 when a session is
// created): "All nodes placed on [EP]. Number of nodes: N", or per provider " Node(s) placed on
// [EP]. Number of nodes: n" followed by one "  OpType (node name)" line per node. Nodes a GPU
// provider has no kernel for land on CPUExecutionProvider: ORT's silent fallback, which this
// makes visible per graph. The log is native stderr, so the bench reads it from a child process;
// a "@@graph <name>" line it writes before each session says which graph the next block is for.

export interface Placement {
  /** Nodes per provider, e.g. { WebGpuExecutionProvider: 812, CPUExecutionProvider: 14 }. */
  counts: Record<string, number>;
  /** Nodes on the CPU when another provider was asked for: op type and node name (empty when all are on one provider). */
  cpuNodes: { opType: string; name: string }[];
}

export const GRAPH_MARKER = '@@graph ';
const LINE = /\[V:onnxruntime:[^\]]*VerifyEachNodeIsAssignedToAnEp\]\s?(.*)$/;

/** Placements per graph from a stderr log with GRAPH_MARKER lines. */
export function parsePlacements(log: string): Record<string, Placement> {
  const out: Record<string, Placement> = {};
  let graph: string | null = null;
  let current: string | null = null;
  for (const raw of log.split('\n')) {
    if (raw.startsWith(GRAPH_MARKER)) { graph = raw.slice(GRAPH_MARKER.length).trim(); out[graph] = { counts: {}, cpuNodes: [] }; current = null; continue; }
    const m = LINE.exec(raw);
    if (!m || graph === null) continue;
    const body = m[1]!;
    const placed = /(?:All nodes|Node\(s\)) placed on \[([^\]]+)\]\. Number of nodes: (\d+)/.exec(body);
    if (placed) {
      current = placed[1]!;
      out[graph]!.counts[current] = Number(placed[2]);
      continue;
    }
    const node = /^\s{2}(\S+) \((.*)\)\s*$/.exec(body);
    if (node && current === 'CPUExecutionProvider' && Object.keys(out[graph]!.counts).length > 0) out[graph]!.cpuNodes.push({ opType: node[1]!, name: node[2]! });
  }
  return out;
}

/** "Cast×3, Range×1" — the op types that fell back, most frequent first. */
export function summariseCpuNodes(p: Placement | undefined): string {
  if (!p || p.cpuNodes.length === 0) return '';
  const by = new Map<string, number>();
  for (const n of p.cpuNodes) by.set(n.opType, (by.get(n.opType) ?? 0) + 1);
  return [...by.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op, n]) => `${op}×${n}`).join(', ');
}
