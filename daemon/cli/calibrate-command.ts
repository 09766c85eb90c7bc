// `framepack models calibrate [NAME]`: one uncached generation of the bundle in this process
// (magcache-calibration.ts), then its MagCache ratios are written to <bundle>/magcache.json
// (magcache-file.ts). Progress on stderr, the result on stdout (or JSON with --json).
import { loadBundle } from '../models/bundle/load-bundle.js';
import { writeMagCacheCalibration } from '../models/bundle/magcache-file.js';
import { calibrateMagCache } from '../engine/pipeline/magcache-calibration.js';
import { DEFAULT_MODEL, resolveModelDir } from '../engine/pipeline/model-location.js';
import { MAGCACHE_MAX_RATIO_DEVIATION } from '../engine/magcache.js';
import { parseFlags } from './args.js';
import { EXIT_OK, UsageError } from './errors.js';
import { parseNumberFlag } from './job-args.js';

export async function runCalibrate(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const { values, positionals } = parseFlags('models calibrate', argv, {
    steps: { type: 'string' }, seconds: { type: 'string' }, image: { type: 'string' }, json: { type: 'boolean' },
  }, true);
  if (positionals.length > 1) throw new UsageError('models calibrate: give at most one bundle name');
  const model = positionals[0] ?? DEFAULT_MODEL;
  const steps = parseNumberFlag('--steps', values.steps);
  const seconds = parseNumberFlag('--seconds', values.seconds);
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 2 && steps <= 100)) throw new UsageError(`--steps must be an integer ≥ 2 and ≤ 100 (got ${values.steps})`);
  if (seconds !== undefined && !(seconds > 0 && seconds <= 120)) throw new UsageError(`--seconds must be > 0 and ≤ 120 (got ${values.seconds})`);
  const dir = await resolveModelDir(model);
  const bundle = await loadBundle(dir, { verify: 'cached' });
  let lastSection = 0;
  const c = await calibrateMagCache(bundle, {
    ...(steps !== undefined ? { steps } : {}), ...(seconds !== undefined ? { seconds } : {}),
    ...(values.image ? { imagePath: values.image } : {}),
    onEvent: (e) => {
      if (e.type === 'section.started' && e.section !== lastSection) { lastSection = e.section; io.stderr.write(`calibrating ${bundle.manifest.name}: section ${e.section}/${e.sections}\n`); }
    },
  });
  const file = await writeMagCacheCalibration(dir, c);
  if (values.json) { io.stdout.write(`${JSON.stringify({ file, ...c }, null, 2)}\n`); return EXIT_OK; }
  const skippable = c.ratios.filter((r, i) => i > 0 && Math.abs(1 - r) <= MAGCACHE_MAX_RATIO_DEVIATION).length;
  io.stdout.write(`wrote ${file}: ${c.steps} ratios (${c.sampler}, ${c.sections} sections averaged); ${skippable} steps within ±${MAGCACHE_MAX_RATIO_DEVIATION} of 1 (skippable)\n`);
  io.stdout.write(`ratios ${c.ratios.map((r) => r.toFixed(3)).join(' ')}\n`);
  return EXIT_OK;
}
