// The official spatial tiling of AutoencoderKLHunyuanVideo (diffusers' `tiled_decode` /
// `tiled_encode`, switched on by `vae.enable_tiling()` in FramePack's low-VRAM mode), in plain TS
// around a per-tile callback, so one graph with dynamic H and W decodes or encodes any size in
// bounded memory:
//   - tiles start every `stride` along each axis (range(0, size, stride)) and span `tileMin`
//     (shorter at the far edges);
//   - each tile is decoded/encoded on its own;
//   - in row-major order, a tile's first rows are blended with the tile above (blend_v) and then its
//     first columns with the tile to its left (blend_h), both already blended, in place; linear
//     ramps over tileMin − stride output pixels (or latents when encoding);
//   - each tile keeps its top-left stride × stride output, the kept parts are stitched, and the
//     result is cropped to the full output size.
// The decode runs inside the temporal tiling (diffusers' _temporal_tiled_decode calls tiled_decode
// per temporal tile when tiling is on): `tiledVaeDecode` composes the two in that order.
import { temporalTiledDecode, type DecodeTile, type Tensor5d } from './temporal-tiling.js';

/** enable_tiling()'s sizes, in pixels (diffusers' names), and the VAE's spatial compression. */
export interface SpatialTiling {
  tileSampleMinHeight: number;
  tileSampleMinWidth: number;
  tileSampleStrideHeight: number;
  tileSampleStrideWidth: number;
  spatialCompression: number;
}

/** AutoencoderKLHunyuanVideo's defaults (256-pixel tiles every 192 pixels; 8× compression). */
export const OFFICIAL_SPATIAL_TILING: SpatialTiling = {
  tileSampleMinHeight: 256, tileSampleMinWidth: 256, tileSampleStrideHeight: 192, tileSampleStrideWidth: 192, spatialCompression: 8,
};

/** One axis of a tile grid: where tiles start and end in the input, and what they keep of the output. */
export interface TileAxis {
  /** Input ranges [start, end) of the tiles along this axis. */
  tiles: { start: number; end: number }[];
  /** Output units each tile keeps from its start (before the final crop): the output stride. */
  keep: number;
  /** Blend ramp length in output units (tileMin − stride at the output's scale). */
  blend: number;
  /** Output size along this axis (input × scale). */
  outputSize: number;
}

/** The tile grid along one axis: `inputSize` input units, tiles of `tileMin` every `stride`, output `scale`× input. */
export function tileAxis(inputSize: number, tileMin: number, stride: number, keep: number, blend: number, outputSize: number): TileAxis {
  for (const [name, v] of [['size', inputSize], ['tile', tileMin], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`spatial tiling: ${name} must be a positive integer, got ${v}`);
  }
  if (stride > tileMin) throw new Error(`spatial tiling: stride ${stride} exceeds the tile size ${tileMin} (tiles would leave gaps)`);
  const tiles: { start: number; end: number }[] = [];
  for (let start = 0; start < inputSize; start += stride) tiles.push({ start, end: Math.min(start + tileMin, inputSize) });
  return { tiles, keep, blend, outputSize };
}

export interface SpatialTilePlan { rows: TileAxis; cols: TileAxis }

function checkTiling(t: SpatialTiling): void {
  const k = t.spatialCompression;
  for (const [name, v] of Object.entries(t)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`spatial tiling: ${name} must be a positive integer, got ${v}`);
  }
  for (const v of [t.tileSampleMinHeight, t.tileSampleMinWidth, t.tileSampleStrideHeight, t.tileSampleStrideWidth]) {
    if (v % k !== 0) throw new Error(`spatial tiling: tile sizes and strides must be multiples of the compression ${k}, got ${v}`);
  }
}

/** Whether diffusers tiles this decode: latent width > tile_latent_min_width or height > …_height. */
export function decodeNeedsTiling(latentHeight: number, latentWidth: number, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): boolean {
  return latentWidth > t.tileSampleMinWidth / t.spatialCompression || latentHeight > t.tileSampleMinHeight / t.spatialCompression;
}

/** Whether diffusers tiles this encode: width > tile_sample_min_width or height > …_height. */
export function encodeNeedsTiling(height: number, width: number, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): boolean {
  return width > t.tileSampleMinWidth || height > t.tileSampleMinHeight;
}

/**
 * tiled_decode's grid for latents h × w: latent tiles of tileMin/k every stride/k, blended over
 * (tileMin − stride) pixels, each keeping stride pixels.
 */
