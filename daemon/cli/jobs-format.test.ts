// `framepack jobs` / `jobs show` text, and the journal's view when the daemon is down (issue 16 items 2, 13).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/protocol/index.js';
import { formatJob, formatJobs } from './jobs-command.js';
import { readJournalView } from './journal-view.js';

const spec = { image: '/in.png', prompt: 'a ball', negativePrompt: '', seconds: 5, seed: 1, steps: 25, gs: 10, cfg: 1, rs: 0, window: 9, sampler: 'unipc', mode: 'inverted', teacache: true, partials: true, crf: 16, front: false };
const job = (id: string, patch: Partial<Job>): Job => ({
  id, spec, state: 'queued', position: 0, createdAt: `2026-12-01T10:00:0${id.length % 10}.000Z`, startedAt: null, finishedAt: null, progress: null,
  cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null, ...patch,
}) as Job;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fp-jobs-fmt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('jobs text', () => {
  it('a running job shows its section, stage (readable) and the ETA; a finished one no stale stage', () => {
    const running = job('r', { state: 'running', position: null, progress: { stage: 'vae-decode', section: { index: 1, displayIndex: 2, total: 4 }, step: null, frames: 37, seconds: 1.2, etaJobMs: 42_000 } });
    const done = job('dd', { state: 'succeeded', position: null, progress: { stage: 'mux', section: null, step: null, frames: 145, seconds: 4.8 }, outputPath: '/o.mp4' });
    const text = formatJobs([running, done, job('qqq', { position: 0 })]);
    expect(text).toMatch(/^r +running +section 2\/4 decoding frames, ETA 0:42 /m);
    expect(text).toMatch(/^dd +succeeded +- /m);
    expect(text).toMatch(/^qqq +queued +#1 /m);
    expect(formatJob(running)).toContain('stage:   section 2/4, decoding frames, 37 frames (1.20 s) so far, ETA 0:42');
    expect(formatJob(done)).not.toContain('stage:');
  });

  it('the journal view: jobs with 0-based positions, interrupted ones first; no journal is null', () => {
    expect(readJournalView(path.join(tmp, 'none'))).toBeNull();
    const lines = [
      { t: 'job', job: job('a1', { state: 'running', position: null, startedAt: '2026-12-01T10:00:05.000Z' }) },
      { t: 'job', job: job('b22', { position: 0 }) },
      { t: 'job', job: job('c333', { state: 'succeeded', position: null, outputPath: '/o.mp4' }) },
      { t: 'order', queued: ['b22'] },
    ];
    writeFileSync(path.join(tmp, 'journal.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"t":"job","job":{"id":"torn`);
    const view = readJournalView(tmp)!;
    expect(view.interrupted).toEqual(['a1']);
    expect(view.jobs.map((j) => [j.id, j.state, j.position])).toEqual([['a1', 'queued', 0], ['b22', 'queued', 1], ['c333', 'succeeded', null]]);
    const text = formatJobs(view.jobs, view.interrupted);
    expect(text).toMatch(/^a1 +queued +interrupted, resumes #1 /m);
    expect(text).toMatch(/^b22 +queued +#2 /m);
  });
});
