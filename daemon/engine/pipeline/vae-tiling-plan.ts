// Whether a job's VAE decode and start-frame encode use the official spatial tiling
// (daemon/models/vae/spatial-tiling.ts), chosen before any model runs from an estimate of the
// untiled peak memory and a budget. The choice depends only on the bundle, the bucket, the section
// plan and the setting, never on the machine's current free memory, so the same job gives the same
// pixels on every run.
//
// Setting: FRAMEPACK_VAE_TILING = auto (default) | on | off, FRAMEPACK_VAE_BUDGET_MB (default 2048).
//   on    tile whenever diffusers' enable_tiling() would (the official low-VRAM mode: any side above
//         256 px), decode and encode;
//   off   never tile spatially (the official high-VRAM mode; the temporal tiling always applies);
//   auto  tile a decode/encode when its untiled estimate exceeds the budget.
import type { VaeConfig } from '../../models/vae/config.js';
import { decodeNeedsTiling, encodeNeedsTiling, OFFICIAL_SPATIAL_TILING, type SpatialTiling } from '../../models/vae/spatial-tiling.js';
import { TILE_LATENT_MIN_FRAMES } from '../../models/vae/temporal-tiling.js';

export type VaeTilingMode = 'auto' | 'on' | 'off';
export interface VaeTilingSetting { mode: VaeTilingMode; budgetBytes: number }

const MIB = 1024 * 1024;
/** 2 GiB: above it, untiled decodes are the ones that kill small GPUs and laptops (see docs/graphs/vae.md). */
export const DEFAULT_VAE_BUDGET_BYTES = 2048 * MIB;
export const DEFAULT_VAE_TILING: VaeTilingSetting = { mode: 'auto', budgetBytes: DEFAULT_VAE_BUDGET_BYTES };

/**
 * Peak-memory model of one VAE graph run on onnxruntime's CPU provider, measured on the tiny VAE's
 * decoder (docs/graphs/vae.md, "Memory"): the larger of the mid-block attention phase (≈ 5.5 float32
 * [N, N] buffers alive: scores, scaled, masked, softmax, the bool mask) and the full-resolution conv
 * phase (≈ 5.5 float32 copies of the widest full-resolution activation), plus a fixed overhead.
 */
export const ATTENTION_BYTES_PER_SCORE = 22;
export const CONV_BYTES_PER_ELEMENT = 22;
export const RUN_OVERHEAD_BYTES = 64 * MIB;

/** Estimated peak bytes of one decoder run on latents [1, C, T, h, w] (no tiling inside). */
export function estimateDecodeRunBytes(config: VaeConfig, latentFrames: number, latentHeight: number, latentWidth: number): number {
  const tokens = latentFrames * latentHeight * latentWidth;
  const attention = config.midBlockAddAttention ? ATTENTION_BYTES_PER_SCORE * tokens * tokens : 0;
  // At full resolution the widest activation is the last upsampler's output, which still has the
  // channels of the block before the last (blockOutChannels reversed): blockOutChannels[1].
  const c = config.blockOutChannels;
  const fullResChannels = Math.max(c[0]!, c[1] ?? c[0]!);
  const k = config.spatialCompressionRatio;
  const frames = 4 * latentFrames - 3;
  const conv = CONV_BYTES_PER_ELEMENT * fullResChannels * frames * latentHeight * k * latentWidth * k;
  return Math.max(attention, conv) + RUN_OVERHEAD_BYTES;
}

/** Estimated peak bytes of one encoder run on pixels [1, 3, F, H, W] (the decode's factors; not separately measured). */
export function estimateEncodeRunBytes(config: VaeConfig, frames: number, height: number, width: number): number {
  const k = config.spatialCompressionRatio;
  const latentFrames = Math.floor((frames - 1) / 4) + 1;
  const tokens = latentFrames * (height / k) * (width / k);
  const attention = config.midBlockAddAttention ? ATTENTION_BYTES_PER_SCORE * tokens * tokens : 0;
  const conv = CONV_BYTES_PER_ELEMENT * config.blockOutChannels[0]! * frames * height * width;
  return Math.max(attention, conv) + RUN_OVERHEAD_BYTES;
}

