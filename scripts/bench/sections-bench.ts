// `npm run bench -- sections`: FramePack's O(1) claim, measured. A long video (default 60 s = 50
// sections) with a bundle (default models/framepack-tiny) at its default bucket, twice:
// - packed: the real pipeline's section loop (runSections) in the bundle's mode, with the packed
//   1×/2×/4× context of fixed size, VAE decode and soft-append per section (no MP4 encoding);
// - naive: every history latent at full resolution as 1× context (naive-context.ts), which grows
//   the attention sequence with the video. It is stopped when a section exceeds the time cap or
//   the RSS cap, or before a section whose attention scores alone would break the RSS cap; where
//   and why it stopped is part of the result.
// Both use the same model, prompt, seed, sampler, σ schedule and steps, with TeaCache off (every
// step runs the blocks). One row per section, then one summary per variant with the growth ratios
// last section / first section of time and of peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBundle } from '../../daemon/models/bundle/load-bundle.js';
import { runImageProjection } from '../../daemon/models/transformer/run-transformer.js';
import { computeConditioning } from '../../daemon/engine/pipeline/conditioning.js';
import { layoutJob } from '../../daemon/engine/pipeline/job-plan.js';
import { resolveJobSpec, type JobSpec } from '../../daemon/engine/pipeline/job-spec.js';
import { runSections } from '../../daemon/engine/pipeline/section-loop.js';
import { openSessions, type PipelineSessions } from '../../daemon/engine/pipeline/sessions.js';
import { SeededNoise } from '../../daemon/engine/seeded-noise.js';
import type { RgbImage } from '../../daemon/media/pixels.js';
import { MemorySampler, type MemoryWindow } from './memory-sampler.js';
import { NaiveContextRunner } from './naive-context.js';

export type SectionsVariant = 'packed' | 'naive';

export interface SectionBenchRow extends MemoryWindow {
  bench: 'sections';
  type: 'section';
  variant: SectionsVariant;
  /** 1-based, in generation order. */
  section: number;
  sections: number;
  /** Latent frames in the history before this section. */
  historyLatents: number;
  /** Latent frames fed as context: packed 2 + 2 + 16 (fixed), naive all history. */
  contextLatents: number;
  /** Image-side tokens per transformer call. */
  imageSideTokens: number;
  /** Context graph + all sampling steps, ms (both variants; the ratio compares these). */
  samplingMs: number;
  /** The whole section: packed adds VAE decode and soft-append; naive = samplingMs. */
  sectionMs: number;
}

export interface SectionBenchSummary {
  bench: 'sections';
  type: 'summary';
  variant: SectionsVariant;
  bundle: string;
  bucket: string;
  mode: string;
  seconds: number;
  steps: number;
  sectionsPlanned: number;
  sectionsRun: number;
  /** Why the naive run ended early, or null when it ran every section. */
  stopped: null | { afterSection: number; reason: string };
  /** samplingMs of the last section run / the first. */
  timeRatio: number;
  /** rssPeakMiB of the last section run / the first. */
  rssPeakRatio: number;
  /** rssPeakMiB of the last section run − the first (the ratio's denominator includes the loaded model). */
  rssPeakGrowthMiB: number;
  /** Median samplingMs of the last 5 sections / of the first 5 (⌊n/2⌋ when fewer ran): the same
   *  ratio, less sensitive to one noisy section. */
  timeRatioMedian5: number;
  /** ArrayBuffer memory (latents, the decoded pixel history) at the last section − the first. */
  arrayBuffersGrowthMiB: number;
  firstSamplingMs: number;
  lastSamplingMs: number;
  firstRssPeakMiB: number;
  lastRssPeakMiB: number;
  /** getrusage peak of the process at the end of the variant. */
  maxRssMiB: number;
  wallSeconds: number;
  threads: number;
}

export type SectionsBenchOutput = SectionBenchRow | SectionBenchSummary;

export interface SectionsBenchOptions {
  bundleDir: string;
  seconds: number;
  steps: number;
  /** Stop the naive run after a section whose samplingMs exceeds this. */
  naiveSectionCapMs: number;
  /** Stop the naive run after a section whose RSS peak exceeds this (and don't start one predicted to). */
  naiveRssCapMiB: number;
  /** Which variants to run (default both). */
  variants?: readonly SectionsVariant[];
  onRow: (row: SectionsBenchOutput) => void;
}

