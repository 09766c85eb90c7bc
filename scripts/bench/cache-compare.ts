// `bench drift --caches tea,mag,off`: the same held-out cases generated with each step cache in one
// run; per cache the summed generate time (speed-up = off's time / this one's), the fraction of
// transformer block calls skipped, the late drift (as the drift bench measures it) and the
// per-frame PSNR against the uncached video of the same case and mode.
import type { StepCacheKind } from '../../daemon/engine/step-cache.js';

export interface CacheCaseResult {
  cache: StepCacheKind;
  mode: string;
  generateSeconds: number;
  computedCalls: number;
  skippedCalls: number;
  lateHistDistance: number;
  /** Mean per-frame PSNR (dB, identical frames count as 99) against the off video; null for off itself or when off was not run. */
  psnrVsOffDb: number | null;
}

export interface CacheSummary {
  cache: StepCacheKind;
  jobs: number;
  generateSeconds: number;
  /** off's generate time / this cache's (null without an off run). */
  speedup: number | null;
  skippedFraction: number;
  meanLateHistDistance: number;
  /** Inverted-mode late drift only (the default mode). */
  meanLateHistDistanceInverted: number | null;
  meanPsnrVsOffDb: number | null;
}

export interface CachesRow { bench: 'drift'; type: 'caches'; caches: CacheSummary[] }

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function summarizeCaches(results: readonly CacheCaseResult[], order: readonly StepCacheKind[]): CachesRow {
  const offSeconds = results.filter((r) => r.cache === 'off').reduce((s, r) => s + r.generateSeconds, 0);
  const hasOff = results.some((r) => r.cache === 'off');
  return {
    bench: 'drift', type: 'caches',
    caches: order.map((cache): CacheSummary => {
      const rs = results.filter((r) => r.cache === cache);
      const seconds = rs.reduce((s, r) => s + r.generateSeconds, 0);
      const calls = rs.reduce((s, r) => s + r.computedCalls + r.skippedCalls, 0);
      const psnr = rs.map((r) => r.psnrVsOffDb).filter((x): x is number => x !== null);
      const inv = rs.filter((r) => r.mode === 'inverted');
      return {
        cache, jobs: rs.length, generateSeconds: r3(seconds),
        speedup: hasOff && seconds > 0 ? r3(offSeconds / seconds) : null,
        skippedFraction: calls === 0 ? 0 : r3(rs.reduce((s, r) => s + r.skippedCalls, 0) / calls),
        meanLateHistDistance: r3(mean(rs.map((r) => r.lateHistDistance))),
        meanLateHistDistanceInverted: inv.length ? r3(mean(inv.map((r) => r.lateHistDistance))) : null,
        meanPsnrVsOffDb: psnr.length ? Math.round(mean(psnr) * 100) / 100 : null,
      };
    }),
  };
}

export function cachesLines(row: CachesRow): string {
  const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));
  return ['caches (same cases, modes and seeds):', ...row.caches.map((c) =>
    `  ${c.cache.padEnd(3)} ${c.jobs} jobs ${c.generateSeconds.toFixed(1).padStart(7)} s  speed-up ×${f(c.speedup, 2)}  blocks skipped ${(c.skippedFraction * 100).toFixed(0).padStart(3)} %  ` +
    `late hist ${f(c.meanLateHistDistance)} (inverted ${f(c.meanLateHistDistanceInverted)})  PSNR vs off ${c.meanPsnrVsOffDb === null ? 'n/a' : `${c.meanPsnrVsOffDb.toFixed(2)} dB`}`)].join('\n');
}
