// Serialises a GraphBuilder to an ONNX ModelProto. Small models carry their weights inline; large
// ones (protobuf caps a message at 2 GB) put them in `<file>.data` beside the model, streamed one
// tensor at a time so the whole checkpoint never sits in memory.
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { ModelProto, OnnxDataType } from './onnx-proto.js';
import type { AttrValue, Dim, GraphBuilder, LazyTensor, TensorData, ValueInfo } from './graph.js';

export const IR_VERSION = 10; // ORT 1.30 accepts IR ≤ 13; 10 pairs with opset 21
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
/** Above this total the writer switches to external data (headroom under the 2 GB cap). */
export const INLINE_LIMIT_BYTES = 1_800_000_000;
const EXTERNAL_ALIGN_BYTES = 64;

export interface WriteOptions {
  /** 'auto' (default): external data only when the initializers exceed INLINE_LIMIT_BYTES. */
  externalData?: 'auto' | 'always' | 'never';
  metadata?: Record<string, string>;
  docString?: string;
}

export interface WrittenModel { modelPath: string; dataPath?: string; modelBytes: number; dataBytes: number }

function valueInfo(v: ValueInfo) {
  return {
    name: v.name,
    type: { tensorType: { elemType: OnnxDataType[v.dtype], shape: { dim: v.dims.map(dimProto) } } },
  };
}
function dimProto(d: Dim) { return typeof d === 'number' ? { dimValue: d } : { dimParam: d }; }

function attrProto(name: string, v: AttrValue) {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}=${v}: use f() for float attributes`);
    return { name, type: 2, i: v };
  }
  if (typeof v === 'string') return { name, type: 3, s: Buffer.from(v, 'utf8') };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('kind' in v) return v.kind === 'float' ? { name, type: 1, f: v.value } : { name, type: 6, floats: v.value };
  return { name, type: 4, t: { dims: v.dims, dataType: OnnxDataType[v.dtype], rawData: v.bytes } };
}

function isLazy(t: TensorData | LazyTensor): t is LazyTensor { return 'read' in t; }
function byteLengthOf(t: TensorData | LazyTensor): number { return isLazy(t) ? t.byteLength : t.bytes.byteLength; }

function modelObject(g: GraphBuilder, initializers: object[], opts: WriteOptions) {
  return {
    irVersion: IR_VERSION,
    producerName: 'framepack-terminal',
    producerVersion: '0.1.0',
    docString: opts.docString,
    opsetImport: Object.entries(g.opsets).map(([domain, version]) => ({ domain, version })),
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name, opType: n.opType, domain: n.domain || undefined, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => attrProto(k, v)),
      })),
      initializer: initializers,
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  };
}

/** Builds the model in memory with inline weights (tests, and the small default bundle). */
export async function serializeModel(g: GraphBuilder, opts: WriteOptions = {}): Promise<Uint8Array> {
  g.assertWeightsMatch();
  const inits: object[] = [];
  let total = 0;
  for (const [name, t] of g.initializers) {
    const bytes = isLazy(t) ? await t.read() : t.bytes;
    if (bytes.byteLength !== byteLengthOf(t)) throw new Error(`initializer '${name}': produced ${bytes.byteLength} bytes, expected ${byteLengthOf(t)}`);
    total += bytes.byteLength;
    if (total > PROTOBUF_LIMIT_BYTES) throw new Error(`graph ${g.name}: weights exceed 2 GB; write it to a file with external data`);
    inits.push({ name, dims: t.dims, dataType: OnnxDataType[t.dtype], rawData: bytes });
  }
  return ModelProto.encode(ModelProto.fromObject(modelObject(g, inits, opts))).finish();
}

/** Writes `<modelPath>` (and `<modelPath>.data` when external), atomically via temp names. */
export async function writeModel(g: GraphBuilder, modelPath: string, opts: WriteOptions = {}): Promise<WrittenModel> {
  g.assertWeightsMatch();
  const total = [...g.initializers.values()].reduce((a, t) => a + byteLengthOf(t), 0);
  const mode = opts.externalData ?? 'auto';
  const external = mode === 'always' || (mode === 'auto' && total > INLINE_LIMIT_BYTES);
  const tmpModel = `${modelPath}.partial`;
  if (!external) {
    const bytes = await serializeModel(g, opts);
    await writeFile(tmpModel, bytes);
    await rename(tmpModel, modelPath);
    return { modelPath, modelBytes: bytes.byteLength, dataBytes: 0 };
  }
  const dataPath = `${modelPath}.data`;
  const tmpData = `${dataPath}.partial`;
  const location = path.basename(dataPath); // relative: ORT resolves it beside the model file
  const out = createWriteStream(tmpData);
  const inits: object[] = [];
  let offset = 0;
  try {
    for (const [name, t] of g.initializers) {
      // Build-time constants (shapes, axes, scalars) stay inline: ORT's shape inference reads some
      // of them at load time and cannot read external data ("Cannot parse data from external tensors").
      if (!isLazy(t)) {
        inits.push({ name, dims: t.dims, dataType: OnnxDataType[t.dtype], rawData: t.bytes });
        continue;
      }
      const bytes = await t.read();
      if (bytes.byteLength !== byteLengthOf(t)) throw new Error(`initializer '${name}': produced ${bytes.byteLength} bytes, expected ${byteLengthOf(t)}`);
      const pad = (EXTERNAL_ALIGN_BYTES - (offset % EXTERNAL_ALIGN_BYTES)) % EXTERNAL_ALIGN_BYTES;
      if (pad && !out.write(Buffer.alloc(pad))) await once(out, 'drain');
      offset += pad;
      if (!out.write(bytes)) await once(out, 'drain');
      inits.push({
        name, dims: t.dims, dataType: OnnxDataType[t.dtype], dataLocation: 1,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.byteLength) },
        ],
      });
      offset += bytes.byteLength;
    }
  } catch (err) {
    out.destroy();
    await rm(tmpData, { force: true });
    throw err;
  }
  out.end();
  await once(out, 'close');
  const modelBytes = ModelProto.encode(ModelProto.fromObject(modelObject(g, inits, opts))).finish();
  await writeFile(tmpModel, modelBytes);
  await rename(tmpData, dataPath);
  await rename(tmpModel, modelPath);
  return { modelPath, dataPath, modelBytes: modelBytes.byteLength, dataBytes: offset };
}