/** A smooth gradient at the bundle's default bucket (no file: the image only needs to be fixed). */
function benchImage(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    rgb[i] = Math.round((255 * x) / (width - 1)); rgb[i + 1] = Math.round((255 * y) / (height - 1)); rgb[i + 2] = 128;
  }
  return { width, height, rgb };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round3 = (x: number) => Math.round(x * 1000) / 1000;

function summarize(rows: SectionBenchRow[], base: Omit<SectionBenchSummary, 'sectionsRun' | 'timeRatio' | 'rssPeakRatio' | 'rssPeakGrowthMiB' | 'timeRatioMedian5' | 'arrayBuffersGrowthMiB' | 'firstSamplingMs' | 'lastSamplingMs' | 'firstRssPeakMiB' | 'lastRssPeakMiB' | 'maxRssMiB'>): SectionBenchSummary {
  const first = rows[0]!, last = rows[rows.length - 1]!;
  const w = Math.max(1, Math.min(5, Math.floor(rows.length / 2))); // windows never overlap
  return {
    ...base, sectionsRun: rows.length,
    timeRatio: round3(last.samplingMs / first.samplingMs), rssPeakRatio: round3(last.rssPeakMiB / first.rssPeakMiB),
    rssPeakGrowthMiB: round2(last.rssPeakMiB - first.rssPeakMiB),
    timeRatioMedian5: round3(median(rows.slice(-w).map((r) => r.samplingMs)) / median(rows.slice(0, w).map((r) => r.samplingMs))),
    arrayBuffersGrowthMiB: round2(last.arrayBuffersMiB - first.arrayBuffersMiB),
    firstSamplingMs: first.samplingMs, lastSamplingMs: last.samplingMs, firstRssPeakMiB: first.rssPeakMiB, lastRssPeakMiB: last.rssPeakMiB,
    maxRssMiB: last.maxRssMiB,
  };
}

async function benchPacked(ctx: BenchContext, onRow: (r: SectionsBenchOutput) => void): Promise<void> {
  const { sessions, spec, layout, conditioning, imageTokens } = ctx;
  const { plan } = layout;
  const rows: SectionBenchRow[] = [];
  const sampler = new MemorySampler();
  const started = performance.now();
  let sectionStart = 0, lastStep = 0;
  await runSections({
    sessions, manifest: ctx.manifest, spec, plan, geometry: layout.latent, conditioning, imageTokens, noise: SeededNoise.fromSeed(spec.seed),
    spoolDir: ctx.spoolDir, onEvent: (e) => {
      if (e.type === 'section.started') { sampler.start(); sectionStart = performance.now(); }
      else if (e.type === 'step') lastStep = performance.now();
      else if (e.type === 'section.done') {
        const end = performance.now();
        const s = plan.sections[e.section - 1]!;
        const row: SectionBenchRow = {
          bench: 'sections', type: 'section', variant: 'packed', section: e.section, sections: plan.sectionCount,
          historyLatents: s.historyBefore, contextLatents: s.indices.clean.length + s.indices.clean2x.length + s.indices.clean4x.length,
          imageSideTokens: s.tokens.imageSide, samplingMs: round2(lastStep - sectionStart), sectionMs: round2(end - sectionStart),
          ...sampler.stop(),
        };
        rows.push(row);
        onRow(row);
      }
    },
  });
  onRow(summarize(rows, { ...ctx.summaryBase, variant: 'packed', mode: plan.mode, stopped: null, wallSeconds: round2((performance.now() - started) / 1000) }));
}

