import { describe, expect, it } from 'vitest';
import { eventJson, eventLine, formatDuration, ttyProgress } from './progress.js';

describe('progress output', () => {
  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65.4)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('describes steps with section, step, s/step and ETA', () => {
    const step = { type: 'step', section: 2, sections: 4, step: 13, steps: 25, secondsPerStep: 1.234, etaSeconds: 90, teacacheSkipped: true } as const;
    expect(eventLine(step)).toBe('section 2/4  step 13/25  1.234 s/step  ETA 1:30  (cached)');
    expect(eventLine({ type: 'preview', section: 1, step: 1, width: 2, height: 1, rgb: new Uint8Array(6) })).toBeNull();
  });

  it('keeps preview pixels out of NDJSON', () => {
    const line = eventJson({ type: 'preview', section: 1, step: 3, width: 2, height: 1, rgb: new Uint8Array(6) });
    expect(JSON.parse(line)).toEqual({ type: 'preview', section: 1, step: 3, width: 2, height: 1 });
  });

  it('rewrites one status line on a TTY and prints other events above it', () => {
    let text = '';
    const out = { columns: 80, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
    const p = ttyProgress(out);
    const step = (n: number) => ({ type: 'step', section: 1, sections: 1, step: n, steps: 2, secondsPerStep: 0.5, etaSeconds: 0.5, teacacheSkipped: false }) as const;
    p.write(step(1));
    p.write(step(2));
    p.write({ type: 'section.done', section: 1, sections: 1, partialVideo: null, frames: 37, seconds: 1.23, teacache: { computed: 2, skipped: 0 } });
    p.finish();
    expect(text).toBe('section 1/1  step 1/2  0.500 s/step  ETA 0:01\r\x1b[2Ksection 1/1  step 2/2  0.500 s/step  ETA 0:01\r\x1b[2Ksection 1/1 done: 37 frames (1.23 s)\n');
  });
});
