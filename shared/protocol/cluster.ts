// The shared queue (docs/cluster.md) as the protocol carries it: what a worker daemon reports
// about the queue it serves (daemon.status), the cluster.submit / cluster.jobs methods, and a job
// of the shared queue as listed. Workers and submitters talk to each other through Redis
// (daemon/cluster/); these shapes are only what a socket client sees.
import { z } from 'zod';
import { JobId, JobSpec } from '../domain/job.js';
import { JobProgress, TimingSummary } from '../domain/progress.js';

const IsoTime = z.iso.datetime({ offset: true });
/** A redis://, rediss:// or unix:// URL (daemon/cluster/queue-url.ts says which forms). */
const QueueUrl = z.string().min(1).max(2048);

/** A worker daemon's queue: shown by daemon.status, `framepack daemon status`, `ps`, `doctor` and the dashboard. */
export const ClusterWorkerStatus = z.object({
  /** The queue's address, password redacted. */
  queue: z.string(),
  /** This worker's name in the queue (host:pid). */
  worker: z.string(),
  /** Whether Redis answers now (workers reconnect by themselves). */
  connected: z.boolean(),
  /** The shared queue's job this worker runs now, if any (its local job has the same id). */
  running: JobId.nullable(),
  /** Jobs of the queue this worker finished since it started, and the ones that failed here. */
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type ClusterWorkerStatus = z.infer<typeof ClusterWorkerStatus>;

/** BullMQ's states, and `cancelled`: a job cancelled while it ran (`framepack cancel ID --queue URL`, or on its worker). */
export const ClusterJobState = z.enum(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed', 'cancelled', 'unknown']);
export type ClusterJobState = z.infer<typeof ClusterJobState>;

/** One job of the shared queue. */
export const ClusterJob = z.object({
  id: JobId,
  state: ClusterJobState,
  prompt: z.string(),
  /** The worker that runs it (or last ran it), null before one took it. */
  worker: z.string().nullable(),
  /** Runs started so far (a crash or a failure on one worker gives another one a new run). */
  attempts: z.number().int().nonnegative(),
  progress: JobProgress.nullable(),
  createdAt: IsoTime,
  finishedAt: IsoTime.nullable(),
  /** Why it failed (after its last attempt). */
  error: z.string().nullable(),
  /** The finished MP4 waiting in Redis for the submitter. */
  output: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }).nullable(),
  timing: TimingSummary.nullable(),
});
export type ClusterJob = z.infer<typeof ClusterJob>;

export const ClusterSubmitParams = z.strictObject({
  /** The job; `image` is a path on the daemon's machine, whose bytes go into Redis with the job. `out` is refused (the video comes back through Redis). */
  spec: JobSpec,
  /** The queue; absent = the one this daemon is a worker of, else the `queue` setting. */
  queue: QueueUrl.optional(),
});

export const ClusterSubmitResult = z.object({ jobId: JobId, queue: z.string() });

export const ClusterCancelParams = z.strictObject({ jobId: JobId, queue: QueueUrl.optional() });
/** `was`: the job's state when cancelled; `removed`: it was waiting and is gone from the queue (else its worker cancels it at its next step). */
export const ClusterCancelResult = z.object({ jobId: JobId, queue: z.string(), was: z.string(), removed: z.boolean() });

export const ClusterJobsParams = z.strictObject({
  queue: QueueUrl.optional(),
  limit: z.number().int().min(1).max(1000).default(50),
});
export const ClusterJobsResult = z.object({ queue: z.string(), jobs: z.array(ClusterJob) });
