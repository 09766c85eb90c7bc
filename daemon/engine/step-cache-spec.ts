// The protocol's step-cache fields (shared/domain/job.ts: cache, magcache*) mapped onto the
// pipeline JobSpec's, and the submit-time check that a `cache: 'mag'` job's bundle is calibrated.
import type { JobSpec } from '../../shared/domain/job.js';
import { readMagCacheCalibration } from '../models/bundle/magcache-file.js';
import type { JobSpec as PipelineJobSpec, JobSpecInput } from './pipeline/job-spec.js';
import { JobSpecError } from './pipeline/job-spec.js';
import { missingCalibrationMessage } from './step-cache.js';

/** The step-cache part of a pipeline spec input: only what the client gave (the rest is defaulted). */
export function stepCacheInput(spec: Pick<JobSpec, 'cache' | 'magcacheThreshold' | 'magcacheMaxSkips' | 'magcacheRetention'>): JobSpecInput {
  return {
    ...(spec.cache !== undefined ? { cache: spec.cache } : {}),
    ...(spec.magcacheThreshold !== undefined ? { magcacheThreshold: spec.magcacheThreshold } : {}),
    ...(spec.magcacheMaxSkips !== undefined ? { magcacheMaxSkips: spec.magcacheMaxSkips } : {}),
    ...(spec.magcacheRetention !== undefined ? { magcacheRetention: spec.magcacheRetention } : {}),
  };
}

/** Refuses a MagCache job whose bundle (in `modelDir`) has no or a damaged calibration, naming the fix. */
export async function assertCacheCalibrated(spec: Pick<PipelineJobSpec, 'cache' | 'model'>, modelDir: string): Promise<void> {
  if (spec.cache !== 'mag') return;
  let calibration;
  try {
    calibration = await readMagCacheCalibration(modelDir);
  } catch (err: unknown) {
    throw new JobSpecError('--cache', `mag: ${(err as Error).message}`);
  }
  if (!calibration) throw new JobSpecError('--cache', `mag: ${missingCalibrationMessage(spec.model)}`);
}
