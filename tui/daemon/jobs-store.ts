// Jobs as the dashboard sees them: a pure reducer from the subscription's snapshot and job events
// to view models (STYLE.md §3.3 conv. 11). The Job record's progress is kept current from events
// (as the daemon keeps it), plus what only events carry: which sections are done, the display
// index of each section (inverted mode generates the end first) and the newest preview.
import type { EventMessage, Job, QueueStatus, Snapshot, StepProgress } from '../../shared/protocol/index.js';
import { isTerminalJobState, jobSourcePath } from '../../shared/protocol/index.js';

export interface PreviewRef {
  section: number;
  path: string;
  frames: number;
}

export interface JobView {
  job: Job;
  /** Generation-order indices of finished sections. */
  doneSections: number[];
  /** Display (time) index of each generation index seen so far. */
  displayOf: Record<number, number>;
  /** Newest per-step latent strip. */
  preview: PreviewRef | null;
  /** Newest decoded frame (one per section; issue 16 item 10). */
  frame: PreviewRef | null;
}

export interface JobsState {
  jobs: Record<string, JobView>;
  queue: QueueStatus | null;
}

export type JobsAction = { type: 'snapshot'; snapshot: Snapshot } | { type: 'event'; event: EventMessage };

export const initialJobs: JobsState = { jobs: {}, queue: null };

/** Display index of a section when no event said it: inverted mode renders the last section first. */
export function defaultDisplayIndex(index: number, total: number, mode: Job['spec']['mode']): number {
  return mode === 'inverted' ? total - 1 - index : index;
}

function fromJob(job: Job): JobView {
  const section = job.progress?.section ?? null;
  const done: number[] = [];
  const displayOf: Record<number, number> = {};
  if (section) {
    // Sections before the running one (generation order) are finished.
    const finished = job.state === 'succeeded' ? section.total : section.index;
    for (let i = 0; i < finished; i++) done.push(i);
    for (let i = 0; i < section.total; i++) displayOf[i] = defaultDisplayIndex(i, section.total, job.spec.mode);
    displayOf[section.index] = section.displayIndex;
  }
  return { job, doneSections: done, displayOf, preview: null, frame: null };
}

function emptyProgress(): NonNullable<Job['progress']> {
  return { stage: 'load-models', section: null, step: null, frames: 0, seconds: 0 };
}

function updateJob(state: JobsState, jobId: string, fn: (v: JobView) => JobView): JobsState {
  const view = state.jobs[jobId];
  if (!view) return state; // an event for a job we never saw (filtered snapshot): ignore
  return { ...state, jobs: { ...state.jobs, [jobId]: fn(view) } };
}

function withProgress(v: JobView, fn: (p: NonNullable<Job['progress']>) => NonNullable<Job['progress']>): JobView {
  return { ...v, job: { ...v.job, progress: fn(v.job.progress ?? emptyProgress()) } };
}

