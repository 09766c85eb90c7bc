// hello, daemon.status and daemon.shutdown: who the daemon is, and how to stop it.
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, RpcError, type DaemonStatus, type ExecutionProviderInfo, type MemoryTelemetry, type QueueStatus, type ClusterWorkerStatus } from '../../shared/protocol/index.js';
import type { ConnectionInfo } from '../../shared/ipc/rpc-server.js';

export type DaemonHandlers = Pick<Handlers, 'hello' | 'daemon.status' | 'daemon.shutdown'>;

/** Capabilities announced in hello (additive protocol features). */
export const FEATURES = ['jobs.resume-from-checkpoint', 'residency.keep-alive', 'queue.front', 'jobs.plan', 'daemon.doctor', 'status.provider', 'telemetry.job', 'progress.stages-eta', 'jobs.move', 'jobs.remove', 'cluster.submit', 'cluster.cancel'];

export interface DaemonIdentity {
  version: string;
  startedAtMs: number;
  socketPath: string;
  instanceId: () => string;
  connections: () => readonly ConnectionInfo[];
  queue: () => QueueStatus;
  memory: () => MemoryTelemetry | null;
  /** The execution provider the engine runs on; null while the start-up probe runs. */
  provider: () => ExecutionProviderInfo | null;
  /** The shared queue this daemon is a worker of, or null. */
  cluster?: () => ClusterWorkerStatus | null;
  /** Begin the one shutdown path; returns at once. */
  shutdown: (reason: string) => void;
}

export function daemonHandlers(d: DaemonIdentity): DaemonHandlers {
  return {
    hello: () => ({ daemonVersion: d.version, pid: process.pid, features: FEATURES, maxFrameBytes: MAX_FRAME_BYTES }),
    'daemon.status': (): DaemonStatus => ({
      pid: process.pid,
      daemonVersion: d.version,
      protocolVersion: PROTOCOL_VERSION,
      instanceId: d.instanceId(),
      startedAt: new Date(d.startedAtMs).toISOString(),
      uptimeMs: Date.now() - d.startedAtMs,
      socketPath: d.socketPath,
      clients: d.connections().flatMap((c) => (c.client ? [{ ...c.client, connectionId: c.id }] : [])),
      queue: d.queue(),
      memory: d.memory(),
      provider: d.provider(),
      ...(d.cluster?.() ? { cluster: d.cluster()! } : {}),
    }),
    'daemon.shutdown': ({ force, reason }, ctx) => {
      if (!force && ctx.connectionCount > 1) {
        throw new RpcError('INVALID_PARAMS', `${ctx.connectionCount - 1} other client(s) are connected; pass force to shut down anyway`, { detail: { clients: ctx.connectionCount - 1 } });
      }
      // After the response is on its way: the shutdown closes every connection.
      setImmediate(() => d.shutdown(`requested by ${ctx.client?.name ?? 'a client'}${reason ? `: ${reason}` : ''}`));
      return { accepted: true as const };
    },
  };
}
