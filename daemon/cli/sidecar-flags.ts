// `framepack generate --from SIDECAR.json`: a finished job's sidecar (output-files.ts, schema
// framepack.output/1) turned back into the flags that made it, so the same command re-runs it
// exactly — its seed, every sampling parameter, the model and the bucket class — from the bucketed
// start image saved beside it (`<stem>.png`, the pixels the job conditioned on; at the bucket's size
// nothing is resized again). Flags given on the command line win over the sidecar's.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors.js';
import type { ParsedValues } from './job-args.js';

const Sidecar = z.object({
  schema: z.literal('framepack.output/1'),
  inputImage: z.string().min(1),
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
    crf: z.number().int(),
    model: z.string(),
    resolution: z.number().int().nullable().optional(),
    extendVideo: z.string().nullable().optional(),
    extendLatents: z.string().nullable().optional(),
    extendContext: z.number().int().nullable().optional(),
  }).loose(),
}).loose();

/** The sidecar's parameters as generate's flags (strings, as parseArgs gives them). */
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
  const p = parsed.data.parameters;
  const flags: ParsedValues = {
    prompt: p.prompt, negative: p.negativePrompt, seconds: String(p.seconds), seed: String(p.seed), steps: String(p.steps),
    gs: String(p.gs), cfg: String(p.cfg), rs: String(p.rs), window: String(p.windowSize), sampler: p.sampler, mode: p.mode,
    'teacache-threshold': String(p.teacacheThreshold), crf: String(p.crf), model: p.model,
    ...(p.teacache ? { teacache: true } : { 'no-teacache': true }),
    ...(p.shift !== null ? { shift: String(p.shift) } : {}),
    ...(p.resolution != null ? { resolution: String(p.resolution) } : {}),
  };
  if (p.extendVideo || p.extendLatents) {
    // The source is not in the sidecar (only its name): the caller must name it again.
    flags.fromExtension = p.extendVideo ?? p.extendLatents ?? '';
    if (p.extendContext != null) flags['extend-context'] = String(p.extendContext);
  } else {
    flags.image = path.join(path.dirname(path.resolve(file)), parsed.data.inputImage);
  }
  return flags;
}
