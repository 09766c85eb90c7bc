// A small in-memory handler set and sample data for protocol tests: enough behaviour (a queue,
// NOT_FOUND, QUEUE_FULL, a slow method that honours its AbortSignal) to exercise the RPC layer
// without the daemon.
import { JobSpec, RpcError, type Job, type JobSpecInput, type Snapshot } from '../../shared/protocol/index.js';
import type { Handlers } from '../../shared/ipc/rpc-server.js';

export const FIXED_TIME = '2026-11-28T03:00:00.000Z';

export function makeJob(id: string, spec: JobSpecInput = { image: '/tmp/in.png', prompt: 'a cat' }): Job {
  return {
    id,
    spec: JobSpec.parse(spec),
    state: 'queued',
    position: 0,
    createdAt: FIXED_TIME,
    startedAt: null,
    finishedAt: null,
    progress: null,
    cancelRequested: null,
    outputPath: null,
    partialPath: null,
    error: null,
    timing: null,
  };
}

export interface FakeDaemon {
  handlers: Handlers;
  jobs: Map<string, Job>;
  snapshot(): Snapshot;
  /** Calls to the slow test method seen aborted. */
  aborted: string[];
}

/** Handlers over a Map of jobs; `models.load` with model "slow" waits until aborted (for cancel tests). */
export function fakeDaemon(options: { queueLimit?: number } = {}): FakeDaemon {
  const limit = options.queueLimit ?? 3;
  const jobs = new Map<string, Job>();
  const aborted: string[] = [];
  let paused = false;
  let next = 1;
  const queue = () => ({ paused, queued: [...jobs.values()].filter((j) => j.state === 'queued').length, running: null, limit });
  const handlers: Handlers = {
    hello: () => ({ daemonVersion: '0.1.0-test', pid: process.pid, features: ['test'], maxFrameBytes: 1024 * 1024 }),
    'jobs.submit': (spec) => {
      if (queue().queued >= limit) throw new RpcError('QUEUE_FULL', `queue holds ${limit} jobs`);
      if (spec.model === 'absent') throw new RpcError('MODEL_MISSING', 'model absent is not installed');
      const id = `job-${next++}`;
      const job = { ...makeJob(id), spec, position: queue().queued };
      jobs.set(id, job);
      return { jobId: id, position: job.position! };
    },
    'jobs.list': ({ states, limit: max }) => ({
      jobs: [...jobs.values()].filter((j) => !states || states.includes(j.state)).slice(0, max ?? Infinity),
    }),
    'jobs.get': ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) throw new RpcError('NOT_FOUND', `no job ${jobId}`);
      return { job };
    },
    'jobs.cancel': ({ jobId, when }) => {
      const job = jobs.get(jobId);
      if (!job) throw new RpcError('NOT_FOUND', `no job ${jobId}`);
      const updated: Job = when === 'now' ? { ...job, state: 'cancelled', position: null } : { ...job, cancelRequested: when };
      jobs.set(jobId, updated);
      return { job: updated };
    },
    'jobs.move': ({ jobId, to }) => {
      const job = jobs.get(jobId);
      if (!job) throw new RpcError('NOT_FOUND', `no job ${jobId}`);
      if (job.state !== 'queued') throw new RpcError('INVALID_PARAMS', `job ${jobId} is ${job.state}; only queued jobs can be moved`);
      const order = [...jobs.values()].filter((j) => j.state === 'queued' && j.id !== jobId).sort((a, b) => a.position! - b.position!).map((j) => j.id);
      const at = to === 'front' ? 0 : to === 'back' ? order.length : Math.min(to, order.length);
      order.splice(at, 0, jobId);
      order.forEach((id, position) => jobs.set(id, { ...jobs.get(id)!, position }));
      return { job: jobs.get(jobId)!, position: at, queued: order };
    },
    // This fake serves no shared queue (daemon/cluster/); the real daemon's answer without one.
    'cluster.submit': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'cluster.jobs': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'cluster.cancel': () => { throw new RpcError('INVALID_PARAMS', 'no shared queue: pass queue'); },
    'jobs.remove': ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) throw new RpcError('NOT_FOUND', `no job ${jobId}`);
      if (job.state !== 'queued') throw new RpcError('INVALID_PARAMS', `job ${jobId} is ${job.state}; only queued jobs can be removed`);
      jobs.delete(jobId);
      const order = [...jobs.values()].filter((j) => j.state === 'queued').sort((a, b) => a.position! - b.position!).map((j) => j.id);
      order.forEach((id, position) => jobs.set(id, { ...jobs.get(id)!, position }));
      return { removed: jobId, queued: order };
    },
    'queue.pause': () => {
      paused = true;
      return queue();
    },
    'queue.resume': () => {
      paused = false;
      return queue();
    },
    'jobs.plan': () => {
      throw new RpcError('MODEL_MISSING', 'the fixture daemon has no bundles');
    },
    'daemon.doctor': ({ quick }) => ({ status: 'ok', checks: [], provider: null, quick, ranAt: new Date(0).toISOString(), durationMs: 0 }),
    'models.list': () => ({ models: [] }),
    'models.load': ({ model }, ctx) => {
      if (model !== 'slow') throw new RpcError('MODEL_MISSING', `no model ${model}`);
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted.push(model);
          reject(ctx.signal.reason);
        });
      });
    },
    'models.unload': () => ({ models: [] }),
    ps: () => ({ components: [], memory: null }),
    'daemon.status': (_, ctx) => {
      throw new Error(`deliberate bug (connections: ${ctx.connectionCount})`);
    },
    'daemon.shutdown': ({ force }, ctx) => {
      if (!force && ctx.connectionCount > 1) throw new RpcError('INVALID_PARAMS', 'other clients are attached; use force');
      return { accepted: true as const };
    },
  };
  return {
    handlers,
    jobs,
    aborted,
    snapshot: () => ({ jobs: [...jobs.values()], queue: queue(), models: [], memory: null }),
  };
}
