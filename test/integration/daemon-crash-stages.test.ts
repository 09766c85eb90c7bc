// kill -9 of a real daemon (real engine, tiny bundle) at every stage of a section and in the final
// encode (FRAMEPACK_TEST_CRASH_AT, daemon/engine/pipeline/crash-hook.ts): after a restart every job
// finishes with the same decoded frames as an uninterrupted run, leaves no temp file beside its
// output, and a crash after the last checkpoint (the final encode) only writes the video.
import { execFile } from 'node:child_process';
import { readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../shared/protocol/index.js';
import { findFfmpeg } from '../../daemon/media/ffmpeg-locate.js';
import { collectEvents, startDaemon, terminalsOf, type DaemonProcess } from '../helpers/daemon-harness.js';

const live: DaemonProcess[] = [];
const ENV = { FRAMEPACK_ENGINE: 'onnx' };
const SPEC = { prompt: 'crash stages', seconds: 2, steps: 2, seed: 7 };
// Generous: on a loaded 2-core machine one case (two daemon starts, model loads, a run) took 93 s.
const RUN_TIMEOUT_MS = 150_000;

async function framesMd5(file: string): Promise<string> {
  const { ffmpegPath } = await findFfmpeg();
  const { stdout } = await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-']);
  return stdout.trim();
}

async function writeImage(file: string): Promise<void> {
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
}

const sectionsStarted = (events: readonly EventMessage[], jobId: string): number[] =>
  events.filter((e) => e.event === 'section.started' && e.payload.jobId === jobId).map((e) => (e.payload as { index: number }).index);

let reference = '';

beforeAll(async () => {
  const d = await startDaemon({ env: ENV });
  live.push(d);
  const image = path.join(d.base, 'start.png');
  await writeImage(image);
  const c = await d.client();
  const col = await collectEvents(c);
  const { jobId } = await c.call('jobs.submit', { image, ...SPEC });
  await col.until((ev) => terminalsOf(ev, jobId).length > 0, RUN_TIMEOUT_MS);
  const job = (await c.call('jobs.get', { jobId })).job;
  expect(job.state).toBe('succeeded');
  reference = await framesMd5(job.outputPath!);
  await d.kill('SIGTERM');
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  for (const d of live) await d.cleanup();
});

/** Runs the job on a daemon that kills itself at `crashAt`, restarts it and returns the resumed run. */
async function crashAndResume(crashAt: string, beforeRestart?: (d: DaemonProcess, jobId: string) => void) {
  const first = await startDaemon({ env: { ...ENV, FRAMEPACK_TEST_CRASH_AT: crashAt } });
  live.push(first);
  const image = path.join(first.base, 'start.png');
  await writeImage(image);
  const c1 = await first.client();
  const { jobId } = await c1.call('jobs.submit', { image, ...SPEC });
  expect(await first.exited).toBe('SIGKILL');
  expect(first.output()).toContain(`FRAMEPACK_TEST_CRASH_AT: killing pid ${first.child.pid} at ${crashAt}`);
  beforeRestart?.(first, jobId);

  const d = await startDaemon({ base: first.base, env: { ...ENV, FRAMEPACK_START_POLICY: 'pause' } });
  live.push(d);
  const c = await d.client();
  const col = await collectEvents(c);
  expect((await c.call('jobs.get', { jobId })).job.state).toBe('queued');
  await c.call('queue.resume', {});
  await col.until((ev) => terminalsOf(ev, jobId).length > 0, RUN_TIMEOUT_MS);
  const terminal = terminalsOf(col.events, jobId)[0]!;
  const job = (await c.call('jobs.get', { jobId })).job;
  await d.kill('SIGTERM');
  return { d, jobId, terminal, job, sections: sectionsStarted(col.events, jobId) };
}

describe('real engine: kill -9 at every stage, then restart', () => {
  // Section 2 is the last of this 2-section job; sections resume after the last checkpoint (1).
  it.each([
    ['sample:2', [1]],
    ['decode:2', [1]],
    ['append:2', [1]],
    ['partial:2', [1]],
    ['encode', []],
  ])('crash at %s: the resumed job writes the uninterrupted video (sections run after restart: %j)', async (crashAt, rerun) => {
    const r = await crashAndResume(crashAt);
    expect(r.terminal.event, JSON.stringify(r.terminal.payload)).toBe('job.succeeded');
    expect(r.sections).toEqual(rerun);
    expect(await framesMd5(r.job.outputPath!)).toBe(reference);
    const outDir = path.dirname(r.job.outputPath!);
    const leftovers = readdirSync(outDir, { recursive: true }).map(String).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  }, 2 * RUN_TIMEOUT_MS);
});

describe('real engine: a damaged checkpoint', () => {
  // Before: the job failed for good (`checkpoint …: N bytes, expected M`); now it starts over.
  it.each([
    ['truncated', (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2))],
    ['overwritten with zeros (same size)', (file: string) => writeFileSync(file, Buffer.alloc(statSync(file).size))],
  ])('%s: the job starts over and writes the uninterrupted video', async (_what, damage) => {
    const r = await crashAndResume('sample:2', (d, jobId) => damage(path.join(d.dataDir, 'jobs', jobId, 'checkpoint-1.pixels.f32')));
    expect(r.terminal.event, JSON.stringify(r.terminal.payload)).toBe('job.succeeded');
    expect(r.sections).toEqual([0, 1]);
    expect(await framesMd5(r.job.outputPath!)).toBe(reference);
  }, 2 * RUN_TIMEOUT_MS);
});