export function decodeTilePlan(latentHeight: number, latentWidth: number, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): SpatialTilePlan {
  checkTiling(t);
  const k = t.spatialCompression;
  return {
    rows: tileAxis(latentHeight, t.tileSampleMinHeight / k, t.tileSampleStrideHeight / k, t.tileSampleStrideHeight, t.tileSampleMinHeight - t.tileSampleStrideHeight, latentHeight * k),
    cols: tileAxis(latentWidth, t.tileSampleMinWidth / k, t.tileSampleStrideWidth / k, t.tileSampleStrideWidth, t.tileSampleMinWidth - t.tileSampleStrideWidth, latentWidth * k),
  };
}

/**
 * tiled_encode's grid for pixels H × W: pixel tiles of tileMin every stride, blended over
 * (tileMin − stride)/k latents, each keeping stride/k latents; output ⌊H/k⌋ × ⌊W/k⌋.
 */
export function encodeTilePlan(height: number, width: number, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): SpatialTilePlan {
  checkTiling(t);
  const k = t.spatialCompression;
  if (height % k !== 0 || width % k !== 0) throw new Error(`spatial tiling: encoder input ${height}×${width} must be a multiple of ${k} on both axes`);
  return {
    rows: tileAxis(height, t.tileSampleMinHeight, t.tileSampleStrideHeight, t.tileSampleStrideHeight / k, (t.tileSampleMinHeight - t.tileSampleStrideHeight) / k, height / k),
    cols: tileAxis(width, t.tileSampleMinWidth, t.tileSampleStrideWidth, t.tileSampleStrideWidth / k, (t.tileSampleMinWidth - t.tileSampleStrideWidth) / k, width / k),
  };
}

/** x[..., rows [r0, r1), cols [c0, c1)] of a [B, C, T, H, W] tensor. */
export function sliceSpatial(x: Tensor5d, r0: number, r1: number, c0: number, c1: number): Tensor5d {
  const [b, c, t, h, w] = x.dims;
  const th = r1 - r0;
  const tw = c1 - c0;
  const out = new Float32Array(b * c * t * th * tw);
  for (let plane = 0; plane < b * c * t; plane++) {
    for (let y = 0; y < th; y++) {
      const from = (plane * h + r0 + y) * w + c0;
      out.set(x.data.subarray(from, from + tw), (plane * th + y) * tw);
    }
  }
  return { data: out, dims: [b, c, t, th, tw] };
}

/** blend_v: b[..., y, :] = a[..., −e + y, :]·(1 − y/e) + b[..., y, :]·(y/e) for y < e = min(a.H, b.H, extent), into b. */
export function blendRows(a: Tensor5d, b: Tensor5d, extent: number): void {
  const [, , , ha, w] = a.dims;
  const [nb, c, t, hb, wb] = b.dims;
  if (wb !== w) throw new Error(`spatial tiling: blend_v of tiles ${w} and ${wb} wide`);
  const e = Math.min(ha, hb, extent);
  for (let plane = 0; plane < nb * c * t; plane++) {
    for (let y = 0; y < e; y++) {
      const wa = 1 - y / e;
      const wbw = y / e;
      const ao = (plane * ha + ha - e + y) * w;
      const bo = (plane * hb + y) * w;
      for (let x = 0; x < w; x++) b.data[bo + x] = a.data[ao + x]! * wa + b.data[bo + x]! * wbw;
    }
  }
}

/** blend_h: b[..., x] = a[..., −e + x]·(1 − x/e) + b[..., x]·(x/e) for x < e = min(a.W, b.W, extent), into b. */
export function blendCols(a: Tensor5d, b: Tensor5d, extent: number): void {
  const [, , , h, wa] = a.dims;
  const [nb, c, t, hb, wb] = b.dims;
  if (hb !== h) throw new Error(`spatial tiling: blend_h of tiles ${h} and ${hb} high`);
  const e = Math.min(wa, wb, extent);
  const weights = Array.from({ length: e }, (_, x) => [1 - x / e, x / e] as const);
  for (let row = 0; row < nb * c * t * h; row++) {
    const ao = row * wa + wa - e;
    const bo = row * wb;
    for (let x = 0; x < e; x++) b.data[bo + x] = a.data[ao + x]! * weights[x]![0] + b.data[bo + x]! * weights[x]![1];
  }
}

