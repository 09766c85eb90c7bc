// Daemon → client events (PEERS.md §C4.4): one table, name → {topic, payload schema}. Every job
// produces job.queued, job.started, then stage/section/step/preview events, and exactly one
// terminal event (job.succeeded | job.failed | job.cancelled) after which nothing else for it.
import { z } from 'zod';
import { CancelWhen, Job, JobId } from '../domain/job.js';
import { ComponentId, MemoryTelemetry, ModelName, ModelStatus, UnloadReason } from '../domain/model.js';
import { SectionPosition, Stage, StepProgress, TimingSummary } from '../domain/progress.js';
import { WireError } from './errors.js';

/** Subscription topics; each event belongs to exactly one. */
export const Topic = z.enum(['jobs', 'models', 'telemetry', 'logs']);
export type Topic = z.infer<typeof Topic>;

const Path = z.string().min(1).max(4096);
const Ms = z.number().nonnegative();
const IsoTime = z.iso.datetime({ offset: true });

/** Queue state as queue.pause / queue.resume return it and queue.changed announces it. */
export const QueueStatus = z.object({
  paused: z.boolean(),
  /** Jobs waiting (not counting the running one). */
  queued: z.number().int().nonnegative(),
  running: JobId.nullable(),
  /** Most jobs the queue accepts before answering QUEUE_FULL. */
  limit: z.number().int().positive(),
});
export type QueueStatus = z.infer<typeof QueueStatus>;

const JobEvent = <T extends z.ZodRawShape>(shape: T) => z.object({ jobId: JobId, ...shape });

/** The event table. */
export const events = {
  /** Accepted by jobs.submit (also sent for jobs restored from the journal at start-up). */
  'job.queued': { topic: 'jobs', payload: JobEvent({ position: z.number().int().nonnegative(), job: Job }) },
  'job.started': { topic: 'jobs', payload: JobEvent({ startedAt: IsoTime }) },
  /** The pipeline entered a stage; etaJobMs: time left in the job then (as JobProgress.etaJobMs). */
  stage: { topic: 'jobs', payload: JobEvent({ stage: Stage, detail: z.string().max(1000).optional(), etaJobMs: Ms.optional() }) },
  'section.started': { topic: 'jobs', payload: JobEvent(SectionPosition.shape) },
  step: { topic: 'jobs', payload: JobEvent(StepProgress.shape) },
  /**
   * A preview image written to disk: kind 'latent' (absent from daemons before it was added): the
   * per-step latent strip, throttled; kind 'frame': one frame of the section just decoded, at most
   * 160×100 pixels. The payload names the file, so it stays small whatever the image.
   */
  preview: { topic: 'jobs', payload: JobEvent({ section: z.number().int().nonnegative(), path: Path, frames: z.number().int().nonnegative(), kind: z.enum(['latent', 'frame']).optional() }) },
  /** A section is decoded and appended: partial video so far; etaJobMs as on stage. */
  'section.done': {
    topic: 'jobs',
    payload: JobEvent({ ...SectionPosition.shape, partialPath: Path, frames: z.number().int().nonnegative(), seconds: z.number().nonnegative(), etaJobMs: Ms.optional() }),
  },
  'job.succeeded': { topic: 'jobs', payload: JobEvent({ outputPath: Path, timing: TimingSummary }) },
  'job.failed': { topic: 'jobs', payload: JobEvent({ error: WireError, partialPath: Path.nullable(), timing: TimingSummary.nullable() }) },
  'job.cancelled': { topic: 'jobs', payload: JobEvent({ when: CancelWhen, partialPath: Path.nullable(), timing: TimingSummary.nullable() }) },
  /** A queued job was removed by jobs.remove: it is gone from the job list (not a terminal state). */
  'job.removed': { topic: 'jobs', payload: JobEvent({}) },
  /** The waiting jobs' order changed (jobs.move, jobs.remove): every queued id in run order, position = index. */
  'queue.reordered': { topic: 'jobs', payload: z.object({ queued: z.array(JobId) }) },
  /** Pause, resume or a length change of the queue. */
  'queue.changed': { topic: 'jobs', payload: QueueStatus },
  'model.loaded': {
    topic: 'models',
    payload: z.object({
      model: ModelName,
      component: ComponentId,
      device: z.string().max(64),
      vramBytes: z.number().int().nonnegative(),
      ramBytes: z.number().int().nonnegative(),
      loadMs: Ms,
      expiresAt: IsoTime.nullable(),
    }),
  },
  'model.unloaded': {
    topic: 'models',
    payload: z.object({ model: ModelName, component: ComponentId, reason: UnloadReason, detail: z.string().max(1000).optional() }),
  },
  /** Periodic VRAM/RAM telemetry. */
  telemetry: { topic: 'telemetry', payload: MemoryTelemetry },
  log: {
    topic: 'logs',
    payload: z.object({
      time: IsoTime,
      level: z.enum(['debug', 'info', 'warn', 'error']),
      scope: z.string().max(64),
      message: z.string().max(10_000),
      jobId: JobId.optional(),
      fields: z.record(z.string(), z.unknown()).optional(),
    }),
  },
} as const satisfies Record<string, { topic: Topic; payload: z.ZodType }>;

export type EventTable = typeof events;
export type EventName = keyof EventTable;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export const TERMINAL_EVENTS = ['job.succeeded', 'job.failed', 'job.cancelled'] as const satisfies readonly EventName[];
export type EventPayload<E extends EventName> = z.output<EventTable[E]['payload']>;

/** A delivered event, discriminated by `event`. */
export type EventMessage = { [E in EventName]: { event: E; seq: number; payload: EventPayload<E> } }[EventName];

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** What a subscriber receives first: the state every later delta applies to. */
export const Snapshot = z.object({
  /** Queued and running jobs, plus recently finished ones. */
  jobs: z.array(Job),
  queue: QueueStatus,
  models: z.array(ModelStatus),
  memory: MemoryTelemetry.nullable(),
});
export type Snapshot = z.infer<typeof Snapshot>;
