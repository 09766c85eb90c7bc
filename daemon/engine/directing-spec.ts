// The protocol's directing fields (endImage, endStrength, keyframes, promptBlend; docs/directing.md)
// → the pipeline spec's, with the image paths swapped for the job's own copies when the daemon
// made them (job-service copies every input at submit, so a job survives its files being moved).
import type { JobSpec } from '../../shared/protocol/index.js';
import { checkDirectingImages } from './pipeline/directing-inputs.js';
import type { JobSpecInput } from './pipeline/job-spec.js';
import { JobRejected } from './engine.js';

/** Where a job's end and keyframe images are read from. */
export interface DirectingPaths { endImage?: string; keyframes: string[] }

/** The paths as submitted. */
export function directingPaths(spec: Pick<JobSpec, 'endImage' | 'keyframes'>): DirectingPaths {
  return { ...(spec.endImage !== undefined ? { endImage: spec.endImage } : {}), keyframes: (spec.keyframes ?? []).map((k) => k.image) };
}

/** The pipeline spec's directing fields. */
export function directingSpecInput(spec: Pick<JobSpec, 'endImage' | 'endStrength' | 'keyframes' | 'promptBlend'>, paths: DirectingPaths): Partial<JobSpecInput> {
  return {
    ...(spec.promptBlend !== undefined ? { promptBlend: spec.promptBlend } : {}),
    ...(spec.endImage !== undefined ? { endImagePath: paths.endImage ?? spec.endImage } : {}),
    ...(spec.endStrength !== undefined ? { endStrength: spec.endStrength } : {}),
    ...(spec.keyframes?.length ? { keyframes: spec.keyframes.map((k, i) => ({ seconds: k.seconds, imagePath: paths.keyframes[i] ?? k.image })) } : {}),
  };
}

/** Submit-time check that every directing image can be read; JobRejected names the field. */
export async function validateDirectingImages(spec: Pick<JobSpec, 'endImage' | 'keyframes'>): Promise<void> {
  try {
    await checkDirectingImages({
      ...(spec.endImage !== undefined ? { endImagePath: spec.endImage } : {}),
      ...(spec.keyframes ? { keyframes: spec.keyframes.map((k) => ({ seconds: k.seconds, imagePath: k.image })) } : {}),
    });
  } catch (err: unknown) {
    const message = (err as Error).message;
    throw new JobRejected(message.startsWith('--end-image') ? 'endImage' : 'keyframes', message);
  }
}
