// The method table (STYLE.md §3.3 conv. 2): name → {params, result} zod schemas, the single source
// of truth for the daemon's handlers, every client and scripts/protocol-schema.ts. Params objects
// are strict (a misspelt field is INVALID_PARAMS, not silently ignored); results are not, so a newer
// daemon may add fields.
import { z } from 'zod';
import { CancelWhen, Job, JobId, JobSpec, JobState } from '../domain/job.js';
import { KeepAlive } from '../domain/keep-alive.js';
import { ComponentId, ComponentStatus, MemoryTelemetry, ModelName, ModelStatus } from '../domain/model.js';
import { ClusterCancelParams, ClusterCancelResult, ClusterJobsParams, ClusterJobsResult, ClusterSubmitParams, ClusterSubmitResult, ClusterWorkerStatus } from './cluster.js';
import { DoctorParams, DoctorResult, ExecutionProviderInfo } from './doctor.js';
import { SubscriptionId, Seq } from './envelope.js';
import { QueueStatus, Snapshot, Topic } from './events.js';
import { JobPlanParams, JobPlanResult, PlannedMemory } from './plan.js';

const Empty = z.strictObject({});
const IsoTime = z.iso.datetime({ offset: true });

/** Where jobs.move puts a queued job: 'front', 'back' or a 0-based position. */
export const QueuePlace = z.union([z.enum(['front', 'back']), z.number().int().nonnegative().max(100_000)]);
export type QueuePlace = z.infer<typeof QueuePlace>;

/** Who is calling; shown in daemon.status and the daemon log. */
export const ClientInfo = z.object({
  name: z.string().min(1).max(64),
  version: z.string().max(64).optional(),
  pid: z.number().int().positive().optional(),
});
export type ClientInfo = z.infer<typeof ClientInfo>;

export const HelloParams = z.strictObject({
  /** The client's PROTOCOL_VERSION; a different one is answered with PROTOCOL_MISMATCH. */
  protocolVersion: z.number().int().positive(),
  client: ClientInfo,
});

export const HelloResult = z.object({
  protocolVersion: z.number().int().positive(),
  daemonVersion: z.string(),
  pid: z.number().int().positive(),
  /** Random id of this daemon process; seq numbers are only comparable within one instance. */
  instanceId: z.string().min(1).max(64),
  /** Optional capabilities added without a protocol bump. */
  features: z.array(z.string()),
  /** Largest frame the daemon accepts, in bytes. */
  maxFrameBytes: z.number().int().positive(),
});
export type HelloResult = z.infer<typeof HelloResult>;

export const SubscribeParams = z.strictObject({
  /** Topics to receive; absent = all. */
  topics: z.array(Topic).min(1).optional(),
  /** Only job events of this job (and non-job topics as asked). */
  jobId: JobId.optional(),
  /** Resume after a reconnect: replay events after `seq` of `instanceId` instead of a new snapshot, when the daemon still has them. */
  since: z.strictObject({ instanceId: z.string().min(1).max(64), seq: Seq }).optional(),
});
export type SubscribeParams = z.infer<typeof SubscribeParams>;

export const SubscribeResult = z.object({
  subscription: SubscriptionId,
  instanceId: z.string().min(1).max(64),
  /** Seq the snapshot reflects (or the last replayed one); deltas follow with larger seqs. */
  seq: Seq,
  /** Full state; null when `since` could be honoured and the missed events are replayed instead. */
  snapshot: Snapshot.nullable(),
  /** Number of missed events replayed as evt frames right after this response. */
  replayed: z.number().int().nonnegative(),
});
export type SubscribeResult = z.infer<typeof SubscribeResult>;

/** daemon.status result. */
export const DaemonStatus = z.object({
  pid: z.number().int().positive(),
  daemonVersion: z.string(),
  protocolVersion: z.number().int().positive(),
  instanceId: z.string(),
  startedAt: IsoTime,
  uptimeMs: z.number().nonnegative(),
  socketPath: z.string(),
  clients: z.array(ClientInfo.extend({ connectionId: z.string() })),
  queue: QueueStatus,
  memory: MemoryTelemetry.nullable(),
  /** The execution provider the engine runs on; null while the start-up probe runs; absent from older daemons. */
  provider: ExecutionProviderInfo.nullable().optional(),
  /** The shared queue this daemon is a worker of (`daemon start --queue`); absent when it serves only its own queue. */
  cluster: ClusterWorkerStatus.optional(),
});
export type DaemonStatus = z.infer<typeof DaemonStatus>;

