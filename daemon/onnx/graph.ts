// A typed builder for ONNX graphs. Architecture definitions describe their computation with it;
// `model-writer.ts` turns the result into a .onnx file (weights inline or as external data).
// Values are plain names: the builder does no shape inference, the architecture code knows its
// shapes. Weights are pulled lazily from a WeightSource so a 25 GB checkpoint streams through.
import { bytesPerElement, type OnnxDType } from './onnx-proto.js';
import type { WeightSource } from '../weights/weight-source.js';
import { convertFloatBytes, transpose2d } from '../weights/float-convert.js';

export type Dim = number | string; // a string names a dynamic axis
export interface Value { readonly name: string }

/** Raw little-endian tensor bytes, known now. */
export interface TensorData { dtype: OnnxDType; dims: number[]; bytes: Uint8Array }
/** Tensor bytes produced on demand (streamed into the model file one tensor at a time). */
export interface LazyTensor { dtype: OnnxDType; dims: number[]; byteLength: number; read(): Promise<Uint8Array> }

export interface ValueInfo { name: string; dtype: OnnxDType; dims: Dim[] }

/** Attribute values: numbers are INT, number[] INTS, string STRING; use f()/fs() for floats. */
export type AttrValue = number | number[] | string | FloatAttr | FloatsAttr | TensorData;
interface FloatAttr { kind: 'float'; value: number }
interface FloatsAttr { kind: 'floats'; value: number[] }
export const f = (value: number): FloatAttr => ({ kind: 'float', value });
export const fs = (value: number[]): FloatsAttr => ({ kind: 'floats', value });

export interface NodeDef {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface WeightOptions {
  /** Store a 2-D [out, in] PyTorch Linear weight as [in, out] so the graph can MatMul it directly. */
  transpose?: boolean;
}

export class WeightMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(`weights do not match the architecture (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ` +
      problems.slice(0, 40).join('\n  ') + (problems.length > 40 ? `\n  … and ${problems.length - 40} more` : ''));
    this.name = 'WeightMismatchError';
  }
}

export interface GraphBuilderOptions {
  /** Where g.weight() reads parameters from. */
  weights?: WeightSource;
  /** Element type the weights are stored and computed in (default float32). */
  weightDtype?: 'float32' | 'float16';
  /**
   * How attention helpers (ops.ts attention()) write attention: 'explicit' MatMul→Softmax→MatMul
   * (default, the form bundles had before the option) or 'fused' com.microsoft MultiHeadAttention.
   */
  attention?: AttentionForm;
  /** Opset per domain; ai.onnx ('') defaults to 21, com.microsoft is added only when used. */
  opsets?: Record<string, number>;
}

export type AttentionForm = 'fused' | 'explicit';

