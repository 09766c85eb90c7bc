// Submitting to the shared queue, from a machine with or without a GPU (`generate --queue`, the
// socket's cluster.submit): the job's files (start, end and keyframe images, an extended video, LoRA
// files: travel-files.ts) go into Redis beside the job (workers need no shared disk), the job into the BullMQ queue with bounded retries. follow() then watches it to the end —
// progress live through QueueEvents, its state polled as well so an event missed while Redis was
// away changes nothing — and fetchVideo() takes the MP4 back out of Redis.
import { randomBytes, createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobSpec } from '../../shared/domain/job.js';
import type { Logger } from '../log.js';
import { BlobStore } from './blob-store.js';
import { cancelRequested, isCancelReason } from './cancel.js';
import { bullConnection, KEY_PREFIX, loadBull, openRedis, QUEUE_NAME, type RedisClient } from './connection.js';
import type { QueueTarget } from './queue-url.js';
import { overLimit, travelBlob, travellingFiles, withTravelPaths } from './travel-files.js';
import { ClusterProgress, ClusterResult, JOB_ATTEMPTS, JOB_NAME, outputBlob, type ClusterJobData } from './wire.js';

/** How long finished jobs stay listed in the queue, s. */
const KEEP_FINISHED_S = 7 * 24 * 3600;
/** How often follow() polls the job's state besides listening to events, ms. */
const POLL_MS = 1_000;

export class SubmitRefused extends Error {
  override readonly name = 'SubmitRefused';
}

export function newClusterJobId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** The first spec field naming something on this machine that cannot travel with a shared job, or null. */
export function filesLeftBehind(spec: JobSpec): string | null {
  // A finished job's latent history lives on the daemon that ran it (travel-files.ts).
  if (spec.extendJob !== undefined) return 'extendJob';
  return null;
}

/** Puts the job on the shared queue, with its files (travel-files.ts) read on this machine and put into Redis beside it. */
export async function submitToQueue(redis: RedisClient, spec: JobSpec, o: { maxInputBytes?: number; submittedBy?: string } = {}): Promise<{ jobId: string }> {
  if (spec.out !== undefined) throw new SubmitRefused('out: a shared-queue job sends its video back through redis; give the path to `generate --queue … --out` (or fetch it with --wait), not in the spec');
  if (filesLeftBehind(spec) === 'extendJob') throw new SubmitRefused(`extendJob: a shared-queue job cannot extend a finished job by id: its latent history stays on the daemon that ran it; extend that job's MP4 instead (--extend FILE travels with the job), or run this job on that daemon (without --queue)`);
  if (spec.image === undefined && spec.extend === undefined) throw new SubmitRefused('image: a shared-queue job needs a start image');
  const files = travellingFiles(spec);
  // Sizes first, from stat alone: nothing is read or put into Redis for a job that is refused.
  const sizes: number[] = [];
  for (const f of files) {
    const st = await stat(f.path).catch(() => null);
    if (!st?.isFile()) throw new SubmitRefused(`${f.field}: ${f.path} is not a readable file`);
    sizes.push(st.size);
  }
  const over = overLimit(files, sizes, o.maxInputBytes);
  if (over) throw new SubmitRefused(over);
  const jobId = newClusterJobId();
  const blobs = new BlobStore(redis);
  const metas: NonNullable<ClusterJobData['files']> = [];
  try {
    for (const f of files) {
      const meta = await blobs.put(travelBlob(jobId, f), await readFile(f.path));
      metas.push({ field: f.field, index: f.index, name: path.basename(f.path), bytes: meta.bytes, sha256: meta.sha256 });
    }
  } catch (err: unknown) {
    for (const f of files) await blobs.delete(travelBlob(jobId, f)).catch(() => undefined);
    throw err;
  }
  const data: ClusterJobData = {
    spec: withTravelPaths(spec, (f) => path.basename(f.path)),
    files: metas,
    submittedBy: o.submittedBy ?? `${os.userInfo().username}@${os.hostname()}`,
  };
  const { Queue } = await loadBull();
  const queue = new Queue(QUEUE_NAME, bullConnection(redis));
  try {
    await queue.add(JOB_NAME, data, {
      jobId, attempts: JOB_ATTEMPTS, backoff: { type: 'fixed', delay: 1_000 }, ...(spec.front ? { lifo: true } : {}),
      removeOnComplete: { age: KEEP_FINISHED_S }, removeOnFail: { age: KEEP_FINISHED_S },
    });
  } finally {
    await queue.close();
  }
  return { jobId };
}

