// Which execution provider ONNX Runtime placed each node on, read from its verbose session log
// (session_state.cc VerifyEachNodeIsAssignedToAnEp, logged at severity 0 when a session is
// created): "All nodes placed on [EP]. Number of nodes: N", or per provider " Node(s) placed on
// [EP]. Number of nodes: n" followed by one "  OpType (node name)" line per node. Nodes a GPU
// provider has no kernel for land on CPUExecutionProvider: ORT's silent fallback, which this
// makes visible per graph. The log is native stderr, so the bench reads it from a child process;
// each session's logId ("graph:<name>") names its graph in every line. (Markers written from JS
// between sessions did not work: ORT's log reaches a pipe through C++ stream buffering, so its
// lines arrived after later markers.)

export interface Placement {
  /** Nodes per provider, e.g. { WebGpuExecutionProvider: 812, CPUExecutionProvider: 14 }. */
  counts: Record<string, number>;
  /** Nodes on the CPU when another provider was asked for: op type and node name (empty when all are on one provider). */
  cpuNodes: { opType: string; name: string }[];
}

export const LOG_ID_PREFIX = 'graph:';
const LINE = /\[V:onnxruntime:graph:([^,\]]+),[^\]]*VerifyEachNodeIsAssignedToAnEp\]\s?(.*)$/;

/** Placements per graph (the session's logId after LOG_ID_PREFIX) from ORT's verbose log. */
export function parsePlacements(log: string): Record<string, Placement> {
  const out: Record<string, Placement> = {};
  const current: Record<string, string> = {};
  for (const raw of log.split('\n')) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const graph = m[1]!;
    const body = m[2]!;
    const block = (out[graph] ??= { counts: {}, cpuNodes: [] });
    const placed = /(?:All nodes|Node\(s\)) placed on \[([^\]]+)\]\. Number of nodes: (\d+)/.exec(body);
    if (placed) {
      current[graph] = placed[1]!;
      block.counts[placed[1]!] = Number(placed[2]);
      continue;
    }
    const node = /^\s{2}(\S+) \((.*)\)\s*$/.exec(body);
    if (node && current[graph] === 'CPUExecutionProvider') block.cpuNodes.push({ opType: node[1]!, name: node[2]! });
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

/**
 * Runs `node …args` (a graphs bench with placement logging) and returns its stdout lines and the
 * placements parsed from its stderr; other stderr lines (not ORT's verbose/info log) pass through.
 * The child's stderr is a file, not a pipe: Node makes its stdio pipes non-blocking, and ORT's
 * native writes to a full non-blocking pipe are dropped (measured: 80 KB of a 420 KB log arrived,
 * the last graphs' placements missing).
 */
export async function runWithPlacementLog(args: string[], opts: { nodePath?: string; onStderr?: (line: string) => void } = {}): Promise<{ code: number; lines: string[]; placements: Record<string, Placement> }> {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const { mkdtemp, open, readFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-placements-'));
  const logFile = path.join(dir, 'stderr.log');
  const handle = await open(logFile, 'w');
  try {
    const { code, lines } = await new Promise<{ code: number; lines: string[] }>((resolve, reject) => {
      const child = spawn(opts.nodePath ?? process.execPath, args, { stdio: ['ignore', 'pipe', handle.fd] });
      const out: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (line) => { if (line.trim()) out.push(line); });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c ?? 1, lines: out }));
    });
    const log = await readFile(logFile, 'utf8');
    const pass = opts.onStderr ?? ((l: string) => process.stderr.write(`${l}\n`));
    for (const line of log.split('\n')) if (line.trim() && !/^\d{4}-\d\d-\d\d [\d:.]+ \[[VIW]:onnxruntime/.test(line)) pass(line);
    return { code, lines, placements: parsePlacements(log) };
  } finally {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  }
}
