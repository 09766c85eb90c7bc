// Planning a video extension (`--extend VIDEO` / `--extend-job ID`): FramePack-F1's forward loop
// (section-plan.ts planForward, FRAMEPACK.md §9) started from a latent history that already holds
// the source video's last K latent frames instead of the lone start latent. Pure numbers.
//
// - Context: every section reads history[-19:] split [16, 2, 1] exactly as F1 does, so the first
//   section sees the video's own motion; the clean lead frame at RoPE 0 is the video's last latent
//   (as FramePack-Studio's "Video F1" does), fixed for the whole job.
// - Seam: the first section decodes its ws new latents together with the last c = min(K, ws)
//   context latents. The causal VAE turns c + ws latents into 4(c + ws) − 3 frames whose first
//   4c − 3 are the reconstruction of the video's last 4c − 3 frames, so those are soft-appended
//   over exactly those frames (linear blend, as between two F1 sections). Studio concatenates the
//   source frames and a decode of the new latents alone, a hard cut at the seam.
// - Context frames: a causal VAE maps 1 + 4k pixel frames to 1 + k latents, so N pixel frames give
//   K = ⌊(N − 1)/4⌋ + 1 latents from the last 4(K − 1) + 1 frames. F1 never reads more than 19
//   latents, so more than 73 frames would be encoded for nothing (Studio encodes up to 108).
import { FPS, HISTORY_1X, HISTORY_2X, HISTORY_4X, contextRange, sectionCount, sectionTokens, type JobPlan, type SectionDecode, type SectionPlan } from './section-plan.js';

/** Latent frames F1 reads as context (16 + 2 + 1). */
export const MAX_CONTEXT_LATENTS = HISTORY_4X + HISTORY_2X + HISTORY_1X;
/** Pixel frames that encode to MAX_CONTEXT_LATENTS latents (4·18 + 1). */
export const MAX_CONTEXT_FRAMES = 4 * (MAX_CONTEXT_LATENTS - 1) + 1;

/** Latent frames from `frames` pixel frames of a causal VAE (1 + 4k → 1 + k). */
export function latentsForFrames(frames: number): number {
  if (!Number.isInteger(frames) || frames < 1) throw new RangeError(`latentsForFrames: bad frame count ${frames}`);
  return Math.floor((frames - 1) / 4) + 1;
}

/** The pixel frames those latents cover (the ones actually encoded): 4(K − 1) + 1. */
export function framesForLatents(latents: number): number {
  return 4 * (latents - 1) + 1;
}

/**
 * The context frames to encode from a video of `videoFrames` frames when `requested` (or, when
 * null, as many as F1 reads) are asked for. Throws a RangeError whose message is the user's error.
 */
export function extensionContextFrames(videoFrames: number, requested: number | null): { frames: number; latents: number } {
  if (!Number.isInteger(videoFrames) || videoFrames < 1) throw new RangeError(`the video has no frames to continue from (${videoFrames})`);
  if (requested !== null) {
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_CONTEXT_FRAMES) {
      throw new RangeError(`must be an integer 1–${MAX_CONTEXT_FRAMES} (F1 reads at most ${MAX_CONTEXT_LATENTS} latent frames = ${MAX_CONTEXT_FRAMES} video frames; got ${requested})`);
    }
    if (requested > videoFrames) throw new RangeError(`is ${requested} frames but the video has only ${videoFrames}`);
  }
  const latents = latentsForFrames(Math.min(requested ?? MAX_CONTEXT_FRAMES, videoFrames));
  return { frames: framesForLatents(latents), latents };
}

export interface ExtensionPlanOptions {
  /** Seconds to add (the demos' length slider). */
  seconds: number;
  latentHeight: number;
  latentWidth: number;
  latentWindowSize?: number;
  /** Latent frames of the source in the history before the first section (K ≥ 1). */
  contextLatents: number;
  /** Pixel frames of the source video, all kept in the output before the new ones. */
  videoFrames: number;
}

export interface ExtensionPlan extends JobPlan {
  mode: 'f1';
  extension: {
    contextLatents: number;
    videoFrames: number;
    /** Frames blended at the seam (4c − 3). */
    seamFrames: number;
    /** Frames the extension adds after the source video. */
    newFrames: number;
  };
}

const range = (from: number, length: number) => Array.from({ length }, (_, i) => from + i);

export function planExtension(o: ExtensionPlanOptions): ExtensionPlan {
  const ws = o.latentWindowSize ?? 9;
  const k0 = o.contextLatents;
  if (!Number.isInteger(ws) || ws < 1) throw new RangeError(`planExtension: bad latent window size ${ws}`);
  if (!Number.isInteger(k0) || k0 < 1) throw new RangeError(`planExtension: bad context latent count ${k0}`);
  if (!Number.isInteger(o.videoFrames) || o.videoFrames < framesForLatents(Math.min(k0, ws))) {
    throw new RangeError(`planExtension: ${o.videoFrames} video frames cannot hold the seam of ${k0} context latents`);
  }
  const n = sectionCount(o.seconds, ws);
  const tokens = sectionTokens(o.latentHeight, o.latentWidth, ws);
  const overlap = 4 * ws - 3;
  // F1's index layout: arange(1 + 16 + 2 + 1 + ws) split [1, 16, 2, 1, ws].
  const ctx = MAX_CONTEXT_LATENTS;
  let history = k0;
  let frames = o.videoFrames;
  let seamFrames = 0;
  const sections: SectionPlan[] = Array.from({ length: n }, (_, k) => {
    const start = history - ctx;
    const historyBefore = history;
    history += ws;
    let decode: SectionDecode;
    if (k === 0) {
      const c = Math.min(k0, ws);
      const decoded = 4 * (c + ws) - 3;
      seamFrames = 4 * c - 3;
      frames += decoded - seamFrames;
      decode = { from: k0 - c, to: history, decodedFrames: decoded, overlapFrames: seamFrames, newPixelsFirst: false, framesAdded: decoded - seamFrames, totalFrames: frames };
    } else {
      const decoded = 4 * (2 * ws) - 3;
      frames += decoded - overlap;
      decode = { from: history - 2 * ws, to: history, decodedFrames: decoded, overlapFrames: overlap, newPixelsFirst: false, framesAdded: decoded - overlap, totalFrames: frames };
    }
    return {
      generationIndex: k,
      displayIndex: k,
      latentPadding: 0,
      isLast: k === n - 1,
      indices: { latent: range(1 + ctx, ws), clean: [0, ctx], clean2x: range(1 + HISTORY_4X, HISTORY_2X), clean4x: range(1, HISTORY_4X), blank: [] },
      context: {
        // The source's last latent (history index K − 1), the same for every section.
        cleanLead: contextRange(k0 - 1, 1, historyBefore),
        clean4x: contextRange(start, HISTORY_4X, historyBefore),
        clean2x: contextRange(start + HISTORY_4X, HISTORY_2X, historyBefore),
        clean1x: contextRange(start + HISTORY_4X + HISTORY_2X, HISTORY_1X, historyBefore),
      },
      historyBefore,
      sampledLatentFrames: ws,
      newLatentFrames: ws,
      prependsStartLatent: false,
      historyUpdate: 'append',
      historyAfter: history,
      tokens,
      decode,
    };
  });
  return {
    mode: 'f1',
    latentWindowSize: ws,
    sectionCount: n,
    latentPaddings: [],
    sections,
    totalLatentFrames: history,
    totalFrames: frames,
    fps: FPS,
    durationSeconds: frames / FPS,
    extension: { contextLatents: k0, videoFrames: o.videoFrames, seamFrames, newFrames: frames - o.videoFrames },
  };
}
