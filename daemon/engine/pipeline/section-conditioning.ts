// Directing plan: which prompt, which anchor image and how much of the end image each section gets
// (issue 17 items 1–3). Pure numbers from the job's options and its section count; section-inputs.ts
// turns them into tensors. Times are display times (seconds of the final video); in inverted mode
// the first generated section is the last one shown, so every rule below is stated in display order
// and mapped to generation order at the end.
//
// - Section spans: display section d covers pixel frames 4·ws·d … 4·ws·(d+1) of the 4·ws·N + 1 frame
//   video (section 0 also holds frame 0, the start image), so its span is [4·ws·d, 4·ws·(d+1)) / fps.
// - Timestamped prompts: a section uses the prompt active at the middle of its span, so a change at
//   time t takes effect at the section boundary nearest t — FramePack-Studio's snapping, but to the real
//   36-frame sections (Studio snaps to (4·ws − 3)/30 = 1.1 s while sections are 1.2 s apart, and in
//   inverted mode looks prompts up by the generated-frame count, one section off).
// - --prompt-blend N: at each change (display order) the N sections starting there blend the text
//   embeddings linearly, weight (j+1)/(N+1) on the new prompt for the j-th of them, then the new prompt
//   alone. Studio's weights are (j+1)/N, so its last blend section is already the new prompt and N = 1
//   is no blend; ours always has N in-between sections.
// - Keyframes (eichi's section images): a keyframe at time t anchors the display section containing t
//   and every later one up to the next keyframe: its latent replaces the start latent as the clean
//   lead frame (RoPE index 0; eichi endframe_ichi.py uses section_latents[min key ≥ i_section] as
//   clean_latents_pre). The video's frame 0 stays the start image. Inverted mode only, as in eichi.
// - End frame: the end image's latent × strength is the frame right after the generated history
//   (eichi/Studio: history_latents[:, :, 0:1] before the first section), so the first generated
//   section (the last shown) sees it as its 1× clean frame and the next ones in their 2×/4× slots
//   while it is within the 19-frame context. The SigLIP embedding blends start and end per section,
//   linearly in display time: weight strength·(d + ½)/N on the end image (kijai's wrapper
//   'linear' interpolation, oriented so the video's start leans on the start image). Inverted only:
//   F1 and vanilla generate forward and have no slot for a future frame.
import type { GenerationMode } from './job-spec.js';
import { checkTimelineFits, promptAt, TimedPromptError, type PromptTimeline } from '../../../shared/domain/timed-prompt.js';

export interface DirectingOptions {
  mode: GenerationMode;
  sectionCount: number;
  windowSize: number;
  fps: number;
  /** --seconds as requested (a prompt span may end there even when the planned video is shorter). */
  requestedSeconds: number;
  timeline: PromptTimeline;
  /** --prompt-blend: sections over which each prompt change is blended (0 = switch at once). */
  promptBlend: number;
  /** --keyframe times, in the order given. */
  keyframeSeconds: readonly number[];
  /** --end-strength when --end-image is given, else null. */
  endStrength: number | null;
}

/** What one section is conditioned on. */
export interface SectionDirection {
  generationIndex: number;
  displayIndex: number;
  /** Display span [start, end) in seconds. */
  startSeconds: number;
  endSeconds: number;
  /** Indices into DirectingPlan.prompts, and the weight of `to` (0: `from` alone; from === to when not blending). */
  prompt: { from: number; to: number; weight: number };
  /** The keyframe (index in the given order) anchoring this section, or null for the start image. */
  keyframe: number | null;
  /** Weight of the end image's SigLIP embedding against the start image's (0 without an end image). */
  endEmbeddingWeight: number;
}

export interface DirectingPlan {
  /** The distinct prompt texts the sections use, in display first-use order: each is encoded once. */
  prompts: string[];
  /** Generation order. */
  sections: SectionDirection[];
  /** The end latent's scale (--end-strength), or null without an end image. */
  endLatentScale: number | null;
  /** Display section of each keyframe, in the order given. */
  keyframeSections: number[];
  /** Length of the planned video in seconds (4·ws·N + 1 frames). */
  videoSeconds: number;
}

/** A bad directing option; `flag` names the option, `message` is one line starting with it. */
export class DirectingError extends Error {
  override readonly name = 'DirectingError';
  constructor(readonly flag: string, readonly problem: string) {
    super(`${flag} ${problem}`);
  }
}

/** Display index of generation index k. */
export function displayIndexOf(mode: GenerationMode, sectionCount: number, k: number): number {
  return mode === 'inverted' ? sectionCount - 1 - k : k;
}

