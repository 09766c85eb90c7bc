// The directing flags of generate and plan (issue 17; docs/directing.md): --end-image,
// --end-strength, --keyframe SECONDS=PATH (repeatable), --prompt-file and --prompt-blend, read into
// the spec's optional fields. Ranges, times and modes are checked by the spec (job-directing.ts).
import { readFileSync } from 'node:fs';
import type { JobSpecInput, Keyframe } from '../engine/pipeline/job-spec.js';
import { UsageError } from './errors.js';

export const DIRECTING_OPTIONS = {
  'end-image': { type: 'string' },
  'end-strength': { type: 'string' },
  keyframe: { type: 'string', multiple: true },
  'prompt-file': { type: 'string' },
  'prompt-blend': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `SECONDS=PATH` (the seconds may end in `s`: `2.5s=kf.png`). */
export function parseKeyframeFlag(text: string): Keyframe {
  const m = /^\s*(\d+(?:\.\d+)?)\s*s?\s*=(.+)$/.exec(text);
  if (!m || m[2]!.trim() === '') throw new UsageError(`--keyframe must be SECONDS=PATH, e.g. --keyframe 2.5=pose.png (got ${JSON.stringify(text)})`);
  return { seconds: Number(m[1]), imagePath: m[2]!.trim() };
}

/** A strict number or undefined. */
function num(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = text.trim() === '' ? NaN : Number(text.trim());
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got ${JSON.stringify(text)})`);
  return n;
}

/** The prompt from --prompt-file (read whole, as written), or undefined. */
export function promptFromFile(v: Values): string | undefined {
  const file = str(v['prompt-file']);
  if (file === undefined) return undefined;
  if (str(v.prompt) !== undefined) throw new UsageError('--prompt and --prompt-file contradict each other (give one)');
  try {
    return readFileSync(file, 'utf8').replace(/\r\n/g, '\n').trim();
  } catch (err: unknown) {
    throw new UsageError(`--prompt-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The directing fields of the spec input. */
export function directingInputFromFlags(v: Values): Partial<JobSpecInput> {
  const raw = v.keyframe;
  const keyframes = (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).map(parseKeyframeFlag);
  const out: Partial<JobSpecInput> = {};
  const end = str(v['end-image']);
  if (end !== undefined) out.endImagePath = end;
  const strength = num('--end-strength', str(v['end-strength']));
  if (strength !== undefined) out.endStrength = strength;
  if (keyframes.length) out.keyframes = keyframes;
  const blend = num('--prompt-blend', str(v['prompt-blend']));
  if (blend !== undefined) out.promptBlend = blend;
  return out;
}

export const DIRECTING_FLAGS_HELP = `  --prompt-file PATH      read the prompt from a file (instead of --prompt)
                          timestamped prompts: "[0s: a cat sits] [2.5s-4s: the cat jumps]" (docs/directing.md)
  --prompt-blend N        blend the text over N sections at each prompt change, 0–100    default 0
  --end-image PATH        the video ends near this image (inverted mode; = --image for a loop)
  --end-strength X        how strongly the end image acts, 0–1                           default 1
  --keyframe S=PATH       anchor the section shown at S seconds (and later ones) on an image;
                          repeatable, one per section (inverted mode)`;
