// Decode off the critical path: section k+1 needs only the latent history to sample, so its
// sampling can run while section k is decoded, stitched, written and checkpointed ("finished").
// Finishes still run one at a time in section order (each stitches onto the last), and the events
// of a section sampled meanwhile are held back until the section before it is done, so consumers
// see the same order as the serial loop (section.done k before section.started k+1). Serial mode
// awaits every finish before the next section starts: exactly the old loop.
import os from 'node:os';

export type OverlapMode = 'on' | 'off' | 'auto';

/**
 * Whether to overlap by default. On the CPU the sampler and the decoder each use every core
 * (intra-op threads = cores), so running them together only splits the same cores between them
 * (measured in docs/benchmarks.md "`overlap`"): off. On CUDA the transformer runs on the device
 * while the CPU converts, stitches and encodes: on. WebGPU: off until measured (its sessions share
 * one device context, and the step chain keeps activations on the GPU between graph calls).
 */
export function shouldOverlap(mode: OverlapMode, provider: string, cores = os.availableParallelism(), intraOpThreads = cores): boolean {
  if (mode !== 'auto') return mode === 'on';
  if (provider === 'cuda') return true;
  if (provider !== 'cpu') return false;
  // Enough cores that two CPU sessions do not share them.
  return cores >= 2 * intraOpThreads;
}

export class SectionOverlap<E> {
  private pending: Promise<void> | null = null;
  private held: E[] | null = null;
  private failure: { error: unknown } | null = null;

  constructor(private readonly overlap: boolean, private readonly emitNow: (e: E) => void) {}

  /** For the sampling side: passes the event on, or holds it while an earlier section is finishing. */
  readonly emit = (e: E): void => {
    if (this.held) this.held.push(e);
    else this.emitNow(e);
  };

  /**
   * Starts a section's finish once the previous one is done. Serial: returns when it is done too.
   * Overlapped: returns at once, so the caller samples the next section meanwhile.
   */
  async enqueue(finish: () => Promise<void>): Promise<void> {
    await this.drain();
    if (!this.overlap) return finish();
    this.held = [];
    this.pending = finish().then(() => {
      const held = this.held ?? [];
      this.held = null;
      for (const e of held) this.emitNow(e);
    }, (error: unknown) => {
      // Kept (not thrown here, which would be an unhandled rejection) until the loop drains.
      this.failure = { error };
    });
  }

  /** Throws a failed finish's error (e.g. from a sampling step, to stop sampling for nothing). */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits for the finish in flight; throws its error if it failed. */
  async drain(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (p) await p;
    this.throwIfFailed();
  }

  /** After a sampling error: the finish in flight completes (its checkpoint is kept), and its own error wins. */
  async settleAfter(err: unknown): Promise<never> {
    await this.drain();
    throw err;
  }
}
