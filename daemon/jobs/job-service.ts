// The job service: owns every job record, the queue and the journal, starts the next job when the
// engine is free, and publishes each job's events — job.queued, job.started, progress, then exactly
// one terminal event (job.succeeded | job.failed | job.cancelled), from one place (finish()).
// A job stopped by a shutdown is not terminal: it goes back to the front of the queue and resumes
// from its checkpoint on the next start. Submit checks the input's size and the output path before
// anything is copied or queued; an ended job's folder is cleaned up (job-files.ts).
import { copyDirectingInputs, directingCopies } from './directing-copies.js';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  isTerminalJobState,
  RpcError,
  type CancelWhen,
  type EventName,
  type EventPayload,
  type Job,
  type JobSpec,
  type JobState,
  type QueueStatus,
} from '../../shared/protocol/index.js';
import { JobRejected, type Engine, type EngineEvent, type EngineExtension } from '../engine/engine.js';
import type { Logger } from '../log.js';
import type { ResidencyScheduler } from '../residency/scheduler.js';
import type { JobJournal } from './job-journal.js';
import { checkInputSize, copyInput, removeJobScratch, sweepJobFolders } from './job-files.js';
import { JobQueue } from './job-queue.js';
import { runJob, type RunOutcome } from './job-runner.js';
import type { MemorySpec, StartPlan } from '../residency/memory-admission.js';
import { latentsPathFor } from '../engine/pipeline/latent-history-file.js';
import { extendJobLatents } from './extend-job.js';
import { checkOutputPath } from './output-path.js';

export type Publish = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface JobServiceOptions {
  engine: Engine;
  scheduler: ResidencyScheduler;
  journal: JobJournal;
  queueLimit: number;
  /** Where final videos go when a job names no `out`. */
  outputDir: string;
  publish: Publish;
  log: Logger;
  /** Called whenever the service goes busy or idle (the idle timer listens). */
  onBusyChange?(busy: boolean): void;
  /** Largest start image copied at submit, bytes (default 256 MiB). */
  maxInputBytes?: number;
  /** How long an ended job's folder is kept (0 = at once, -1 = forever; default 24 h). */
  jobRetentionMs?: number;
  /** The memory plan a job runs under, asked when it starts (memory-admission.ts startPlan); absent: all resident. */
  memoryPlan?(spec: MemorySpec, model: string): Promise<StartPlan>;
}

const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;
const DEFAULT_JOB_RETENTION_MS = 24 * 3_600_000;
/** How often ended jobs' folders are swept besides at start and after each job. */
const SWEEP_INTERVAL_MS = 3_600_000;

/** Finished jobs kept in snapshots (all stay available through jobs.list / jobs.get). */
const RECENT_FINISHED_IN_SNAPSHOT = 20;

interface Running {
  id: string;
  controller: AbortController;
  done: Promise<void>;
}

const SHUTDOWN = Symbol('shutdown');
/** How long a shutdown waits for the running job to settle after aborting it at the end of the grace. */
export const ABORT_SETTLE_MS = 300;

/** Whether `p` settles within `ms` (the timer does not keep the process alive). */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function newJobId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