/** The method table. */
export const methods = {
  /** Handshake; must be the first request on a connection. */
  hello: { params: HelloParams, result: HelloResult },
  /** Validate a JobSpec and enqueue it. QUEUE_FULL above the limit, MODEL_MISSING for an unknown model. */
  'jobs.submit': { params: JobSpec, result: z.object({ jobId: JobId, position: z.number().int().nonnegative() }) },
  /** What a job with these parameters would do (bucket, sections, frames, σ, time estimate) without queueing it. INVALID_PARAMS names the field. */
  'jobs.plan': { params: JobPlanParams, result: JobPlanResult },
  'jobs.list': {
    params: z.strictObject({ states: z.array(JobState).min(1).optional(), limit: z.number().int().min(1).max(10_000).optional() }),
    result: z.object({ jobs: z.array(Job) }),
  },
  /** NOT_FOUND for an unknown id (never "done"). */
  'jobs.get': { params: z.strictObject({ jobId: JobId }), result: z.object({ job: Job }) },
  /** Cancel now (next step) or after the running section; a queued job is removed at once. */
  'jobs.cancel': {
    params: z.strictObject({ jobId: JobId, when: CancelWhen.default('now') }),
    result: z.object({ job: Job }),
  },
  /**
   * Reorder the queue: move a queued job to the front, the back or a 0-based position (past the
   * end = last). INVALID_PARAMS (detail.reason 'not-queued') for a running or ended job. Announced as queue.reordered.
   */
  'jobs.move': {
    params: z.strictObject({ jobId: JobId, to: QueuePlace }),
    result: z.object({ job: Job, position: z.number().int().nonnegative(), queued: z.array(JobId) }),
  },
  /**
   * Take a queued job out of the queue and out of the job list (its copied input goes; outputs
   * stay). INVALID_PARAMS (detail.reason 'not-queued') for a running job (the message points to
   * jobs.cancel) or an ended one; NOT_FOUND for an unknown id. Announced as job.removed.
   */
  'jobs.remove': { params: z.strictObject({ jobId: JobId }), result: z.object({ removed: JobId, queued: z.array(JobId) }) },
  /** Stop starting new jobs (the running one finishes); optionally unload idle models. */
  'queue.pause': { params: z.strictObject({ unload: z.boolean().default(false) }), result: QueueStatus },
  'queue.resume': { params: Empty, result: QueueStatus },
  'models.list': { params: Empty, result: z.object({ models: z.array(ModelStatus) }) },
  /** Pre-warm a model (all components, or the listed ones). */
  'models.load': {
    params: z.strictObject({ model: ModelName, components: z.array(ComponentId).min(1).optional(), keepAlive: KeepAlive.optional() }),
    result: z.object({ model: ModelStatus }),
  },
  /** Unload a model (or its listed components); no model = everything idle. force also unloads leased ones after their job. */
  'models.unload': {
    params: z.strictObject({ model: ModelName.optional(), components: z.array(ComponentId).min(1).optional(), force: z.boolean().default(false) }),
    result: z.object({ models: z.array(ModelStatus) }),
  },
  /** Loaded components with bytes and expiry, like `ollama ps`. */
  ps: {
    params: Empty,
    result: z.object({
      components: z.array(ComponentStatus),
      memory: MemoryTelemetry.nullable(),
      /** The memory plan of the running job and of the queued ones, computed now (absent from the fake engine). */
      plans: z.array(z.object({ jobId: z.string(), state: z.enum(['running', 'queued']), memory: PlannedMemory })).optional(),
    }),
  },
  'daemon.status': { params: Empty, result: DaemonStatus },
  /** The doctor's checks (cached from the start-up run unless refresh) and the provider in use. */
  'daemon.doctor': { params: DoctorParams, result: DoctorResult },
  /** Refused (INVALID_PARAMS) while other clients are connected unless force. */
  'daemon.shutdown': {
    params: z.strictObject({ force: z.boolean().default(false), reason: z.string().max(200).optional() }),
    result: z.object({ accepted: z.literal(true) }),
  },
  /**
   * Submit to the shared queue (docs/cluster.md) instead of this daemon's own: the job's files are
   * read here and travel in Redis, so any worker can run it. INVALID_PARAMS for a spec with `out`
   * or no queue to use; INTERNAL (retryable) when Redis cannot be reached.
   */
  'cluster.submit': { params: ClusterSubmitParams, result: ClusterSubmitResult },
  /**
   * Cancel a job of the shared queue: a waiting one is removed, a running one is cancelled by its
   * worker at its next step (it then ends `cancelled`). NOT_FOUND for no such job, INVALID_PARAMS
   * for one that already ended.
   */
  'cluster.cancel': { params: ClusterCancelParams, result: ClusterCancelResult },
  /** The shared queue's jobs, newest first, with the worker that runs each. */
  'cluster.jobs': { params: ClusterJobsParams, result: ClusterJobsResult },
  /** Snapshot then numbered deltas; see SubscribeParams.since for reconnects. */
  subscribe: { params: SubscribeParams, result: SubscribeResult },
  unsubscribe: { params: z.strictObject({ subscription: SubscriptionId }), result: z.object({ removed: z.boolean() }) },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

export type MethodTable = typeof methods;
export type MethodName = keyof MethodTable;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
/** Params as a client sends them (defaults optional). */
export type ParamsInput<M extends MethodName> = z.input<MethodTable[M]['params']>;
/** Params as a handler receives them (defaults applied). */
export type Params<M extends MethodName> = z.output<MethodTable[M]['params']>;
export type Result<M extends MethodName> = z.output<MethodTable[M]['result']>;
/** Result as a handler may return it (before result defaults, of which there are none today). */
export type ResultInput<M extends MethodName> = z.input<MethodTable[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/** Methods whose params may be omitted entirely (every field optional). */
export function paramsOptional(method: MethodName): boolean {
  return methods[method].params.safeParse({}).success;
}
