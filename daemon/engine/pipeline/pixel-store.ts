// The job's decoded video in bounded memory: the frames a later soft-append can still change stay
// here as float32 (at most one overlap, 4·ws − 3 = 33 frames; pixel-window.ts), every frame that is
// final goes to a per-section rgb24 chunk file as soon as it is final (media/frame-spool.ts), and
// the partial and final videos are read back in display order one frame at a time. Its state (the
// held floats + the chunk list) is what a checkpoint stores; restored, it continues exactly.
import { sliceFrames, videoToRgbFrames, type PixelVideo } from '../../media/pixels.js';
import { readChunkFrames, writeFrameChunk, type FrameChunk } from '../../media/frame-spool.js';
import type { JobPlan, SectionPlan } from '../section-plan.js';
import { heldAtFor, heldFramesAfter, stitchSection, type HeldAt } from './pixel-window.js';

/** What a checkpoint keeps of the video (the arrays are the store's own: copy or write them). */
export interface PixelStoreState {
  /** The frames later sections can still change (null before the first section and after the last). */
  held: PixelVideo | null;
  /** Final frames on disk, display order. */
  chunks: FrameChunk[];
}

export class PixelStore {
  private held: PixelVideo | null;
  private chunks: FrameChunk[];
  private readonly heldAt: HeldAt;

  constructor(private readonly plan: Pick<JobPlan, 'mode' | 'sections'>, private readonly dir: string, restored?: PixelStoreState) {
    this.heldAt = heldAtFor(plan);
    this.held = restored?.held ?? null;
    this.chunks = [...(restored?.chunks ?? [])];
  }

  /**
   * An extension's start (F1 order: held at the end): the source video's last frames, which the
   * first section blends onto, stay held; the rest is final at once and goes to chunk 0.
   */
  static async fromSource(plan: Pick<JobPlan, 'mode' | 'sections'>, dir: string, source: PixelVideo): Promise<PixelStore> {
    if (heldAtFor(plan) !== 'end') throw new Error('an extension continues forward: its plan must append (f1 or vanilla)');
    const keep = Math.min(plan.sections[0]?.decode.overlapFrames ?? 0, source.frames);
    const held = keep === 0 ? null : sliceFrames(source, source.frames - keep, source.frames);
    const final = keep === source.frames ? null : sliceFrames(source, 0, source.frames - keep);
    const chunks = final ? [await writeFrameChunk(dir, 0, final)] : [];
    return new PixelStore(plan, dir, { held, chunks });
  }

  /** Pixel frames of the video so far. */
  get totalFrames(): number {
    return (this.held?.frames ?? 0) + this.chunks.reduce((n, c) => n + c.frames, 0);
  }

  /** Frames held in memory as float32 (for tests and the docs' figures). */
  get heldFrames(): number {
    return this.held?.frames ?? 0;
  }

  state(): PixelStoreState {
    return { held: this.held, chunks: [...this.chunks] };
  }

  /** Stitches section `section`'s decoded pixels on and writes the frames that became final. */
  async add(section: SectionPlan, current: PixelVideo): Promise<void> {
    const keep = heldFramesAfter(this.plan, section.generationIndex);
    const { held, final } = stitchSection(this.held, current, section.decode, keep, this.heldAt);
    if (final) {
      const chunk = await writeFrameChunk(this.dir, section.generationIndex + 1, final);
      this.chunks = this.heldAt === 'start' ? [chunk, ...this.chunks] : [...this.chunks, chunk];
    }
    this.held = held;
  }

  /** The whole video so far as rgb24 frames in display order, read lazily from the chunks. */
  async *frames(): AsyncGenerator<Uint8Array> {
    const { held, chunks } = this.state();
    if (held && this.heldAt === 'start') yield* videoToRgbFrames(held);
    for (const c of chunks) yield* readChunkFrames(c);
    if (held && this.heldAt === 'end') yield* videoToRgbFrames(held);
  }
}
