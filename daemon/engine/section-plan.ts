// Section planning for the three generation orders (FRAMEPACK.md §8 inverted anti-drifting, §9
// FramePack-F1 forward, and the plain causal baseline "vanilla"): how many sections, in which
// order, the RoPE frame indices of every input, which history latents feed the clean/2×/4× context,
// how the history grows, what gets decoded and how many pixel frames each section adds. Pure
// numbers; the pipeline applies them to tensors.
//
// History convention: "history" is the real latent history (`real_history_latents`): the frames
// generated so far, in display (time) order, without the official zero padding. Context ranges
// index into it and say how many zero frames stand in where the history is too short.
//
// Vanilla is the baseline the FramePack paper compares against: next-frame(-section) prediction
// conditioned only on the most recent frames, with no start-frame anchor and no compressed
// long-range history. It runs forward like F1 (same history, decode and soft-append, same noise
// draws) and keeps F1's token budget so the same transformer graphs run it, but its two full-
// resolution (1×) clean frames are the two most recent history latents, at RoPE indices
// [ctx−1, ctx] right before the window, and its 2×/4× slots are always zeros at F1's positions,
// exactly what F1 sees at a job's start. (diffusers' `sampling_type="vanilla"` is F1's scheme and
// is our `f1`.) The start image still conditions every section through its SigLIP embedding, as
// in every mode; only the latent context differs.
import { pyInt, pyRound } from './round-half-even.js';

export type SectionMode = 'inverted' | 'f1' | 'vanilla';

/** Pixel frames per second of the output (the demos hard-code 30). */
export const FPS = 30;
/** Context history sizes of both released checkpoints: 1× (1 frame), 2× (2), 4× (16). */
export const HISTORY_1X = 1;
export const HISTORY_2X = 2;
export const HISTORY_4X = 16;
/** Image-projection tokens from SigLIP (27×27). */
export const IMAGE_EMBED_TOKENS = 729;

/** `int(max(round(seconds·30 / (ws·4)), 1))` with Python's half-even round on the double. */
export function sectionCount(seconds: number, latentWindowSize = 9): number {
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new RangeError(`sectionCount: bad seconds ${seconds}`);
  return pyInt(Math.max(pyRound((seconds * FPS) / (latentWindowSize * 4)), 1));
}

/** The inverted padding schedule: N−1 … 0, or [3, 2 × (N−3), 1, 0] when N > 4. */
export function latentPaddings(sections: number): number[] {
  if (!Number.isInteger(sections) || sections < 1) throw new RangeError(`latentPaddings: bad count ${sections}`);
  if (sections > 4) return [3, ...Array<number>(sections - 3).fill(2), 1, 0];
  return Array.from({ length: sections }, (_, i) => sections - 1 - i);
}

/** A context slot's frames: history[from, to) with zero frames before/after to fill the slot. */
export interface ContextRange {
  /** First history frame (inclusive). */
  from: number;
  /** End history frame (exclusive); from === to when the slot is all zeros. */
  to: number;
  /** Zero frames in front of the history frames (F1/vanilla: history shorter than 19). */
  zerosBefore: number;
  /** Zero frames after the history frames (inverted: history shorter than 19). */
  zerosAfter: number;
}

/** The slot [start, start+length) of an (virtually zero-extended) history of `historyLength`. */
export function contextRange(start: number, length: number, historyLength: number): ContextRange {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const from = clamp(start, 0, historyLength);
  const to = clamp(start + length, 0, historyLength);
  return { from, to, zerosBefore: clamp(-start, 0, length), zerosAfter: clamp(start + length - historyLength, 0, length) };
}

/** Token counts of one transformer call (FRAMEPACK.md §5.2). */
export interface SectionTokens {
  /** Noisy tokens: ws·(h/2)·(w/2). */
  noisy: number;
  /** Clean 1× tokens (start latent + 1× history): 2·(h/2)·(w/2). */
  clean: number;
  /** 2× tokens after replicate padding: ⌈2/2⌉·⌈h/4⌉·⌈w/4⌉. */
  clean2x: number;
  /** 4× tokens after replicate padding: ⌈16/4⌉·⌈h/8⌉·⌈w/8⌉. */
  clean4x: number;
  /** All image-side tokens: 4× + 2× + clean + noisy. */
  imageSide: number;
}

export function sectionTokens(latentHeight: number, latentWidth: number, latentWindowSize = 9): SectionTokens {
  if (latentHeight % 2 || latentWidth % 2) throw new RangeError(`sectionTokens: latent ${latentHeight}x${latentWidth} is not even`);
  const grid = (latentHeight / 2) * (latentWidth / 2);
  const noisy = latentWindowSize * grid;
  const clean = (1 + HISTORY_1X) * grid;
  const clean2x = Math.ceil(HISTORY_2X / 2) * Math.ceil(latentHeight / 4) * Math.ceil(latentWidth / 4);
  const clean4x = Math.ceil(HISTORY_4X / 4) * Math.ceil(latentHeight / 8) * Math.ceil(latentWidth / 8);
  return { noisy, clean, clean2x, clean4x, imageSide: noisy + clean + clean2x + clean4x };
}

