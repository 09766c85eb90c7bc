// The I/O side of directing: the end and keyframe images read and fitted to the job's bucket (the
// same resize + centre crop as the start image, FRAMEPACK.md §3.2), what conditioning must encode
// for the plan, and the encodings handed to section-inputs.ts.
import type { RgbImage } from '../../media/pixels.js';
import { InputImageError, loadInputImage, resizeAndCrop } from '../../media/image-input.js';
import { resizeCropPlan, type Bucket } from '../buckets.js';
import type { ConditioningOptions, JobConditioning } from './conditioning.js';
import type { JobSpec } from './job-spec.js';
import { tensorToFrames } from './latent-frames.js';
import type { DirectingPlan } from './section-conditioning.js';
import type { DirectingEncodings } from './section-inputs.js';

export interface DirectingImages {
  end: RgbImage | null;
  /** In the spec's order. */
  keyframes: RgbImage[];
}

/**
 * Reads an image named by a flag; a failure names the flag and the file once
 * (`--end-image /x/end.png: …`, `--keyframe 2.5=/x/k.png: …`), then the problem.
 */
async function readFor(flag: string, file: string): Promise<RgbImage> {
  try {
    return await loadInputImage(file);
  } catch (err: unknown) {
    const problem = err instanceof InputImageError ? err.problem : (err as Error).message;
    throw new Error(`${flag}${flag.endsWith('=') ? '' : ' '}${file}: ${problem.split('\n')[0]}`);
  }
}

/** Checks every directing image is readable (submit-time validation), without resizing. */
export async function checkDirectingImages(spec: Pick<JobSpec, 'endImagePath' | 'keyframes'>): Promise<void> {
  if (spec.endImagePath !== undefined) await readFor('--end-image', spec.endImagePath);
  for (const k of spec.keyframes ?? []) await readFor(`--keyframe ${k.seconds}=`, k.imagePath);
}

/** The end and keyframe images, each resized and centre-cropped to `bucket`. */
export async function loadDirectingImages(spec: Pick<JobSpec, 'endImagePath' | 'keyframes'>, bucket: Bucket): Promise<DirectingImages> {
  const fit = async (flag: string, file: string) => {
    const im = await readFor(flag, file);
    return resizeAndCrop(im, resizeCropPlan(im.width, im.height, bucket));
  };
  const end = spec.endImagePath !== undefined ? await fit('--end-image', spec.endImagePath) : null;
  const keyframes: RgbImage[] = [];
  for (const k of spec.keyframes ?? []) keyframes.push(await fit(`--keyframe ${k.seconds}=`, k.imagePath));
  return { end, keyframes };
}

/** What conditioning encodes beyond the first prompt and the start image: VAE latents of [end, …keyframes], SigLIP of the end image. */
export function conditioningExtra(plan: DirectingPlan, images: DirectingImages): NonNullable<ConditioningOptions['extra']> {
  return {
    prompts: plan.prompts.slice(1),
    latentImages: [...(images.end ? [images.end] : []), ...images.keyframes],
    embeddingImages: images.end ? [images.end] : [],
  };
}

/** The encodings section-inputs.ts blends, from conditioning's results (in conditioningExtra's order). */
export function directingEncodings(c: JobConditioning, images: DirectingImages): DirectingEncodings {
  const extra = c.extra ?? { prompts: [], latents: [], embeddings: [] };
  const frame = (i: number) => tensorToFrames(extra.latents[i]!)[0]!;
  const offset = images.end ? 1 : 0;
  return {
    prompts: [c.positive, ...extra.prompts],
    startEmbedding: c.imageEmbeddings,
    endEmbedding: images.end ? extra.embeddings[0]! : null,
    keyframeLatents: images.keyframes.map((_, i) => frame(offset + i)),
    endLatent: images.end ? frame(0) : null,
  };
}
