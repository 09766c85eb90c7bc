// The shared queue's edges with the fake engine (fast): a job that fails on every worker ends
// failed with its reason after a bounded number of runs; the socket's cluster.submit/cluster.jobs
// work from any client; a worker that is stopped (not killed) hands its job back at once and
// another one finishes it from the checkpoint. Real redis-server, real worker daemons.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterJob } from '../../shared/protocol/index.js';
import { readLog, REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { startRedis, waitNoJobFetchInFlight, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
const workers: DaemonProcess[] = [];
let image: string;
const host = os.hostname();

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { cwd: redis.dir, env: { ...process.env, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  redis = await startRedis();
  image = path.join(redis.dir, 'start.png');
  await sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 10, g: 200, b: 30 } } }).png().toFile(image);
  for (let i = 0; i < 2; i++) {
    workers.push(await startDaemon({ env: { FRAMEPACK_QUEUE: redis.url, FRAMEPACK_QUEUE_LOCK: '3s', FRAMEPACK_FAKE_STEP_MS: '20', FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } }));
  }
}, 60_000);

afterAll(async () => {
  for (const d of workers) await d.cleanup();
  await redis?.cleanup();
});

async function waitJob(c: Awaited<ReturnType<DaemonProcess['client']>>, jobId: string, pred: (j: ClusterJob) => boolean, timeoutMs = 60_000): Promise<ClusterJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await c.call('cluster.jobs', {})).jobs.find((j) => j.id === jobId);
    if (job && pred(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never matched: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('shared queue faults and the socket methods (fake engine)', () => {
  it('ends a job that fails on every worker as failed, with its reason, after 3 runs', async () => {
    const r = await cli(['generate', '--image', image, '--prompt', 'doomed [fail-at-section=1]', '--seconds', '2', '--steps', '2', '--queue', redis.url, '--json']);
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'job.failed', attempts: 3 });
    expect(String(last.error)).toContain('fake: scripted failure at section 1');
    expect(r.stderr).toContain('failed after 3 attempt(s)');
    const listed = await cli(['jobs', '--queue', redis.url, '--json']);
    const job = (JSON.parse(listed.stdout) as { jobs: ClusterJob[] }).jobs.find((j) => j.id === last.jobId)!;
    expect(job).toMatchObject({ state: 'failed', attempts: 3 });
    expect(job.error).toContain('scripted failure');
  }, 120_000);

  it('takes jobs from any socket client: cluster.submit, then cluster.jobs shows its worker', async () => {
    const c = await workers[0]!.client();
    const { jobId, queue } = await c.call('cluster.submit', { spec: { image, prompt: 'from the socket', seconds: 1, steps: 2 } });
    expect(queue).toBe(redis.url);
    const done = await waitJob(c, jobId, (j) => j.state === 'completed');
    expect(workers.map((d) => `${host}:${d.child.pid}`)).toContain(done.worker);
    expect(done.output!.bytes).toBeGreaterThan(0);
    await expect(c.call('cluster.submit', { spec: { image, prompt: 'x', out: path.join(redis.dir, 'x.mp4') } })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    await expect(c.call('cluster.submit', { spec: { image, prompt: 'x' }, queue: 'localhost:6379' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  }, 60_000);

  it('a paused worker takes no shared job; resuming it does', async () => {
    const clients = await Promise.all(workers.map((d) => d.client()));
    for (const c of clients) await c.call('queue.pause', {});
    try {
      // The fetches the workers had in flight at the pause end first (else one takes the job for a
      // moment and gives it back delayed, worker.ts); from then on nothing may take it.
      await waitNoJobFetchInFlight(redis);
      const { jobId } = await clients[0]!.call('cluster.submit', { spec: { image, prompt: 'waits for a worker', seconds: 1, steps: 2 } });
      await new Promise((r) => setTimeout(r, 1_500));
      const held = await waitJob(clients[0]!, jobId, () => true);
      expect(held.state).toBe('waiting');
      expect(held.progress).toBeNull();
      await clients[1]!.call('queue.resume', {});
      const done = await waitJob(clients[0]!, jobId, (j) => j.state === 'completed', 30_000);
      expect(done.worker).toBe(`${host}:${workers[1]!.child.pid}`);
    } finally {
      for (const c of clients) await c.call('queue.resume', {});
    }
  }, 60_000);

  it('a worker killed mid-job and started again drops its stale local copy; another worker finishes the job', async () => {
    const c = await workers[0]!.client();
    const { jobId } = await c.call('cluster.submit', { spec: { image, prompt: 'crash [step-ms=150]', seconds: 4, steps: 4 } });
    const running = await waitJob(c, jobId, (j) => j.state === 'active' && (j.progress?.section?.index ?? 0) >= 1, 30_000);
    const i = workers.findIndex((d) => `${host}:${d.child.pid}` === running.worker);
    await workers[i]!.kill('SIGKILL');
    workers[i] = await startDaemon({ base: workers[i]!.base, env: workers[i]!.env });
    const back = await workers[i]!.client();
    // The journal had it `running`; the restart queued it locally, and the worker removed it again.
    await expect(back.call('jobs.get', { jobId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(readLog(workers[i]!)).toContain('removed shared-queue jobs a previous run of this worker left in its local queue');
    const done = await waitJob(back, jobId, (j) => j.state === 'completed', 60_000);
    expect(done.attempts).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('a stopped worker hands its job back at once; the other resumes it after its checkpoint', async () => {
    const c = await workers[0]!.client();
    const { jobId } = await c.call('cluster.submit', { spec: { image, prompt: 'long [step-ms=150]', seconds: 4, steps: 4 } });
    const running = await waitJob(c, jobId, (j) => j.state === 'active' && (j.progress?.section?.index ?? 0) >= 1, 30_000);
    const victim = workers.find((d) => `${host}:${d.child.pid}` === running.worker)!;
    const survivor = workers.find((d) => d !== victim)!;
    await victim.kill('SIGTERM');
    const sc = await survivor.client();
    const done = await waitJob(sc, jobId, (j) => j.state === 'completed', 30_000);
    expect(done.worker).toBe(`${host}:${survivor.child.pid}`);
    expect(readLog(survivor).split('\n').some((l) => /resuming the shared job after section [1-9]/.test(l) && l.includes(jobId))).toBe(true);
    // The stopping worker finished its section, checkpointed it and gave the job back itself (not left to its lock to lapse).
    expect(readLog(victim)).toContain('job interrupted by shutdown');
    expect(readLog(victim)).toContain('handed the shared job back to the queue');
    workers.splice(workers.indexOf(victim), 1);
    await victim.cleanup();
  }, 120_000);
});
