// Inactivity timeout (nx's idle shutdown): fires once after `timeoutMs` with nothing going on, and
// is suspended while any reason holds (a running job, an attached client). 0 = off (the default).
import type { Clock, TimerHandle } from '../clock.js';

export class IdleTimer {
  private readonly busy = new Set<string>();
  private timer: TimerHandle | null = null;
  private fired = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
  ) {
    this.rearm();
  }

  /** Mark a reason busy or free; the countdown runs only while none is busy. */
  set(reason: string, isBusy: boolean): void {
    if (isBusy) this.busy.add(reason);
    else this.busy.delete(reason);
    this.rearm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.fired = true;
  }

  private rearm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.fired || this.timeoutMs <= 0 || this.busy.size > 0) return;
    this.timer = this.clock.after(this.timeoutMs, () => {
      this.fired = true;
      this.onIdle();
    });
  }
}