/** Length of the joint attention sequence: image side + 729 image-embedding + L text tokens. */
export function packedSequenceLength(tokens: SectionTokens, textTokens: number): number {
  return tokens.imageSide + IMAGE_EMBED_TOKENS + textTokens;
}

/** RoPE frame indices of every input of one section. */
export interface SectionIndices {
  /** Noisy latents being generated (ws of them). */
  latent: number[];
  /** Clean 1× latents: [start latent's index (vanilla: the older recent frame's), 1× history index]. */
  clean: number[];
  clean2x: number[];
  clean4x: number[];
  /** Inverted only: the unused gap between the start frame and the window (p·ws indices). */
  blank: number[];
}

/** What gets decoded after a section and how the pixel history grows. */
export interface SectionDecode {
  /** Latents decoded: realHistory[from, to) after this section's update. */
  from: number;
  to: number;
  /** Decoded pixel frames: 4·(to − from) − 3. */
  decodedFrames: number;
  /** Soft-append overlap (4·ws − 3 = 33), or 0 for the first decode (it becomes the history). */
  overlapFrames: number;
  /** Soft-append order: the new pixels go first (inverted) or after the history (F1/vanilla). */
  newPixelsFirst: boolean;
  /** Pixel frames the video grows by. */
  framesAdded: number;
  /** Pixel frames of the video after this section. */
  totalFrames: number;
}

/** Where each context slot's latents come from. The clean (1×) input is [cleanLead, clean1x]. */
export interface SectionContext {
  /** The first clean frame: the start latent (inverted, F1), or a history frame (vanilla: the
   *  second most recent one, zero while the history has a single frame). */
  cleanLead: 'start-latent' | ContextRange;
  clean1x: ContextRange;
  clean2x: ContextRange;
  clean4x: ContextRange;
}

export interface SectionPlan {
  /** Position in generation order (0 = first sampled). */
  generationIndex: number;
  /** Position of this section's window in the final video (inverted: reversed). */
  displayIndex: number;
  /** Inverted: the padding p (RoPE gap of p·ws frames); 0 for F1/vanilla. */
  latentPadding: number;
  /** Last section in generation order (inverted: p = 0). */
  isLast: boolean;
  indices: SectionIndices;
  /** Context latents, as ranges into the real history before this section. */
  context: SectionContext;
  /** Real history latent frames before this section. */
  historyBefore: number;
  /** Latent frames sampled (ws). */
  sampledLatentFrames: number;
  /** Latent frames added to the history: ws, or ws + 1 when the inverted last section prepends
   *  the start latent. */
  newLatentFrames: number;
  /** Inverted last section: the start latent is put in front of the sampled frames. */
  prependsStartLatent: boolean;
  /** Inverted prepends new latents to the history; F1/vanilla append them. */
  historyUpdate: 'prepend' | 'append';
  /** Real history latent frames after this section (the output file suffix). */
  historyAfter: number;
  tokens: SectionTokens;
  decode: SectionDecode;
}

export interface JobPlan {
  mode: SectionMode;
  latentWindowSize: number;
  sectionCount: number;
  /** Inverted only: the padding per section in generation order. */
  latentPaddings: number[];
  /** Sections in generation order. */
  sections: SectionPlan[];
  /** Latent frames of the final video (ws·N + 1, including the start latent). */
  totalLatentFrames: number;
  /** Pixel frames of the final video: 4·ws·N + 1 (36·N + 1 for ws = 9). */
  totalFrames: number;
  fps: number;
  durationSeconds: number;
}

export interface JobPlanOptions {
  mode: SectionMode;
  /** Requested length in seconds (the demos' slider value). */
  seconds: number;
  latentHeight: number;
  latentWidth: number;
  /** ws, default 9. */
  latentWindowSize?: number;
}

const range = (from: number, length: number) => Array.from({ length }, (_, i) => from + i);

export function planJob(opts: JobPlanOptions): JobPlan {
  const ws = opts.latentWindowSize ?? 9;
  if (!Number.isInteger(ws) || ws < 1) throw new RangeError(`planJob: bad latent window size ${ws}`);
  const n = sectionCount(opts.seconds, ws);
  const tokens = sectionTokens(opts.latentHeight, opts.latentWidth, ws);
  const sections = opts.mode === 'inverted' ? planInverted(n, ws, tokens) : planForward(n, ws, tokens, opts.mode);
  const last = sections[sections.length - 1]!;
  return {
    mode: opts.mode,
    latentWindowSize: ws,
    sectionCount: n,
    latentPaddings: opts.mode === 'inverted' ? latentPaddings(n) : [],
    sections,
    totalLatentFrames: last.historyAfter,
    totalFrames: last.decode.totalFrames,
    fps: FPS,
    durationSeconds: last.decode.totalFrames / FPS,
  };
}