export class JobService {
  private readonly jobs = new Map<string, Job>();
  private readonly queuedAt = new Map<string, number>();
  readonly queue: JobQueue;
  private running: Running | null = null;
  private stopping = false;
  /** Set when a shutdown stopped waiting for the running job: its record must stay `running` in the closed journal. */
  private abandoned = false;
  private readonly log: Logger;
  private readonly maxInputBytes: number;
  private readonly retentionMs: number;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: JobServiceOptions) {
    this.queue = new JobQueue(o.queueLimit);
    this.log = o.log.child({ scope: 'job' });
    this.maxInputBytes = o.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    this.retentionMs = o.jobRetentionMs ?? DEFAULT_JOB_RETENTION_MS;
  }

  /** Restore jobs from the journal (queued and interrupted ones are queued again). Call once before start(). */
  restore(): void {
    const restored = this.o.journal.open();
    for (const [id, job] of restored.jobs) {
      this.jobs.set(id, job);
      if (job.state === 'queued') this.queuedAt.set(id, Date.parse(job.createdAt));
    }
    this.queue.restore(restored.queued);
    if (restored.jobs.size > 0) {
      this.log.info('journal replayed', { jobs: restored.jobs.size, queued: restored.queued.length, interrupted: restored.interrupted, skippedLines: restored.skippedLines });
    }
    for (const id of this.queue.order) this.o.publish('job.queued', { jobId: id, position: this.queue.position(id)!, job: this.view(this.jobs.get(id)!) });
    // Jobs that ended before this start (also by a crash right after their end): scratch, then retention.
    for (const [id, job] of this.jobs) if (isTerminalJobState(job.state)) void this.removeScratch(id);
    void this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  private async removeScratch(id: string): Promise<void> {
    try {
      const removed = await removeJobScratch(this.o.journal.jobDir(id));
      if (removed.length > 0) this.log.debug('removed an ended job\'s checkpoints and temp files', { jobId: id, files: removed.length });
    } catch (err: unknown) {
      this.log.warn('could not remove an ended job\'s checkpoints', { jobId: id, error: (err as Error).message });
    }
  }

  /** Deletes the folders of jobs that ended more than the retention ago (job-files.ts). */
  private async sweep(): Promise<void> {
    try {
      const removed = await sweepJobFolders(this.o.journal.jobsDir, this.jobs, this.retentionMs);
      if (removed.length > 0) this.log.info('removed ended jobs\' folders', { folders: removed.length, retentionMs: this.retentionMs });
    } catch (err: unknown) {
      this.log.warn('could not sweep job folders', { error: (err as Error).message });
    }
  }

  /** Start running queued jobs. */
  start(): void {
    this.kick();
  }

  get busy(): boolean {
    return this.running !== null;
  }

  /** `options.id`: the id to use (a cluster worker runs a shared queue's job under that job's id); it must be new. */
  async submit(spec: JobSpec, options: { id?: string } = {}): Promise<{ jobId: string; position: number }> {
    if (this.stopping) throw new RpcError('INTERNAL', 'the daemon is shutting down; submit again after it restarts', { retryable: true });
    const model = spec.model ?? this.o.engine.defaultModel;
    // An extension's input is its video (copied like an image) or a finished job's stored latents (not copied).
    const input = spec.image ?? spec.extend;
    const extension: EngineExtension | undefined = spec.extend !== undefined ? { video: spec.extend }
      : spec.extendJob !== undefined ? { latents: await extendJobLatents(this.jobs.get(spec.extendJob), spec.extendJob) } : undefined;
    // From the size alone, before the image is opened or copied.
    if (input !== undefined) await checkInputSize(input, this.maxInputBytes);
    const outProblem = spec.out === undefined ? null : await checkOutputPath(spec.out, { overwrite: spec.overwrite === true });
    if (outProblem) {
      throw new RpcError('INVALID_PARAMS', `out: ${outProblem.message}`, {
        detail: { reason: outProblem.reason, issues: [{ path: ['out'], code: 'custom', message: outProblem.message }] },
      });
    }
    try {
      await this.o.engine.validate(spec, model, extension);
    } catch (err: unknown) {
      if (!(err instanceof JobRejected)) throw err;
      throw new RpcError(err.code, err.message, { detail: { issues: [{ path: [err.field], code: 'custom', message: err.problem }] } });
    }
    this.queue.assertRoom();
    if (options.id !== undefined && this.jobs.has(options.id)) throw new RpcError('INVALID_PARAMS', `a job '${options.id}' exists already`, { detail: { jobId: options.id } });
    const id = options.id ?? newJobId();
    // Streamed off the event loop with a byte cap; other requests are answered meanwhile, so the
    // queue and the shutdown state are checked again once it is done.
    if (input !== undefined) await copyInput(input, this.o.journal.jobDir(id), this.maxInputBytes);
    else await mkdir(this.o.journal.jobDir(id), { recursive: true });
    await copyDirectingInputs(spec, this.o.journal.jobDir(id), this.maxInputBytes);
    try {
      if (this.stopping) throw new RpcError('INTERNAL', 'the daemon is shutting down; submit again after it restarts', { retryable: true });
      this.queue.assertRoom();
    } catch (err: unknown) {
      await rm(this.o.journal.jobDir(id), { recursive: true, force: true });
      throw err;
    }
    const now = new Date();
    const job: Job = {
      id, spec: { ...spec, model, ...(extension ? { mode: 'f1' as const } : {}) }, state: 'queued', position: null, createdAt: now.toISOString(), startedAt: null, finishedAt: null,
      progress: null, cancelRequested: null, outputPath: null, partialPath: null, error: null, timing: null,
    };
    const position = this.queue.enqueue(id, spec.front);
    try {
      // One record, durable before the job exists: a failed write (disk full) refuses the submit.
      this.o.journal.commit({ t: 'job', job, queued: [...this.queue.order] });
    } catch (err: unknown) {
      this.queue.remove(id);
      rmSync(this.o.journal.jobDir(id), { recursive: true, force: true });
      throw err;
    }
    this.jobs.set(id, job);
    this.queuedAt.set(id, now.getTime());
    this.log.info('job queued', { jobId: id, position, model });
    this.o.publish('job.queued', { jobId: id, position, job: this.view(job) });
    this.queueChanged();
    this.kick();
    return { jobId: id, position };
  }

  get(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new RpcError('NOT_FOUND', `no job '${id}'`, { detail: { jobId: id } });
    return this.view(job);
  }

  list(states?: readonly JobState[], limit?: number): Job[] {
    let all = [...this.jobs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    if (states) all = all.filter((j) => states.includes(j.state));
    if (limit !== undefined) all = all.slice(-limit);
    return all.map((j) => this.view(j));
  }

  /** Queued and running jobs, plus the most recently finished ones. */
  snapshotJobs(jobId: string | null): Job[] {
    if (jobId) return this.jobs.has(jobId) ? [this.get(jobId)] : [];
    const all = this.list();
    const finished = all.filter((j) => isTerminalJobState(j.state)).slice(-RECENT_FINISHED_IN_SNAPSHOT);
    return [...finished, ...all.filter((j) => !isTerminalJobState(j.state))];
  }

  cancel(id: string, when: CancelWhen): Job {
    const job = this.jobs.get(id);
    if (!job) throw new RpcError('NOT_FOUND', `no job '${id}'`, { detail: { jobId: id } });
    if (isTerminalJobState(job.state)) return this.view(job);
    if (job.state === 'queued') {
      const partialPath = this.o.journal.loadCheckpoint(id)?.partialPath ?? null;
      // Durable first (commit throws on a full disk and nothing changes), then out of the queue.
      this.finish(id, { state: 'cancelled', partialPath }, () => this.o.publish('job.cancelled', { jobId: id, when, partialPath, timing: null }), true);
      this.queueReordered();
      this.queueChanged();
      return this.view(this.jobs.get(id)!);
    }
    this.update(id, { cancelRequested: when });
    this.log.info('cancel requested', { jobId: id, when });
    if (when === 'now') this.running?.controller.abort(new RpcError('CANCELLED', 'cancelled by request'));
    return this.view(this.jobs.get(id)!);
  }

  /** A queued job, or INVALID_PARAMS naming its state (and, for a running one, what to use instead). */
  private queuedJob(id: string, verb: 'move' | 'remove'): Job {
    const job = this.jobs.get(id);
    if (!job) throw new RpcError('NOT_FOUND', `no job '${id}'`, { detail: { jobId: id } });
    if (job.state === 'queued') return job;
    const why = job.state === 'running'
      ? `job ${id} is running; only queued jobs can be ${verb === 'move' ? 'moved' : 'removed'}${verb === 'remove' ? ' (use jobs.cancel / `framepack cancel` to stop it)' : ''}`
      : `job ${id} already ${job.state}; only queued jobs can be ${verb === 'move' ? 'moved' : 'removed'}`;
    throw new RpcError('INVALID_PARAMS', why, { detail: { reason: 'not-queued', jobId: id, state: job.state } });
  }

  /** Reorder the queue; the new order is durable before it is used (commit throws on a full disk, nothing changes). */
  move(id: string, to: number | 'front' | 'back'): { job: Job; position: number; queued: string[] } {
    this.queuedJob(id, 'move');
    const before = [...this.queue.order];
    const position = this.queue.move(id, to)!;
    try {
      this.o.journal.commit({ t: 'order', queued: [...this.queue.order] });
    } catch (err: unknown) {
      this.queue.restoreOrder(before);
      throw err;
    }
    this.log.info('job moved', { jobId: id, position });
    this.queueReordered();
    return { job: this.view(this.jobs.get(id)!), position, queued: [...this.queue.order] };
  }

  /**
   * Take a queued job out of the queue and the job list, durably first. Its folder (the copied
   * input, a checkpoint) goes; a partial video it wrote in an earlier run stays where it is.
   */
  remove(id: string): { removed: string; queued: string[] } {
    this.queuedJob(id, 'remove');
    const queued = this.queue.order.filter((q) => q !== id);
    this.o.journal.commit({ t: 'removed', id, queued });
    this.queue.remove(id);
    this.jobs.delete(id);
    this.queuedAt.delete(id);
    rmSync(this.o.journal.jobDir(id), { recursive: true, force: true });
    this.log.info('job removed from the queue', { jobId: id });
    this.o.publish('job.removed', { jobId: id });
    this.queueReordered();
    this.queueChanged();
    return { removed: id, queued };
  }

  private queueReordered(): void {
    this.o.publish('queue.reordered', { queued: [...this.queue.order] });
  }

  pause(): QueueStatus {
    this.queue.pause();
    this.queueChanged();
    return this.queue.status();
  }

  resume(): QueueStatus {
    this.queue.resume();
    this.queueChanged();
    this.kick();
    return this.queue.status();
  }

  /**
   * Shutdown: start nothing new; let the running job finish its section (it is checkpointed and
   * requeued), or abort it after `graceMs` (it resumes from its previous checkpoint).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const running = this.running;
    if (running) {
      this.log.info('waiting for the running section to finish', { jobId: running.id, graceMs });
      const settled = await settledWithin(running.done, graceMs);
      if (!settled) {
        running.controller.abort(SHUTDOWN);
        // The engine notices an abort between ONNX Runtime runs, which can take seconds (a step, a
        // decode, a model load). Past this short wait the grace is honoured anyway: the journal still
        // says `running`, so the next start queues the job first and resumes it from its checkpoint.
        if (!(await settledWithin(running.done, ABORT_SETTLE_MS))) {
          this.abandoned = true;
          this.log.warn('the running job did not stop within the shutdown grace; it resumes from its last checkpoint on the next start', { jobId: running.id, graceMs, abortWaitMs: ABORT_SETTLE_MS });
        }
      }
    }
    this.o.journal.close();
  }

  private kick(): void {
    if (this.stopping || this.running) return;
    const id = this.queue.take();
    if (!id) return;
    const job = this.jobs.get(id)!;
    const startedAt = new Date().toISOString();
    this.update(id, { state: 'running', startedAt, position: null });
    this.o.journal.append({ t: 'job', job: this.jobs.get(id)! }, { t: 'order', queued: [...this.queue.order] });
    this.o.publish('job.started', { jobId: id, startedAt });
    // Every waiting job moved up one place: clients keep positions from this, not from guessing.
    this.queueReordered();
    this.queueChanged();
    this.o.onBusyChange?.(true);
    const controller = new AbortController();
    const model = job.spec.model ?? this.o.engine.defaultModel;
    const jobDir = this.o.journal.jobDir(id);
    let imagePath = '';
    let extension: EngineExtension | undefined;
    try {
      // An extendJob job has no input file: its source is the other job's latents, found again now.
      if (job.spec.extendJob === undefined) imagePath = inputPath(jobDir);
      if (job.spec.extend !== undefined) extension = { video: imagePath };
      else if (job.spec.extendJob !== undefined) {
        const source = this.jobs.get(job.spec.extendJob);
        if (!source?.outputPath) throw new Error(`job ${job.spec.extendJob}, which this job extends, has no output any more`);
        extension = { latents: latentsPathFor(source.outputPath) };
      }
    } catch (err: unknown) {
      const error = { code: 'INTERNAL' as const, message: (err as Error).message, retryable: false };
      this.running = { id, controller, done: Promise.resolve().then(() => this.settle(id, { kind: 'failed', error, partialPath: null, timing: null })) };
      return;
    }
    const done = runJob({
      job: { id, spec: job.spec, model, imagePath, directing: directingCopies(job.spec, jobDir), jobDir, outputPath: job.spec.out ?? path.join(this.o.outputDir, `${id}.mp4`), ...(extension ? { extension } : {}) },
      engine: this.o.engine, scheduler: this.o.scheduler, journal: this.o.journal,
      keepAlive: job.spec.keepAlive, queuedAtMs: this.queuedAt.get(id) ?? Date.now(),
      signal: controller.signal,
      stopAfterSection: () => this.stopping || this.jobs.get(id)?.cancelRequested === 'after-section',
      onEvent: (e, progress) => this.onEngineEvent(id, e, progress),
      log: this.log.child({ jobId: id }),
      // From the job's own copy of the image: the submitted file may be gone by now.
      ...(this.o.memoryPlan ? { memoryPlan: () => this.o.memoryPlan!({ ...(job.spec.image !== undefined ? { image: imagePath } : {}), window: job.spec.window, ...(job.spec.resolution !== undefined ? { resolution: job.spec.resolution } : {}) }, model) } : {}),
    }).then(
      (outcome) => this.settle(id, outcome),
      (err: unknown) => this.settle(id, { kind: 'failed', error: { code: 'INTERNAL', message: String(err), retryable: false }, partialPath: null, timing: null }),
    );
    this.running = { id, controller, done };
  }

  private settle(id: string, outcome: RunOutcome): void {
    if (this.abandoned) return;
    const job = this.jobs.get(id)!;
    const timing = outcome.timing;
    const shutdown = this.stopping && job.cancelRequested === null;
    if (outcome.kind === 'succeeded') {
      this.finish(id, { state: 'succeeded', outputPath: outcome.outputPath, timing }, () =>
        this.o.publish('job.succeeded', { jobId: id, outputPath: outcome.outputPath, timing: outcome.timing }));
    } else if (outcome.kind === 'failed') {
      this.finish(id, { state: 'failed', error: { code: outcome.error.code, message: outcome.error.message }, partialPath: outcome.partialPath, timing }, () =>
        this.o.publish('job.failed', { jobId: id, error: outcome.error, partialPath: outcome.partialPath, timing }));
    } else if (shutdown) {
      // Interrupted by shutdown: back to the front, resumed from the checkpoint next time.
      this.queue.requeueFront(id);
      this.update(id, { state: 'queued', partialPath: outcome.partialPath, startedAt: null });
      this.o.journal.append({ t: 'job', job: this.jobs.get(id)! }, { t: 'order', queued: [...this.queue.order] });
      this.log.info('job interrupted by shutdown; it resumes on the next start', { jobId: id });
    } else {
      const when: CancelWhen = outcome.kind === 'stopped' ? 'after-section' : 'now';
      this.finish(id, { state: 'cancelled', partialPath: outcome.partialPath, timing }, () =>
        this.o.publish('job.cancelled', { jobId: id, when, partialPath: outcome.partialPath, timing }));
    }
    this.queue.finish(id);
    this.running = null;
    this.o.onBusyChange?.(false);
    this.queueChanged();
    this.kick();
  }

  /** The one place a job becomes terminal: record, journal, then its single terminal event. */
  private finish(id: string, patch: Partial<Job>, publishTerminal: () => void, clientRequest = false): void {
    const before = this.jobs.get(id)!;
    if (isTerminalJobState(before.state)) return;
    const job: Job = { ...before, ...patch, position: null, cancelRequested: null, finishedAt: new Date().toISOString() };
    const record = { t: 'job' as const, job, ...(before.state === 'queued' ? { queued: this.queue.order.filter((q) => q !== id) } : {}) };
    // A client's request (cancel) happens only once recorded; a run's outcome already happened, so
    // its record is kept and retried if the disk is full (append never throws).
    if (clientRequest) this.o.journal.commit(record);
    else this.o.journal.append(record);
    if (before.state === 'queued') this.queue.remove(id);
    this.jobs.set(id, job);
    this.queuedAt.delete(id);
    this.log.info(`job ${job.state}`, { jobId: id, outputPath: job.outputPath, error: job.error?.message });
    publishTerminal();
    // Nothing can resume an ended job: its checkpoints go now, its folder after the retention.
    void this.removeScratch(id).then(() => (this.retentionMs === 0 ? this.sweep() : undefined));
  }

  private onEngineEvent(id: string, e: EngineEvent, progress: Job['progress']): void {
    this.update(id, { progress });
    const jobId = id;
    switch (e.type) {
      case 'stage':
        return this.o.publish('stage', { jobId, stage: e.stage, ...(e.detail ? { detail: e.detail } : {}), ...(progress?.etaJobMs !== undefined ? { etaJobMs: progress.etaJobMs } : {}) });
      case 'section.started':
        return this.o.publish('section.started', { jobId, index: e.index, displayIndex: e.displayIndex, total: e.total });
      case 'step':
        return this.o.publish('step', { jobId, section: e.section, step: e.step, steps: e.steps, secPerStep: e.secPerStep, etaSectionMs: e.etaSectionMs, etaJobMs: e.etaJobMs });
      case 'preview':
        return this.o.publish('preview', { jobId, section: e.section, path: e.path, frames: e.frames, kind: e.kind });
      case 'section.done':
        this.update(id, { partialPath: e.partialPath });
        return this.o.publish('section.done', {
          jobId, index: e.index, displayIndex: e.displayIndex, total: e.total, partialPath: e.partialPath, frames: e.frames, seconds: e.seconds,
          ...(progress?.etaJobMs !== undefined ? { etaJobMs: progress.etaJobMs } : {}),
        });
    }
  }

  private update(id: string, patch: Partial<Job>): void {
    this.jobs.set(id, { ...this.jobs.get(id)!, ...patch });
  }

  private view(job: Job): Job {
    return job.state === 'queued' ? { ...job, position: this.queue.position(job.id) } : job;
  }

  private queueChanged(): void {
    this.o.publish('queue.changed', this.queue.status());
  }
}

/** The job's copied input image (`input.<ext>` in its folder). */
function inputPath(jobDir: string): string {
  const name = readdirSync(jobDir).find((f) => f.startsWith('input.'));
  if (!name) throw new Error(`job folder ${jobDir} has no input image`);
  return path.join(jobDir, name);
}