/** The display section containing time t (a boundary belongs to the later section). */
export function sectionAtSeconds(seconds: number, sectionCount: number, windowSize: number, fps: number): number {
  return Math.min(sectionCount - 1, Math.max(0, Math.floor((seconds * fps) / (4 * windowSize) + 1e-9)));
}

export function planDirecting(o: DirectingOptions): DirectingPlan {
  const n = o.sectionCount;
  const framesPerSection = 4 * o.windowSize;
  const videoSeconds = (framesPerSection * n + 1) / o.fps;
  if (!Number.isInteger(o.promptBlend) || o.promptBlend < 0) throw new DirectingError('--prompt-blend', `must be an integer ≥ 0 (got ${o.promptBlend})`);
  try {
    checkTimelineFits(o.timeline, videoSeconds, o.requestedSeconds);
  } catch (err: unknown) {
    if (err instanceof TimedPromptError) throw new DirectingError('--prompt', err.message.replace(/^prompts? /, ''));
    throw err;
  }
  if (o.mode !== 'inverted') {
    const why = `works only with --mode inverted: ${o.mode} generates forward, so no section can look at a later frame (eichi and FramePack-Studio offer it only for the inverted model)`;
    if (o.endStrength !== null) throw new DirectingError('--end-image', why);
    if (o.keyframeSeconds.length > 0) throw new DirectingError('--keyframe', why);
  }
  if (o.endStrength !== null && !(o.endStrength >= 0 && o.endStrength <= 1)) throw new DirectingError('--end-strength', `must be ≥ 0 and ≤ 1 (got ${o.endStrength})`);

  // Keyframes → display sections; one per section (a second one could never be used).
  const keyframeSections = o.keyframeSeconds.map((t, i) => {
    if (!(t >= 0) || !Number.isFinite(t)) throw new DirectingError('--keyframe', `time must be a number of seconds ≥ 0 (got ${t})`);
    if (t >= videoSeconds) throw new DirectingError('--keyframe', `${t}s is past the video's end (${videoSeconds.toFixed(2)} s: ${n} section(s) of ${(framesPerSection / o.fps).toFixed(2)} s)`);
    const d = sectionAtSeconds(t, n, o.windowSize, o.fps);
    const clash = o.keyframeSeconds.findIndex((u, j) => j < i && sectionAtSeconds(u, n, o.windowSize, o.fps) === d);
    if (clash >= 0) throw new DirectingError('--keyframe', `${o.keyframeSeconds[clash]}s and ${t}s fall in the same section (display section ${d + 1}, ${(d * framesPerSection / o.fps).toFixed(2)}–${((d + 1) * framesPerSection / o.fps).toFixed(2)} s); give one image per section`);
    return d;
  });

  // Display order first: the prompt text and anchor of every shown section.
  const prompts: string[] = [];
  const promptIndex = (text: string): number => {
    const i = prompts.indexOf(text);
    if (i >= 0) return i;
    prompts.push(text);
    return prompts.length - 1;
  };
  const byDisplay = Array.from({ length: n }, (_, d) => {
    const startSeconds = (d * framesPerSection) / o.fps;
    const endSeconds = ((d + 1) * framesPerSection) / o.fps;
    const text = promptAt(o.timeline, (startSeconds + endSeconds) / 2);
    let keyframe: number | null = null;
    keyframeSections.forEach((s, i) => { if (s <= d && (keyframe === null || s > keyframeSections[keyframe]!)) keyframe = i; });
    return { startSeconds, endSeconds, own: promptIndex(text), keyframe };
  });
  const directed = byDisplay.map((s, d) => {
    // The latest change at or before d: where the prompt became this section's own.
    let change = d;
    while (change > 0 && byDisplay[change - 1]!.own === s.own) change--;
    const j = d - change;
    const blending = change > 0 && j < o.promptBlend;
    const prompt = blending
      ? { from: byDisplay[change - 1]!.own, to: s.own, weight: (j + 1) / (o.promptBlend + 1) }
      : { from: s.own, to: s.own, weight: 0 };
    const endEmbeddingWeight = o.endStrength === null ? 0 : (o.endStrength * (d + 0.5)) / n;
    return { displayIndex: d, startSeconds: s.startSeconds, endSeconds: s.endSeconds, prompt, keyframe: s.keyframe, endEmbeddingWeight };
  });
  const sections: SectionDirection[] = Array.from({ length: n }, (_, k) => {
    const d = displayIndexOf(o.mode, n, k);
    return { generationIndex: k, ...directed[d]! };
  });
  return { prompts, sections, endLatentScale: o.endStrength, keyframeSections, videoSeconds };
}

/** True when the plan changes nothing against a plain job (one prompt, no images): the loop then runs as before. */
export function isPlainDirecting(p: DirectingPlan): boolean {
  return p.prompts.length <= 1 && p.endLatentScale === null && p.keyframeSections.length === 0;
}
