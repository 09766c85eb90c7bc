// The end and keyframe images of a job (docs/directing.md), copied into its folder at submit like
// the start image (job-files.ts copyInput: size-capped, streamed), as `end.<ext>` and
// `keyframe-<i>.<ext>`; the runner hands those copies to the engine, so the job runs even when
// the submitted files are gone by then.
import path from 'node:path';
import type { JobSpec } from '../../shared/protocol/index.js';
import { copyInput, inputCopyName } from './job-files.js';

const copyName = (stem: string, image: string) => inputCopyName(image).replace(/^input/, stem);

/** Copies every directing image of `spec` into `jobDir` (throws as copyInput does). */
export async function copyDirectingInputs(spec: Pick<JobSpec, 'endImage' | 'keyframes'>, jobDir: string, maxBytes: number): Promise<void> {
  if (spec.endImage !== undefined) await copyInput(spec.endImage, jobDir, maxBytes, copyName('end', spec.endImage));
  for (const [i, k] of (spec.keyframes ?? []).entries()) await copyInput(k.image, jobDir, maxBytes, copyName(`keyframe-${i}`, k.image));
}

/** The copies' paths, for EngineJob.directing. */
export function directingCopies(spec: Pick<JobSpec, 'endImage' | 'keyframes'>, jobDir: string): { endImage?: string; keyframes: string[] } {
  return {
    ...(spec.endImage !== undefined ? { endImage: path.join(jobDir, copyName('end', spec.endImage)) } : {}),
    keyframes: (spec.keyframes ?? []).map((k, i) => path.join(jobDir, copyName(`keyframe-${i}`, k.image))),
  };
}
