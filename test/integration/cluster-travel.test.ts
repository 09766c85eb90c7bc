// What travels with a shared job (docs/cluster.md): a real redis-server, a worker daemon with the
// real engine and the default tiny model (its own data dir), and `framepack generate --queue` as
// the submitter. A job with an end image, a keyframe and a LoRA runs after the submitter's files
// are deleted — the worker has them from Redis only — and the worker's sidecar records them; files
// over their limit and `extendJob` are refused at submit with the field named, nothing queued.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterJob } from '../../shared/protocol/index.js';
import { readLog, REPO_ROOT, startDaemon, type DaemonProcess } from '../helpers/daemon-harness.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
let worker: DaemonProcess;
let image: string;
/** The first job's video, on the worker: the extension test sends a copy of it back as a submitter's file. */
let firstVideo: string;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/framepack.js'), ...args], { cwd: redis.dir, env: { ...process.env, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const png = (file: string, r: number, g: number, b: number) => sharp({ create: { width: 96, height: 64, channels: 3, background: { r, g, b } } }).png().toFile(file);

beforeAll(async () => {
  redis = await startRedis();
  image = path.join(redis.dir, 'start.png');
  await png(image, 200, 30, 30);
  worker = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_QUEUE: redis.url, FRAMEPACK_CONFIG_DIR: '/nonexistent-fp-config' } });
}, 60_000);

afterAll(async () => {
  await worker?.cleanup();
  await redis?.cleanup();
});

async function waitJob(jobId: string, pred: (j: ClusterJob) => boolean, timeoutMs = 240_000): Promise<ClusterJob> {
  const c = await worker.client();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await c.call('cluster.jobs', {})).jobs.find((j) => j.id === jobId);
    if (job && pred(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} never matched: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('files that travel with a shared job', () => {
  it('end image, keyframe and LoRA reach the worker through redis only; its sidecar records them', async () => {
    const end = path.join(redis.dir, 'end.png');
    const key = path.join(redis.dir, 'key.png');
    const lora = path.join(redis.dir, 'blue.safetensors');
    await png(end, 30, 30, 200);
    await png(key, 30, 200, 30);
    await copyFile(path.join(REPO_ROOT, 'test/fixtures/lora/blue-kohya.safetensors'), lora);
    const originals = { end: await readFile(end), key: await readFile(key), lora: await readFile(lora), image: await readFile(image) };
    const r = await cli(['generate', '--image', image, '--prompt', 'a ball rolls', '--end-image', end, '--keyframe', `1.3=${key}`, '--lora', `${lora}:0.5`,
      '--seconds', '2.4', '--steps', '2', '--no-partials', '--queue', redis.url, '--detach']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = r.stdout.trim();
    // Gone from the submitting side before any worker runs the job.
    await rm(end);
    await rm(key);
    await rm(lora);
    const done = await waitJob(jobId, (j) => j.state === 'completed' || j.state === 'failed');
    expect(done.state, done.error ?? '').toBe('completed');
    const local = await (await worker.client()).call('jobs.get', { jobId });
    expect(local.job.state).toBe('succeeded');
    firstVideo = local.job.outputPath!;
    const sidecar = JSON.parse(await readFile(local.job.outputPath!.replace(/\.mp4$/, '.json'), 'utf8')) as { parameters: Record<string, unknown> };
    expect(sidecar.parameters).toMatchObject({ endImage: 'end.png', keyframes: [{ seconds: 1.3, image: 'keyframe-0.png' }], loras: [{ file: 'blue.safetensors', strength: 0.5 }] });
    // The job folder's copies are the submitted files, byte for byte.
    const jobDir = path.join(worker.dataDir, 'jobs', jobId);
    expect(sha(await readFile(path.join(jobDir, 'end.png')))).toBe(sha(originals.end));
    expect(sha(await readFile(path.join(jobDir, 'keyframe-0.png')))).toBe(sha(originals.key));
    const total = originals.image.byteLength + originals.end.byteLength + originals.key.byteLength + originals.lora.byteLength;
    expect(readLog(worker)).toContain(`"bytes":${total}`);
  }, 300_000);

  it('a video to extend travels too: the worker extends its own copy of it', async () => {
    const clip = path.join(redis.dir, 'clip.mp4');
    await copyFile(firstVideo, clip);
    const r = await cli(['generate', '--extend', clip, '--prompt', 'the ball keeps rolling', '--seconds', '1', '--steps', '2', '--no-partials', '--queue', redis.url, '--detach']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = r.stdout.trim();
    await rm(clip);
    const done = await waitJob(jobId, (j) => j.state === 'completed' || j.state === 'failed');
    expect(done.state, done.error ?? '').toBe('completed');
    const local = await (await worker.client()).call('jobs.get', { jobId });
    expect(local.job.spec.extend!.startsWith(path.join(worker.dataDir, 'cluster', 'inbox', jobId))).toBe(true);
    const sidecar = JSON.parse(await readFile(local.job.outputPath!.replace(/\.mp4$/, '.json'), 'utf8')) as { parameters: Record<string, unknown> };
    expect(sidecar.parameters.extendVideo).toMatch(/\.mp4$/);
    expect(local.job.progress!.frames).toBeGreaterThan(0);
  }, 300_000);

  it('refuses files over their limit and extendJob at submit, naming the field; nothing is queued', async () => {
    const before = (await (await worker.client()).call('cluster.jobs', {})).jobs.length;
    // A real PNG grown past 64 MiB with zeros after its end (decoders stop at IEND), so the CLI's own checks pass it.
    const bigEnd = path.join(redis.dir, 'big-end.png');
    await copyFile(image, bigEnd);
    await truncate(bigEnd, 64 * 1024 * 1024 + 1);
    const c = await worker.client();
    const refused = (spec: Record<string, unknown>) => c.call('cluster.submit', { spec: { image, prompt: 'x', ...spec } }).then(() => null, (e: { code?: string; message: string }) => e);
    expect(await refused({ endImage: bigEnd })).toMatchObject({ code: 'INVALID_PARAMS', message: `endImage: ${bigEnd} is 67108865 bytes; a shared-queue job carries images up to 67108864 bytes` });
    const loras = [];
    for (const n of [1, 2]) {
      const f = path.join(redis.dir, `big-${n}.safetensors`);
      await writeFile(f, '');
      await truncate(f, 300 * 1024 * 1024);
      loras.push({ path: f, strength: 1 });
    }
    expect(await refused({ loras })).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining("loras[1]: ") });
    expect((await refused({ loras })) as { message: string }).toMatchObject({ message: expect.stringContaining('a shared-queue job carries LoRA files up to 536870912 bytes (512 MiB) in all') });
    const ext = await c.call('cluster.submit', { spec: { prompt: 'x', extendJob: 'abc' } }).then(() => null, (e: { message: string }) => e);
    expect(ext?.message).toMatch(/^extendJob: .*latent history stays on the daemon that ran it/);
    const cliExt = await cli(['generate', '--extend-job', 'abc', '--prompt', 'x', '--queue', redis.url, '--detach']);
    expect(cliExt.code).toBe(2);
    expect(cliExt.stderr).toMatch(/^framepack: extendJob: a shared-queue job cannot extend a finished job by id/);
    // The same limit from the command line: exit 2, one line.
    const r = await cli(['generate', '--image', image, '--prompt', 'x', '--end-image', bigEnd, '--queue', redis.url, '--detach']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a shared-queue job carries images up to 67108864 bytes');
    expect((await c.call('cluster.jobs', {})).jobs.length).toBe(before);
  }, 60_000);
});