/**
 * Where the queue's event stream is now: follow() from here sees every event of a job submitted
 * after this call (a worker may take the job and report before the follower has connected).
 */
export async function eventsCursor(redis: RedisClient): Promise<string> {
  const last = await redis.xrevrange(`${KEY_PREFIX}:${QUEUE_NAME}:events`, '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? '0-0';
}

export type FollowEnd = { kind: 'completed'; result: ClusterResult } | { kind: 'failed'; reason: string; attempts: number } | { kind: 'cancelled'; reason: string };

/**
 * Follows a job to its end: `onProgress` for each relayed event (live, via QueueEvents on its own
 * connection), the end from the job's state (polled, so nothing depends on one event arriving).
 */
export async function follow(target: QueueTarget, redis: RedisClient, jobId: string, o: { log: Pick<Logger, 'info' | 'warn'>; onProgress(p: ClusterProgress): void; signal?: AbortSignal; since?: string }): Promise<FollowEnd> {
  const { Queue, QueueEvents, Job } = await loadBull();
  const eventsRedis = await openRedis(target, { name: 'framepack:follow', log: o.log });
  const events = new QueueEvents(QUEUE_NAME, { ...bullConnection(eventsRedis), lastEventId: o.since ?? '$' });
  const queue = new Queue(QUEUE_NAME, bullConnection(redis));
  let wake: (() => void) | null = null;
  events.on('progress', ({ jobId: id, data }) => {
    if (id !== jobId) return;
    const p = ClusterProgress.safeParse(data);
    if (p.success) o.onProgress(p.data);
  });
  events.on('completed', ({ jobId: id }) => { if (id === jobId) wake?.(); });
  events.on('failed', ({ jobId: id }) => { if (id === jobId) wake?.(); });
  events.on('error', () => undefined);
  try {
    for (;;) {
      if (o.signal?.aborted) throw o.signal.reason;
      const job = await Job.fromId(queue, jobId);
      // Cancelled while it waited: removed from the queue, its cancel mark says why (cancel.ts).
      if (!job && (await cancelRequested(redis, jobId))) return { kind: 'cancelled', reason: 'cancelled (framepack cancel --queue) before a worker took it' };
      if (!job) throw new Error(`job ${jobId} is not in the queue (removed, or expired after ${KEEP_FINISHED_S / 86_400} days)`);
      const state = await job.getState();
      if (state === 'completed') return { kind: 'completed', result: ClusterResult.parse(job.returnvalue) };
      if (state === 'failed' && isCancelReason(job.failedReason)) return { kind: 'cancelled', reason: job.failedReason };
      if (state === 'failed') return { kind: 'failed', reason: job.failedReason ?? 'failed', attempts: job.attemptsMade };
      await new Promise<void>((r) => {
        const t = setTimeout(r, POLL_MS);
        wake = () => { clearTimeout(t); r(); };
      });
    }
  } finally {
    await events.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    eventsRedis.disconnect();
  }
}

/** Writes the job's MP4 from Redis to `file` (temp + rename), checked against its sha256. */
export async function fetchVideo(redis: RedisClient, jobId: string, result: ClusterResult, file: string): Promise<void> {
  const data = await new BlobStore(redis).get(outputBlob(jobId));
  if (!data) throw new Error(`the video of job ${jobId} is no longer in redis (expired); it is on worker ${result.worker} at ${result.workerPath}`);
  if (createHash('sha256').update(data).digest('hex') !== result.output.sha256) throw new Error(`the video of job ${jobId} in redis does not match its sha256`);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
