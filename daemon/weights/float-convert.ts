// Conversions between float32, float16 and bfloat16 byte buffers. Checkpoints arrive as bf16 or
// fp16; graphs store fp32 or fp16. All buffers are little-endian, as in safetensors and ONNX.
import type { WeightDType } from './weight-source.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16BitsToFloat(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

/** Round-to-nearest-even float32 → bfloat16 bits (what torch's .to(bfloat16) does). */
export function floatToBf16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return 0x7fc0; // NaN
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Rounds a number to the nearest bfloat16 value (the official timestep/guidance rounding). */
export function roundToBf16(value: number): number {
  return bf16BitsToFloat(floatToBf16Bits(value));
}

export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Round-to-nearest-even float32 → IEEE half bits. */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

let halfTable: Float32Array | undefined;
/** All 65536 half values, built once: a table lookup beats decoding each element. */
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfBitsToFloat(h);
  }
  return halfTable;
}

/** A Uint16Array over `bytes`, copying only when the view would be misaligned. */
function u16View(bytes: Uint8Array): Uint16Array {
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return new Uint16Array(bytes.slice().buffer);
}

/** Reads any float dtype into a new Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: WeightDType): Float32Array {
  if (dtype === 'float32') {
    const out = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  if (dtype !== 'float16' && dtype !== 'bfloat16') throw new Error(`cannot read ${dtype} as float32`);
  const src = u16View(bytes);
  const out = new Float32Array(src.length);
  if (dtype === 'bfloat16') {
    const outBits = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) outBits[i] = src[i]! << 16;
  } else {
    const table = halfToFloatTable();
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]!]!;
  }
  return out;
}

export function fromFloat32(data: Float32Array, dtype: 'float32' | 'float16' | 'bfloat16'): Uint8Array {
  if (dtype === 'float32') return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint16Array(data.length);
  const encode = dtype === 'float16' ? floatToHalfBits : floatToBf16Bits;
  for (let i = 0; i < data.length; i++) out[i] = encode(data[i]!);
  return new Uint8Array(out.buffer);
}

/** Converts raw bytes between float dtypes (identity when they match). */
export function convertFloatBytes(bytes: Uint8Array, from: WeightDType, to: WeightDType): Uint8Array {
  if (from === to) return bytes;
  if (to !== 'float32' && to !== 'float16' && to !== 'bfloat16') throw new Error(`cannot convert ${from} to ${to}`);
  return fromFloat32(toFloat32(bytes, from), to);
}

/** Transposes a row-major [rows, cols] matrix of 1-, 2-, 4- or 8-byte elements. */
export function transpose2d(bytes: Uint8Array, rows: number, cols: number, elemBytes: number): Uint8Array {
  const aligned = bytes.byteOffset % elemBytes === 0 ? bytes : bytes.slice();
  const out = new Uint8Array(bytes.byteLength);
  const View = ({ 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: BigUint64Array } as const)[elemBytes as 1 | 2 | 4 | 8];
  if (!View) throw new Error(`transpose2d: unsupported element size ${elemBytes}`);
  const src = new View(aligned.buffer as ArrayBuffer, aligned.byteOffset, rows * cols) as Uint32Array;
  const dst = new View(out.buffer, 0, rows * cols) as Uint32Array;
  for (let r = 0; r < rows; r++) {
    const rowBase = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[rowBase + c]!;
  }
  return out;
}