export function jobsReducer(state: JobsState, action: JobsAction): JobsState {
  if (action.type === 'snapshot') {
    const jobs: Record<string, JobView> = {};
    for (const job of action.snapshot.jobs) {
      // Keep the preview we already had for a job that is still the same run.
      jobs[job.id] = { ...fromJob(job), preview: state.jobs[job.id]?.preview ?? null, frame: state.jobs[job.id]?.frame ?? null };
    }
    return { jobs, queue: action.snapshot.queue };
  }
  const e = action.event;
  switch (e.event) {
    case 'job.queued':
      return { ...state, jobs: { ...state.jobs, [e.payload.jobId]: fromJob({ ...e.payload.job, position: e.payload.position }) } };
    case 'job.started':
      return updateJob(state, e.payload.jobId, (v) => ({ ...v, job: { ...v.job, state: 'running', position: null, startedAt: e.payload.startedAt } }));
    case 'stage': {
      // Decode, append and encode are stages of their own; their etaJobMs keeps the job's ETA moving
      // while no step events come (issue 16 item 2).
      const { etaJobMs } = e.payload;
      return updateJob(state, e.payload.jobId, (v) => withProgress(v, (p) => ({ ...p, stage: e.payload.stage, ...(etaJobMs !== undefined ? { etaJobMs } : {}) })));
    }
    case 'section.started': {
      const { index, displayIndex, total } = e.payload;
      return updateJob(state, e.payload.jobId, (v) => {
        const displayOf = { ...v.displayOf };
        for (let i = 0; i < total; i++) if (displayOf[i] === undefined) displayOf[i] = defaultDisplayIndex(i, total, v.job.spec.mode);
        displayOf[index] = displayIndex;
        return withProgress({ ...v, displayOf }, (p) => ({ ...p, section: { index, displayIndex, total }, step: null }));
      });
    }
    case 'step': {
      const { jobId, ...step } = e.payload;
      return updateJob(state, jobId, (v) => withProgress(v, (p) => ({ ...p, step, etaJobMs: step.etaJobMs })));
    }
    case 'preview': {
      const ref = { section: e.payload.section, path: e.payload.path, frames: e.payload.frames };
      return updateJob(state, e.payload.jobId, (v) => (e.payload.kind === 'frame' ? { ...v, frame: ref } : { ...v, preview: ref }));
    }
    case 'section.done':
      return updateJob(state, e.payload.jobId, (v) => {
        const doneSections = v.doneSections.includes(e.payload.index) ? v.doneSections : [...v.doneSections, e.payload.index];
        const next = withProgress({ ...v, doneSections, displayOf: { ...v.displayOf, [e.payload.index]: e.payload.displayIndex } }, (p) => ({
          ...p,
          frames: e.payload.frames,
          seconds: e.payload.seconds,
          ...(e.payload.etaJobMs !== undefined ? { etaJobMs: e.payload.etaJobMs } : {}),
        }));
        return { ...next, job: { ...next.job, partialPath: e.payload.partialPath } };
      });
    case 'job.succeeded':
      return updateJob(state, e.payload.jobId, (v) => {
        const total = v.job.progress?.section?.total;
        const doneSections = total ? Array.from({ length: total }, (_, i) => i) : v.doneSections;
        return { ...v, doneSections, job: { ...v.job, state: 'succeeded', position: null, outputPath: e.payload.outputPath, timing: e.payload.timing, cancelRequested: null } };
      });
    case 'job.failed':
      return updateJob(state, e.payload.jobId, (v) => ({
        ...v,
        job: { ...v.job, state: 'failed', position: null, error: { code: e.payload.error.code, message: e.payload.error.message }, partialPath: e.payload.partialPath, timing: e.payload.timing, cancelRequested: null },
      }));
    case 'job.cancelled':
      return updateJob(state, e.payload.jobId, (v) => ({
        ...v,
        job: { ...v.job, state: 'cancelled', position: null, partialPath: e.payload.partialPath, timing: e.payload.timing, cancelRequested: null },
      }));
    case 'queue.changed':
      return { ...state, queue: e.payload };
    case 'queue.reordered':
      return withQueueOrder(state, e.payload.queued);
    case 'job.removed': {
      if (!state.jobs[e.payload.jobId]) return state;
      const { [e.payload.jobId]: _gone, ...jobs } = state.jobs;
      return { ...state, jobs };
    }
    default:
      return state;
  }
}

/** Every queued job's position from the daemon's run order (queue.reordered): position = index. */
function withQueueOrder(state: JobsState, queued: readonly string[]): JobsState {
  const jobs = { ...state.jobs };
  queued.forEach((id, position) => {
    const v = jobs[id];
    if (v && v.job.state === 'queued') jobs[id] = { ...v, job: { ...v.job, position } };
  });
  return { ...state, jobs };
}

/** The state to show: a running job is `unknown` while the daemon does not answer (it may be dead with it). */
export type ShownState = Job['state'] | 'unknown';

export function shownState(job: Job, daemonAnswers: boolean): ShownState {
  return job.state === 'running' && !daemonAnswers ? 'unknown' : job.state;
}

/** A job's own update after a call (e.g. jobs.cancel's result). */
export function replaceJob(state: JobsState, job: Job): JobsState {
  const v = state.jobs[job.id];
  return { ...state, jobs: { ...state.jobs, [job.id]: v ? { ...v, job } : fromJob(job) } };
}

