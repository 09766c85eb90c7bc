// Cancelling a shared job from any machine (`framepack cancel ID --queue URL`). A mark
// `…:cancel:<id>` goes into Redis first (TTL as the job's records); then a job still waiting is
// removed from the queue with its files, and a running one is left to its worker, which checks
// the mark every CANCEL_POLL_MS while it runs the job (and once before it starts one, for a job
// taken in the moment of the cancel) and cancels its local job through its job service; the job
// then fails with a reason starting "cancelled", which followers and listings show as cancelled.
import { BLOB_TTL_S, BlobStore } from './blob-store.js';
import { bullConnection, loadBull, ownKey, QUEUE_NAME, type RedisClient } from './connection.js';
import { travelBlob } from './travel-files.js';
import { ClusterJobData } from './wire.js';

export const cancelKey = (jobId: string) => ownKey('cancel', jobId);
/** How often a worker looks for a cancel of the job it runs, ms. */
export const CANCEL_POLL_MS = 500;

export class CancelRefused extends Error {
  override readonly name = 'CancelRefused';
  /** `missing`: no such job (never, removed or expired); `ended`: it finished already. */
  constructor(message: string, readonly why: 'missing' | 'ended') {
    super(message);
  }
}

/** A failed job's reason that means it was cancelled (the worker's and this module's wording). */
export const isCancelReason = (reason: string | undefined) => reason?.startsWith('cancelled') === true;

export type CancelOutcome = { jobId: string; was: string; removed: boolean };

export async function cancelShared(redis: RedisClient, jobId: string): Promise<CancelOutcome> {
  const { Queue, Job } = await loadBull();
  const queue = new Queue(QUEUE_NAME, bullConnection(redis));
  try {
    const job = await Job.fromId(queue, jobId);
    if (!job) throw new CancelRefused(`no job '${jobId}' in the shared queue`, 'missing');
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') throw new CancelRefused(`job ${jobId} already ${isCancelReason(job.failedReason) ? 'cancelled' : state}; nothing to cancel`, 'ended');
    // The mark first: a worker taking the job right now sees it before it starts the job, and a
    // follower of a removed job learns from it why the job is gone.
    await redis.set(cancelKey(jobId), new Date().toISOString(), 'EX', BLOB_TTL_S);
    if (state !== 'active') {
      try {
        await job.remove();
        const data = ClusterJobData.safeParse(job.data);
        const blobs = new BlobStore(redis);
        for (const f of data.success ? data.data.files ?? [] : []) await blobs.delete(travelBlob(jobId, f)).catch(() => undefined);
        return { jobId, was: state, removed: true };
      } catch {
        // A worker took it meanwhile (its lock refuses the removal): that worker sees the mark.
      }
    }
    return { jobId, was: 'active', removed: false };
  } finally {
    await queue.close();
  }
}

export async function cancelRequested(redis: RedisClient, jobId: string): Promise<boolean> {
  return (await redis.exists(cancelKey(jobId))) === 1;
}
