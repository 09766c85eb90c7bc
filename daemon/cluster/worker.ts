// A daemon as a worker of the shared BullMQ queue (`daemon start --queue redis://…`). Each job the
// queue hands over runs through the daemon's own job service under the same id — so `jobs`, `ps`,
// the dashboard, warm models, memory plans and section checkpoints all work as for a local job —
// one at a time (BullMQ concurrency 1: one device, one job). This adapter only moves things
// between Redis and that service: the job's files in (blobs: inbox.ts), a cancel in (cancel.ts), the last section checkpoint in and
// out (checkpoint-store.ts), every progress event out (BullMQ job progress, which QueueEvents
// relays to any follower), and the finished MP4 out (blob). A worker that dies loses its lock;
// BullMQ's stalled-job check gives the job to another worker, which resumes from the checkpoint.
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Job as BullJob, Worker } from 'bullmq';
import { RpcError, type ClusterWorkerStatus, type EventName, type EventPayload, type TimingSummary } from '../../shared/protocol/index.js';
import type { Check } from '../diagnostics/check.js';
import type { SectionCheckpoint } from '../engine/engine.js';
import type { JobJournal } from '../jobs/job-journal.js';
import type { JobService } from '../jobs/job-service.js';
import type { Logger } from '../log.js';
import { BlobStore } from './blob-store.js';
import { CANCEL_POLL_MS, cancelRequested } from './cancel.js';
import { CheckpointStore } from './checkpoint-store.js';
import { claim, dropClaimedLeftovers, unclaim } from './claimed-jobs.js';
import { bullConnection, loadBull, openRedis, QUEUE_NAME, type RedisClient } from './connection.js';
import { InboxMissing, writeInbox } from './inbox.js';
import type { QueueTarget } from './queue-url.js';
import { ClusterJobData, DEFAULT_MAX_OUTPUT_BYTES, MAX_STALLED_COUNT, outputBlob, type ClusterProgress, type ClusterResult } from './wire.js';

export interface ClusterWorkerOptions {
  target: QueueTarget;
  jobs: JobService;
  journal: JobJournal;
  dataDir: string;
  log: Logger;
  /** How long a worker's lock on its job lasts without renewal (BullMQ lockDuration); a dead worker's job moves on after about this. */
  lockMs: number;
  maxOutputBytes?: number;
  maxCheckpointBytes?: number;
}

/** Daemon events a follower sees, relayed as BullMQ progress. */
const RELAYED = new Set<string>(['job.started', 'stage', 'section.started', 'step', 'section.done']);
/** Step updates are dropped while this many progress writes are still on their way (Redis slow or away). */
const MAX_INFLIGHT_PROGRESS = 8;

type Terminal =
  | { kind: 'succeeded'; outputPath: string; timing: TimingSummary }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'cancelled' }
  | { kind: 'interrupted' };

interface Current {
  /** The shared queue's id, and the local job's (the same unless this worker ran the job before). */
  id: string;
  localId: string;
  job: BullJob;
  resumedAfter: number;
  /** Set once a cancel from the queue reached this job. */
  cancelledFromQueue?: boolean;
  settle(t: Terminal): void;
  done: Promise<Terminal>;
}

export class ClusterWorker {
  readonly name = `${os.hostname()}:${process.pid}`;
  private worker: Worker | null = null;
  private current: Current | null = null;
  private connected = false;
  private doneCount = 0;
  private failedCount = 0;
  private inflight = 0;
  private progressChain: Promise<unknown> = Promise.resolve();
  private uploads: Promise<unknown> = Promise.resolve();
  private closing = false;
  private paused = false;
  private readonly log: Logger;
  private blobs!: BlobStore;
  private checkpoints!: CheckpointStore;
  private redis!: RedisClient;

  private constructor(private readonly o: ClusterWorkerOptions) {
    this.log = o.log.child({ scope: 'cluster' });
  }

