// A model's weights turned into graph inputs (issue 14 item 3, the `inputs` form of block
// streaming): the file is read once, every weight initializer is taken out of the graph and
// declared as an input of the same name, dtype and shape, and its bytes come back as an ORT tensor
// (fp32, fp16 or the quantised forms' uint8, as the file has them). A session of the rewritten,
// weight-free graph is small and cheap to keep; the weights are fed with every run, so they live
// where the caller keeps them (host memory) and reach the device only for the run (on CUDA, ORT
// copies CPU feeds to the device per run; on the CPU it uses them in place).
// Which initializers are weights: all but the graph builder's constants (graph.ts constant(),
// named `const_<dtype>` with an optional scope prefix and counter) — ORT's shape inference reads
// those (Reshape shapes, axes) at load time, so they must stay initializers. Weight input names are
// the checkpoint parameter names the builder gave them (e.g.
// `single_transformer_blocks.3.attn.to_q.weight`), stable across builds.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type protobuf from 'protobufjs';
import { ModelProto, OnnxDataType, type OnnxDType } from './onnx-proto.js';

const BUILDER_CONSTANT = /(^|\/)const_[a-z0-9]+(_\d+)?$/;

/** Whether an initializer of this name is a weight (made an input) rather than a builder constant. */
export const isWeightInitializer = (name: string): boolean => !BUILDER_CONSTANT.test(name);

export interface WeightInputsModel {
  /** The graph without its weights (serialised ModelProto). */
  model: Uint8Array;
  /** The weights by input name, in host memory. */
  weights: Record<string, ort.Tensor>;
  weightBytes: number;
}

const dtypeOfCode = new Map<number, OnnxDType>(Object.entries(OnnxDataType).map(([k, v]) => [v, k as OnnxDType]));

function tensorOf(dtype: OnnxDType, dims: number[], bytes: Uint8Array, name: string): ort.Tensor {
  // A fresh, aligned copy: the file's bytes sit at arbitrary offsets, and the file buffer is dropped.
  const buf = new Uint8Array(bytes.byteLength);
  buf.set(bytes);
  const b = buf.buffer;
  switch (dtype) {
    case 'float32': return new ort.Tensor('float32', new Float32Array(b), dims);
    case 'float16': return new ort.Tensor('float16', new Uint16Array(b), dims);
    case 'uint8': return new ort.Tensor('uint8', buf, dims);
    case 'int8': return new ort.Tensor('int8', new Int8Array(b), dims);
    case 'int32': return new ort.Tensor('int32', new Int32Array(b), dims);
    case 'int64': return new ort.Tensor('int64', new BigInt64Array(b), dims);
    default: throw new Error(`weight '${name}' has element type ${dtype}, which cannot be fed as an input`);
  }
}

interface TensorMsg {
  name: string; dims: (number | { toNumber(): number })[]; dataType: number; rawData?: Uint8Array;
  dataLocation?: number; externalData?: { key: string; value: string }[];
}

/** Reads `file` (a .onnx path, its external data beside it, or the model's bytes) and moves its weights to inputs. */
export async function weightsAsInputs(file: string | Uint8Array): Promise<WeightInputsModel> {
  const bytes = typeof file === 'string' ? await readFile(file) : file;
  const msg = ModelProto.decode(bytes) as unknown as { graph: { initializer: TensorMsg[]; input: object[] } };
  const dataFiles = new Map<string, Buffer>();
  const external = async (t: TensorMsg): Promise<Uint8Array> => {
    if (typeof file !== 'string') throw new Error(`weight '${t.name}' is stored as external data, which needs the model's path`);
    const kv = Object.fromEntries((t.externalData ?? []).map((e) => [e.key, e.value]));
    const loc = path.resolve(path.dirname(file), kv.location ?? '');
    let data = dataFiles.get(loc);
    if (!data) dataFiles.set(loc, data = await readFile(loc));
    const offset = Number(kv.offset ?? 0);
    const length = kv.length !== undefined ? Number(kv.length) : data.byteLength - offset;
    if (offset + length > data.byteLength) throw new Error(`weight '${t.name}': ${loc} is shorter (${data.byteLength} bytes) than its offset + length (${offset + length})`);
    return data.subarray(offset, offset + length);
  };
  const kept: TensorMsg[] = [];
  const weights: Record<string, ort.Tensor> = {};
  let weightBytes = 0;
  for (const t of msg.graph.initializer) {
    if (!isWeightInitializer(t.name)) { kept.push(t); continue; }
    const dtype = dtypeOfCode.get(t.dataType);
    if (!dtype) throw new Error(`weight '${t.name}' has ONNX data type ${t.dataType}, not one this project writes`);
    const dims = t.dims.map(Number);
    const raw = t.dataLocation === 1 ? await external(t) : t.rawData;
    if (!raw) throw new Error(`weight '${t.name}' has no raw data (only raw_data or external data are read)`);
    weights[t.name] = tensorOf(dtype, dims, raw, t.name);
    weightBytes += raw.byteLength;
    msg.graph.input.push({ name: t.name, type: { tensorType: { elemType: t.dataType, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  }
  msg.graph.initializer = kept;
  const model = ModelProto.encode(msg as unknown as protobuf.Message).finish();
  return { model, weights, weightBytes };
}
