// The shared queue with real parts (issue 20): a real redis-server, two worker daemons (separate
// data dirs, the real engine and the default tiny model) and `framepack generate --queue` as the
// submitter. Jobs spread over both workers; a worker killed with SIGKILL mid-job hands the job to
// the other, which resumes after the last finished section and ends with the same frames as an
// uninterrupted run; Redis stopped and started mid-job loses nothing.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../daemon/media/ffmpeg-locate.js';
import { readLog, REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
const workers: DaemonProcess[] = [];
let image: string;
let outDir: string;

async function framesMd5(file: string): Promise<string> {
  const { ffmpegPath } = await findFfmpeg();
  const { stdout } = await promisify(execFile)(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'md5', '-']);
  return stdout.trim();
}

async function startWorker(): Promise<DaemonProcess> {
  const d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_QUEUE: redis.url, FRAMEPACK_QUEUE_LOCK: '2s', FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } });
  workers.push(d);
  return d;
}

interface Submit {
  lines: Record<string, unknown>[];
  stderr(): string;
  done: Promise<number>;
  until(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** `framepack generate --queue … --json` as a child process, its NDJSON lines read live. */
function submit(name: string, extra: string[] = []): Submit {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), 'generate', '--image', image, '--prompt', 'a red square drifts right',
    '--seconds', '2', '--steps', '3', '--seed', '7', '--queue', redis.url, '--json', '--out', path.join(outDir, `${name}.mp4`), ...extra],
  { cwd: outDir, env: { ...process.env, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    buf += String(d);
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  child.stderr!.on('data', (d) => (err += String(d)));
  const done = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return {
    lines, stderr: () => err, done,
    async until(pred, timeoutMs = 240_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`timed out; lines: ${lines.map((l) => l.type).join(', ')}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const last = (s: Submit) => s.lines.at(-1)!;
const host = os.hostname();
/** The worker daemon a `worker` field (host:pid) names. */
const workerOf = (ds: DaemonProcess[], name: unknown) => ds.find((d) => name === `${host}:${d.child.pid}`);

async function waitForLog(d: DaemonProcess, needle: string, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!readLog(d).includes(needle)) {
    if (Date.now() > deadline) throw new Error(`no '${needle}' in the log of ${d.base}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  outDir = path.join(redis.dir, 'out');
  mkdirSync(outDir);
  image = path.join(outDir, 'start.png');
  const w = 96, h = 64;
  const rgb = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(image);
  await Promise.all([startWorker(), startWorker()]);
}, 60_000);

afterAll(async () => {
  for (const d of workers) await d.cleanup();
  await redis?.cleanup();
});

describe('shared queue on a real redis with two worker daemons', () => {
  let reference = '';

  it('runs jobs from two submitters on both workers and brings each MP4 back', async () => {
    const [a, b] = [submit('one'), submit('two')];
    expect(await a.done).toBe(0);
    expect(await b.done).toBe(0);
    const [ra, rb] = [last(a), last(b)];
    expect(ra.type).toBe('job.succeeded');
    expect(rb.type).toBe('job.succeeded');
    // Progress came live from the worker, through Redis.
    for (const s of [a, b]) expect(s.lines.map((l) => l.type)).toEqual(expect.arrayContaining(['job.started', 'section.started', 'step', 'section.done']));
    // One device each, one job at a time: the second job went to the other worker.
    expect(new Set([ra.worker, rb.worker]).size).toBe(2);
    for (const r of [ra, rb]) expect(workerOf(workers, r.worker)).toBeDefined();
    reference = await framesMd5(ra.output as string);
    expect(await framesMd5(rb.output as string)).toBe(reference);
    // Each worker's own `jobs` shows the shared job under its id, and daemon.status names the queue.
    for (const d of workers) {
      const c = await d.client();
      const status = await c.call('daemon.status', {});
      expect(status.cluster).toMatchObject({ queue: redis.url, connected: true, running: null, done: 1 });
      const mine = [ra, rb].find((r) => workerOf(workers, r.worker) === d)!;
      expect((await c.call('jobs.get', { jobId: mine.jobId as string })).job.state).toBe('succeeded');
    }
  }, 400_000);

  it('resumes a job on the other worker after its worker is killed mid-job, with identical frames', async () => {
    const s = submit('killed');
    const started = await s.until((l) => l.type === 'job.started');
    const victim = workerOf(workers, started.worker)!;
    expect(victim).toBeDefined();
    const jobId = started.jobId as string;
    // Section 1's checkpoint is in Redis: from now on a takeover resumes after it.
    await waitForLog(victim, `"msg":"section checkpoint copied to redis","jobId":"${jobId}","sectionsDone":1`);
    await victim.kill('SIGKILL');
    expect(await s.done).toBe(0);
    const end = last(s);
    expect(end.type).toBe('job.succeeded');
    const survivor = workers.find((d) => d !== victim)!;
    expect(workerOf(workers, end.worker)).toBe(survivor);
    expect(end.resumedAfterSections).toBe(1);
    expect(readLog(survivor)).toContain('resuming the shared job after section 1');
    // Resumed, not started over: the survivor generated only the second (last) section.
    const survivorSections = s.lines.filter((l) => l.type === 'section.started' && l.worker === end.worker).map((l) => l.section);
    expect(survivorSections).toEqual([2]);
    expect(readLog(survivor)).not.toContain('unusable');
    expect(await framesMd5(end.output as string)).toBe(reference);
    workers.splice(workers.indexOf(victim), 1);
    await victim.cleanup();
  }, 400_000);

  it('loses nothing when redis is stopped and started mid-job', async () => {
    const s = submit('redis-restart');
    await s.until((l) => l.type === 'step');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await redis.start();
    expect(await s.done).toBe(0);
    const end = last(s);
    expect(end.type).toBe('job.succeeded');
    expect(await framesMd5(end.output as string)).toBe(reference);
    // Both ends said so, and reconnected by themselves.
    const w = workers[0]!;
    expect(readLog(w)).toContain('unreachable');
    expect(readLog(w)).toContain('is back; reconnected');
    expect(s.stderr()).toContain('unreachable');
    expect(s.stderr()).toContain('is back; reconnected');
  }, 400_000);
});
