import { describe, expect, it } from 'vitest';
import { checkTimelineFits, isTimedPrompt, parseTimedPrompt, promptAt, TimedPromptError } from './timed-prompt.js';

describe('parseTimedPrompt (FramePack-Studio syntax)', () => {
  it('keeps a plain prompt exactly as written', () => {
    expect(parseTimedPrompt('  a cat [sits]  ')).toEqual({ timed: [], fallback: '  a cat [sits]  ' });
    expect(isTimedPrompt('a cat [sits]')).toBe(false);
  });

  it('reads [Ts: …] and [As-Bs: …], sorted, with the outside text as the fallback', () => {
    const t = parseTimedPrompt('[2.5s-4s: the cat jumps] a garden [0s: the cat sits]');
    expect(t.timed.map((p) => [p.startSeconds, p.endSeconds, p.text])).toEqual([[0, null, 'the cat sits'], [2.5, 4, 'the cat jumps']]);
    expect(t.fallback).toBe('a garden');
    expect(isTimedPrompt('[0s: x]')).toBe(true);
  });

  it('picks the prompt active at a time; uncovered time takes the fallback, else the nearest earlier prompt', () => {
    const withFallback = parseTimedPrompt('[1s-2s: B] [3s: C] A');
    expect([0.5, 1, 1.99, 2, 2.5, 3, 9].map((s) => promptAt(withFallback, s))).toEqual(['A', 'B', 'B', 'A', 'A', 'C', 'C']);
    const none = parseTimedPrompt('[1s-2s: B] [3s: C]');
    expect([0, 1.5, 2.5, 3.5].map((s) => promptAt(none, s))).toEqual(['B', 'B', 'B', 'C']);
  });

  it('refuses overlapping spans, equal starts, empty text and an end before its start', () => {
    expect(() => parseTimedPrompt('[0s-3s: a] [2s: b]')).toThrow(/\[0s-3s: a\] and \[2s: b\] overlap/);
    expect(() => parseTimedPrompt('[1s: a] [1s: b]')).toThrow(/start at the same time/);
    expect(() => parseTimedPrompt('[1s:  ]')).toThrow(TimedPromptError);
    expect(() => parseTimedPrompt('[3s-2s: a]')).toThrow(/end must be after the start/);
    // Touching spans are fine.
    expect(parseTimedPrompt('[0s-2s: a] [2s: b]').timed).toHaveLength(2);
  });

  it('checks times against the video: a start at or past its end, or an end past it, is an error', () => {
    const t = parseTimedPrompt('[0s: a] [4.9s: b]');
    expect(() => checkTimelineFits(t, 4.8333, 5)).toThrow(/starts at 4.9 s, past the video's end \(4.83 s\)/);
    expect(() => checkTimelineFits(parseTimedPrompt('[0s-5s: a]'), 4.8333, 5)).not.toThrow();
    expect(() => checkTimelineFits(parseTimedPrompt('[0s-6s: a]'), 4.8333, 5)).toThrow(/ends at 6 s/);
  });
});
