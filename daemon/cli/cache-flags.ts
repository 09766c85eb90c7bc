// --cache and the MagCache flags → the spec's optional fields (ranges are checked by the spec
// schema; an unknown --cache value is named there too). An explicit --cache that disagrees with an
// explicit --teacache/--no-teacache is a usage error rather than a silent choice.
import type { JobSpecInput } from '../engine/pipeline/job-spec.js';
import { UsageError } from './errors.js';
import { parseNumberFlag, type ParsedValues } from './job-args.js';

const str = (v: string | boolean | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export function stepCacheFlags(v: ParsedValues): JobSpecInput {
  const cache = str(v.cache);
  if (cache !== undefined && ((v.teacache === true && cache !== 'tea') || (v['no-teacache'] === true && cache === 'tea'))) {
    throw new UsageError(`--cache ${cache} and --${v.teacache === true ? 'teacache' : 'no-teacache'} contradict each other (--cache replaces --teacache)`);
  }
  const out: JobSpecInput = {};
  if (cache !== undefined) out.cache = cache as JobSpecInput['cache'];
  const threshold = parseNumberFlag('--magcache-threshold', str(v['magcache-threshold']));
  const maxSkips = parseNumberFlag('--magcache-max-skips', str(v['magcache-max-skips']));
  const retention = parseNumberFlag('--magcache-retention', str(v['magcache-retention']));
  if (threshold !== undefined) out.magcacheThreshold = threshold;
  if (maxSkips !== undefined) out.magcacheMaxSkips = maxSkips;
  if (retention !== undefined) out.magcacheRetention = retention;
  return out;
}
