// Assembles the exhaustive Handlers map (a method without a handler is a compile error) and the
// subscription snapshot from the daemon's services.
import type { Handlers, RpcServerOptions } from '../../shared/ipc/rpc-server.js';
import type { MemoryTelemetry } from '../../shared/protocol/index.js';
import type { DoctorService } from '../diagnostics/doctor-service.js';
import type { Engine } from '../engine/engine.js';
import type { JobService } from '../jobs/job-service.js';
import type { ResidencyScheduler } from '../residency/scheduler.js';
import { jobMemoryPlan, memoryView, planJobMemory, type MemoryAdmissionDeps } from '../residency/memory-admission.js';
import { daemonHandlers, type DaemonIdentity } from './daemon-handlers.js';
import { clusterHandlers, type ClusterHandlerDeps } from './cluster-handlers.js';
import { doctorHandlers } from './doctor-handlers.js';
import { jobsHandlers } from './jobs-handlers.js';
import { modelsHandlers } from './models-handlers.js';
import { planHandlers } from './plan-handlers.js';

export interface Services {
  engine: Engine;
  jobs: JobService;
  scheduler: ResidencyScheduler;
  memory: () => MemoryTelemetry | null;
  identity: Omit<DaemonIdentity, 'queue' | 'memory'>;
  doctor: Pick<DoctorService, 'get'>;
  /** The memory plan's inputs (null for the fake engine: no bundles, no plan). */
  memoryDeps?: MemoryAdmissionDeps | null;
  /** The shared queue's methods' inputs (daemon/cluster/). */
  cluster: ClusterHandlerDeps;
}

/** `ps`'s plans: the running and queued jobs' memory plans, now (a job whose bundle or image is gone is left out). */
async function activePlans(s: Services, deps: MemoryAdmissionDeps) {
  const out = [];
  for (const j of s.jobs.list()) {
    if (j.state !== 'running' && j.state !== 'queued') continue;
    try {
      out.push({ jobId: j.id, state: j.state, memory: memoryView(await jobMemoryPlan(deps, j.spec, j.spec.model ?? s.engine.defaultModel)) });
    } catch {
      // ps reports what is resident; a plan that cannot be computed is not an error of ps.
    }
  }
  return out;
}

export function buildHandlers(s: Services): Handlers {
  const deps = s.memoryDeps ?? null;
  return {
    ...daemonHandlers({ ...s.identity, queue: () => s.jobs.queue.status(), memory: s.memory }),
    ...jobsHandlers(s.jobs, s.scheduler),
    ...modelsHandlers(s.engine, s.scheduler, s.memory, deps ? () => activePlans(s, deps) : undefined),
    ...planHandlers({
      engine: s.engine, jobs: () => s.jobs.list(),
      ...(deps ? { memory: async (manifest, bucket, windowSize, loraBytes) => memoryView(await planJobMemory(deps, manifest, bucket, windowSize, loraBytes)) } : {}),
    }),
    ...doctorHandlers(s.doctor),
    ...clusterHandlers(s.cluster),
  };
}

/**
 * The snapshot a subscriber starts from. Synchronous (the RPC server numbers it with the current
 * seq), so models are listed from what the scheduler knows plus the engine's last model list.
 */
export function buildSnapshot(s: Services, knownModels: () => readonly string[]): RpcServerOptions['snapshot'] {
  return ({ jobId }) => {
    const resident = new Set(s.scheduler.list().map((c) => c.model));
    const names = [...new Set([...knownModels(), ...resident])].sort();
    return {
      jobs: s.jobs.snapshotJobs(jobId),
      queue: s.jobs.queue.status(),
      models: names.map((m) => s.scheduler.modelStatus(m, knownModels().includes(m))),
      memory: s.memory(),
    };
  };
}
