// Runs one job on the engine: takes residency leases as the engine asks for components, turns the
// engine's callbacks into protocol events (with the job id), keeps the job's progress for
// snapshots, saves a checkpoint after every section (resumed from on the next run), measures the
// timing summary, and always releases its leases. It never publishes terminal events: the job
// service does that exactly once, from the outcome returned here.
import { RpcError, type ComponentId, type JobProgress, type TimingSummary, type WireError } from '../../shared/protocol/index.js';
import { keepAliveToMs } from '../../shared/domain/keep-alive.js';
import { JobEta } from '../../shared/domain/eta.js';
import { EngineOutOfMemory, type Engine, type EngineEvent, type EngineJob, type SectionCheckpoint } from '../engine/engine.js';
import type { Logger } from '../log.js';
import type { Lease, ResidencyScheduler } from '../residency/scheduler.js';
import type { JobJournal } from './job-journal.js';
import { checkOutputPath } from './output-path.js';
import type { StartPlan } from '../residency/memory-admission.js';

export type RunOutcome =
  | { kind: 'succeeded'; outputPath: string; timing: TimingSummary }
  /** Stopped cleanly after a section (cancel after-section or shutdown); the checkpoint holds the progress. */
  | { kind: 'stopped'; partialPath: string | null; timing: TimingSummary }
  /** The signal fired (cancel now or a shutdown that could not wait); reason is the signal's reason. */
  | { kind: 'aborted'; reason: unknown; partialPath: string | null; timing: TimingSummary }
  | { kind: 'failed'; error: WireError; partialPath: string | null; timing: TimingSummary | null };

export interface RunJobInput {
  job: EngineJob;
  engine: Engine;
  scheduler: ResidencyScheduler;
  journal: JobJournal;
  /** The job's keepAlive override, if any. */
  keepAlive: string | number | undefined;
  /** When the job was queued, for queuedMs. */
  queuedAtMs: number;
  signal: AbortSignal;
  stopAfterSection(): boolean;
  /** Each engine event, already mapped to the job's progress; the service publishes it. */
  onEvent(event: EngineEvent, progress: JobProgress): void;
  log: Logger;
  /** The executable memory plan for this job now (memory-admission.ts startPlan); absent: all resident, footprints budgeted. */
  memoryPlan?(): Promise<StartPlan>;
}

const STAGE_BUCKET: Record<string, 'loadMs' | 'encodeMs' | 'decodeMs' | 'muxMs' | null> = {
  'load-models': 'loadMs', 'text-encode': 'encodeMs', 'image-encode': 'encodeMs', 'vae-encode': 'encodeMs',
  // decodeMs covers the VAE decode and the soft-append that follows it.
  sample: null, 'vae-decode': 'decodeMs', append: 'decodeMs', mux: 'muxMs',
};

/** Accumulates wall time per stage bucket from stage transitions. */
class StageTimer {
  readonly ms = { loadMs: 0, encodeMs: 0, decodeMs: 0, muxMs: 0 };
  private bucket: keyof StageTimer['ms'] | null = null;
  private since = performance.now();

  enter(stage: string): void {
    this.flush();
    this.bucket = STAGE_BUCKET[stage] ?? null;
  }

  flush(): void {
    const now = performance.now();
    if (this.bucket) this.ms[this.bucket] += now - this.since;
    this.since = now;
  }
}

