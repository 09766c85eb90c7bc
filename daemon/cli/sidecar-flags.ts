// `framepack generate --from SIDECAR.json`: a finished job's sidecar (output-files.ts, schema
// framepack.output/1) turned back into the flags that made it, so the same command re-runs it
// exactly — its seed, every sampling parameter, the model and the bucket class — from the bucketed
// start image saved beside it (`<stem>.png`, the pixels the job conditioned on; at the bucket's size
// nothing is resized again), with a directed job's end and keyframe images kept beside it the same
// way (`<stem>.end.png`, `<stem>.keyframe-<i>.png`) and an extension's source where the sidecar
// recorded it. Flags given on the command line win over the sidecar's.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors.js';
import type { ParsedValues } from './job-args.js';

const Sidecar = z.object({
  schema: z.literal('framepack.output/1'),
  inputImage: z.string().min(1),
  /** A directed job's bucketed end and keyframe images beside the sidecar (output-files.ts). */
  endImage: z.string().min(1).optional(),
  keyframeImages: z.array(z.string().min(1)).optional(),
  /** An extension's source: the video's absolute path, or the daemon job it continued. */
  extendSource: z.string().min(1).optional(),
  extendJob: z.string().min(1).optional(),
  parameters: z.object({
    prompt: z.string(),
    negativePrompt: z.string(),
    seconds: z.number(),
    seed: z.number().int(),
    steps: z.number().int(),
    gs: z.number(),
    cfg: z.number(),
    rs: z.number(),
    windowSize: z.number().int(),
    shift: z.number().nullable(),
    sampler: z.string(),
    mode: z.string(),
    teacache: z.boolean(),
    teacacheThreshold: z.number(),
    cache: z.string().optional(),
    magcacheThreshold: z.number().optional(),
    magcacheMaxSkips: z.number().int().optional(),
    magcacheRetention: z.number().optional(),
    crf: z.number().int(),
    model: z.string(),
    resolution: z.number().int().nullable().optional(),
    extendVideo: z.string().nullable().optional(),
    extendLatents: z.string().nullable().optional(),
    extendContext: z.number().int().nullable().optional(),
    promptBlend: z.number().int().optional(),
    endImage: z.string().optional(),
    endStrength: z.number().optional(),
    keyframes: z.array(z.object({ seconds: z.number(), image: z.string().optional() })).optional(),
  }).loose(),
}).loose();

/**
 * The sidecar's parameters as generate's flags (strings, as parseArgs gives them). What the
 * sidecar cannot supply goes into `fromMissing` (flag → the line to show when the command line
 * does not give that flag either; job-args.ts checks it after merging).
 */
export async function sidecarFlags(file: string): Promise<ParsedValues> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err: unknown) {
    throw new UsageError(`--from ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a JSON sidecar (${(err as Error).message.split('\n')[0]})`}`);
  }
  const parsed = Sidecar.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--from ${file}: not a framepack sidecar (${issue.path.join('.') || 'document'}: ${issue.message})`);
  }
  const doc = parsed.data;
  const p = doc.parameters;
  const beside = (name: string) => path.join(path.dirname(path.resolve(file)), name);
  const flags: ParsedValues = {
    prompt: p.prompt, negative: p.negativePrompt, seconds: String(p.seconds), seed: String(p.seed), steps: String(p.steps),
    gs: String(p.gs), cfg: String(p.cfg), rs: String(p.rs), window: String(p.windowSize), sampler: p.sampler, mode: p.mode,
    'teacache-threshold': String(p.teacacheThreshold), crf: String(p.crf), model: p.model,
    // The step cache the job ran with (MagCache too); older sidecars have only the TeaCache switch.
    ...(p.cache !== undefined ? { cache: p.cache } : p.teacache ? { teacache: true } : { 'no-teacache': true }),
    ...(p.cache === 'mag' && p.magcacheThreshold !== undefined ? { 'magcache-threshold': String(p.magcacheThreshold) } : {}),
    ...(p.cache === 'mag' && p.magcacheMaxSkips !== undefined ? { 'magcache-max-skips': String(p.magcacheMaxSkips) } : {}),
    ...(p.cache === 'mag' && p.magcacheRetention !== undefined ? { 'magcache-retention': String(p.magcacheRetention) } : {}),
    ...(p.shift !== null ? { shift: String(p.shift) } : {}),
    ...(p.resolution != null ? { resolution: String(p.resolution) } : {}),
    ...(p.promptBlend !== undefined ? { 'prompt-blend': String(p.promptBlend) } : {}),
  };
  const missing: Record<string, string> = {};
  if (p.endImage !== undefined) {
    if (doc.endImage !== undefined) flags['end-image'] = beside(doc.endImage);
    else missing['end-image'] = `--from: the sidecar names its end image only as ${p.endImage} (made before end images were kept beside the output); give --end-image PATH`;
    if (p.endStrength !== undefined) flags['end-strength'] = String(p.endStrength);
  }
  if (p.keyframes?.length) {
    const kept = doc.keyframeImages;
    if (kept?.length === p.keyframes.length) flags.keyframe = p.keyframes.map((k, i) => `${k.seconds}=${beside(kept[i]!)}`);
    else missing.keyframe = `--from: the sidecar names its keyframes only as ${p.keyframes.map((k) => `${k.seconds}=${k.image ?? '?'}`).join(', ')} (made before keyframes were kept beside the output); give --keyframe SECONDS=PATH for each`;
  }
  // LoRAs are recorded by file name only (files on this machine): the caller names them again.
  const loras = (p as { loras?: { file?: string; strength?: number }[] }).loras;
  if (loras?.length) missing.lora = `--from: the job used LoRAs (${loras.map((l) => `${l.file ?? '?'}:${l.strength ?? 1}`).join(', ')}), recorded by name only; give --lora FILE[:STRENGTH] for each`;
  if (p.extendVideo || p.extendLatents) {
    if (p.extendContext != null) flags['extend-context'] = String(p.extendContext);
    if (doc.extendJob !== undefined) flags['extend-job'] = doc.extendJob;
    else if (doc.extendSource !== undefined && existsSync(doc.extendSource)) flags.extend = doc.extendSource;
    else {
      // The source is gone (or the sidecar predates recording it): the caller must name it again.
      const where = doc.extendSource !== undefined ? `${doc.extendSource}, which no longer exists` : (p.extendVideo ?? p.extendLatents ?? '?');
      missing.extend = p.extendLatents
        ? `--from: the sidecar is of an extension of job output ${where}; name the job again with --extend-job ID`
        : `--from: the sidecar is of an extension of ${where}; give --extend VIDEO with that video`;
    }
  } else {
    flags.image = beside(doc.inputImage);
  }
  if (Object.keys(missing).length) flags.fromMissing = JSON.stringify(missing);
  return flags;
}

/** A start image or extension source given on the command line replaces the sidecar's source. */
export function sourceFromCommandLine(sidecar: ParsedValues, given: ParsedValues): ParsedValues {
  if (given.image === undefined && given.extend === undefined && given['extend-job'] === undefined) return sidecar;
  const { image: _i, extend: _e, 'extend-job': _j, ...rest } = sidecar;
  if (given.extend === undefined) delete rest['extend-context'];
  const missing = JSON.parse(typeof rest.fromMissing === 'string' ? rest.fromMissing : '{}') as Record<string, string>;
  delete missing.extend;
  if (Object.keys(missing).length) rest.fromMissing = JSON.stringify(missing);
  else delete rest.fromMissing;
  return rest;
}
