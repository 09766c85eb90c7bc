// kill -9 of a real daemon (real engine, tiny bundle) in the middle of a job: after a restart the
// job resumes after its last checkpointed section (it does not start over) and finishes with the
// same frames as an uninterrupted run with the same seed.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../daemon/media/ffmpeg-locate.js';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const live: DaemonProcess[] = [];

/** MD5 of every decoded frame (ffmpeg's md5 muxer over raw video). */
async function framesMd5(file: string): Promise<string> {
  const { ffmpegPath } = await findFfmpeg();
  const { stdout } = await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-']);
  return stdout.trim();
}
afterAll(async () => {
  for (const d of live) await d.cleanup();
});

describe('real engine: kill -9 mid-job', () => {
  it('finishes the job after a restart with the output of an uninterrupted run', async () => {
    const env = { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_START_POLICY: 'pause' };
    let d = await startDaemon({ env });
    live.push(d);
    const image = path.join(d.base, 'start.png');
    const w = 96, h = 64;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set([(i * 5) % 256, (i * 11) % 256, (i * 31) % 256], i * 3);
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
    let c = await d.client();
    let col = await collectEvents(c);
    const spec = { image, prompt: 'crash test', seconds: 2, steps: 2, seed: 99 };
    const { jobId } = await c.call('jobs.submit', spec);
    await c.call('queue.resume', {});
    // A step of section 2 means section 1's checkpoint is in the journal (it is awaited before the next section).
    await col.until((ev) => ev.some((e) => e.event === 'step' && e.payload.jobId === jobId && e.payload.section === 1), 60_000);
    await d.kill('SIGKILL');

    d = await startDaemon({ base: d.base, env });
    live.push(d);
    c = await d.client();
    col = await collectEvents(c);
    expect((await c.call('jobs.get', { jobId })).job.state).toBe('queued');
    await c.call('queue.resume', {});
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 60_000);
    expect(terminalsOf(col.events, jobId)[0]!.event).toBe('job.succeeded');
    // Resumed, not restarted: only the second (last) section ran after the restart.
    const started = col.events.filter((e) => e.event === 'section.started' && e.payload.jobId === jobId);
    expect(started.map((e) => (e.payload as { index: number; total: number }).index)).toEqual([1]);
    expect((started[0]!.payload as { total: number }).total).toBe(2);
    const resumed = (await c.call('jobs.get', { jobId })).job;

    const fresh = await c.call('jobs.submit', spec);
    await col.until((ev) => terminalsOf(ev, fresh.jobId).length > 0, 60_000);
    const uninterrupted = (await c.call('jobs.get', { jobId: fresh.jobId })).job;
    expect(resumed.progress!.frames).toBe(uninterrupted.progress!.frames);
    expect(resumed.progress!.frames).toBeGreaterThan(0);
    // The files differ only in their title tag (it names the job); the decoded frames must be equal.
    expect(await framesMd5(resumed.outputPath!)).toBe(await framesMd5(uninterrupted.outputPath!));
  });
});