/** demo_gradio.py: sections generated from the end of the video back to the start. */
function planInverted(n: number, ws: number, tokens: SectionTokens): SectionPlan[] {
  const overlap = 4 * ws - 3;
  let history = 0;
  let frames = 0;
  return latentPaddings(n).map((p, k) => {
    const isLast = p === 0;
    const ps = p * ws;
    // arange(1 + ps + ws + 1 + 2 + 16) split [1, ps, ws, 1, 2, 16].
    const post = 1 + ps + ws;
    const indices: SectionIndices = {
      latent: range(1 + ps, ws),
      clean: [0, post],
      clean2x: range(post + 1, HISTORY_2X),
      clean4x: range(post + 1 + HISTORY_2X, HISTORY_4X),
      blank: range(1, ps),
    };
    // history_latents[:, :, :19] split [1, 2, 16]: the frames right after the window.
    const context: SectionContext = {
      cleanLead: 'start-latent',
      clean1x: contextRange(0, HISTORY_1X, history),
      clean2x: contextRange(HISTORY_1X, HISTORY_2X, history),
      clean4x: contextRange(HISTORY_1X + HISTORY_2X, HISTORY_4X, history),
    };
    const historyBefore = history;
    const newLatentFrames = ws + (isLast ? 1 : 0);
    history += newLatentFrames;
    let decode: SectionDecode;
    if (k === 0) {
      const decoded = 4 * history - 3;
      frames = decoded;
      decode = { from: 0, to: history, decodedFrames: decoded, overlapFrames: 0, newPixelsFirst: true, framesAdded: decoded, totalFrames: frames };
    } else {
      const sectionLatents = isLast ? 2 * ws + 1 : 2 * ws;
      const decoded = 4 * sectionLatents - 3;
      frames += decoded - overlap;
      decode = { from: 0, to: sectionLatents, decodedFrames: decoded, overlapFrames: overlap, newPixelsFirst: true, framesAdded: decoded - overlap, totalFrames: frames };
    }
    return {
      generationIndex: k,
      displayIndex: n - 1 - k,
      latentPadding: p,
      isLast,
      indices,
      context,
      historyBefore,
      sampledLatentFrames: ws,
      newLatentFrames,
      prependsStartLatent: isLast,
      historyUpdate: 'prepend',
      historyAfter: history,
      tokens,
      decode,
    };
  });
}

/** A slot of `length` zero frames (no history frame at all). */
const zeroRange = (length: number): ContextRange => ({ from: 0, to: 0, zerosBefore: length, zerosAfter: 0 });

/** demo_gradio_f1.py (f1) and the plain causal baseline (vanilla): sections generated forward. */
function planForward(n: number, ws: number, tokens: SectionTokens, mode: 'f1' | 'vanilla'): SectionPlan[] {
  const overlap = 4 * ws - 3;
  const contextLength = HISTORY_4X + HISTORY_2X + HISTORY_1X;
  // arange(1 + 16 + 2 + 1 + ws) split [1, 16, 2, 1, ws]: the same for every section. Vanilla
  // moves the first clean frame from the start latent's 0 to ctx − 1, next to the 1× frame.
  const indices: SectionIndices = {
    latent: range(1 + contextLength, ws),
    clean: mode === 'f1' ? [0, contextLength] : [contextLength - 1, contextLength],
    clean2x: range(1 + HISTORY_4X, HISTORY_2X),
    clean4x: range(1, HISTORY_4X),
    blank: [],
  };
  let history = 1; // the start latent is the first history frame
  let frames = 0;
  return Array.from({ length: n }, (_, k) => {
    // f1: history_latents[:, :, -19:] split [16, 2, 1], the most recent frames, oldest first.
    // vanilla: the two most recent frames at 1×; 2×/4× zero as at an F1 job's start.
    const start = history - contextLength;
    const context: SectionContext = mode === 'f1'
      ? {
          cleanLead: 'start-latent',
          clean4x: contextRange(start, HISTORY_4X, history),
          clean2x: contextRange(start + HISTORY_4X, HISTORY_2X, history),
          clean1x: contextRange(start + HISTORY_4X + HISTORY_2X, HISTORY_1X, history),
        }
      : {
          cleanLead: contextRange(history - 2, 1, history),
          clean4x: zeroRange(HISTORY_4X),
          clean2x: zeroRange(HISTORY_2X),
          clean1x: contextRange(history - 1, 1, history),
        };
    const historyBefore = history;
    history += ws;
    let decode: SectionDecode;
    if (k === 0) {
      const decoded = 4 * history - 3;
      frames = decoded;
      decode = { from: 0, to: history, decodedFrames: decoded, overlapFrames: 0, newPixelsFirst: false, framesAdded: decoded, totalFrames: frames };
    } else {
      const sectionLatents = 2 * ws;
      const decoded = 4 * sectionLatents - 3;
      frames += decoded - overlap;
      decode = { from: history - sectionLatents, to: history, decodedFrames: decoded, overlapFrames: overlap, newPixelsFirst: false, framesAdded: decoded - overlap, totalFrames: frames };
    }
    return {
      generationIndex: k,
      displayIndex: k,
      latentPadding: 0,
      isLast: k === n - 1,
      indices: { ...indices, latent: [...indices.latent], clean: [...indices.clean], clean2x: [...indices.clean2x], clean4x: [...indices.clean4x], blank: [] },
      context,
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
}
