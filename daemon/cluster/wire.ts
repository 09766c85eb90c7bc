// What travels through Redis between submitters and workers, as zod schemas checked at both ends
// (a job written by another version, or by hand, fails with its field named instead of a crash):
// the BullMQ job's data, each progress update, and the result of a finished job.
import { z } from 'zod';
import { JobSpec } from '../../shared/domain/job.js';
import { JobProgress, TimingSummary } from '../../shared/domain/progress.js';

/** The BullMQ job name of a generation. */
export const JOB_NAME = 'generate';

const FileMeta = { name: z.string().min(1).max(255), bytes: z.number().int().nonnegative(), sha256: z.string() };

/**
 * The BullMQ job's data. Each file of the job (travel-files.ts: start, end and keyframe images, the
 * video an extension continues, LoRA files) is a blob `travelBlob(id, file)`; the spec holds only
 * its original basename. `input` is the start image of a job queued by the previous version.
 */
export const ClusterJobData = z.object({
  spec: JobSpec,
  input: z.object(FileMeta).optional(),
  files: z.array(z.object({ field: z.enum(['image', 'extend', 'endImage', 'keyframes', 'loras']), index: z.number().int().nonnegative(), ...FileMeta })).optional(),
  submittedBy: z.string().max(256),
});
export type ClusterJobData = z.infer<typeof ClusterJobData>;

/** One progress update (BullMQ job progress, relayed by QueueEvents to every follower). */
export const ClusterProgress = z.object({
  worker: z.string(),
  /** The daemon event, as its socket publishes it, with the shared job's id. */
  event: z.string(),
  payload: z.record(z.string(), z.unknown()),
  /** The job's progress after this event (what listings show). */
  progress: JobProgress.nullable(),
});
export type ClusterProgress = z.infer<typeof ClusterProgress>;

/** A finished job's result (BullMQ return value): where its MP4 is in Redis. */
export const ClusterResult = z.object({
  worker: z.string(),
  outputName: z.string(),
  output: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }),
  /** The path on the worker's disk (its own copy). */
  workerPath: z.string(),
  frames: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  timing: TimingSummary.nullable(),
  /** Sections the run resumed after (0 = a fresh start). */
  resumedAfterSections: z.number().int().nonnegative(),
});
export type ClusterResult = z.infer<typeof ClusterResult>;

export const outputBlob = (jobId: string) => `output:${jobId}`;

/** Retries of a job that fails (each may run on another worker), and of one whose worker dies. */
export const JOB_ATTEMPTS = 3;
export const MAX_STALLED_COUNT = 2;
/** Largest video sent back, bytes (Redis holds it, in 1 MiB chunks); the limits of what a job carries are in travel-files.ts. */
export const DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;
