// `framepack cancel ID --queue URL` (docs/cluster.md) with real parts and the fake engine (fast):
// a real redis-server, a worker daemon, `framepack generate --queue --json` followers as child
// processes. A waiting job is removed from the queue and never runs; a running one is cancelled by
// the worker that runs it and ends `cancelled`; both followers see the end (exit 130).
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterJob } from '../../shared/protocol/index.js';
import { REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { startRedis, waitNoJobFetchInFlight, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
let worker: DaemonProcess;
let image: string;
const ENV = { ...process.env, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' };

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { cwd: redis.dir, env: ENV }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `generate --queue --json` following its job; resolves with its exit code and output. */
function follower(prompt: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), 'generate', '--image', image, '--prompt', prompt, '--seconds', '4', '--steps', '4', '--queue', redis.url, '--json'],
    { cwd: redis.dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

beforeAll(async () => {
  redis = await startRedis();
  image = path.join(redis.dir, 'start.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toFile(image);
  worker = await startDaemon({ env: { FRAMEPACK_QUEUE: redis.url, FRAMEPACK_QUEUE_LOCK: '3s', FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } });
}, 60_000);

afterAll(async () => {
  await worker?.cleanup();
  await redis?.cleanup();
});

async function waitJob(pred: (j: ClusterJob) => boolean, timeoutMs = 30_000): Promise<ClusterJob> {
  const c = await worker.client();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await c.call('cluster.jobs', {})).jobs.find(pred);
    if (job) return job;
    if (Date.now() > deadline) throw new Error('no job matched');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lastLine = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('cancel a shared job from the submitting side', () => {
  it('removes a waiting job: it never runs, its follower ends cancelled', async () => {
    const c = await worker.client();
    await c.call('queue.pause', {});
    try {
      // A fetch the worker had in flight when the queue was paused would take the job for a moment
      // and give it back as delayed (worker.ts): submit once that fetch is over, so nothing takes it.
      await waitNoJobFetchInFlight(redis);
      const followed = follower('waits [step-ms=50]');
      const waiting = await waitJob((j) => j.prompt === 'waits [step-ms=50]');
      expect(waiting.state).toBe('waiting');
      const r = await cli(['cancel', waiting.id, '--queue', redis.url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${waiting.id} cancelled \\(removed from the shared queue; it was (waiting|delayed)\\)`));
      const end = await followed;
      expect(end.code, end.stderr).toBe(130);
      expect(lastLine(end.stdout)).toMatchObject({ type: 'job.failed', jobId: waiting.id, error: 'cancelled', cancelled: true });
      expect(end.stderr).toContain('cancelled (framepack cancel --queue) before a worker took it');
      expect((await c.call('cluster.jobs', {})).jobs.find((j) => j.id === waiting.id)).toBeUndefined();
      // Cancelling it again: nothing there.
      expect(await cli(['cancel', waiting.id, '--queue', redis.url])).toMatchObject({ code: 1, stderr: `framepack: no job '${waiting.id}' in the shared queue\n` });
    } finally {
      await c.call('queue.resume', {});
    }
    // Resumed, the worker never runs it.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await c.call('jobs.list', {})).jobs.map((j) => j.spec.prompt)).not.toContain('waits [step-ms=50]');
  }, 60_000);

  it('cancels a running job on its worker: it ends cancelled there and in the queue, its follower sees the end', async () => {
    const followed = follower('runs [step-ms=600]');
    const running = await waitJob((j) => j.prompt === 'runs [step-ms=600]' && j.state === 'active' && j.progress?.step != null);
    const r = await cli(['cancel', running.id, '--queue', redis.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ jobId: running.id, was: 'active', removed: false });
    const end = await followed;
    expect(end.code, end.stderr).toBe(130);
    expect(lastLine(end.stdout)).toMatchObject({ type: 'job.failed', jobId: running.id, cancelled: true, reason: expect.stringContaining('cancelled (framepack cancel --queue) on worker') });
    const listed = await waitJob((j) => j.id === running.id);
    expect(listed).toMatchObject({ state: 'cancelled', attempts: 1 });
    const local = await (await worker.client()).call('jobs.get', { jobId: running.id });
    expect(local.job.state).toBe('cancelled');
    expect(await cli(['cancel', running.id, '--queue', redis.url])).toMatchObject({ code: 1, stderr: `framepack: job ${running.id} already cancelled; nothing to cancel\n` });
  }, 60_000);

  it('cluster.cancel does the same from any socket client', async () => {
    const c = await worker.client();
    await c.call('queue.pause', {});
    try {
      await waitNoJobFetchInFlight(redis); // as above: else the worker's last fetch may hold the job (active) at the cancel
      const { jobId } = await c.call('cluster.submit', { spec: { image, prompt: 'from a script', seconds: 1, steps: 2 } });
      expect(await c.call('cluster.cancel', { jobId })).toMatchObject({ jobId, queue: redis.url, removed: true });
      await expect(c.call('cluster.cancel', { jobId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await c.call('queue.resume', {});
    }
    const { jobId } = await c.call('cluster.submit', { spec: { image, prompt: 'quick', seconds: 1, steps: 2 } });
    await waitJob((j) => j.id === jobId && j.state === 'completed');
    await expect(c.call('cluster.cancel', { jobId })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: `job ${jobId} already completed; nothing to cancel` });
  }, 60_000);
});
