import { describe, expect, it } from 'vitest';
import { ev, job, runEvents, snapshot, T0 } from '../../test/helpers/tui-fixtures.js';
import { filterJobs, initialJobs, jobList, jobPercent, jobsReducer, measuredSecPerStep, observedSections, outputList, sectionCounter, type JobsState } from './jobs-store.js';

const apply = (state: JobsState, events: ReturnType<typeof runEvents>) => events.reduce((s, event) => jobsReducer(s, { type: 'event', event }), state);

describe('jobs store', () => {
  it('takes the snapshot, orders running → queued by position → finished newest first', () => {
    const s = jobsReducer(initialJobs, {
      type: 'snapshot',
      snapshot: snapshot([
        job('old', { state: 'succeeded', position: null, createdAt: '2026-11-28T01:00:00.000Z', outputPath: '/o/old.mp4' }),
        job('q2', { position: 1 }),
        job('run', { state: 'running', position: null, progress: { stage: 'sample', section: { index: 1, displayIndex: 2, total: 4 }, step: null, frames: 33, seconds: 1.1 } }),
        job('q1', { position: 0 }),
        job('new', { state: 'failed', position: null, createdAt: '2026-11-28T02:00:00.000Z', error: { code: 'INTERNAL', message: 'boom' } }),
      ]),
    });
    expect(jobList(s).map((v) => v.job.id)).toEqual(['run', 'q1', 'q2', 'new', 'old']);
    // The running job's earlier sections (generation order) count as done.
    expect(sectionCounter(s.jobs.run!)).toBe('1/4');
    expect(s.jobs.run!.displayOf).toEqual({ 0: 3, 1: 2, 2: 1, 3: 0 });
    expect(outputList(s).map((v) => v.job.id)).toEqual(['old']);
  });

  it('keeps the decoded frame and the latent strip apart (preview kind; absent = latent)', () => {
    let s = jobsReducer(initialJobs, { type: 'snapshot', snapshot: snapshot([job('j1', { state: 'running', position: null })]) });
    s = jobsReducer(s, { type: 'event', event: ev('preview', { jobId: 'j1', section: 0, path: '/j/preview.png', frames: 1 }) });
    s = jobsReducer(s, { type: 'event', event: ev('preview', { jobId: 'j1', section: 0, path: '/j/frame.png', frames: 9, kind: 'frame' }) });
    s = jobsReducer(s, { type: 'event', event: ev('preview', { jobId: 'j1', section: 1, path: '/j/preview2.png', frames: 1, kind: 'latent' }) });
    expect(s.jobs.j1!.frame).toEqual({ section: 0, path: '/j/frame.png', frames: 9 });
    expect(s.jobs.j1!.preview).toEqual({ section: 1, path: '/j/preview2.png', frames: 1 });
  });

  it('follows a job from queued to succeeded: sections, steps, percent, display order', () => {
    let s = jobsReducer(initialJobs, { type: 'snapshot', snapshot: snapshot() });
    s = jobsReducer(s, { type: 'event', event: ev('job.queued', { jobId: 'j1', position: 0, job: job('j1') }) });
    expect(sectionCounter(s.jobs.j1!)).toBe('–');
    const events = runEvents('j1', 3, 4);
    const firstSectionDone = events.findIndex((e) => e.event === 'section.done');
    s = apply(s, events.slice(0, firstSectionDone - 2)); // inside section 1, step 2 of 4
    expect(s.jobs.j1!.job.state).toBe('running');
    expect(sectionCounter(s.jobs.j1!)).toBe('0/3');
    expect(jobPercent(s.jobs.j1!)).toBe(16); // (0 + 2/4) / 3
    s = apply(s, events.slice(firstSectionDone - 2, firstSectionDone + 1));
    expect(sectionCounter(s.jobs.j1!)).toBe('1/3');
    expect(s.jobs.j1!.doneSections).toEqual([0]);
    expect(s.jobs.j1!.displayOf[0]).toBe(2); // inverted: the first generated section is the video's end
    expect(s.jobs.j1!.job.partialPath).toBe('/tmp/p-0.mp4');
    s = apply(s, events.slice(firstSectionDone + 1));
    expect(s.jobs.j1!.job).toMatchObject({ state: 'succeeded', outputPath: '/tmp/j1.mp4' });
    expect(sectionCounter(s.jobs.j1!)).toBe('3/3');
    expect(jobPercent(s.jobs.j1!)).toBe(100);
    expect(s.jobs.j1!.job.progress!.frames).toBe(99);
  });

  it('keeps the job ETA moving through decode, append and encode (stage and section.done carry etaJobMs; issue 16 item 2)', () => {
    let s = jobsReducer(initialJobs, { type: 'snapshot', snapshot: snapshot([job('j1', { state: 'running', position: null })]) });
    s = jobsReducer(s, { type: 'event', event: ev('stage', { jobId: 'j1', stage: 'vae-decode', etaJobMs: 12_000 }) });
    expect(s.jobs.j1!.job.progress).toMatchObject({ stage: 'vae-decode', etaJobMs: 12_000 });
    s = jobsReducer(s, { type: 'event', event: ev('stage', { jobId: 'j1', stage: 'append' }) });
    expect(s.jobs.j1!.job.progress).toMatchObject({ stage: 'append', etaJobMs: 12_000 }); // no new figure: the last one stays
    s = jobsReducer(s, { type: 'event', event: ev('stage', { jobId: 'j1', stage: 'mux', etaJobMs: 9_000 }) });
    expect(s.jobs.j1!.job.progress!.etaJobMs).toBe(9_000);
  });

  it('records failures, cancels, previews and queue changes; ignores events of unknown jobs', () => {
    let s = jobsReducer(initialJobs, { type: 'snapshot', snapshot: snapshot([job('a', { state: 'running', position: null }), job('b')]) });
    s = jobsReducer(s, { type: 'event', event: ev('preview', { jobId: 'a', section: 0, path: '/tmp/preview.png', frames: 1 }) });
    expect(s.jobs.a!.preview).toEqual({ section: 0, path: '/tmp/preview.png', frames: 1 });
    s = jobsReducer(s, { type: 'event', event: ev('job.failed', { jobId: 'a', error: { code: 'OUT_OF_MEMORY', message: 'oom', retryable: false }, partialPath: null, timing: null }) });
    expect(s.jobs.a!.job.error).toEqual({ code: 'OUT_OF_MEMORY', message: 'oom' });
    s = jobsReducer(s, { type: 'event', event: ev('job.cancelled', { jobId: 'b', when: 'now', partialPath: null, timing: null }) });
    expect(s.jobs.b!.job.state).toBe('cancelled');
    const before = s;
    s = jobsReducer(s, { type: 'event', event: ev('job.started', { jobId: 'ghost', startedAt: T0 }) });
    expect(s).toBe(before);
    s = jobsReducer(s, { type: 'event', event: ev('queue.changed', { paused: true, queued: 0, running: null, limit: 64 }) });
    expect(s.queue?.paused).toBe(true);
  });

  it('derives measured s/step and sections seen for the same length, window and mode', () => {
    let s = jobsReducer(initialJobs, { type: 'snapshot', snapshot: snapshot() });
    s = jobsReducer(s, { type: 'event', event: ev('job.queued', { jobId: 'j1', position: 0, job: job('j1', {}, { seconds: 3, steps: 4 }) }) });
    expect(measuredSecPerStep(s)).toBeNull();
    s = apply(s, runEvents('j1', 2, 4));
    // Finished job: mean section sampling time (1000 ms) / 4 steps.
    expect(measuredSecPerStep(s)).toEqual({ secPerStep: 0.25, jobId: 'j1' });
    expect(observedSections(s, { seconds: 3, window: 9, mode: 'inverted' })).toEqual({ sections: 2, frames: 66, jobId: 'j1' });
    expect(observedSections(s, { seconds: 4, window: 9, mode: 'inverted' })).toBeNull();
  });
});