export interface VaeTilingChoice {
  /** The tiling to use, or null for whole (temporal tiles only, for the decode). */
  spatial: SpatialTiling | null;
  /** Estimated peak of the largest single graph run without / with spatial tiling. */
  untiledPeakBytes: number;
  tiledPeakBytes: number;
}

export interface VaeTilingPlan {
  setting: VaeTilingSetting;
  decode: VaeTilingChoice;
  encode: VaeTilingChoice;
}

function choose(setting: VaeTilingSetting, needsTiling: boolean, untiled: number, tiled: number, tiling: SpatialTiling): VaeTilingChoice {
  const on = needsTiling && (setting.mode === 'on' || (setting.mode === 'auto' && untiled > setting.budgetBytes));
  return { spatial: on ? tiling : null, untiledPeakBytes: untiled, tiledPeakBytes: needsTiling ? tiled : untiled };
}

/**
 * The tiling choice for a job: `decodeLatentFrames` is the most latents any section decodes (the
 * temporal tiling then runs the decoder on at most 5 of them at a time), `latent` the bucket's
 * latent size.
 */
export function planVaeTiling(config: VaeConfig, latent: { height: number; width: number }, decodeLatentFrames: number, setting: VaeTilingSetting = DEFAULT_VAE_TILING): VaeTilingPlan {
  const k = config.spatialCompressionRatio;
  const tiling: SpatialTiling = { ...OFFICIAL_SPATIAL_TILING, spatialCompression: k };
  const tileLatentH = tiling.tileSampleMinHeight / k;
  const tileLatentW = tiling.tileSampleMinWidth / k;
  const frames = decodeLatentFrames <= TILE_LATENT_MIN_FRAMES ? decodeLatentFrames : TILE_LATENT_MIN_FRAMES + 1;
  const decode = choose(setting, decodeNeedsTiling(latent.height, latent.width, tiling),
    estimateDecodeRunBytes(config, frames, latent.height, latent.width),
    estimateDecodeRunBytes(config, frames, Math.min(latent.height, tileLatentH), Math.min(latent.width, tileLatentW)), tiling);
  const height = latent.height * k;
  const width = latent.width * k;
  const encode = choose(setting, encodeNeedsTiling(height, width, tiling),
    estimateEncodeRunBytes(config, 1, height, width),
    estimateEncodeRunBytes(config, 1, Math.min(height, tiling.tileSampleMinHeight), Math.min(width, tiling.tileSampleMinWidth)), tiling);
  return { setting, decode, encode };
}

/** Reads FRAMEPACK_VAE_TILING and FRAMEPACK_VAE_BUDGET_MB; a bad value is an error naming the variable. */
export function vaeTilingSettingFromEnv(env: Record<string, string | undefined>): VaeTilingSetting {
  const rawMode = env.FRAMEPACK_VAE_TILING?.trim().toLowerCase() || 'auto';
  if (rawMode !== 'auto' && rawMode !== 'on' && rawMode !== 'off') {
    throw new Error(`FRAMEPACK_VAE_TILING must be auto, on or off, got '${env.FRAMEPACK_VAE_TILING}'`);
  }
  const rawBudget = env.FRAMEPACK_VAE_BUDGET_MB?.trim();
  let budgetBytes = DEFAULT_VAE_BUDGET_BYTES;
  if (rawBudget) {
    const mb = Number(rawBudget);
    if (!Number.isFinite(mb) || mb <= 0) throw new Error(`FRAMEPACK_VAE_BUDGET_MB must be a positive number of MiB, got '${rawBudget}'`);
    budgetBytes = Math.round(mb * MIB);
  }
  return { mode: rawMode, budgetBytes };
}

const gib = (bytes: number) => `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;

/** One line for progress and `framepack plan`: what is tiled and why. */
export function describeVaeTiling(plan: VaeTilingPlan): string {
  const part = (name: string, c: VaeTilingChoice) => c.spatial
    ? `${name} in 256-px tiles (≈ ${gib(c.tiledPeakBytes)}; whole ≈ ${gib(c.untiledPeakBytes)})`
    : `${name} whole (≈ ${gib(c.untiledPeakBytes)})`;
  const why = plan.setting.mode === 'auto' ? `auto, budget ${gib(plan.setting.budgetBytes)}` : `FRAMEPACK_VAE_TILING=${plan.setting.mode}`;
  return `VAE ${part('decode', plan.decode)}, ${part('encode', plan.encode)} [${why}]`;
}
