// Adds LoRA branches to a built transformer graph: every Linear whose weight a LoRA adapts,
// y = x·Wᵀ (MatMul, or MatMulNBits in a quantised bundle), becomes y = x·Wᵀ + (x·Aᵀ)·Bᵀ, with A and
// B stored as new inline initializers in the graph's compute dtype. The base weights are not
// touched (so a 25 GB external-data graph keeps pointing at its own .data file, and int4/int8
// bundles need no requantisation); the branch costs 2·r/in of the Linear's FLOPs.
import { ModelProto, OnnxDataType } from '../../onnx/onnx-proto.js';
import { fromFloat32 } from '../../weights/float-convert.js';
import type { LoraFactors } from './lora-load.js';

interface TensorMsg { name: string; dataType: number }
interface NodeMsg { input: string[]; output: string[]; name?: string; opType: string; domain?: string }
interface GraphMsg { node: NodeMsg[]; initializer: TensorMsg[] }

export interface PatchResult { bytes: Uint8Array; patched: string[] }

const NBITS_B = '.MatMulNBits.B';
const NBITS_SCALES = '.MatMulNBits.scales';

/** The LoRA target a Linear node computes, if any: its weight prefix. */
function linearTarget(n: NodeMsg): string | null {
  const w = n.input[1];
  if (!w) return null;
  if (n.opType === 'MatMul' && !n.domain && w.endsWith('.weight')) return w.slice(0, -'.weight'.length);
  if (n.opType === 'MatMulNBits' && w.endsWith(`.weight${NBITS_B}`)) return w.slice(0, -`.weight${NBITS_B}`.length);
  return null;
}

function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** Patches one serialized model; `patched` lists the targets found in it (empty: bytes unchanged). */
export function patchGraphWithLoras(model: Uint8Array, factors: ReadonlyMap<string, LoraFactors>): PatchResult {
  const m = ModelProto.decode(model) as unknown as { graph: GraphMsg };
  const g = m.graph;
  const dtypeOf = new Map(g.initializer.map((t) => [t.name, t.dataType]));
  const nodes: NodeMsg[] = [];
  const patched = new Set<string>();
  const added = new Set<string>();
  for (const n of g.node) {
    nodes.push(n);
    const target = linearTarget(n);
    const f = target !== null ? factors.get(target) : undefined;
    if (!f || target === null) continue;
    // The branch computes in the base weight's dtype (the NBits scales carry it in a quantised graph).
    const dtypeCode = dtypeOf.get(`${target}.weight`) ?? dtypeOf.get(`${target}.weight${NBITS_SCALES}`) ?? OnnxDataType.float32;
    const dtype = dtypeCode === OnnxDataType.float16 ? 'float16' : 'float32';
    const inF = f.a.length / f.rank;
    const outF = f.b.length / f.rank;
    const aName = `${target}.lora_down_t`;
    const bName = `${target}.lora_up_t`;
    if (!added.has(target)) {
      added.add(target);
      // Stored transposed ([in, r] and [r, out]) so the branch is two plain MatMuls.
      g.initializer.push({ name: aName, dims: [inF, f.rank], dataType: OnnxDataType[dtype], rawData: fromFloat32(transposed(f.a, f.rank, inF), dtype) } as unknown as TensorMsg);
      g.initializer.push({ name: bName, dims: [f.rank, outF], dataType: OnnxDataType[dtype], rawData: fromFloat32(transposed(f.b, outF, f.rank), dtype) } as unknown as TensorMsg);
    }
    const y = n.output[0]!;
    const base = `${y}/lora_base`;
    const low = `${y}/lora_down`;
    const delta = `${y}/lora_delta`;
    n.output = [base];
    nodes.push(
      { name: `${n.name ?? y}/lora_down`, opType: 'MatMul', input: [n.input[0]!, aName], output: [low] },
      { name: `${n.name ?? y}/lora_up`, opType: 'MatMul', input: [low, bName], output: [delta] },
      { name: `${n.name ?? y}/lora_add`, opType: 'Add', input: [base, delta], output: [y] },
    );
    patched.add(target);
  }
  if (patched.size === 0) return { bytes: model, patched: [] };
  g.node = nodes;
  return { bytes: ModelProto.encode(m as never).finish(), patched: [...patched] };
}
