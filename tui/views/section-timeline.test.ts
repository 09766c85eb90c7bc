import { describe, expect, it } from 'vitest';
import { job, runEvents } from '../../test/helpers/tui-fixtures.js';
import { initialJobs, jobsReducer } from '../daemon/jobs-store.js';
import { displayLine, generationLine, timelineOf } from './section-timeline.js';

function after(n: number, mode: 'inverted' | 'f1') {
  let s = jobsReducer(initialJobs, { type: 'event', event: { event: 'job.queued', seq: 1, payload: { jobId: 'j', position: 0, job: job('j', {}, { mode }) } } });
  const events = runEvents('j', 4, 2).map((e) => (mode === 'f1' && (e.event === 'section.started' || e.event === 'section.done') ? { ...e, payload: { ...e.payload, displayIndex: e.payload.index } } : e)) as ReturnType<typeof runEvents>;
  for (const event of events.slice(0, n)) s = jobsReducer(s, { type: 'event', event });
  return s.jobs.j!;
}

describe('section timeline', () => {
  it('inverted mode fills the video from its end; the generation line shows each section’s place', () => {
    // started, stage, section 0 (3 events incl. 2 steps), done, section 1 started + 1 step
    const t = timelineOf(after(2 + 4 + 2, 'inverted'))!;
    expect(displayLine(t)).toBe('□□▶■');
    expect(generationLine(t)).toBe('4■ 3▶ 2□ 1□');
    expect(t.running).toBe(1);
  });

  it('F1 fills the video from its start, and a finished job is all done', () => {
    const t = timelineOf(after(2 + 4 + 2, 'f1'))!;
    expect(displayLine(t)).toBe('■▶□□');
    expect(generationLine(t)).toBe('1■ 2▶ 3□ 4□');
    expect(displayLine(timelineOf(after(999, 'inverted'))!)).toBe('■■■■');
    expect(timelineOf(after(1, 'inverted'))).toBeNull();
  });
});
