// Block-wise weight-only quantisation in the layout of ONNX Runtime's com.microsoft MatMulNBits
// (docs/ContribOperators.md): a Linear weight W [N = out, K = in] is cut along K into blocks of
// `blockSize`; each block gets a scale and (asymmetric) a zero point, dequantised as
// (q − zp) · scale. Pure functions over one tensor at a time, so the builder streams a checkpoint.
//
// Layouts (what ORT reads):
//   B           uint8 [N, kBlocks, blockSize·bits/8]; 4-bit: element 2i in the low nibble of byte i,
//               element 2i+1 in the high nibble; 8-bit: one byte per element.
//   scales      [N · kBlocks], row-major by (n, block), in the compute dtype (T1 = A's type).
//   zero_points uint8 [N, ceil(kBlocks·bits/8)], packed like B (4-bit: two blocks per byte, each
//               row padded to a whole byte); absent = symmetric (ORT's default 2^(bits−1)).
// K that is not a multiple of blockSize is padded: the pad elements quantise to the zero point,
// so they dequantise to exactly 0 (ORT only reads the first K of each row anyway).

export type NBits = 4 | 8;

export interface NBitsOptions {
  bits: NBits;
  /** Elements per block along K: a power of two ≥ 16 (ORT's constraint). */
  blockSize: number;
  /** Symmetric: no zero points (ORT uses 2^(bits−1)); asymmetric (default) stores one per block. */
  symmetric?: boolean;
}

export interface NBitsTensor {
  /** B, [N, kBlocks, blobBytes]. */
  packed: Uint8Array;
  /** [N · kBlocks] float32 (the caller converts to the compute dtype). */
  scales: Float32Array;
  /** [N, zeroPointBytesPerRow], or null when symmetric. */
  zeroPoints: Uint8Array | null;
}

export interface NBitsShapes {
  kBlocks: number;
  blobBytes: number;
  packedDims: [number, number, number];
  scalesDims: [number];
  zeroPointDims: [number, number] | null;
}

export function validateNBitsOptions(o: NBitsOptions): void {
  if (o.bits !== 4 && o.bits !== 8) throw new Error(`quantisation bits must be 4 or 8, not ${String(o.bits)}`);
  if (!Number.isInteger(o.blockSize) || o.blockSize < 16 || (o.blockSize & (o.blockSize - 1)) !== 0) {
    throw new Error(`quantisation block size must be a power of two ≥ 16 (ORT MatMulNBits), not ${o.blockSize}`);
  }
}

export function nbitsShapes(n: number, k: number, o: NBitsOptions): NBitsShapes {
  const kBlocks = Math.ceil(k / o.blockSize);
  const blobBytes = (o.blockSize * o.bits) / 8;
  return {
    kBlocks, blobBytes,
    packedDims: [n, kBlocks, blobBytes],
    scalesDims: [n * kBlocks],
    zeroPointDims: o.symmetric ? null : [n, Math.ceil((kBlocks * o.bits) / 8)],
  };
}

/** Bytes of B + scales + zero points for an [N, K] weight, scales in `scaleBytes`-byte floats. */
export function nbitsBytes(n: number, k: number, o: NBitsOptions, scaleBytes: number): number {
  const s = nbitsShapes(n, k, o);
  return n * s.kBlocks * s.blobBytes + n * s.kBlocks * scaleBytes + (s.zeroPointDims ? s.zeroPointDims[0] * s.zeroPointDims[1] : 0);
}

