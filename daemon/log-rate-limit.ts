// Bounds what socket clients can make the daemon write to daemon.log (issue 15: one non-reading
// client with 500 subscriptions produced 7.28 M lines, 1.55 GB). Lines are keyed by scope and
// message; each key may write `maxPerWindow` lines per window, the rest are counted and reported
// in one summary line when the window ends. Pure logic: the clock and the timer are injected.
import type { Logger, LogLevel } from './log.js';

export interface RateLimitOptions {
  windowMs: number;
  maxPerWindow: number;
  now: () => number;
  /** Schedules the summary at the end of a window that suppressed lines (an unref'd timer in the daemon). */
  schedule: (fn: () => void, delayMs: number) => void;
}

interface KeyState {
  windowStartMs: number;
  written: number;
  suppressed: number;
  summaryScheduled: boolean;
}

/** The summary for one key: how many lines were not written in the window that just ended. */
export interface Suppressed {
  key: string;
  count: number;
  windowMs: number;
}

export class LogRateLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly onSuppressed: (summary: Suppressed) => void,
  ) {}

  /** True when a line with this key may be written now; false when it is counted instead. */
  admit(key: string): boolean {
    const now = this.options.now();
    let state = this.keys.get(key);
    if (!state || now - state.windowStartMs >= this.options.windowMs) {
      if (state) this.flush(key, state);
      state = { windowStartMs: now, written: 0, suppressed: 0, summaryScheduled: false };
      this.keys.set(key, state);
    }
    if (state.written < this.options.maxPerWindow) {
      state.written++;
      return true;
    }
    state.suppressed++;
    if (!state.summaryScheduled) {
      state.summaryScheduled = true;
      const s = state;
      this.options.schedule(() => {
        // Only if no later admit() already rolled this window over and reported it.
        if (this.keys.get(key) === s) {
          this.flush(key, s);
          this.keys.delete(key);
        }
      }, Math.max(0, s.windowStartMs + this.options.windowMs - now));
    }
    return false;
  }

  private flush(key: string, state: KeyState): void {
    if (state.suppressed === 0) return;
    const count = state.suppressed;
    state.suppressed = 0;
    this.onSuppressed({ key, count, windowMs: this.options.windowMs });
  }
}

/** Limits per (scope, message) for the loggers handed to the socket layers. */
export const CLIENT_LOG_WINDOW_MS = 10_000;
export const CLIENT_LOG_MAX_PER_WINDOW = 20;

/**
 * A log function for code that clients can drive (the IPC adapter, the RPC server): info and above
 * go through the limiter; debug passes (it is off unless asked for). Suppressed lines end in one
 * warn line per key and window.
 */
export function clientDrivenLog(log: Logger, options: Omit<RateLimitOptions, 'windowMs' | 'maxPerWindow'> & Partial<RateLimitOptions>): (scope: string) => (level: LogLevel, message: string, fields?: Record<string, unknown>) => void {
  const limiter = new LogRateLimiter({ windowMs: CLIENT_LOG_WINDOW_MS, maxPerWindow: CLIENT_LOG_MAX_PER_WINDOW, ...options }, ({ key, count, windowMs }) => {
    const [scope, message] = JSON.parse(key) as [string, string];
    log.child({ scope }).warn(`${count} more lines like '${message}' suppressed in the last ${windowMs / 1000} s`, { suppressed: count });
  });
  return (scope) => {
    const scoped = log.child({ scope });
    return (level, message, fields) => {
      if (level !== 'debug' && !limiter.admit(JSON.stringify([scope, message]))) return;
      scoped[level](message, fields);
    };
  };
}
