// A job's folder under a real daemon (issue 15 item 7): a start image over --max-input-size is
// refused from its size before anything is read or copied; an accepted one is copied (streamed);
// an ended job (succeeded, failed, cancelled) loses its checkpoints and temp files at once and its
// whole folder after --job-retention (0 here), while its output stays on disk.
import { existsSync, mkdirSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const live: DaemonProcess[] = [];
afterAll(async () => {
  for (const d of live) await d.cleanup();
});

/** A PNG signature followed by a sparse tail: `bytes` long without writing them. */
function bigPng(file: string, bytes: number): string {
  writeFileSync(file, Buffer.from('89504e470d0a1a0a', 'hex'));
  truncateSync(file, bytes);
  return file;
}

describe('input copies', () => {
  it('refuses an image over --max-input-size from its size, copying nothing; copies one under it', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_MAX_INPUT_SIZE: '1', FRAMEPACK_START_POLICY: 'pause' } });
    live.push(d);
    const c = await d.client();
    const huge = bigPng(path.join(d.base, 'tail.png'), 3 * 1024 ** 3);
    const t0 = performance.now();
    await expect(c.call('jobs.submit', { image: huge, prompt: 'p' })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringMatching(/is 3\.00 GiB \(3221225472 bytes\); the daemon copies start images up to 1\.0 MiB \(--max-input-size\)/),
      detail: { issues: [{ path: ['image'] }] },
    });
    // Refused from the size alone: far less time than reading 3 GiB.
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect((await c.call('jobs.list', {})).jobs).toEqual([]);
    expect(readdirSync(path.join(d.dataDir, 'jobs'))).toEqual([]);

    const ok = bigPng(path.join(d.base, 'ok.png'), 1024 * 1024 - 1);
    const { jobId } = await c.call('jobs.submit', { image: ok, prompt: 'p' });
    expect(readdirSync(path.join(d.dataDir, 'jobs', jobId))).toEqual(['input.png']);
  }, 30_000);
});

describe('ended jobs', () => {
  it('with --job-retention 0, succeeded, failed and cancelled jobs leave no folder; outputs stay', async () => {
    const d = await startDaemon({ env: { FRAMEPACK_JOB_RETENTION: '0' } });
    live.push(d);
    const c = await d.client();
    const col = await collectEvents(c);
    const jobsDir = path.join(d.dataDir, 'jobs');
    // An orphan folder (a submit that died mid-copy) older than ten minutes is swept too.
    const orphan = path.join(jobsDir, 'orphan-job');
    mkdirSync(orphan);
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(orphan, old, old);

    const ok = await c.call('jobs.submit', { image: d.image(), prompt: 'p', seconds: 2, steps: 2 });
    const failing = await c.call('jobs.submit', { image: d.image(), prompt: '[fail-at-section=2]', seconds: 2, steps: 2 });
    await c.call('queue.pause', {});
    const cancelled = await c.call('jobs.submit', { image: d.image(), prompt: 'p', seconds: 2, steps: 2 });
    await c.call('jobs.cancel', { jobId: cancelled.jobId, when: 'now' });
    await c.call('queue.resume', {});
    await col.until((ev) => [ok, failing, cancelled].every((j) => terminalsOf(ev, j.jobId).length > 0), 20_000);
    expect(terminalsOf(col.events, failing.jobId)[0]!.event).toBe('job.failed');
    const output = (await c.call('jobs.get', { jobId: ok.jobId })).job.outputPath!;
    await expect.poll(() => readdirSync(jobsDir), { timeout: 5_000 }).toEqual([]);
    expect(existsSync(output)).toBe(true);
    expect(existsSync(orphan)).toBe(false);
  }, 30_000);

  it('with the default retention the folder stays but its checkpoints are gone at once', async () => {
    const d = await startDaemon();
    live.push(d);
    const c = await d.client();
    const col = await collectEvents(c);
    const failing = await c.call('jobs.submit', { image: d.image(), prompt: '[fail-at-section=2]', seconds: 2, steps: 2 });
    await col.until((ev) => terminalsOf(ev, failing.jobId).length > 0);
    const dir = path.join(d.dataDir, 'jobs', failing.jobId);
    // The input copy and the previews (latent and decoded frame) stay until the retention ends; the fake engine keeps its
    // partial "videos" here too (the real one writes them beside the output).
    await expect.poll(() => readdirSync(dir).filter((n) => !n.startsWith('partial-')).sort(), { timeout: 5_000 }).toEqual(['frame.png', 'input.png', 'preview.json']);
  }, 30_000);
});