export async function runJob(input: RunJobInput): Promise<RunOutcome> {
  const { job, engine, scheduler, journal, log } = input;
  const started = performance.now();
  const startedAtMs = Date.now();
  const keepAliveMs = input.keepAlive === undefined ? undefined : keepAliveToMs(input.keepAlive);
  const leases = new Map<ComponentId, Lease>();
  const stages = new StageTimer();
  let checkpoint = journal.loadCheckpoint(job.id);
  let peakRamBytes = process.memoryUsage.rss();
  const progress: JobProgress = {
    stage: 'load-models', section: null, step: null,
    frames: checkpoint?.frames ?? 0, seconds: checkpoint?.seconds ?? 0,
  };
  if (checkpoint) log.info('resuming from checkpoint', { sectionsDone: checkpoint.sectionsDone, total: checkpoint.total });
  // The job's ETA from measured sections, all stages (one estimator, so every client shows the same numbers).
  const eta = new JobEta(checkpoint?.sectionsDone ?? 0);

  const timing = (): TimingSummary => {
    stages.flush();
    return {
      totalMs: performance.now() - started,
      queuedMs: Math.max(0, startedAtMs - input.queuedAtMs),
      ...stages.ms,
      sectionSampleMs: checkpoint?.sectionSampleMs ?? [],
      peakVramBytes: null,
      peakRamBytes,
    };
  };

  const onEvent = (event: EngineEvent): void => {
    let e = event;
    const nowMs = performance.now();
    switch (e.type) {
      case 'stage':
        stages.enter(e.stage);
        eta.stageEntered(e.stage, nowMs);
        progress.stage = e.stage;
        break;
      case 'section.started':
        eta.sectionStarted(e.total, nowMs);
        progress.section = { index: e.index, displayIndex: e.displayIndex, total: e.total };
        progress.step = null;
        break;
      case 'step': {
        eta.stepDone(e.step, e.steps, nowMs);
        // The engine's figures count sampling only; the estimator's count every stage.
        const estimate = eta.estimate(nowMs);
        if (estimate.jobMs !== null) e = { ...e, etaJobMs: estimate.jobMs, etaSectionMs: estimate.sectionMs ?? e.etaSectionMs };
        progress.step = { section: e.section, step: e.step, steps: e.steps, secPerStep: e.secPerStep, etaSectionMs: e.etaSectionMs, etaJobMs: e.etaJobMs };
        break;
      }
      case 'section.done':
        eta.sectionDone(nowMs);
        progress.frames = e.frames;
        progress.seconds = e.seconds;
        peakRamBytes = Math.max(peakRamBytes, process.memoryUsage.rss());
        break;
      case 'preview':
        break;
    }
    const jobMs = eta.estimate(nowMs).jobMs;
    if (jobMs !== null) progress.etaJobMs = jobMs;
    input.onEvent(e, structuredClone(progress));
  };

  // The plan is chosen when the job starts (what the daemon holds now counts as available): the
  // one admission chose at submit unless memory changed since. A plan that cannot be computed (the
  // fake engine has no bundle) leaves the engine's default, all resident.
  let memoryPlan: StartPlan | undefined;
  try {
    memoryPlan = await input.memoryPlan?.();
  } catch (err: unknown) {
    log.warn('memory plan unavailable at start; all components resident', { error: (err as Error).message });
  }
  if (memoryPlan) log.info('memory plan', { plan: memoryPlan.kind, weightBytes: memoryPlan.weightBytes });
  const planned: EngineJob = memoryPlan ? { ...job, memoryPlan: memoryPlan.kind } : job;
  const run = () =>
    engine.run(planned, {
      signal: input.signal,
      stopAfterSection: input.stopAfterSection,
      onEvent,
      resume: checkpoint,
      checkpoint: async (c: SectionCheckpoint) => {
        journal.saveCheckpoint(job.id, c);
        checkpoint = c;
      },
      acquire: async (component) => {
        if (leases.has(component)) return;
        leases.set(component, await scheduler.acquire(job.model, component, keepAliveMs, input.signal, memoryPlan?.weightBytes[component]));
      },
      release: async (component, detail) => {
        const lease = leases.get(component);
        if (!lease) return;
        leases.delete(component);
        lease.release();
        // Unload now rather than at keep-alive expiry: the plan counted on this memory for the sections.
        // force: a lease another job still holds (none while jobs run one at a time) defers it to that job's release.
        await scheduler.unload(job.model, [component], true, 'memory-plan', detail);
        log.info('component released by the memory plan', { component, detail });
      },
    });

  // `out` was checked at submit; the folder may have gone (or a file appeared) while the job waited.
  // Refuse again rather than let the pipeline recreate a deleted folder or fail with ENOTDIR.
  if (job.spec.out !== undefined) {
    const problem = await checkOutputPath(job.spec.out, { overwrite: job.spec.overwrite === true });
    if (problem) {
      const message = `out: ${problem.message} (it changed after the job was submitted)`;
      log.warn('job refused at start: its output path is no longer usable', { reason: problem.reason, error: problem.message });
      return { kind: 'failed', error: { code: 'INVALID_PARAMS', message, retryable: false, detail: { reason: problem.reason } }, partialPath: checkpoint?.partialPath ?? null, timing: timing() };
    }
  }

  try {
    let outcome;
    try {
      outcome = await run();
    } catch (err: unknown) {
      if (!(err instanceof EngineOutOfMemory) || input.signal.aborted) throw err;
      // Out of memory while running: drop our leases, clear memory, retry once from the last checkpoint.
      log.warn('out of memory during the run; clearing memory and retrying once from the last checkpoint', { error: err.message });
      for (const lease of leases.values()) lease.release();
      leases.clear();
      await scheduler.clearForOutOfMemory();
      outcome = await run();
    }
    if (outcome.outcome === 'succeeded') return { kind: 'succeeded', outputPath: outcome.outputPath, timing: timing() };
    return { kind: 'stopped', partialPath: checkpoint?.partialPath ?? null, timing: timing() };
  } catch (err: unknown) {
    const partialPath = checkpoint?.partialPath ?? null;
    if (input.signal.aborted) return { kind: 'aborted', reason: input.signal.reason, partialPath, timing: timing() };
    const error: WireError =
      err instanceof RpcError ? err.toWire()
      : err instanceof EngineOutOfMemory ? { code: 'OUT_OF_MEMORY', message: err.message, retryable: true }
      : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), retryable: false };
    log.error('job failed', { error: error.message, stack: err instanceof Error ? err.stack : undefined });
    return { kind: 'failed', error, partialPath, timing: timing() };
  } finally {
    for (const lease of leases.values()) lease.release();
  }
}