/** Round half to even, as ORT's quantisers (std::nearbyint / numpy.round) do. Math.round takes
 *  halves up, so a half that landed on an odd integer steps back down (cheaper than x % 1). */
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Quantises a row-major float32 W [N, K] (a PyTorch Linear weight [out, in]).
 * Asymmetric: the block range is widened to include 0, scale = (max − min) / (2^bits − 1),
 * zp = round(−min / scale). Symmetric: scale = (the block's value of largest magnitude) / −2^(bits−1),
 * zp = 2^(bits−1), so that value maps to code 0 exactly and the other side keeps 2^(bits−1)−1 steps.
 */
export function quantizeNBits(w: Float32Array, n: number, k: number, o: NBitsOptions): NBitsTensor {
  validateNBitsOptions(o);
  if (w.length !== n * k) throw new Error(`quantizeNBits: ${w.length} values for [${n}, ${k}]`);
  const s = nbitsShapes(n, k, o);
  const maxCode = (1 << o.bits) - 1;
  const mid = 1 << (o.bits - 1);
  const packed = new Uint8Array(n * s.kBlocks * s.blobBytes);
  const scales = new Float32Array(n * s.kBlocks);
  const zpRow = s.zeroPointDims?.[1] ?? 0;
  const zeroPoints = o.symmetric ? null : new Uint8Array(n * zpRow);
  const codes = new Uint8Array(o.blockSize);
  for (let row = 0; row < n; row++) {
    const base = row * k;
    for (let b = 0; b < s.kBlocks; b++) {
      const k0 = b * o.blockSize;
      const k1 = Math.min(k, k0 + o.blockSize);
      let scale: number;
      let zp: number;
      if (o.symmetric) {
        let extreme = 0;
        for (let i = k0; i < k1; i++) if (Math.abs(w[base + i]!) > Math.abs(extreme)) extreme = w[base + i]!;
        scale = extreme / -mid;
        zp = mid;
      } else {
        let lo = 0;
        let hi = 0;
        for (let i = k0; i < k1; i++) { const v = w[base + i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
        scale = (hi - lo) / maxCode;
        zp = scale === 0 ? mid : Math.min(maxCode, Math.max(0, roundEven(-lo / scale)));
      }
      // Stored as float32 here; what the graph stores (fp32 or fp16) is what must be used to round.
      scale = Math.fround(scale);
      const inv = scale === 0 ? 0 : 1 / scale;
      const len = k1 - k0;
      for (let i = 0; i < len; i++) {
        const q = roundEven(w[base + k0 + i]! * inv) + zp;
        codes[i] = q < 0 ? 0 : q > maxCode ? maxCode : q;
      }
      if (len < o.blockSize) codes.fill(zp, len);
      scales[row * s.kBlocks + b] = scale;
      const out = (row * s.kBlocks + b) * s.blobBytes;
      if (o.bits === 8) packed.set(codes, out);
      else for (let i = 0; i < s.blobBytes; i++) packed[out + i] = codes[2 * i]! | (codes[2 * i + 1]! << 4);
      if (zeroPoints) {
        if (o.bits === 8) zeroPoints[row * zpRow + b] = zp;
        else zeroPoints[row * zpRow + (b >> 1)]! |= b & 1 ? zp << 4 : zp;
      }
    }
  }
  return { packed, scales, zeroPoints };
}

/** Reads the 4- or 8-bit code of element (row, kIndex) from B. */
function codeAt(t: NBitsTensor, s: NBitsShapes, bits: NBits, blockSize: number, row: number, kIndex: number): number {
  const b = Math.floor(kIndex / blockSize);
  const i = kIndex % blockSize;
  const at = (row * s.kBlocks + b) * s.blobBytes;
  if (bits === 8) return t.packed[at + i]!;
  const byte = t.packed[at + (i >> 1)]!;
  return i & 1 ? byte >> 4 : byte & 0x0f;
}

function zeroPointAt(t: NBitsTensor, s: NBitsShapes, bits: NBits, row: number, block: number): number {
  if (!t.zeroPoints) return 1 << (bits - 1);
  const zpRow = s.zeroPointDims![1];
  if (bits === 8) return t.zeroPoints[row * zpRow + block]!;
  const byte = t.zeroPoints[row * zpRow + (block >> 1)]!;
  return block & 1 ? byte >> 4 : byte & 0x0f;
}

/**
 * W' [N, K] = (q − zp) · scale, what MatMulNBits multiplies by. `scales` may differ from the
 * quantiser's (e.g. rounded to fp16 as a float16 graph stores them).
 */
export function dequantizeNBits(t: NBitsTensor, n: number, k: number, o: NBitsOptions, scales: Float32Array = t.scales): Float32Array {
  const s = nbitsShapes(n, k, o);
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < k; i++) {
      const b = Math.floor(i / o.blockSize);
      out[row * k + i] = (codeAt(t, s, o.bits, o.blockSize, row, i) - zeroPointAt(t, s, o.bits, row, b)) * scales[row * s.kBlocks + b]!;
    }
  }
  return out;
}
