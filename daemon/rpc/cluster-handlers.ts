// cluster.submit, cluster.cancel and cluster.jobs: the shared queue (docs/cluster.md) from any socket client. The
// queue is the one named in the request, else the one this daemon is a worker of, else the
// `queue` setting. Redis is reached per request and fails fast (a socket request must not hang
// while Redis is away); the cluster modules load only when these methods are called.
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import { RpcError } from '../../shared/protocol/index.js';
import type { Logger } from '../log.js';

export type ClusterHandlers = Pick<Handlers, 'cluster.submit' | 'cluster.jobs' | 'cluster.cancel'>;

export interface ClusterHandlerDeps {
  /** The queue URL this daemon serves, or the `queue` setting; null = none. */
  defaultQueue(): string | null;
  log: Logger;
  maxInputBytes: number;
}

async function withQueue<T>(deps: ClusterHandlerDeps, url: string | undefined, fn: (redis: import('../cluster/connection.js').RedisClient, display: string) => Promise<T>): Promise<T> {
  const text = url ?? deps.defaultQueue();
  if (!text) throw new RpcError('INVALID_PARAMS', 'queue: this daemon is no worker of a shared queue and no `queue` setting is set; pass queue: "redis://host:6379/0"', { detail: { issues: [{ path: ['queue'], code: 'custom', message: 'required' }] } });
  const { parseQueueUrl, QueueUrlError } = await import('../cluster/queue-url.js');
  let target;
  try {
    target = parseQueueUrl(text);
  } catch (err: unknown) {
    if (err instanceof QueueUrlError) throw new RpcError('INVALID_PARAMS', err.message, { detail: { issues: [{ path: ['queue'], code: 'custom', message: err.message }] } });
    throw err;
  }
  const { openRedis } = await import('../cluster/connection.js');
  let redis;
  try {
    redis = await openRedis(target, { name: 'framepack:daemon-submit', log: deps.log, failFast: true });
  } catch (err: unknown) {
    throw new RpcError('INTERNAL', (err as Error).message, { retryable: true });
  }
  try {
    return await fn(redis, target.display);
  } finally {
    redis.disconnect();
  }
}

export function clusterHandlers(deps: ClusterHandlerDeps): ClusterHandlers {
  return {
    'cluster.submit': async ({ spec, queue }) => withQueue(deps, queue, async (redis, display) => {
      const { submitToQueue, SubmitRefused } = await import('../cluster/submitter.js');
      try {
        const { jobId } = await submitToQueue(redis, spec, { maxInputBytes: deps.maxInputBytes, submittedBy: 'socket' });
        deps.log.info('job submitted to the shared queue', { jobId, queue: display });
        return { jobId, queue: display };
      } catch (err: unknown) {
        if (err instanceof SubmitRefused) {
          const field = err.message.split(':')[0]!;
          throw new RpcError('INVALID_PARAMS', err.message, { detail: { issues: [{ path: ['spec', field], code: 'custom', message: err.message }] } });
        }
        throw err;
      }
    }),
    'cluster.cancel': async ({ jobId, queue }) => withQueue(deps, queue, async (redis, display) => {
      const { cancelShared, CancelRefused } = await import('../cluster/cancel.js');
      try {
        const r = await cancelShared(redis, jobId);
        deps.log.info('shared-queue job cancelled', { jobId, queue: display, was: r.was, removed: r.removed });
        return { ...r, queue: display };
      } catch (err: unknown) {
        if (err instanceof CancelRefused) throw new RpcError(err.why === 'missing' ? 'NOT_FOUND' : 'INVALID_PARAMS', err.message, { detail: { jobId } });
        throw err;
      }
    }),
    'cluster.jobs': async ({ queue, limit }) => withQueue(deps, queue, async (redis, display) => {
      const { listQueue } = await import('../cluster/listing.js');
      return { queue: display, jobs: await listQueue(redis, limit) };
    }),
  };
}
