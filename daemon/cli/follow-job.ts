// Following one job over the socket until its terminal event, for `generate --wait` and
// `jobs show --follow`: human lines (or the events as NDJSON with --json) and the exit code of
// the outcome — 0 succeeded, 1 failed, 130 cancelled. A job that already ended before the
// subscription (seen in the snapshot) ends the wait at once.
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { EventMessage, Job } from '../../shared/protocol/index.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { formatDuration } from './progress.js';

export function exitCodeOf(state: Job['state']): number | null {
  return state === 'succeeded' ? EXIT_OK : state === 'failed' ? EXIT_FAILURE : state === 'cancelled' ? EXIT_CANCELLED : null;
}

/** One event as a plain line, or null for those that have none. */
export function jobEventLine(e: EventMessage): string | null {
  switch (e.event) {
    // The protocol counts from 0; people count from 1 (#1 runs next).
    case 'job.queued': return `queued at position ${e.payload.position + 1}`;
    case 'job.started': return 'started';
    case 'stage': return `${e.payload.stage}${e.payload.detail ? `: ${e.payload.detail}` : ''}`;
    case 'section.started': return `section ${e.payload.index + 1}/${e.payload.total} (video position ${e.payload.displayIndex + 1}/${e.payload.total})`;
    case 'step': return `section ${e.payload.section + 1}  step ${e.payload.step}/${e.payload.steps}  ${e.payload.secPerStep.toFixed(3)} s/step  ETA ${formatDuration(e.payload.etaJobMs / 1000)}`;
    case 'section.done': return `section ${e.payload.index + 1}/${e.payload.total} done: ${e.payload.frames} frames (${e.payload.seconds.toFixed(2)} s) → ${e.payload.partialPath}`;
    case 'job.succeeded': return `done in ${(e.payload.timing.totalMs / 1000).toFixed(1)} s → ${e.payload.outputPath}`;
    case 'job.failed': return `failed: ${e.payload.error.code} ${e.payload.error.message}${e.payload.partialPath ? ` (partial video: ${e.payload.partialPath})` : ''}`;
    case 'job.cancelled': return `cancelled (${e.payload.when})${e.payload.partialPath ? `; partial video: ${e.payload.partialPath}` : ''}`;
    default: return null;
  }
}

export interface FollowOptions {
  json: boolean;
  write: (line: string) => void;
}

export async function followJob(client: RpcClient, jobId: string, o: FollowOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      void sub.then((s) => s.close()).catch(() => undefined);
      resolve(code);
    };
    const sub = client.subscribe({ jobId, topics: ['jobs'] }, {
      onSnapshot: (snapshot) => {
        const job = snapshot.jobs.find((j) => j.id === jobId);
        const code = job ? exitCodeOf(job.state) : null;
        if (job && code !== null) {
          o.write(o.json ? JSON.stringify({ event: 'job', payload: job }) : `already ${job.state}${job.outputPath ? ` → ${job.outputPath}` : ''}`);
          finish(code);
        }
      },
      onEvent: (e) => {
        if (done || !('jobId' in e.payload) || e.payload.jobId !== jobId || e.event === 'log') return;
        const line = o.json ? JSON.stringify(e) : jobEventLine(e);
        if (line !== null) o.write(line);
        if (e.event === 'job.succeeded') finish(EXIT_OK);
        else if (e.event === 'job.failed') finish(EXIT_FAILURE);
        else if (e.event === 'job.cancelled') finish(EXIT_CANCELLED);
      },
    });
    sub.catch(reject);
    client.onStateChange((state) => {
      if (!done && (state === 'disconnected' || state === 'closed')) reject(new Error('lost the connection to the daemon while following the job'));
    });
  });
}
