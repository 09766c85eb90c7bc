// Following one job over the socket until its terminal event, for `generate --wait` and
// `jobs show --follow`: human lines (or the events as NDJSON with --json) and the exit code of
// the outcome — 0 succeeded, 1 failed, 130 cancelled. A job that already ended before the
// subscription (seen in the snapshot) ends the wait at once.
import type { RpcClient } from '../../shared/ipc/rpc-client.js';
import type { EventMessage, Job } from '../../shared/protocol/index.js';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import { cliEvent, type MapState } from './daemon-generate.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { eventLine, newLineContext, type LineContext } from './progress.js';

export function exitCodeOf(state: Job['state']): number | null {
  return state === 'succeeded' ? EXIT_OK : state === 'failed' ? EXIT_FAILURE : state === 'cancelled' ? EXIT_CANCELLED : null;
}

/** Per-job state of the lines (the section running, frames so far). */
export interface FollowState { map: MapState; lines: LineContext }

export const newFollowState = (): FollowState => ({ map: { sections: 0, frames: 0, seconds: 0 }, lines: newLineContext() });

/**
 * One event as a plain line, or null for those that have none: a line per section and per stage
 * (with readable names and the job's ETA), none per step, as `generate` prints when piped.
 */
export function jobEventLine(e: EventMessage, st: FollowState = newFollowState()): string | null {
  switch (e.event) {
    // The protocol counts from 0; people count from 1 (#1 runs next).
    case 'job.queued': return `queued at position ${e.payload.position + 1}`;
    case 'job.started': return 'started';
    case 'stage': case 'section.started': case 'section.done': {
      const ev = cliEvent(e, st.map);
      return ev ? eventLine(ev as unknown as PipelineEvent, st.lines) : null;
    }
    case 'step': return null;
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
    const lines = newFollowState();
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
        const line = o.json ? JSON.stringify(e) : jobEventLine(e, lines);
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
