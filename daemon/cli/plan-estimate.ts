// `framepack plan`'s time line: the whole-job estimate of the running daemon (jobs.plan), so the
// CLI prints the very figure the dashboard's new-job form shows — from the newest finished job of
// the model, every stage (shared/domain/job-estimate.ts). Only a running daemon knows measured
// times; none is started for it.
import { formatWholeJobEstimate } from '../../shared/domain/job-estimate.js';
import type { PlanEstimate } from '../../shared/protocol/index.js';
import type { JobSpec } from '../engine/pipeline/job-spec.js';
import { connectDaemon } from './daemon-client.js';

export interface PlanTime {
  /** The text after `time      `. */
  line: string;
  /** The daemon's estimate (null: nothing measured yet, or no daemon). */
  estimate: PlanEstimate | null;
}

/** Asks the running daemon's jobs.plan for the same job; `model` is the bundle's name as the daemon knows it. */
export async function daemonPlanTime(spec: JobSpec, model: string, env: NodeJS.ProcessEnv = process.env): Promise<PlanTime> {
  let conn;
  try {
    conn = await connectDaemon({ autoStart: false, name: 'framepack plan', env });
  } catch {
    return { line: 'no daemon running to ask for measured times (framepack daemon start; a finished job gives the estimate)', estimate: null };
  }
  try {
    const plan = await conn.client.call('jobs.plan', {
      image: spec.imagePath, seconds: spec.seconds, window: spec.windowSize, mode: spec.mode, steps: spec.steps,
      sampler: spec.sampler, model, ...(spec.shift !== null ? { shift: spec.shift } : {}),
    });
    const e = plan.estimate;
    if (e?.job) return { line: formatWholeJobEstimate(e.job), estimate: e };
    return { line: e ? `≈${e.samplingSeconds.toFixed(1)}s sampling (${e.secPerStep.toFixed(2)} s/step on ${e.measuredOn}; this daemon has no whole-job estimate)` : `estimated once the daemon has run a job of ${model}`, estimate: e };
  } catch (err: unknown) {
    return { line: `the daemon could not plan it: ${(err as Error).message}`, estimate: null };
  } finally {
    conn.client.close();
  }
}