  /** Connects and starts taking jobs. Call after the job service restored its journal. */
  static async start(o: ClusterWorkerOptions): Promise<ClusterWorker> {
    const w = new ClusterWorker(o);
    dropClaimedLeftovers(o.dataDir, o.jobs, w.log);
    const { Worker } = await loadBull();
    w.redis = await openRedis(o.target, { name: `framepack:worker:${w.name}`, log: w.log });
    w.redis.on('ready', () => { w.connected = true; });
    w.redis.on('close', () => { w.connected = false; });
    w.blobs = new BlobStore(w.redis);
    w.checkpoints = new CheckpointStore(w.redis, o.maxCheckpointBytes);
    w.worker = new Worker(QUEUE_NAME, (job, token) => w.process(job, token), {
      ...bullConnection(w.redis),
      name: w.name,
      concurrency: 1,
      lockDuration: o.lockMs,
      stalledInterval: Math.max(500, Math.round(o.lockMs / 2)),
      maxStalledCount: MAX_STALLED_COUNT,
    });
    w.followPause(o.jobs.queue.status().paused);
    // BullMQ reports connection trouble here too; openRedis already says unreachable/back once per outage.
    w.worker.on('error', (err) => w.log.debug('queue worker error', { error: err.message }));
    w.worker.on('failed', (job, err) => { if (job) w.log.warn('shared-queue job failed here', { jobId: job.id, error: err.message, attempt: job.attemptsMade }); });
    w.log.info(`worker of the shared queue ${o.target.display} as ${w.name}`, { queue: o.target.display, worker: w.name, lockMs: o.lockMs });
    return w;
  }

