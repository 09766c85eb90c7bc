import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/protocol/index.js';
import { JobJournal, replay } from './job-journal.js';

const job = (id: string, state: Job['state']): Job => ({
  id, state, position: null, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, progress: null,
  cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
  spec: { image: '/i.png', prompt: 'p', negativePrompt: '', seconds: 1, seed: 1, steps: 1, gs: 10, cfg: 1, rs: 0, window: 9, sampler: 'unipc', mode: 'inverted', teacache: true, crf: 16, partials: true, front: false },
});
const line = (r: unknown) => JSON.stringify(r);

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('replay', () => {
  it('keeps the last record per job and the last queue order', () => {
    const r = replay([
      line({ t: 'job', job: job('a', 'queued') }), line({ t: 'order', queued: ['a'] }),
      line({ t: 'job', job: job('b', 'queued') }), line({ t: 'order', queued: ['b', 'a'] }),
      line({ t: 'job', job: job('c', 'queued') }), line({ t: 'order', queued: ['b', 'a', 'c'] }),
      line({ t: 'job', job: job('a', 'cancelled') }), line({ t: 'order', queued: ['b', 'c'] }),
    ]);
    expect(r.queued).toEqual(['b', 'c']);
    expect(r.jobs.get('a')!.state).toBe('cancelled');
  });

  it('puts an interrupted (was running) job first, queued again', () => {
    const r = replay([
      line({ t: 'job', job: job('a', 'queued') }), line({ t: 'job', job: job('b', 'queued') }), line({ t: 'order', queued: ['a', 'b'] }),
      line({ t: 'job', job: job('a', 'running') }), line({ t: 'order', queued: ['b'] }),
      line({ t: 'checkpoint', id: 'a', sectionsDone: 2 }),
    ]);
    expect(r.interrupted).toEqual(['a']);
    expect(r.queued).toEqual(['a', 'b']);
    expect(r.jobs.get('a')!.state).toBe('queued');
  });

  it('ignores a torn last line and still runs a job whose order record was lost', () => {
    const r = replay([line({ t: 'job', job: job('a', 'queued') }), '{"t":"order","queu']);
    expect(r.skippedLines).toBe(1);
    expect(r.queued).toEqual(['a']);
  });

  it('forgets a removed job and keeps a moved order across a restart (issue 16: jobs.remove, jobs.move)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fpj-'));
    dirs.push(dir);
    const j = new JobJournal(dir);
    j.open();
    for (const id of ['a', 'b', 'c']) j.commit({ t: 'job', job: job(id, 'queued'), queued: ['a', 'b', 'c'].slice(0, 'abc'.indexOf(id) + 1) });
    j.commit({ t: 'order', queued: ['c', 'a', 'b'] }); // jobs.move c to the front
    j.commit({ t: 'removed', id: 'a', queued: ['c', 'b'] });
    j.close();

    const r = new JobJournal(dir).open();
    expect(r.skippedLines).toBe(0); // the new record type is understood, not counted as damage
    expect(r.queued).toEqual(['c', 'b']);
    expect([...r.jobs.keys()].sort()).toEqual(['b', 'c']);
  });
});

describe('JobJournal', () => {
  it('survives reopening: compacts, copies inputs and keeps checkpoints', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fpj-'));
    dirs.push(dir);
    const img = path.join(dir, 'x.PNG');
    writeFileSync(img, 'png');
    const j = new JobJournal(dir);
    expect(j.open().jobs.size).toBe(0);
    const copy = j.adoptInput('a', img);
    expect(copy).toBe(path.join(dir, 'jobs', 'a', 'input.png'));
    j.append({ t: 'job', job: job('a', 'running') });
    j.saveCheckpoint('a', { sectionsDone: 1, total: 3, partialPath: '/p', frames: 33, seconds: 1.1, sectionSampleMs: [5], state: { x: 1 } });
    j.close();
    appendFileSync(j.file, '{"t":"job","job":{"id"'); // a crash mid-write

    const again = new JobJournal(dir);
    const r = again.open();
    expect(r.queued).toEqual(['a']);
    expect(r.skippedLines).toBe(1);
    expect(again.loadCheckpoint('a')).toMatchObject({ sectionsDone: 1, state: { x: 1 } });
    again.close();
    expect(readFileSync(j.file, 'utf8').trim().split('\n')).toHaveLength(2); // compacted: one job + order
  });
});
