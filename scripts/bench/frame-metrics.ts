// Pure per-frame and per-clip metrics for the drift benchmark (drift-bench.ts): colour-histogram
// distance, luma sharpness, and the motion measure of scripts/train/data.py (`measure_motion`,
// `prompt_matches`) ported rule for rule, so "does the shape move the way the prompt says" means
// the same thing on generated frames as on the training clips. Frames are rgb24 bytes, HWC.

/** A run of equally sized rgb24 frames. */
export interface FrameSet {
  width: number;
  height: number;
  /** Each width·height·3 bytes. */
  frames: Uint8Array[];
}

export const HISTOGRAM_BINS = 16;

/**
 * Per-channel colour histogram of a set of frames, HISTOGRAM_BINS bins of 16 levels each, each
 * channel normalised to sum 1. Returned as [R bins…, G bins…, B bins…].
 */
export function colourHistogram(set: FrameSet): Float64Array {
  const h = new Float64Array(3 * HISTOGRAM_BINS);
  const shift = Math.log2(256 / HISTOGRAM_BINS);
  for (const f of set.frames) {
    for (let i = 0; i < f.length; i += 3) {
      h[f[i]! >> shift]! += 1;
      h[HISTOGRAM_BINS + (f[i + 1]! >> shift)]! += 1;
      h[2 * HISTOGRAM_BINS + (f[i + 2]! >> shift)]! += 1;
    }
  }
  const perChannel = set.frames.length * set.width * set.height;
  if (perChannel > 0) for (let i = 0; i < h.length; i++) h[i]! /= perChannel;
  return h;
}

/**
 * Histogram distance in [0, 1]: the mean over R, G, B of the total-variation distance
 * ½·Σ_bins |p − q| between the two channel histograms. 0 = same colour distribution, 1 = disjoint.
 */
export function histogramDistance(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length || a.length % HISTOGRAM_BINS !== 0) throw new RangeError('histogramDistance: histograms of different sizes');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / 2 / (a.length / HISTOGRAM_BINS);
}

/** BT.601 luma (0…255) of one rgb24 frame. */
export function luma(frame: Uint8Array, width: number, height: number): Float64Array {
  const y = new Float64Array(width * height);
  for (let p = 0; p < y.length; p++) y[p] = 0.299 * frame[3 * p]! + 0.587 * frame[3 * p + 1]! + 0.114 * frame[3 * p + 2]!;
  return y;
}

