// `npm run bench -- drift`: FramePack's anti-drifting claim, measured (issue 7). For a fixed set of
// held-out start images and prompts (scripts/train/data.py clips of a seed the training never
// uses, one forced motion per case), it generates the same video in `inverted` (bi-directional,
// anti-drifting) and `vanilla` (recent frames only) mode with the same seed, through the real
// in-process generateVideo (no partial videos, the bundle's TeaCache default), decodes the MP4 and
// reports per second of video the drift against the first second (colour histogram distance,
// sharpness ratio) and the prompt-following rate per training-clip-length window. A summary per
// mode compares the late drift (last 5 s vs the first second).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { savePng } from '../../daemon/media/image-input.js';
import { findFfmpeg, probeVideo } from '../../daemon/media/ffmpeg.js';
import { generateVideo } from '../../daemon/engine/pipeline/pipeline.js';
import { resolveJobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { openSessions } from '../../daemon/engine/pipeline/sessions.js';
import type { StepCacheKind } from '../../daemon/engine/step-cache.js';
import { summarizeCaches, type CacheCaseResult, type CachesRow } from './cache-compare.js';
import { videoPsnr } from './precision-bench.js';
import { colourHistogram, followsPrompt, histogramDistance, sharpness, type FrameSet, type MotionMeasure } from './frame-metrics.js';

export type DriftMode = 'inverted' | 'vanilla';
export const DRIFT_MODES: readonly DriftMode[] = ['inverted', 'vanilla'];

/** data.py seed for the benchmark cases. Training uses seed 1001 (config.json), so these clips are held out. */
export const HELD_OUT_DATA_SEED = 7007;
/** Motions in case order: the measurable ones first (bounce/rotate only count "frames change"). */
export const CASE_MOTIONS = ['left', 'right', 'up', 'down', 'grow', 'shrink', 'colour', 'bounce', 'rotate'] as const;
/** Motions data.py's prompt_matches cannot check (it only requires the frames to change). */
export const UNMEASURED_MOTIONS: readonly string[] = ['bounce', 'rotate'];
/** Generation seed of case i: BASE_SEED + i, the same in both modes. */
export const BASE_SEED = 31337;
/** Frames of one training clip (data.py default, 4 sections at 30 fps): the prompt-following window. */
export const PROMPT_WINDOW_FRAMES = 145;
/** Late drift = the mean over the last this-many seconds (fewer if the video is shorter). */
export const LATE_SECONDS = 5;

export interface DriftCase {
  index: number;
  motion: string;
  prompt: string;
  seed: number;
  /** Start image, rgb24 at the data's 64×96. */
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface SecondMetrics {
  /** 0-based second of video; frames [30·s, 30·s + 30). */
  second: number;
  /** Colour-histogram distance of this second's frames to the first second's, in [0, 1]. */
  histDistance: number;
  /** Mean variance of the luma Laplacian over this second's frames. */
  sharpness: number;
  /** sharpness / the first second's. */
  sharpnessRatio: number;
}

export interface DriftCaseRow {
  bench: 'drift';
  type: 'case';
  case: number;
  mode: DriftMode;
  /** The step cache (only with --caches; else the bundle's default). */
  cache?: StepCacheKind;
  motion: string;
  prompt: string;
  seed: number;
  frames: number;
  fps: number;
  generateSeconds: number;
  perSecond: SecondMetrics[];
  /** Mean histDistance / sharpnessRatio over the last LATE_SECONDS seconds (excluding second 0 when there are more). */
  lateHistDistance: number;
  lateSharpnessRatio: number;
  /** One entry per window of PROMPT_WINDOW_FRAMES frames (the whole video if shorter). */
  promptWindows: { startFrame: number; frames: number; follows: boolean; measured: MotionMeasure | null }[];
  promptFollowingRate: number;
}

export interface DriftModeSummary {
  mode: DriftMode;
  cases: number;
  meanLateHistDistance: number;
  meanLateSharpnessRatio: number;
  promptFollowingRate: number;
  /** The same without bounce/rotate cases, whose only test is "the frames change" (any noise passes
   *  it); null when every case is bounce/rotate. */
  promptFollowingRateMeasurable: number | null;
}

export interface DriftSummaryRow {
  bench: 'drift';
  type: 'summary';
  bundle: string;
  bucket: string;
  seconds: number;
  steps: number;
  teacache: boolean;
  /** With --caches: the cache this summary is about. */
  cache?: StepCacheKind;
  lateSeconds: number;
  modes: DriftModeSummary[];
  /** Mean late hist distance inverted / vanilla (< 1: inverted drifts less). */
  lateHistDistanceRatio: number;
  /** Cases whose inverted late hist distance is below vanilla's. */
  casesInvertedDriftsLess: number;
  wallSeconds: number;
}

export type DriftBenchOutput = DriftCaseRow | DriftSummaryRow | CachesRow;

export interface DriftBenchOptions {
  bundleDir: string;
  seconds: number;
  cases: number;
  steps?: number;
  /** Generate every case with each of these caches (off first is best: the others are compared to it). */
  caches?: readonly StepCacheKind[];
  onRow: (row: DriftBenchOutput) => void;
}

const PY_CASES = `
import base64, json, sys
sys.path.insert(0, sys.argv[1])
import data
seed, motions = int(sys.argv[2]), json.loads(sys.argv[3])
for i, m in enumerate(motions):
    px, prompt, meta = data.clip(seed, i, motion=m)
    print(json.dumps({"index": i, "motion": meta["motion"], "prompt": prompt, "height": int(px.shape[1]), "width": int(px.shape[2]), "rgb": base64.b64encode(px[0].tobytes()).decode()}))
`;

/** The held-out cases: data.py clip(HELD_OUT_DATA_SEED, i, motion=CASE_MOTIONS[i mod 9]), first frame and prompt. */
export async function driftCases(count: number): Promise<DriftCase[]> {
  const motions = Array.from({ length: count }, (_, i) => CASE_MOTIONS[i % CASE_MOTIONS.length]!);
  const dataDir = path.resolve(import.meta.dirname, '../train');
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', PY_CASES, dataDir, String(HELD_OUT_DATA_SEED), JSON.stringify(motions)], { maxBuffer: 64 << 20 });
  return stdout.trim().split('\n').map((line) => {
    const c = JSON.parse(line) as { index: number; motion: string; prompt: string; height: number; width: number; rgb: string };
    return { index: c.index, motion: c.motion, prompt: c.prompt, seed: BASE_SEED + c.index, width: c.width, height: c.height, rgb: new Uint8Array(Buffer.from(c.rgb, 'base64')) };
  });
}

/** Every frame of an MP4 as rgb24 (one ffmpeg raw decode). */
export async function decodeVideoRgb(filePath: string): Promise<FrameSet & { fps: number }> {
  const tools = await findFfmpeg();
  const probe = await probeVideo(filePath, tools);
  const chunks: Buffer[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const p = spawn(tools.ffmpegPath, ['-hide_banner', '-nostats', '-v', 'error', '-i', filePath, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.on('data', (b: Buffer) => chunks.push(b));
    p.on('error', reject);
    p.on('close', (c) => resolve(c ?? 1));
  });
  const all = Buffer.concat(chunks);
  const size = probe.width * probe.height * 3;
  if (code !== 0 || all.length === 0 || all.length % size !== 0) throw new Error(`decoding ${filePath}: ffmpeg exit ${code}, ${all.length} bytes`);
  const frames: Uint8Array[] = [];
  for (let o = 0; o < all.length; o += size) frames.push(new Uint8Array(all.buffer, all.byteOffset + o, size));
  return { width: probe.width, height: probe.height, frames, fps: probe.fps };
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Per-second drift against second 0 (a trailing partial second is dropped unless it is the only one). */
export function perSecondMetrics(video: FrameSet, fps: number): SecondMetrics[] {
  const perSec = Math.max(1, Math.round(fps));
  const seconds = Math.max(1, Math.floor(video.frames.length / perSec));
  const sets = Array.from({ length: seconds }, (_, s) => ({ ...video, frames: video.frames.slice(s * perSec, (s + 1) * perSec) }));
  const h0 = colourHistogram(sets[0]!), sharp0 = sharpness(sets[0]!);
  return sets.map((set, s) => {
    const sh = sharpness(set);
    return { second: s, histDistance: round4(histogramDistance(h0, colourHistogram(set))), sharpness: round4(sh), sharpnessRatio: round4(sharp0 > 0 ? sh / sharp0 : NaN) };
  });
}

/** The last LATE_SECONDS seconds, not counting second 0 when there are others. */
export function lateSeconds(per: SecondMetrics[]): SecondMetrics[] {
  const rest = per.length > 1 ? per.slice(1) : per;
  return rest.slice(-LATE_SECONDS);
}

/** Prompt following per PROMPT_WINDOW_FRAMES window (the whole video when shorter; a short tail is dropped). */
export function promptWindows(prompt: string, video: FrameSet): DriftCaseRow['promptWindows'] {
  const n = video.frames.length;
  const count = Math.max(1, Math.floor(n / PROMPT_WINDOW_FRAMES));
  const len = n < PROMPT_WINDOW_FRAMES ? n : PROMPT_WINDOW_FRAMES;
  return Array.from({ length: count }, (_, w) => {
    const r = followsPrompt(prompt, { ...video, frames: video.frames.slice(w * len, (w + 1) * len) });
    return { startFrame: w * len, frames: len, follows: r.follows, measured: r.measured };
  });
}

export async function benchDrift(opts: DriftBenchOptions): Promise<void> {
  const started = performance.now();
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const manifest = bundle.manifest;
  const sessions = await openSessions(bundle);
  const work = await mkdtemp(path.join(os.tmpdir(), 'fp-drift-'));
  const rows: DriftCaseRow[] = [];
  const cacheResults: CacheCaseResult[] = [];
  const offVideos = new Map<string, Awaited<ReturnType<typeof decodeVideoRgb>>>();
  const caches: readonly (StepCacheKind | undefined)[] = opts.caches?.length ? opts.caches : [undefined];
  let bucket = '', steps = 0, teacache = false;
  try {
    for (const c of await driftCases(opts.cases)) {
      const imagePath = path.join(work, `case-${c.index}.png`);
      await savePng({ width: c.width, height: c.height, rgb: c.rgb }, imagePath);
      for (const mode of DRIFT_MODES) for (const cache of caches) {
        const spec = resolveJobSpec({ imagePath, prompt: c.prompt, seconds: opts.seconds, seed: c.seed, mode, ...(opts.steps !== undefined ? { steps: opts.steps } : {}), ...(cache ? { cache } : {}) }, manifest, manifest.name);
        steps = spec.steps; teacache = spec.teacache;
        const calls = { computed: 0, skipped: 0 };
        const t0 = performance.now();
        const out = await generateVideo(spec, {
          bundle, sessions, partials: false, out: path.join(work, `case-${c.index}-${mode}-${cache ?? 'default'}.mp4`),
          onEvent: (e) => {
            if (e.type === 'job.planned') bucket = `${e.bucket.height}x${e.bucket.width}`;
            if (e.type === 'section.done') { calls.computed += e.teacache.computed; calls.skipped += e.teacache.skipped; }
          },
        });
        const generateSeconds = (performance.now() - t0) / 1000;
        const video = await decodeVideoRgb(out);
        const per = perSecondMetrics(video, video.fps);
        const late = lateSeconds(per);
        const windows = promptWindows(c.prompt, video);
        const row: DriftCaseRow = {
          bench: 'drift', type: 'case', case: c.index, mode, ...(cache ? { cache } : {}), motion: c.motion, prompt: c.prompt, seed: c.seed,
          frames: video.frames.length, fps: video.fps, generateSeconds: Math.round(generateSeconds * 100) / 100, perSecond: per,
          lateHistDistance: round4(mean(late.map((s) => s.histDistance))), lateSharpnessRatio: round4(mean(late.map((s) => s.sharpnessRatio))),
          promptWindows: windows, promptFollowingRate: round4(windows.filter((w) => w.follows).length / windows.length),
        };
        rows.push(row);
        opts.onRow(row);
        if (cache) {
          if (cache === 'off') offVideos.set(`${c.index}/${mode}`, video);
          const off = cache === 'off' ? undefined : offVideos.get(`${c.index}/${mode}`);
          cacheResults.push({
            cache, mode, generateSeconds, computedCalls: calls.computed, skippedCalls: calls.skipped, lateHistDistance: row.lateHistDistance,
            psnrVsOffDb: off ? Math.round(videoPsnr(video, off).meanDb * 100) / 100 : null,
          });
        }
      }
    }
  } finally {
    await sessions.release();
    await rm(work, { recursive: true, force: true });
  }
  for (const cache of caches) {
    const all = rows.filter((x) => x.cache === cache);
    const modes = DRIFT_MODES.map((mode): DriftModeSummary => {
      const r = all.filter((x) => x.mode === mode);
      const windows = r.flatMap((x) => x.promptWindows);
      const measurable = r.filter((x) => !UNMEASURED_MOTIONS.includes(x.motion)).flatMap((x) => x.promptWindows);
      return {
        mode, cases: r.length,
        meanLateHistDistance: round4(mean(r.map((x) => x.lateHistDistance))),
        meanLateSharpnessRatio: round4(mean(r.map((x) => x.lateSharpnessRatio))),
        promptFollowingRate: round4(windows.filter((w) => w.follows).length / windows.length),
        promptFollowingRateMeasurable: measurable.length === 0 ? null : round4(measurable.filter((w) => w.follows).length / measurable.length),
      };
    });
    const inv = all.filter((x) => x.mode === 'inverted'), van = all.filter((x) => x.mode === 'vanilla');
    opts.onRow({
      bench: 'drift', type: 'summary', bundle: manifest.name, bucket, seconds: opts.seconds, steps, teacache: cache ? cache === 'tea' : teacache, ...(cache ? { cache } : {}), lateSeconds: LATE_SECONDS, modes,
      lateHistDistanceRatio: round4(modes[0]!.meanLateHistDistance / modes[1]!.meanLateHistDistance),
      casesInvertedDriftsLess: inv.filter((x, i) => x.lateHistDistance < van[i]!.lateHistDistance).length,
      wallSeconds: Math.round((performance.now() - started) / 10) / 100,
    });
  }
  if (opts.caches?.length) opts.onRow(summarizeCaches(cacheResults, opts.caches));
}
