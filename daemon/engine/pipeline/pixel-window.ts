// Which decoded frames can still change, from the plan (pure). A soft-append (media/pixels.ts)
// only blends the `overlapFrames` frames of the video that touch the new section: inverted
// sections are PREPENDED in display order, so only the video's first frames can change and the
// frames that become final are at its end; F1/vanilla append, so only the last frames can change
// and the final ones are at the start. Stitching a section onto just those held frames gives the
// same floats as stitching it onto the whole video (the blend reads nothing else), so the rest can
// leave memory as soon as it is final (pixel-store.ts).
import { sliceFrames, softAppend, type PixelVideo } from '../../media/pixels.js';
import type { JobPlan, SectionDecode } from '../section-plan.js';

/** Where the frames a later section can still change sit in the display video. */
export type HeldAt = 'start' | 'end';

export const heldAtFor = (plan: Pick<JobPlan, 'mode'>): HeldAt => (plan.mode === 'inverted' ? 'start' : 'end');

/**
 * Frames a later soft-append can still change after section `generationIndex` (0-based): the next
 * section's overlap, 0 after the last one (everything is final then).
 */
export function heldFramesAfter(plan: Pick<JobPlan, 'sections'>, generationIndex: number): number {
  const next = plan.sections[generationIndex + 1];
  return next ? next.decode.overlapFrames : 0;
}

export interface StitchResult {
  /** The frames later sections can still change (null when none are). */
  held: PixelVideo | null;
  /** Frames that are final now, display order; they go next to `held` (after it for 'start', before it for 'end'). */
  final: PixelVideo | null;
}

/**
 * Soft-appends a decoded section onto the held frames (exactly as the whole-video path did: the
 * first section, or an overlap of 0, replaces them) and splits the result into what stays held
 * (`keepFrames`, at `heldAt`) and what is final.
 */
export function stitchSection(held: PixelVideo | null, current: PixelVideo, decode: Pick<SectionDecode, 'overlapFrames' | 'newPixelsFirst'>, keepFrames: number, heldAt: HeldAt): StitchResult {
  const n = decode.overlapFrames;
  const out = !held || n === 0 ? current : decode.newPixelsFirst ? softAppend(current, held, n) : softAppend(held, current, n);
  if (!Number.isInteger(keepFrames) || keepFrames < 0 || keepFrames > out.frames) throw new RangeError(`stitchSection: cannot hold ${keepFrames} of ${out.frames} frames`);
  const split = heldAt === 'start' ? keepFrames : out.frames - keepFrames;
  const first = split === 0 ? null : split === out.frames ? out : sliceFrames(out, 0, split);
  const second = split === out.frames ? null : split === 0 ? out : sliceFrames(out, split, out.frames);
  return heldAt === 'start' ? { held: first, final: second } : { held: second, final: first };
}