export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly initializers = new Map<string, TensorData | LazyTensor>();
  readonly opsets: Record<string, number>;
  readonly weightDtype: 'float32' | 'float16';
  readonly attention: AttentionForm;
  readonly usedWeights = new Set<string>();
  private readonly problems: string[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, Value>();
  private counter = 0;
  private prefix: string[] = [];

  constructor(readonly name: string, private readonly options: GraphBuilderOptions = {}) {
    this.opsets = { '': 21, ...(options.opsets ?? {}) };
    this.weightDtype = options.weightDtype ?? 'float32';
    this.attention = options.attention ?? 'explicit';
  }

  /** Runs `fn` with node names prefixed (e.g. 'transformer_blocks.3'), for readable graphs. */
  scope<T>(name: string, fn: () => T): T {
    this.prefix.push(name);
    try { return fn(); } finally { this.prefix.pop(); }
  }

  private fresh(hint: string): string {
    const base = [...this.prefix, hint].join('/');
    let name = base;
    while (this.names.has(name)) name = `${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  input(name: string, dtype: OnnxDType, dims: Dim[]): Value {
    if (this.names.has(name)) throw new Error(`graph ${this.name}: duplicate value name '${name}'`);
    this.names.add(name);
    this.inputs.push({ name, dtype, dims });
    return { name };
  }

  /** Declares `value` as a graph output called `name` (an Identity is inserted when they differ). */
  output(value: Value, name: string, dtype: OnnxDType, dims: Dim[]): void {
    let outName = value.name;
    if (outName !== name) {
      if (this.names.has(name)) throw new Error(`graph ${this.name}: duplicate value name '${name}'`);
      this.names.add(name);
      this.nodes.push({ opType: 'Identity', domain: '', name: `${name}/identity`, inputs: [value.name], outputs: [name], attrs: {} });
      outName = name;
    }
    this.outputs.push({ name: outName, dtype, dims });
  }

  initializer(name: string, tensor: TensorData | LazyTensor): Value {
    if (this.initializers.has(name) || this.names.has(name)) throw new Error(`graph ${this.name}: duplicate initializer '${name}'`);
    this.names.add(name);
    this.initializers.set(name, tensor);
    return { name };
  }

  /**
   * A model parameter by its checkpoint name. The shape is checked against `expected`; missing or
   * mismatched tensors are collected and reported together by `assertWeightsMatch()`.
   */
  weight(name: string, expected: number[], opts: WeightOptions = {}): Value {
    const source = this.options.weights;
    if (!source) throw new Error(`graph ${this.name}: weight '${name}' requested but no weight source was given`);
    const storedDims = opts.transpose ? [expected[1]!, expected[0]!] : expected;
    const dtype = this.weightDtype;
    if (this.initializers.has(name)) return { name };
    this.usedWeights.add(name);
    const info = source.info(name);
    if (!info) {
      this.problems.push(`missing tensor '${name}' (expected shape [${expected.join(', ')}])`);
    } else if (info.shape.length !== expected.length || info.shape.some((d, i) => d !== expected[i])) {
      this.problems.push(`tensor '${name}' has shape [${info.shape.join(', ')}], expected [${expected.join(', ')}]`);
    }
    const byteLength = storedDims.reduce((a, b) => a * b, 1) * bytesPerElement[dtype];
    return this.initializer(name, {
      dtype, dims: storedDims, byteLength,
      read: async () => {
        const t = await source.read(name);
        let bytes = convertFloatBytes(t.bytes, t.dtype, dtype);
        if (opts.transpose) bytes = transpose2d(bytes, expected[0]!, expected[1]!, bytesPerElement[dtype]);
        return bytes;
      },
    });
  }

  /** Throws a WeightMismatchError naming every missing or mis-shaped tensor seen so far. */
  assertWeightsMatch(): void {
    if (this.problems.length > 0) throw new WeightMismatchError([...this.problems]);
  }

  /** A small constant, deduplicated by value. */
  constant(dtype: OnnxDType, dims: number[], values: ArrayLike<number> | ArrayLike<bigint>): Value {
    const bytes = encodeValues(dtype, values);
    const key = `${dtype}|${dims.join(',')}|${Buffer.from(bytes).toString('base64')}`;
    const cached = this.constCache.get(key);
    if (cached) return cached;
    const name = this.fresh(`const_${dtype}`);
    this.names.delete(name);
    const v = this.initializer(name, { dtype, dims, bytes });
    this.constCache.set(key, v);
    return v;
  }

  /** 1-D int64 constant, the form Reshape/Slice/Unsqueeze want. */
  ints(values: number[]): Value {
    return this.constant('int64', [values.length], values.map((v) => BigInt(v)));
  }

  /** Scalar float constant in the graph's weight dtype (for Add/Mul with activations). */
  scalar(value: number, dtype: OnnxDType = this.weightDtype): Value {
    return this.constant(dtype, [], [value]);
  }

  op(opType: string, inputs: (Value | null)[], attrs: Record<string, AttrValue> = {}, opts: { domain?: string; name?: string } = {}): Value {
    return this.opN(opType, inputs, 1, attrs, opts)[0]!;
  }

  opN(opType: string, inputs: (Value | null)[], outputCount: number, attrs: Record<string, AttrValue> = {}, opts: { domain?: string; name?: string } = {}): Value[] {
    const domain = opts.domain ?? '';
    if (domain === 'com.microsoft' && this.opsets['com.microsoft'] === undefined) this.opsets['com.microsoft'] = 1;
    const nodeName = this.fresh(opts.name ?? opType);
    const outputs = Array.from({ length: outputCount }, (_, i) => {
      const out = outputCount === 1 ? `${nodeName}:out` : `${nodeName}:out${i}`;
      this.names.add(out);
      return out;
    });
    this.nodes.push({ opType, domain, name: nodeName, inputs: inputs.map((v) => v?.name ?? ''), outputs, attrs });
    return outputs.map((name) => ({ name }));
  }
}

function encodeValues(dtype: OnnxDType, values: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
  const n = values.length;
  const asNum = (i: number) => Number(values[i]);
  switch (dtype) {
    case 'float32': { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = asNum(i); return new Uint8Array(a.buffer); }
    case 'float64': { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = asNum(i); return new Uint8Array(a.buffer); }
    case 'float16': return convertFloatBytes(encodeValues('float32', values), 'float32', 'float16');
    case 'int64': { const a = new BigInt64Array(n); for (let i = 0; i < n; i++) a[i] = BigInt(values[i] as number | bigint); return new Uint8Array(a.buffer); }
    case 'int32': { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = asNum(i); return new Uint8Array(a.buffer); }
    case 'uint8': case 'bool': { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = asNum(i); return a; }
    case 'int8': { const a = new Int8Array(n); for (let i = 0; i < n; i++) a[i] = asNum(i); return new Uint8Array(a.buffer); }
    default: throw new Error(`constant of dtype ${dtype} is not supported`);
  }
}