describe('the / filter (issue 16)', () => {
  it('keeps the jobs whose prompt, image, id or state hold every word, case-insensitively', () => {
    const view = (j: ReturnType<typeof job>) => ({ job: j, doneSections: [], displayOf: {}, preview: null, frame: null });
    const list = [view(job('a1', {}, { prompt: 'A red fox', image: '/x/fox.png' })), view(job('b2', { state: 'failed' }, { prompt: 'a blue bird', image: '/x/bird.png' }))];
    expect(filterJobs(list, '').map((v) => v.job.id)).toEqual(['a1', 'b2']);
    expect(filterJobs(list, 'RED').map((v) => v.job.id)).toEqual(['a1']);
    expect(filterJobs(list, 'bird.png failed').map((v) => v.job.id)).toEqual(['b2']);
    expect(filterJobs(list, 'b2').map((v) => v.job.id)).toEqual(['b2']);
    expect(filterJobs(list, 'fox bird')).toEqual([]);
  });

  it('queue.reordered sets every queued position; job.removed drops the job (issue 16: reorder/remove)', () => {
    let s = jobsReducer(initialJobs, {
      type: 'snapshot',
      snapshot: snapshot([job('run', { state: 'running', position: null }), job('q1', { position: 0 }), job('q2', { position: 1 }), job('q3', { position: 2 })]),
    });
    s = jobsReducer(s, { type: 'event', event: ev('queue.reordered', { queued: ['q3', 'q1', 'q2'] }) });
    expect(jobList(s).map((v) => [v.job.id, v.job.position])).toEqual([['run', null], ['q3', 0], ['q1', 1], ['q2', 2]]);
    s = jobsReducer(s, { type: 'event', event: ev('job.removed', { jobId: 'q1' }) });
    s = jobsReducer(s, { type: 'event', event: ev('queue.reordered', { queued: ['q3', 'q2'] }) });
    expect(jobList(s).map((v) => [v.job.id, v.job.position])).toEqual([['run', null], ['q3', 0], ['q2', 1]]);
    expect(s.jobs.q1).toBeUndefined();
  });
});
