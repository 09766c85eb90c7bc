import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import { eventJson, eventLine, formatDuration, plainProgress, stageLabel, ttyProgress } from './progress.js';

const step = (section: number, n: number, steps = 2): PipelineEvent => ({ type: 'step', section, sections: 2, step: n, steps, secondsPerStep: 0.5, etaSeconds: 12, teacacheSkipped: false });
/** One job of two sections as the pipeline reports it (local names), 25 steps per section. */
function job(): PipelineEvent[] {
  const events: PipelineEvent[] = [{ type: 'stage', stage: 'loading-models', message: 'loading model framepack-tiny' }];
  for (const k of [1, 2]) {
    events.push({ type: 'section.started', section: k, sections: 2, displayIndex: 2 - k, latentPadding: 0 });
    events.push({ type: 'stage', stage: 'sampling', message: '25 steps' });
    for (let i = 1; i <= 25; i++) events.push(step(k, i, 25));
    events.push({ type: 'stage', stage: 'decoding', message: '9 latents → 33 frames', etaSeconds: 8 });
    if (k === 2) events.push({ type: 'stage', stage: 'appending', message: '33 frames onto 37, 3 blended', etaSeconds: 4 });
    events.push({ type: 'stage', stage: 'writing-video', message: 'partial video', etaSeconds: 3 });
    events.push({ type: 'section.done', section: k, sections: 2, partialVideo: `p${k}.mp4`, frames: 37 * k, seconds: 1.2 * k, teacache: { computed: 25, skipped: 0 }, etaSeconds: 3 });
  }
  events.push({ type: 'stage', stage: 'writing-video', message: 'final video, 73 frames', etaSeconds: 1 });
  return events;
}

function capture(isTTY: boolean) {
  let text = '';
  const out = { isTTY, columns: 200, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('progress output', () => {
  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65.4)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('names stages for people, from the pipeline’s and the protocol’s names', () => {
    expect(stageLabel('decoding')).toBe('decoding frames');
    expect(stageLabel('vae-decode')).toBe('decoding frames');
    expect(stageLabel('appending')).toBe('appending frames');
    expect(stageLabel('mux')).toBe('encoding video');
    expect(stageLabel('writing-video')).toBe('encoding video');
    expect(stageLabel('preparing-image')).toBe('reading the image');
    expect(eventLine({ type: 'stage', stage: 'text-encoding', message: 'encoding the prompt' })).toBe('encoding the prompt');
  });

  it('describes steps with section, step, s/step and ETA', () => {
    const s: PipelineEvent = { type: 'step', section: 2, sections: 4, step: 13, steps: 25, secondsPerStep: 1.234, etaSeconds: 90, teacacheSkipped: true };
    expect(eventLine(s)).toBe('section 2/4 · sampling step 13/25  1.234 s/step  ETA 1:30  (cached)');
    expect(eventLine({ type: 'preview', section: 1, step: 1, width: 2, height: 1, rgb: new Uint8Array(6) })).toBeNull();
  });

  it('keeps preview pixels out of NDJSON', () => {
    const line = eventJson({ type: 'preview', section: 1, step: 3, width: 2, height: 1, rgb: new Uint8Array(6) });
    expect(JSON.parse(line)).toEqual({ type: 'preview', section: 1, step: 3, width: 2, height: 1 });
    // A decoded frame is up to 160×100×3 bytes: its pixels stay out of the NDJSON too.
    expect(JSON.parse(eventJson({ type: 'frame', section: 2, width: 160, height: 100, rgb: new Uint8Array(160 * 100 * 3) }))).toEqual({ type: 'frame', section: 2, width: 160, height: 100 });
    expect(eventLine({ type: 'frame', section: 2, width: 1, height: 1, rgb: new Uint8Array(3) })).toBeNull();
  });

  it('piped: one line per section and per stage, none per step, readable names and the ETA', () => {
    const c = capture(false);
    const p = plainProgress(c.out);
    for (const e of job()) p.write(e);
    const lines = c.text().trimEnd().split('\n');
    expect(lines).toEqual([
      'loading models (loading model framepack-tiny)',
      'section 1/2 (video position 2/2, padding 0)',
      'section 1/2 · sampling (25 steps)',
      'section 1/2 · decoding frames (9 latents → 33 frames)  ETA 0:08',
      'section 1/2 · encoding video (partial video)  ETA 0:03',
      'section 1/2 done: 37 frames (1.20 s) → p1.mp4  ETA 0:03',
      'section 2/2 (video position 1/2, padding 0)',
      'section 2/2 · sampling (25 steps)',
      'section 2/2 · decoding frames (9 latents → 33 frames)  ETA 0:08',
      'section 2/2 · appending frames (33 frames onto 37, 3 blended)  ETA 0:04',
      'section 2/2 · encoding video (partial video)  ETA 0:03',
      'section 2/2 done: 74 frames (2.40 s) → p2.mp4  ETA 0:03',
      'encoding video (final video, 73 frames)  ETA 0:01',
    ]);
  });

  it('rewrites one status line on a TTY (steps and in-section stages) and prints other events above it', () => {
    const c = capture(true);
    const p = ttyProgress(c.out, {});
    p.write({ type: 'section.started', section: 1, sections: 1, displayIndex: 0, latentPadding: 0 });
    p.write(step(1, 1));
    p.write({ type: 'stage', stage: 'decoding', message: 'x', etaSeconds: 1 });
    p.write({ type: 'section.done', section: 1, sections: 1, partialVideo: null, frames: 37, seconds: 1.23, teacache: { computed: 2, skipped: 0 } });
    p.finish();
    expect(c.text()).toBe('section 1/1 (video position 1/1, padding 0)\nsection 1/2 · sampling step 1/2  0.500 s/step  ETA 0:12\r\x1b[2Ksection 1/1 · decoding frames (x)  ETA 0:01\r\x1b[2Ksection 1/1 done: 37 frames (1.23 s)\n');
  });

  it('NO_COLOR (and TERM=dumb): no ANSI codes at all on a TTY', () => {
    for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb' }]) {
      const c = capture(true);
      const p = ttyProgress(c.out, env);
      for (const e of job()) p.write(e);
      p.finish();
      expect(c.text()).not.toContain('\x1b');
      expect(c.text()).toContain('\r');
      expect(c.text()).toContain('section 2/2 done: 74 frames');
    }
  });
});
