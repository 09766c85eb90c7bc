// `framepack jobs --queue …` and cluster.jobs: the shared queue's jobs, newest first, with the
// worker that runs (or ran) each, from BullMQ's own records.
import type { ClusterJob, ClusterJobState } from '../../shared/protocol/index.js';
import { bullConnection, loadBull, QUEUE_NAME, type RedisClient } from './connection.js';
import { isCancelReason } from './cancel.js';
import { ClusterJobData, ClusterProgress, ClusterResult } from './wire.js';

const STATES = ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'] as const;

export async function listQueue(redis: RedisClient, limit: number): Promise<ClusterJob[]> {
  const { Queue } = await loadBull();
  const queue = new Queue(QUEUE_NAME, bullConnection(redis));
  try {
    const out: ClusterJob[] = [];
    for (const state of STATES) {
      for (const job of await queue.getJobs([state], 0, limit - 1)) {
        if (!job?.id) continue;
        const data = ClusterJobData.safeParse(job.data);
        const progress = ClusterProgress.safeParse(job.progress);
        const result = ClusterResult.safeParse(job.returnvalue);
        const cancelled = state === 'failed' && isCancelReason(job.failedReason);
        out.push({
          id: job.id, state: cancelled ? 'cancelled' : state as ClusterJobState, prompt: data.success ? data.data.spec.prompt : '?',
          worker: result.success ? result.data.worker : progress.success ? progress.data.worker : null,
          attempts: job.attemptsStarted ?? job.attemptsMade, progress: progress.success ? progress.data.progress : null,
          createdAt: new Date(job.timestamp).toISOString(), finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
          error: state === 'failed' ? job.failedReason ?? 'failed' : null,
          output: result.success ? result.data.output : null, timing: result.success ? result.data.timing : null,
        });
      }
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).slice(0, limit);
  } finally {
    await queue.close();
  }
}