async function benchNaive(ctx: BenchContext, opts: SectionsBenchOptions, onRow: (r: SectionsBenchOutput) => void): Promise<void> {
  const { layout } = ctx;
  const runner = new NaiveContextRunner({
    sessions: ctx.sessions, manifest: ctx.manifest, spec: ctx.spec, geometry: layout.latent,
    conditioning: ctx.conditioning, imageTokens: ctx.imageTokens, noise: SeededNoise.fromSeed(ctx.spec.seed),
  });
  const heads = ctx.sessions.transformerConfig.numAttentionHeads;
  const n = layout.plan.sectionCount;
  const rows: SectionBenchRow[] = [];
  const started = performance.now();
  let stopped: SectionBenchSummary['stopped'] = null;
  for (let k = 1; k <= n; k++) {
    // The explicit attention keeps the scores and their softmax, [1, heads, S, S] float32 each.
    const s = runner.nextAttentionTokens();
    const scoresMiB = (2 * heads * s * s * 4) / (1024 * 1024);
    const rssNow = process.memoryUsage.rss() / (1024 * 1024);
    if (rssNow + scoresMiB > opts.naiveRssCapMiB) {
      stopped = { afterSection: k - 1, reason: `section ${k} would need ≈${Math.round(scoresMiB)} MiB for attention scores (S = ${s}) on top of ${Math.round(rssNow)} MiB RSS, over the ${opts.naiveRssCapMiB} MiB cap` };
      break;
    }
    const sampler = new MemorySampler();
    sampler.start();
    const r = await runner.runSection();
    const mem = sampler.stop();
    const row: SectionBenchRow = {
      bench: 'sections', type: 'section', variant: 'naive', section: k, sections: n,
      historyLatents: r.historyLatents, contextLatents: r.historyLatents, imageSideTokens: r.imageSideTokens,
      samplingMs: round2(r.samplingMs), sectionMs: round2(r.samplingMs), ...mem,
    };
    rows.push(row);
    opts.onRow(row);
    if (k === n) break;
    if (r.samplingMs > opts.naiveSectionCapMs) {
      stopped = { afterSection: k, reason: `section ${k} took ${(r.samplingMs / 1000).toFixed(1)} s, over the ${(opts.naiveSectionCapMs / 1000).toFixed(0)} s per-section cap` };
      break;
    }
    if (mem.rssPeakMiB > opts.naiveRssCapMiB) {
      stopped = { afterSection: k, reason: `section ${k} peaked at ${mem.rssPeakMiB} MiB RSS, over the ${opts.naiveRssCapMiB} MiB cap` };
      break;
    }
  }
  if (rows.length === 0) throw new Error(`naive baseline: ${stopped?.reason ?? 'no section ran'}`);
  onRow(summarize(rows, { ...ctx.summaryBase, variant: 'naive', mode: 'forward, all history at 1×', stopped, wallSeconds: round2((performance.now() - started) / 1000) }));
}

interface BenchContext {
  sessions: PipelineSessions;
  manifest: Awaited<ReturnType<typeof loadBundle>>['manifest'];
  spec: JobSpec;
  layout: ReturnType<typeof layoutJob>;
  conditioning: Awaited<ReturnType<typeof computeConditioning>>;
  imageTokens: Awaited<ReturnType<typeof runImageProjection>>;
  /** Where the loop writes final frames (pixel-store.ts), removed at the end. */
  spoolDir: string;
  summaryBase: Pick<SectionBenchSummary, 'bench' | 'type' | 'bundle' | 'bucket' | 'seconds' | 'steps' | 'sectionsPlanned' | 'threads'>;
}

export async function benchSections(opts: SectionsBenchOptions): Promise<void> {
  const bundle = await loadBundle(opts.bundleDir, { verify: 'cached' });
  const manifest = bundle.manifest;
  const sessions = await openSessions(bundle);
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'fp-bench-sections-'));
  try {
    const { width, height } = manifest.defaultBucket;
    const image = benchImage(width, height);
    const prompt = 'a red ball bounces across a wooden table';
    const spec = resolveJobSpec({ imagePath: 'bench.png', prompt, seconds: opts.seconds, steps: opts.steps, teacache: false }, manifest, manifest.name);
    const layout = layoutJob(spec, manifest, { width, height });
    const conditioning = await computeConditioning(sessions, manifest, image, { prompt, negativePrompt: spec.negativePrompt, cfg: spec.cfg });
    const imageTokens = await runImageProjection(sessions.transformer, conditioning.imageEmbeddings);
    const ctx: BenchContext = {
      sessions, manifest, spec, layout, conditioning, imageTokens, spoolDir,
      summaryBase: {
        bench: 'sections', type: 'summary', bundle: manifest.name, bucket: `${height}x${width}`, seconds: opts.seconds, steps: opts.steps,
        sectionsPlanned: layout.plan.sectionCount, threads: os.availableParallelism(),
      },
    };
    // Untimed warm-up (one 1-step section): the first run of each ORT session pays one-off
    // allocation and kernel set-up, which would otherwise inflate section 1 and the ratios.
    const warm = resolveJobSpec({ imagePath: 'bench.png', prompt, seconds: 1, steps: 1, teacache: false }, manifest, manifest.name);
    await runSections({
      sessions, manifest, spec: warm, plan: layoutJob(warm, manifest, { width, height }).plan, geometry: layout.latent,
      conditioning, imageTokens, noise: SeededNoise.fromSeed(warm.seed), spoolDir, onEvent: () => {},
    });
    const variants = opts.variants ?? ['packed', 'naive'];
    if (variants.includes('packed')) await benchPacked(ctx, opts.onRow);
    if (variants.includes('naive')) await benchNaive(ctx, opts, opts.onRow);
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
    await sessions.release();
  }
}
