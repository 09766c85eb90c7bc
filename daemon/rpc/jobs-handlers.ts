// jobs.* and queue.* methods: thin adapters from validated params to the job service.
import type { Handlers } from '../../shared/ipc/rpc-server.js';
import type { JobService } from '../jobs/job-service.js';
import type { ResidencyScheduler } from '../residency/scheduler.js';

export type JobsHandlers = Pick<Handlers, 'jobs.submit' | 'jobs.list' | 'jobs.get' | 'jobs.cancel' | 'jobs.move' | 'jobs.remove' | 'queue.pause' | 'queue.resume'>;

export function jobsHandlers(jobs: JobService, scheduler: ResidencyScheduler): JobsHandlers {
  return {
    'jobs.submit': (spec) => jobs.submit(spec),
    'jobs.list': ({ states, limit }) => ({ jobs: jobs.list(states, limit) }),
    'jobs.get': ({ jobId }) => ({ job: jobs.get(jobId) }),
    'jobs.cancel': ({ jobId, when }) => ({ job: jobs.cancel(jobId, when) }),
    'jobs.move': ({ jobId, to }) => jobs.move(jobId, to),
    'jobs.remove': ({ jobId }) => jobs.remove(jobId),
    'queue.pause': async ({ unload }) => {
      const status = jobs.pause();
      // Idle components only: the running job keeps its leases until it finishes.
      if (unload) await scheduler.unload(undefined, undefined, false, 'requested');
      return status;
    },
    'queue.resume': () => jobs.resume(),
  };
}