/**
 * Runs `runTile` on every tile of `plan`, blends and stitches as diffusers does. Rows are processed
 * one at a time and only the previous (already blended) row is kept, which gives the same result
 * as blending after decoding everything (blend_v reads the tile above after its own blends).
 */
export async function runSpatialTiles(input: Tensor5d, plan: SpatialTilePlan, runTile: DecodeTile): Promise<Tensor5d> {
  const { rows, cols } = plan;
  let above: Tensor5d[] | null = null;
  let out: Float32Array | null = null;
  let outDims: Tensor5d['dims'] | null = null;
  let outRow = 0;
  for (const r of rows.tiles) {
    const row: Tensor5d[] = [];
    let outCol = 0;
    let keptRows = 0;
    for (const [j, cRange] of cols.tiles.entries()) {
      const tile = await runTile(sliceSpatial(input, r.start, r.end, cRange.start, cRange.end));
      if (above) blendRows(above[j]!, tile, rows.blend);
      if (j > 0) blendCols(row[j - 1]!, tile, cols.blend);
      row.push(tile);
      const [b, c, t, th, tw] = tile.dims;
      if (!out || !outDims) {
        outDims = [b, c, t, rows.outputSize, cols.outputSize];
        out = new Float32Array(b * c * t * rows.outputSize * cols.outputSize);
      } else if (b !== outDims[0] || c !== outDims[1] || t !== outDims[2]) {
        throw new Error(`spatial tiling: tile output [${tile.dims.join(', ')}] differs from the first tile's [${outDims.join(', ')}] in batch, channels or frames`);
      }
      // Keep the top-left keep × keep, cropped to the output (the stitched result's final crop).
      keptRows = Math.min(th, rows.keep, rows.outputSize - outRow);
      const keptCols = Math.min(tw, cols.keep, cols.outputSize - outCol);
      const [, , , oh, ow] = outDims;
      for (let plane = 0; plane < b * c * t; plane++) {
        for (let y = 0; y < keptRows; y++) {
          const from = (plane * th + y) * tw;
          out.set(tile.data.subarray(from, from + keptCols), (plane * oh + outRow + y) * ow + outCol);
        }
      }
      outCol += Math.max(0, keptCols);
    }
    if (outCol !== cols.outputSize) throw new Error(`spatial tiling: tiles covered ${outCol} of ${cols.outputSize} output columns (decoder output size does not match its input)`);
    outRow += Math.max(0, keptRows);
    above = row;
  }
  if (!out || !outDims || outRow !== rows.outputSize) throw new Error(`spatial tiling: tiles covered ${outRow} of ${rows.outputSize} output rows (decoder output size does not match its input)`);
  return { data: out, dims: outDims };
}

/** tiled_decode of latents [B, C, T, h, w], or one decode when diffusers would not tile this size. */
export async function spatialTiledDecode(latents: Tensor5d, decodeTile: DecodeTile, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): Promise<Tensor5d> {
  const [, , , h, w] = latents.dims;
  if (!decodeNeedsTiling(h, w, t)) return decodeTile(latents);
  return runSpatialTiles(latents, decodeTilePlan(h, w, t), decodeTile);
}

/**
 * tiled_encode of pixels [B, 3, T, H, W] through `encodeTile` (one latent tensor per tile, e.g. the
 * posterior mean), or one encode when diffusers would not tile this size. diffusers blends the
 * quant_conv output and clamps logvar afterwards; blending the mean is the same linear operation.
 */
export async function spatialTiledEncode(pixels: Tensor5d, encodeTile: DecodeTile, t: SpatialTiling = OFFICIAL_SPATIAL_TILING): Promise<Tensor5d> {
  const [, , , h, w] = pixels.dims;
  if (!encodeNeedsTiling(h, w, t)) return encodeTile(pixels);
  return runSpatialTiles(pixels, encodeTilePlan(h, w, t), encodeTile);
}

/**
 * The official decode: temporal tiling, and within each temporal tile the spatial tiling when
 * `spatial` is given (enable_tiling) and the tile exceeds the tile size; null decodes each temporal
 * tile whole (the official high-VRAM mode).
 */
export function tiledVaeDecode(latents: Tensor5d, decodeTile: DecodeTile, spatial: SpatialTiling | null): Promise<Tensor5d> {
  return temporalTiledDecode(latents, spatial ? (tile) => spatialTiledDecode(tile, decodeTile, spatial) : decodeTile);
}
