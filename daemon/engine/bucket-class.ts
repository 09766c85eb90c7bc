// Resolution classes (`--resolution N`): the official bucket table is the 640 class; the peers get
// other classes by scaling it (kijai's FindNearestBucket and eichi scale 640's pairs by N/640 and
// round to a multiple of 16 or 32; Studio hand-writes 128…768 tables). We scale the model's own
// table by N/native, round each side to the bundle's cell (spatial compression × patch = 16) and
// drop duplicates, keeping the table's order so ties still go to the later bucket as in the
// official scan. The native class is the longer side of the table's most square bucket (640 for
// 608×640 / 640×608, 80 for the tiny bundle's 80×80). Any other class is off-distribution: the
// checkpoint was trained on the native one, so quality is not what the model card promises.
import type { Bucket } from './buckets.js';

/** Smallest and largest class `--resolution` accepts (the peers offer 128 … 2K). */
export const MIN_RESOLUTION = 32;
export const MAX_RESOLUTION = 2048;

/** The class of a bucket table: the longer side of its most square bucket (ties: the larger). */
export function nativeClass(table: readonly Bucket[]): number {
  if (table.length === 0) throw new RangeError('nativeClass: empty bucket table');
  let best = table[0]!;
  const skew = (b: Bucket) => Math.max(b.heightPx, b.widthPx) / Math.min(b.heightPx, b.widthPx);
  for (const b of table) {
    if (skew(b) < skew(best) || (skew(b) === skew(best) && Math.max(b.heightPx, b.widthPx) > Math.max(best.heightPx, best.widthPx))) best = b;
  }
  return Math.max(best.heightPx, best.widthPx);
}

export interface BucketClass {
  /** The class asked for (the table's native one when none was). */
  resolution: number;
  /** The model's own class. */
  native: number;
  /** True for any class other than the native one. */
  offDistribution: boolean;
  /** The scaled table, in the native table's order (ties go to the later bucket). */
  buckets: Bucket[];
}

/** The bucket table of class `resolution` (null = native) derived from the model's table; `cellPx` is the size multiple. */
export function bucketClass(table: readonly Bucket[], resolution: number | null, cellPx = 16): BucketClass {
  const native = nativeClass(table);
  if (resolution === null || resolution === native) return { resolution: native, native, offDistribution: false, buckets: table.map((b) => ({ ...b })) };
  if (!Number.isInteger(resolution) || resolution < MIN_RESOLUTION || resolution > MAX_RESOLUTION) {
    throw new RangeError(`resolution must be an integer ${MIN_RESOLUTION}–${MAX_RESOLUTION} (got ${resolution})`);
  }
  const scale = resolution / native;
  const side = (px: number) => Math.max(cellPx, Math.round((px * scale) / cellPx) * cellPx);
  const seen = new Set<string>();
  const buckets: Bucket[] = [];
  for (const b of table) {
    const scaled = { heightPx: side(b.heightPx), widthPx: side(b.widthPx) };
    const key = `${scaled.heightPx}x${scaled.widthPx}`;
    if (seen.has(key)) continue;
    seen.add(key);
    buckets.push(scaled);
  }
  return { resolution, native, offDistribution: true, buckets };
}

/** One line for plans and forms: `640 class (native)` or `960 class (off-distribution: the model was trained on the 640 class)`. */
export function describeBucketClass(c: Pick<BucketClass, 'resolution' | 'native' | 'offDistribution'>): string {
  return c.offDistribution ? `${c.resolution} class (off-distribution: the model was trained on the ${c.native} class)` : `${c.resolution} class (native)`;
}
