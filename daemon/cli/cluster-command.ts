// The command line's side of the shared queue (docs/cluster.md): `generate … --queue URL` submits
// from any machine (no GPU, no daemon needed) and, with --wait (the default), follows the job on
// whichever worker runs it and writes its MP4 here (the bytes come back through Redis);
// `--detach` prints the id. `jobs --queue URL` lists the shared queue with the worker of each job;
// `cancel ID --queue URL` cancels one of its jobs.
// bullmq/ioredis load only here, through daemon/cluster/.
import path from 'node:path';
import { JobSpec, type ClusterJob, type EventMessage } from '../../shared/protocol/index.js';
import type { JobSpec as PipelineJobSpec } from '../engine/pipeline/job-spec.js';
import { CancelRefused, cancelShared } from '../cluster/cancel.js';
import { openRedis } from '../cluster/connection.js';
import { listQueue } from '../cluster/listing.js';
import { parseQueueUrl, QueueUrlError, type QueueTarget } from '../cluster/queue-url.js';
import { eventsCursor, fetchVideo, follow, SubmitRefused, submitToQueue } from '../cluster/submitter.js';
import { cliEvent, daemonOutPath, protocolSpec, type MapState } from './daemon-generate.js';
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { formatBytes, table } from './format.js';
import type { PipelineEvent } from '../engine/pipeline/events.js';
import type { ProgressWriter } from './progress.js';

export function queueTarget(url: string): QueueTarget {
  try {
    return parseQueueUrl(url);
  } catch (err: unknown) {
    if (err instanceof QueueUrlError) throw new UsageError(err.message);
    throw err;
  }
}

const stderrLog = (stderr: NodeJS.WritableStream) => ({
  info: (m: string) => void stderr.write(`framepack: ${m}\n`),
  warn: (m: string) => void stderr.write(`framepack: ${m}\n`),
});

export interface QueueGenerateOptions {
  queue: string;
  spec: PipelineJobSpec;
  /** --extend-job: refused by the submitter with its reason (the latents stay on the daemon that ran it). */
  extendJob?: string;
  model: string | undefined;
  out: string | undefined;
  partials: boolean;
  detach: boolean;
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  progress: ProgressWriter | null;
}

export async function generateViaQueue(o: QueueGenerateOptions): Promise<number> {
  const target = queueTarget(o.queue);
  const spec = JobSpec.parse(protocolSpec(o.spec, { model: o.model, out: undefined, partials: o.partials, ...(o.extendJob !== undefined ? { extendJob: o.extendJob } : {}) }));
  const log = stderrLog(o.stderr);
  const redis = await openRedis(target, { name: 'framepack:submit', log });
  try {
    let jobId: string;
    const since = await eventsCursor(redis);
    try {
      ({ jobId } = await submitToQueue(redis, spec));
    } catch (err: unknown) {
      if (err instanceof SubmitRefused) throw new UsageError(err.message);
      throw err;
    }
    if (o.detach) {
      o.stdout.write(o.json ? `${JSON.stringify({ type: 'job.queued', jobId, queue: target.display })}\n` : `${jobId}\n`);
      return EXIT_OK;
    }
    if (!o.json) o.stderr.write(`job ${jobId} submitted to ${target.display}\n`);
    // Ctrl-C stops following; the job is the queue's now and runs to its end on a worker.
    const controller = new AbortController();
    const onSigint = () => controller.abort(new Error('stopped following'));
    process.once('SIGINT', onSigint);
    const st: MapState = { sections: 0, frames: 0, seconds: 0 };
    let worker: string | null = null;
    try {
      const end = await follow(target, redis, jobId, {
        log, signal: controller.signal, since,
        onProgress: (p) => {
          if (p.worker !== worker) {
            if (!o.json) o.stderr.write(`${worker === null ? 'running' : 'now running'} on worker ${p.worker}\n`);
            worker = p.worker;
          }
          const ev = cliEvent({ event: p.event, payload: p.payload } as unknown as EventMessage, st);
          if (!ev) return;
          if (o.json) o.stdout.write(`${JSON.stringify({ ...ev, worker: p.worker })}\n`);
          else if (ev.type !== 'job.started') o.progress?.write(ev as unknown as PipelineEvent);
        },
      });
      o.progress?.finish();
      if (end.kind === 'cancelled') {
        // As a local job's follower reports a cancel (daemon-generate.ts): job.failed with `cancelled`, exit 130.
        if (o.json) o.stdout.write(`${JSON.stringify({ type: 'job.failed', jobId, error: 'cancelled', code: 'CANCELLED', cancelled: true, reason: end.reason })}\n`);
        o.stderr.write(`framepack: job ${jobId} ${end.reason.split('\n')[0]}\n`);
        return EXIT_CANCELLED;
      }
      if (end.kind === 'failed') {
        if (o.json) o.stdout.write(`${JSON.stringify({ type: 'job.failed', jobId, error: end.reason, attempts: end.attempts })}\n`);
        o.stderr.write(`framepack: job ${jobId} failed after ${end.attempts} attempt(s): ${end.reason.split('\n')[0]}\n`);
        return EXIT_FAILURE;
      }
      const file = daemonOutPath(o.out, o.spec.seed) ?? path.resolve('outputs', `${jobId}.mp4`);
      await fetchVideo(redis, jobId, end.result, file);
      if (o.json) o.stdout.write(`${JSON.stringify({ type: 'job.succeeded', jobId, output: file, worker: end.result.worker, bytes: end.result.output.bytes, frames: end.result.frames, resumedAfterSections: end.result.resumedAfterSections })}\n`);
      else o.stdout.write(`${file}\n`);
      return EXIT_OK;
    } catch (err: unknown) {
      o.progress?.finish();
      if (!controller.signal.aborted) throw err;
      o.stderr.write(`framepack: stopped following; job ${jobId} keeps running in the shared queue (framepack jobs --queue ${target.display})\n`);
      return EXIT_CANCELLED;
    } finally {
      process.off('SIGINT', onSigint);
    }
  } finally {
    redis.disconnect();
  }
}

