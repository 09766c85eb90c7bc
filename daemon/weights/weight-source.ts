// The interface graph builders read parameters through. Implemented by safetensors files (one or
// sharded), and by in-memory maps in tests.
import type { OnnxDType } from '../onnx/onnx-proto.js';

export type WeightDType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'uint8' | 'bool';

export interface WeightInfo { dtype: WeightDType; shape: number[]; byteLength: number }
export interface WeightBytes { dtype: WeightDType; shape: number[]; bytes: Uint8Array }

export interface WeightSource {
  names(): string[];
  info(name: string): WeightInfo | undefined;
  /** Reads one tensor's raw little-endian bytes; only that tensor is held in memory. */
  read(name: string): Promise<WeightBytes>;
}

export function toOnnxDType(dtype: WeightDType): OnnxDType {
  return dtype;
}

export const weightBytesPerElement: Record<WeightDType, number> = {
  float32: 4, float16: 2, bfloat16: 2, int64: 8, int32: 4, uint8: 1, bool: 1,
};

/** A WeightSource over tensors already in memory (tests, seeded weights, training exports). */
export class MemoryWeights implements WeightSource {
  private readonly map = new Map<string, WeightBytes>();
  set(name: string, dtype: WeightDType, shape: number[], bytes: Uint8Array): void {
    const expected = shape.reduce((a, b) => a * b, 1) * weightBytesPerElement[dtype];
    if (bytes.byteLength !== expected) throw new Error(`tensor '${name}': ${bytes.byteLength} bytes, expected ${expected} for [${shape.join(', ')}] ${dtype}`);
    this.map.set(name, { dtype, shape, bytes });
  }
  setFloat32(name: string, shape: number[], data: Float32Array): void {
    this.set(name, 'float32', shape, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  names(): string[] { return [...this.map.keys()]; }
  info(name: string): WeightInfo | undefined {
    const t = this.map.get(name);
    return t && { dtype: t.dtype, shape: t.shape, byteLength: t.bytes.byteLength };
  }
  async read(name: string): Promise<WeightBytes> {
    const t = this.map.get(name);
    if (!t) throw new Error(`no tensor named '${name}'`);
    return t;
  }
}
