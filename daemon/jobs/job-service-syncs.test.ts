// The warm start's durable writes (issue 19), counted rather than timed: a submit that starts at
// once makes exactly two fdatasyncs — the submit's record (durable before submit returns) and one
// for the job's start (its 'job' and 'order' records together), not one per record.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock.js';
import { FakeEngine } from '../engine/fake-engine.js';
import { silentLogger } from '../log.js';
import { ResidencyScheduler } from '../residency/scheduler.js';
import { JobJournal } from './job-journal.js';
import { JobService } from './job-service.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fp-syncs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journal syncs per submit', () => {
  it('a submit that starts at once costs two fdatasyncs: the submit and the start', async () => {
    const image = path.join(dir, 'start.png');
    await sharp(Buffer.alloc(32 * 32 * 3, 90), { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(image);
    const engine = new FakeEngine({ stepMs: 1, loadMs: 0 });
    const scheduler = new ResidencyScheduler({ engine, budgetBytes: 1e15, defaultKeepAliveMs: 60_000, log: silentLogger, clock: systemClock });
    const journal = new JobJournal(path.join(dir, 'data'));
    const events: string[] = [];
    let syncsAtStart = -1;
    const jobs = new JobService({
      engine, scheduler, journal, queueLimit: 10, outputDir: path.join(dir, 'out'), log: silentLogger,
      publish: (event) => { events.push(event); if (event === 'job.started') syncsAtStart = journal.syncs; },
    });
    jobs.restore();
    jobs.start();
    const before = journal.syncs;
    await jobs.submit({ image, prompt: 'p', seconds: 1, steps: 1 } as never);
    expect(events).toContain('job.started');
    expect(syncsAtStart - before).toBe(2);
    await jobs.stop(0);
  });
});