function progressText(j: ClusterJob): string {
  if (j.state === 'completed') return j.output ? `${formatBytes(j.output.bytes)} video` : 'done';
  if (j.state === 'failed' || j.state === 'cancelled') return (j.error ?? 'failed').split('\n')[0]!.slice(0, 60);
  const p = j.progress;
  if (!p) return '';
  const section = p.section ? `section ${p.section.index + 1}/${p.section.total}` : p.stage;
  return p.step ? `${section} step ${p.step.step}/${p.step.steps}` : section;
}

export function formatClusterJobs(display: string, jobs: readonly ClusterJob[]): string {
  if (jobs.length === 0) return `no jobs in the shared queue ${display}`;
  const rows = [['ID', 'STATE', 'WORKER', 'RUNS', 'PROGRESS', 'PROMPT']];
  for (const j of jobs) rows.push([j.id, j.state, j.worker ?? '-', String(j.attempts), progressText(j), j.prompt.replace(/\s+/g, ' ').slice(0, 40)]);
  return `shared queue ${display}\n${table(rows)}`;
}

/** `framepack cancel ID --queue URL`: removes a waiting job, or has its worker cancel a running one (cancel.ts). */
export async function cancelQueueCommand(url: string, jobId: string, json: boolean, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const target = queueTarget(url);
  const redis = await openRedis(target, { name: 'framepack:cancel', log: stderrLog(stderr), failFast: true });
  try {
    const r = await cancelShared(redis, jobId);
    if (json) stdout.write(`${JSON.stringify({ queue: target.display, ...r })}\n`);
    else stdout.write(r.removed ? `${jobId} cancelled (removed from the shared queue; it was ${r.was})\n` : `${jobId}: cancel sent to its worker (it was ${r.was}); it ends cancelled at its next step\n`);
    return EXIT_OK;
  } catch (err: unknown) {
    if (!(err instanceof CancelRefused)) throw err;
    stderr.write(`framepack: ${err.message}\n`);
    return EXIT_FAILURE;
  } finally {
    redis.disconnect();
  }
}

export async function listQueueCommand(url: string, json: boolean, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const target = queueTarget(url);
  const redis = await openRedis(target, { name: 'framepack:jobs', log: stderrLog(stderr), failFast: true });
  try {
    const jobs = await listQueue(redis, 200);
    stdout.write(`${json ? JSON.stringify({ queue: target.display, jobs }) : formatClusterJobs(target.display, jobs)}\n`);
    return EXIT_OK;
  } finally {
    redis.disconnect();
  }
}