  /** doctor's check `cluster.redis`: does the queue's Redis answer, and how fast. */
  async doctorCheck(): Promise<Check> {
    const where = `worker ${this.name} of the shared queue ${this.o.target.display}`;
    const started = performance.now();
    try {
      await Promise.race([this.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref())]);
      return { id: 'cluster.redis', status: 'ok', finding: `${where}: redis answers (${(performance.now() - started).toFixed(0)} ms)`, fix: '' };
    } catch (err: unknown) {
      return {
        id: 'cluster.redis', status: 'fail', finding: `${where}: redis unreachable (${(err as Error).message.split('\n')[0]}); the worker keeps reconnecting`,
        fix: 'start Redis or fix the URL (host, port, password, rediss:// for TLS): framepack daemon restart --queue redis://…; see docs/cluster.md',
      };
    }
  }

  status(): ClusterWorkerStatus {
    return { queue: this.o.target.display, worker: this.name, connected: this.connected, running: this.current?.id ?? null, done: this.doneCount, failed: this.failedCount };
  }

  /** Every event the daemon publishes: the running shared job's are relayed, its end settles it. */
  tap<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (event === 'queue.changed') this.followPause((payload as EventPayload<'queue.changed'>).paused);
    const cur = this.current;
    const p = payload as { jobId?: string };
    if (!cur || p.jobId !== cur.localId) return;
    if (event === 'job.succeeded') {
      const s = payload as EventPayload<'job.succeeded'>;
      cur.settle({ kind: 'succeeded', outputPath: s.outputPath, timing: s.timing });
    } else if (event === 'job.failed') {
      const f = payload as EventPayload<'job.failed'>;
      cur.settle({ kind: 'failed', code: f.error.code, message: f.error.message });
    } else if (event === 'job.cancelled') cur.settle({ kind: 'cancelled' });
    if (!RELAYED.has(event)) return;
    if (event === 'step' && this.inflight >= MAX_INFLIGHT_PROGRESS) return;
    let progress = null;
    try {
      progress = this.o.jobs.get(cur.localId).progress;
    } catch { /* not yet recorded */ }
    const update: ClusterProgress = { worker: this.name, event, payload: { ...(payload as Record<string, unknown>), jobId: cur.id }, progress };
    this.inflight++;
    // In order, never awaited by the job: a slow or absent Redis must not slow the device down.
    this.progressChain = this.progressChain.then(() => cur.job.updateProgress(update)).catch((err: unknown) => {
      this.log.debug('progress not relayed', { jobId: cur.id, error: (err as Error).message });
    }).finally(() => { this.inflight--; });
  }

  /**
   * `framepack pause` on a worker pauses its local queue: it then takes no shared job either (one
   * it took would wait in the paused local queue while holding the job's lock), and `resume` resumes both.
   */
  private followPause(paused: boolean): void {
    if (paused === this.paused || !this.worker || this.closing) return;
    this.paused = paused;
    if (paused) void this.worker.pause(true).catch(() => undefined);
    else this.worker.resume();
    this.log.info(paused ? 'the local queue is paused: taking no shared jobs' : 'the local queue runs again: taking shared jobs', { queue: this.o.target.display });
  }

  /** A section checkpoint the job runner just saved: copied to Redis so any worker can resume from it. */
  checkpointSaved(localId: string, c: SectionCheckpoint): void {
    const cur = this.current;
    if (!cur || cur.localId !== localId || c.sectionsDone <= cur.resumedAfter) return;
    const jobDir = this.o.journal.jobDir(localId);
    this.uploads = this.uploads.then(async () => {
      const bytes = await this.checkpoints.save(cur.id, c, jobDir, this.name);
      if (bytes === null) this.log.warn('section checkpoint too large for redis; a worker that takes this job over starts from an earlier one', { jobId: cur.id, sectionsDone: c.sectionsDone });
      else this.log.info('section checkpoint copied to redis', { jobId: cur.id, sectionsDone: c.sectionsDone, bytes });
    }).catch((err: unknown) => this.log.warn('could not copy the section checkpoint to redis', { jobId: cur.id, error: (err as Error).message }));
  }

  private async process(job: BullJob, token: string | undefined): Promise<ClusterResult> {
    const { UnrecoverableError, WaitingError, DelayedError } = await loadBull();
    if (this.o.jobs.queue.status().paused) {
      // Taken in the moment the local queue was paused (a fetch already in flight): give it back for 2 s, to any worker.
      await job.moveToDelayed(Date.now() + 2_000, token);
      throw new DelayedError();
    }
    const parsed = ClusterJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`not a framepack job: ${parsed.error.issues[0]!.path.join('.')} ${parsed.error.issues[0]!.message}`);
    const data = parsed.data;
    const id = job.id!;
    const log = this.log.child({ jobId: id });
    // This worker ran the job before (it lost its lock to a Redis outage and got the job back):
    // a video it finished is sent as is; otherwise a fresh local copy runs, from the checkpoint.
    const before = this.localJob(id);
    if (before?.state === 'succeeded' && before.outputPath) {
      log.info('the shared job already finished here; sending its video');
      return this.deliver(id, before.outputPath, null, 0);
    }
    let localId = id;
    for (let n = 2; this.localJob(localId); n++) localId = `${id}-${n}`;
    let settle!: (t: Terminal) => void;
    const done = new Promise<Terminal>((r) => { settle = r; });
    const cur: Current = { id, localId, job, resumedAfter: 0, settle, done };
    this.current = cur;
    const inbox = path.join(this.o.dataDir, 'cluster', 'inbox', id);
    let cancelWatch: NodeJS.Timeout | undefined;
    try {
      if (await cancelRequested(this.redis, id)) throw new UnrecoverableError('cancelled (framepack cancel --queue) before it started');
      let inboxSpec;
      try {
        inboxSpec = await writeInbox(this.blobs, id, data, inbox);
      } catch (err: unknown) {
        if (err instanceof InboxMissing) throw new UnrecoverableError(err.message);
        throw err;
      }
      if (inboxSpec.bytes > 0) log.info('the shared job\'s files are here', { files: data.files?.length ?? 1, bytes: inboxSpec.bytes });
      const restored = await this.checkpoints.restore(id, this.o.journal.jobDir(localId));
      if (restored) {
        cur.resumedAfter = restored.checkpoint.sectionsDone;
        this.o.journal.saveCheckpoint(localId, restored.checkpoint);
        log.info(`resuming the shared job after section ${restored.checkpoint.sectionsDone} (checkpointed by ${restored.from})`, { sectionsDone: restored.checkpoint.sectionsDone, from: restored.from });
      }
      claim(this.o.dataDir, localId);
      const { out: _out, overwrite: _overwrite, ...spec } = inboxSpec.spec;
      try {
        await this.o.jobs.submit({ ...spec, front: true }, { id: localId });
      } catch (err: unknown) {
        unclaim(this.o.dataDir, localId);
        // A spec the engine refuses is refused everywhere; a missing model may be on another worker.
        if (err instanceof RpcError && err.code === 'INVALID_PARAMS') throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      }
      cancelWatch = setInterval(() => void this.watchCancel(cur), CANCEL_POLL_MS);
      const end = await done;
      clearInterval(cancelWatch);
      await this.uploads;
      if (end.kind === 'interrupted') {
        // This daemon is shutting down: the job goes back to the queue now, for any worker, from its checkpoint.
        await job.moveToWait(token);
        log.info('shutting down: handed the shared job back to the queue (another worker resumes it from its checkpoint)');
        throw new WaitingError();
      }
      unclaim(this.o.dataDir, localId);
      if (end.kind === 'cancelled') throw new UnrecoverableError(`cancelled${cur.cancelledFromQueue ? ' (framepack cancel --queue)' : ''} on worker ${this.name}`);
      if (end.kind === 'failed') throw new Error(`${end.code}: ${end.message} (on worker ${this.name})`);
      return await this.deliver(id, end.outputPath, end.timing, cur.resumedAfter, localId);
    } catch (err: unknown) {
      if (!(err instanceof WaitingError) && !(err instanceof DelayedError)) this.failedCount++;
      throw err;
    } finally {
      clearInterval(cancelWatch);
      this.current = null;
      await rm(inbox, { recursive: true, force: true });
    }
  }

  /** A cancel of the running shared job (cancel.ts) cancels its local job, which then ends `cancelled`. */
  private async watchCancel(cur: Current): Promise<void> {
    if (cur.cancelledFromQueue || this.current !== cur) return;
    try {
      if (!(await cancelRequested(this.redis, cur.id)) || cur.cancelledFromQueue) return;
      cur.cancelledFromQueue = true;
      this.log.info('cancelled from the shared queue; cancelling the local job', { jobId: cur.id });
      this.o.jobs.cancel(cur.localId, 'now');
    } catch (err: unknown) {
      // Redis away: the next look finds the mark, which stays until it expires.
      this.log.debug('could not look for a cancel', { jobId: cur.id, error: (err as Error).message });
    }
  }

  private localJob(id: string) {
    try {
      return this.o.jobs.get(id);
    } catch {
      return null;
    }
  }

  /** Sends the finished video back through Redis and returns the job's result. */
  private async deliver(id: string, outputPath: string, timing: TimingSummary | null, resumedAfter: number, localId = id): Promise<ClusterResult> {
    const { UnrecoverableError } = await loadBull();
    const video = await readFile(outputPath);
    const max = this.o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    if (video.byteLength > max) throw new UnrecoverableError(`the video is ${video.byteLength} bytes, over the ${max}-byte limit for sending it back through redis; it is on worker ${this.name} at ${outputPath}`);
    const meta = await this.blobs.put(outputBlob(id), video);
    await this.checkpoints.drop(id).catch(() => undefined);
    const progress = this.localJob(localId)?.progress ?? null;
    this.doneCount++;
    this.log.info('shared job done; its video is in redis', { jobId: id, bytes: meta.bytes });
    return {
      worker: this.name, outputName: path.basename(outputPath), output: { bytes: meta.bytes, sha256: meta.sha256 }, workerPath: outputPath,
      frames: progress?.frames ?? 0, seconds: progress?.seconds ?? 0, timing, resumedAfterSections: resumedAfter,
    };
  }

  /**
   * Shutdown, in two halves around the job service's own stop: `beforeStop` takes no new job;
   * `afterStop` hands a job the service interrupted (not ended) back to the queue at once, then
   * closes the connections.
   */
  async beforeStop(): Promise<void> {
    this.closing = true;
    void this.worker?.pause(true).catch(() => undefined);
  }

  async afterStop(): Promise<void> {
    this.current?.settle({ kind: 'interrupted' });
    try {
      await Promise.race([this.worker?.close(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    } catch (err: unknown) {
      this.log.warn('closing the queue worker', { error: (err as Error).message });
    }
    this.redis?.disconnect();
  }

  get isClosing(): boolean {
    return this.closing;
  }
}