const STATE_RANK = { running: 0, queued: 1, succeeded: 2, failed: 2, cancelled: 2 } as const;

/** Side-bar order: running, then queued by position, then finished newest first. */
export function jobList(state: JobsState): JobView[] {
  return Object.values(state.jobs).sort((a, b) => {
    const r = STATE_RANK[a.job.state] - STATE_RANK[b.job.state];
    if (r !== 0) return r;
    if (a.job.state === 'queued') return (a.job.position ?? 0) - (b.job.position ?? 0);
    return b.job.createdAt.localeCompare(a.job.createdAt) || b.job.id.localeCompare(a.job.id);
  });
}

/** Finished videos, newest first. */
export function outputList(state: JobsState): JobView[] {
  return jobList(state).filter((v) => v.job.state === 'succeeded' && v.job.outputPath !== null);
}

/** "done/total" sections, or "–" before the first section starts. */
export function sectionCounter(v: JobView): string {
  const total = v.job.progress?.section?.total;
  if (!total) return '–';
  return `${v.doneSections.length}/${total}`;
}

/** Overall percent: finished sections plus the running section's steps. */
export function jobPercent(v: JobView): number {
  if (v.job.state === 'succeeded') return 100;
  const p = v.job.progress;
  const total = p?.section?.total;
  if (!p || !total) return 0;
  const stepFrac = p.step && p.section && p.step.section === p.section.index && !v.doneSections.includes(p.section.index) ? p.step.step / p.step.steps : 0;
  // 100 % is reserved for success: the last section still decodes and muxes after its last step.
  return Math.min(99, Math.floor(((v.doneSections.length + stepFrac) / total) * 100));
}

/** The running job, if any. */
export function runningJob(state: JobsState): JobView | null {
  return Object.values(state.jobs).find((v) => v.job.state === 'running') ?? null;
}

/** Newest measured seconds per step (a running job's smoothed value, else a finished job's average). */
export function measuredSecPerStep(state: JobsState, model?: string): { secPerStep: number; jobId: string } | null {
  for (const v of jobList(state)) {
    if (model !== undefined && v.job.spec.model !== undefined && v.job.spec.model !== model) continue;
    const step: StepProgress | null | undefined = v.job.progress?.step;
    if (v.job.state === 'running' && step && step.secPerStep > 0) return { secPerStep: step.secPerStep, jobId: v.job.id };
    const t = v.job.timing;
    if (v.job.state === 'succeeded' && t && t.sectionSampleMs.length > 0) {
      const ms = t.sectionSampleMs.reduce((a, b) => a + b, 0) / t.sectionSampleMs.length;
      return { secPerStep: ms / 1000 / v.job.spec.steps, jobId: v.job.id };
    }
  }
  return null;
}

/** Section count the daemon reported for an earlier job of the same length, window and mode. */
export function observedSections(state: JobsState, spec: Pick<Job['spec'], 'seconds' | 'window' | 'mode'>): { sections: number; frames: number | null; jobId: string } | null {
  for (const v of jobList(state)) {
    const s = v.job.spec;
    const total = v.job.progress?.section?.total;
    if (total && s.seconds === spec.seconds && s.window === spec.window && s.mode === spec.mode) {
      return { sections: total, frames: v.job.state === 'succeeded' ? v.job.progress?.frames ?? null : null, jobId: v.job.id };
    }
  }
  return null;
}

export function isFinished(v: JobView): boolean {
  return isTerminalJobState(v.job.state);
}

/**
 * The `/` filter of the Jobs and Outputs lists (lazygit/k9s): every word of the query must occur,
 * case-insensitively, in the job's prompt, image file name, id or state. Empty = everything.
 */
export function filterJobs(list: readonly JobView[], query: string): JobView[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...list];
  return list.filter((v) => {
    const hay = `${v.job.spec.prompt} ${jobSourcePath(v.job.spec).split('/').at(-1) ?? ''} ${v.job.id} ${v.job.state}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
