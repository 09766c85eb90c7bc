// The order in which jobs run (PEERS.md §C4.2/§C4.9): a bounded FIFO of job ids with a
// front-of-queue option, one running job, and pause/resume (the running job finishes; nothing new
// starts). Pure bookkeeping over ids; the job service owns the records and the journal.
import { RpcError, type QueueStatus } from '../../shared/protocol/index.js';

export class JobQueue {
  private readonly waiting: string[] = [];
  private current: string | null = null;
  private isPaused = false;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`queue limit must be a positive integer, got ${limit}`);
  }

  /** QUEUE_FULL when `limit` jobs already wait (checked before a submit copies any input). */
  assertRoom(): void {
    if (this.waiting.length >= this.limit) {
      throw new RpcError('QUEUE_FULL', `the queue already holds ${this.waiting.length} jobs (limit ${this.limit}); retry later`, { detail: { limit: this.limit } });
    }
  }

  /** Add a job; returns its 0-based position. QUEUE_FULL when `limit` jobs already wait. */
  enqueue(id: string, front = false): number {
    this.assertRoom();
    if (front) this.waiting.unshift(id);
    else this.waiting.push(id);
    return front ? 0 : this.waiting.length - 1;
  }

  /** Put back jobs restored from the journal, in order, without the limit (they were accepted before). */
  restore(ids: readonly string[]): void {
    this.waiting.push(...ids);
  }

  /** The next job to run, now marked running; null while paused, busy or empty. */
  take(): string | null {
    if (this.isPaused || this.current !== null) return null;
    const next = this.waiting.shift();
    if (next === undefined) return null;
    this.current = next;
    return next;
  }

  /** The running job ended (any way). */
  finish(id: string): void {
    if (this.current === id) this.current = null;
  }

  /** A running job that was stopped for shutdown goes back to the front. */
  requeueFront(id: string): void {
    if (this.current === id) this.current = null;
    if (!this.waiting.includes(id)) this.waiting.unshift(id);
  }

  /** Remove a waiting job; false when it is not waiting. */
  remove(id: string): boolean {
    const i = this.waiting.indexOf(id);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }

  /**
   * Move a waiting job to `to` (0-based; past the end = last); returns its new position, or null
   * when it is not waiting (running or ended jobs have no place to move to).
   */
  move(id: string, to: number | 'front' | 'back'): number | null {
    const i = this.waiting.indexOf(id);
    if (i < 0) return null;
    this.waiting.splice(i, 1);
    const last = this.waiting.length;
    const at = to === 'front' ? 0 : to === 'back' ? last : Math.max(0, Math.min(Math.trunc(to), last));
    this.waiting.splice(at, 0, id);
    return at;
  }

  /** Put back an order saved before a move whose journal write failed (same ids). */
  restoreOrder(ids: readonly string[]): void {
    this.waiting.splice(0, this.waiting.length, ...ids);
  }

  position(id: string): number | null {
    const i = this.waiting.indexOf(id);
    return i < 0 ? null : i;
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get running(): string | null {
    return this.current;
  }

  /** Waiting ids in run order. */
  get order(): readonly string[] {
    return this.waiting;
  }

  status(): QueueStatus {
    return { paused: this.isPaused, queued: this.waiting.length, running: this.current, limit: this.limit };
  }
}
