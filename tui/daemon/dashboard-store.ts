// The dashboard's daemon-fed state in one pure reducer over the three stores (jobs, residency,
// logs), so one subscription event is one dispatch and one render.
import type { DaemonStatus, EventMessage, Job, ModelStatus, Snapshot } from '../../shared/protocol/index.js';
import { initialJobs, jobsReducer, replaceJob, type JobsState } from './jobs-store.js';
import { appendLog, type LogLine } from './logs-store.js';
import { initialResidency, residencyReducer, type ResidencyState } from './residency-store.js';

export interface DashboardData {
  jobs: JobsState;
  residency: ResidencyState;
  logs: LogLine[];
  status: DaemonStatus | null;
}

export type DashboardAction =
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'event'; event: EventMessage }
  | { type: 'job'; job: Job }
  | { type: 'models'; models: ModelStatus[] }
  | { type: 'status'; status: DaemonStatus }
  | { type: 'localLog'; line: LogLine };

export const initialDashboard: DashboardData = { jobs: initialJobs, residency: initialResidency, logs: [], status: null };

export function dashboardReducer(state: DashboardData, action: DashboardAction): DashboardData {
  switch (action.type) {
    case 'snapshot':
      return { ...state, jobs: jobsReducer(state.jobs, action), residency: residencyReducer(state.residency, action) };
    case 'event': {
      const e = action.event;
      if (e.event === 'log') return { ...state, logs: appendLog(state.logs, e.payload) };
      if (e.event === 'model.loaded' || e.event === 'model.unloaded' || e.event === 'telemetry') return { ...state, residency: residencyReducer(state.residency, action) };
      return { ...state, jobs: jobsReducer(state.jobs, action) };
    }
    case 'job':
      return { ...state, jobs: replaceJob(state.jobs, action.job) };
    case 'models':
      return { ...state, residency: residencyReducer(state.residency, action) };
    case 'status':
      return { ...state, status: action.status, jobs: { ...state.jobs, queue: action.status.queue } };
    case 'localLog':
      return { ...state, logs: appendLog(state.logs, action.line) };
  }
}
