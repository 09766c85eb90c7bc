import { describe, expect, it } from 'vitest';
import { LogRateLimiter, type Suppressed } from './log-rate-limit.js';

function setup(maxPerWindow = 3, windowMs = 1_000) {
  let nowMs = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const summaries: Suppressed[] = [];
  const limiter = new LogRateLimiter({ windowMs, maxPerWindow, now: () => nowMs, schedule: (fn, delayMs) => timers.push({ at: nowMs + delayMs, fn }) }, (s) => summaries.push(s));
  const advance = (ms: number) => {
    nowMs += ms;
    for (const t of timers.splice(0)) {
      if (t.at <= nowMs) t.fn();
      else timers.push(t);
    }
  };
  return { limiter, summaries, advance, timers };
}

describe('LogRateLimiter', () => {
  it('admits maxPerWindow lines per key and window, then counts the rest', () => {
    const { limiter, summaries } = setup(3);
    const admitted = Array.from({ length: 10 }, () => limiter.admit('ipc:dropped')).filter(Boolean).length;
    expect(admitted).toBe(3);
    expect(limiter.admit('rpc:other')).toBe(true); // keys are independent
    expect(summaries).toEqual([]);
  });

  it('reports the suppressed count once when the window ends, by timer', () => {
    const { limiter, summaries, advance, timers } = setup(2);
    for (let i = 0; i < 1000; i++) limiter.admit('k');
    expect(timers).toHaveLength(1); // one timer per window, not per suppressed line
    advance(999);
    expect(summaries).toEqual([]);
    advance(1);
    expect(summaries).toEqual([{ key: 'k', count: 998, windowMs: 1_000 }]);
    expect(limiter.admit('k')).toBe(true); // a fresh window
  });

  it('reports at the next admit when it comes before the timer, and never twice', () => {
    const { limiter, summaries, advance } = setup(1);
    limiter.admit('k');
    limiter.admit('k');
    limiter.admit('k');
    // The clock passes the window end but the timer has not run yet (a busy event loop).
    expect(limiter.admit('x')).toBe(true);
    advance(0);
    expect(summaries).toEqual([]);
    advance(1_500);
    expect(summaries).toEqual([{ key: 'k', count: 2, windowMs: 1_000 }]);
    expect(limiter.admit('k')).toBe(true);
    advance(5_000);
    expect(summaries).toHaveLength(1);
  });

  it('rolls the window over on admit when the timer is late', () => {
    let nowMs = 0;
    const summaries: Suppressed[] = [];
    const pending: (() => void)[] = [];
    const limiter = new LogRateLimiter({ windowMs: 100, maxPerWindow: 1, now: () => nowMs, schedule: (fn) => pending.push(fn) }, (s) => summaries.push(s));
    limiter.admit('k');
    limiter.admit('k');
    nowMs = 150;
    expect(limiter.admit('k')).toBe(true);
    expect(summaries).toEqual([{ key: 'k', count: 1, windowMs: 100 }]);
    for (const fn of pending) fn(); // the late timer finds its window already reported
    expect(summaries).toHaveLength(1);
  });
});
