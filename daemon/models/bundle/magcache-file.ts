// A bundle's MagCache calibration: `magcache.json` beside manifest.json (not listed in the
// manifest, so calibrating never changes the manifest or its checksum). Optional: a bundle without
// it loads, and only a `--cache mag` job is refused (step-cache.ts names the fix). Written by
// `framepack models calibrate` (daemon/cli/calibrate-command.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../media/atomic-file.js';

export const MAGCACHE_FILE = 'magcache.json';

export const magcacheCalibrationSchema = z.object({
  formatVersion: z.literal(1),
  /** The bundle's manifest name when calibrated. */
  model: z.string().min(1),
  /** Sampler and steps the ratios were measured with (other step counts are resampled). */
  sampler: z.string().min(1),
  steps: z.number().int().positive(),
  /** ratio[0] = 1, then mean ‖residual_t‖ / ‖residual_{t−1}‖ averaged over the calibration sections. */
  ratios: z.array(z.number().positive()).min(1),
  /** Sections averaged. */
  sections: z.number().int().positive(),
  calibratedAt: z.iso.datetime({ offset: true }),
  /** What was generated to measure them. */
  job: z.object({ prompt: z.string(), seed: z.number().int(), seconds: z.number().positive(), image: z.string() }),
}).refine((c) => c.ratios.length === c.steps, { message: 'must have one entry per step', path: ['ratios'] });
export type MagCacheCalibration = z.infer<typeof magcacheCalibrationSchema>;

/** The calibration of the bundle in `dir`, or null when it has none. A damaged file is an error naming it. */
export async function readMagCacheCalibration(dir: string): Promise<MagCacheCalibration | null> {
  const file = path.join(dir, MAGCACHE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (err: unknown) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); recalibrate with \`framepack models calibrate\``);
  }
  const parsed = magcacheCalibrationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'} ${issue.message}; recalibrate with \`framepack models calibrate\``);
  }
  return parsed.data;
}

export async function writeMagCacheCalibration(dir: string, c: MagCacheCalibration): Promise<string> {
  const file = path.join(dir, MAGCACHE_FILE);
  await writeFileAtomic(file, `${JSON.stringify(magcacheCalibrationSchema.parse(c), null, 2)}\n`);
  return file;
}