/** Variance of the 4-neighbour Laplacian of the frame's luma over interior pixels (higher = sharper). */
export function laplacianVariance(frame: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) throw new RangeError(`laplacianVariance: frame ${width}x${height} is smaller than 3x3`);
  const y = luma(frame, width, height);
  let n = 0, sum = 0, sumSq = 0;
  for (let r = 1; r < height - 1; r++) {
    for (let c = 1; c < width - 1; c++) {
      const p = r * width + c;
      const lap = y[p - width]! + y[p + width]! + y[p - 1]! + y[p + 1]! - 4 * y[p]!;
      n++; sum += lap; sumSq += lap * lap;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Mean laplacianVariance over a set of frames. */
export function sharpness(set: FrameSet): number {
  if (set.frames.length === 0) return 0;
  let s = 0;
  for (const f of set.frames) s += laplacianVariance(f, set.width, set.height);
  return s / set.frames.length;
}

/** What measure_motion returns (data.py), or null when the first or last frame shows no shape. */
export interface MotionMeasure {
  /** Centroid drift first → last frame, pixels (x right, y down). */
  dx: number;
  dy: number;
  /** Shape area last / first, by colour; null when first and last frame are identical. */
  areaRatio: number | null;
  /** Σ over RGB of |mean shape colour last − first|. */
  colourDelta: number;
}

/** Python's round(): half to even (int(round(x)) in measure_motion). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * data.py `measure_motion`, ported: the shape is the pixels that differ (max over channels > 40)
 * from the per-pixel temporal median (the static background); centroid and mean colour of the
 * first and last frames; the area by colour around the centre of the first/last change.
 */
export function measureMotion(set: FrameSet): MotionMeasure | null {
  const { width, height, frames } = set;
  const t = frames.length;
  if (t === 0) return null;
  const n = width * height * 3;
  const bg = new Float64Array(n);
  const column = new Int16Array(t);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < t; k++) column[k] = frames[k]![i]!;
    column.sort();
    bg[i] = t % 2 === 1 ? column[(t - 1) / 2]! : (column[t / 2 - 1]! + column[t / 2]!) / 2;
  }
  const stats = (f: Uint8Array) => {
    let cnt = 0, sx = 0, sy = 0;
    const col = [0, 0, 0];
    for (let p = 0; p < width * height; p++) {
      const d = Math.max(Math.abs(f[3 * p]! - bg[3 * p]!), Math.abs(f[3 * p + 1]! - bg[3 * p + 1]!), Math.abs(f[3 * p + 2]! - bg[3 * p + 2]!));
      if (d > 40) {
        cnt++; sx += p % width; sy += Math.floor(p / width);
        for (let c = 0; c < 3; c++) col[c]! += f[3 * p + c]!;
      }
    }
    return cnt === 0 ? null : { x: sx / cnt, y: sy / cnt, colour: col.map((v) => v / cnt) };
  };
  const first = frames[0]!, last = frames[t - 1]!;
  const a = stats(first), b = stats(last);
  if (a === null || b === null) return null;
  let cnt = 0, sx = 0, sy = 0;
  for (let p = 0; p < width * height; p++) {
    const d = Math.max(Math.abs(first[3 * p]! - last[3 * p]!), Math.abs(first[3 * p + 1]! - last[3 * p + 1]!), Math.abs(first[3 * p + 2]! - last[3 * p + 2]!));
    if (d > 40) { cnt++; sx += p % width; sy += Math.floor(p / width); }
  }
  let areaRatio: number | null = null;
  if (cnt > 0) {
    const cy = roundHalfEven(sy / cnt), cx = roundHalfEven(sx / cnt);
    const area = [first, last].map((f) => {
      const q = 3 * (cy * width + cx);
      let k = 0;
      for (let p = 0; p < width * height; p++) {
        const s = Math.abs(f[3 * p]! - f[q]!) + Math.abs(f[3 * p + 1]! - f[q + 1]!) + Math.abs(f[3 * p + 2]! - f[q + 2]!);
        if (s < 30) k++;
      }
      return k;
    });
    areaRatio = area[0]! > 0 ? area[1]! / area[0]! : null;
  }
  const colourDelta = a.colour.reduce((s, v, c) => s + Math.abs(b.colour[c]! - v), 0);
  return { dx: b.x - a.x, dy: b.y - a.y, areaRatio, colourDelta };
}

/** data.py `prompt_matches`, ported: does the measured motion agree with the prompt's verb? */
export function promptMatches(prompt: string, m: MotionMeasure | null): boolean {
  if (m === null) return false;
  const subject = prompt.split(' on a ')[0]!;
  if (subject.endsWith(' left')) return m.dx < -5;
  if (subject.endsWith(' right')) return m.dx > 5;
  if (subject.endsWith(' up')) return m.dy < -3;
  if (subject.endsWith(' down')) return m.dy > 3;
  if (subject.includes('grows')) return m.areaRatio !== null && m.areaRatio > 2;
  if (subject.includes('shrinks')) return m.areaRatio !== null && m.areaRatio < 0.5;
  if (subject.includes('colour') || subject.includes('turns')) return m.colourDelta > 60;
  return true; // bounce / rotate: only "the frames change at all" (framesChange below), as data.py's check
}

/** Mean |first − last| over all bytes: data.py's check requires > 0.5 besides prompt_matches. */
export function framesChange(set: FrameSet): number {
  const first = set.frames[0]!, last = set.frames[set.frames.length - 1]!;
  let s = 0;
  for (let i = 0; i < first.length; i++) s += Math.abs(first[i]! - last[i]!);
  return s / first.length;
}

/** The data.py self-check's rule: the prompt matches the measured motion and the frames change. */
export function followsPrompt(prompt: string, set: FrameSet): { follows: boolean; measured: MotionMeasure | null; framesChange: number } {
  const measured = measureMotion(set);
  const change = framesChange(set);
  return { follows: promptMatches(prompt, measured) && change > 0.5, measured, framesChange: change };
}
