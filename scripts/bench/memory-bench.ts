// `npm run bench -- memory`: (1) the computed tables of docs/memory.md for the official model
// (memory-table.ts), as markdown; (2) the estimate checked against measured RSS on the CPU: every
// graph of a bundle loaded and run once at its default bucket with all sessions kept open (the
// all-resident plan, as graphs-bench runs them), the process RSS growth set against the plan's peak.
import path from 'node:path';
import { readManifest } from '../../daemon/models/bundle/load-bundle.js';
import { jobComponentBytes } from '../../daemon/residency/job-memory.js';
import { planOf, PLAN_COMPONENTS, type MemoryPlanKind } from '../../daemon/residency/memory-plan.js';
import { benchGraphs } from './graphs-bench.js';
import { MemorySampler } from './memory-sampler.js';
import { bestPlan, official, parameterCount, planInput, PRECISIONS, weightBytes, type ActivationOptions, type Precision } from './memory-table.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const g = (b: number) => (b / GiB).toFixed(2);
/** The official demo's floor: a 6 GB card, less ~0.5 GiB for the CUDA context and allocator slack. */
export const SIX_GB_CARD_AVAILABLE_BYTES = 5.5 * GiB;
// The default (square-input) bucket and the widest; the 14 official buckets hold 389k–399k pixels, so the others fall between.
const BUCKETS = [{ height: 640, width: 608 }, { height: 416, width: 960 }];
const PLANS: MemoryPlanKind[] = ['all-resident', 'release-encoders', 'stream-blocks'];

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function weightTable(): string {
  const lines = [row(['component', 'parameters', ...PRECISIONS.map((p) => `${p} GiB`)]), row(['---', '---:', ...PRECISIONS.map(() => '---:')])];
  for (const id of PLAN_COMPONENTS) lines.push(row([id, `${(parameterCount(id) / 1e9).toFixed(3)} B`, ...PRECISIONS.map((p) => g(weightBytes(id, p)))]));
  return lines.join('\n');
}

/** bucket × precision × plan → peak per component and overall, at the official window (9). */
export function peakTable(o: ActivationOptions): string {
  const window = official.defaults.windowSize;
  const lines = [
    row(['bucket (H×W)', 'precision', 'plan', ...PLAN_COMPONENTS, 'peak GiB', 'moved/call GiB']),
    row(['---', '---', '---', ...PLAN_COMPONENTS.map(() => '---:'), '---:', '---:']),
  ];
  for (const bucket of BUCKETS) {
    for (const p of PRECISIONS) {
      const input = planInput(p, bucket, window, o);
      for (const kind of PLANS) {
        const plan = bestPlan(input, kind, SIX_GB_CARD_AVAILABLE_BYTES);
        const name = kind === 'stream-blocks' ? `stream K=${plan.groups}` : kind;
        lines.push(row([`${bucket.height}×${bucket.width}`, p, name, ...PLAN_COMPONENTS.map((id) => g(plan.components[id].peakBytes)), g(plan.peakBytes), g(plan.bytesMovedPerCall)]));
      }
    }
  }
  return lines.join('\n');
}

/** The 6 GB card plan: Llama int4 alone for conditioning, the transformer's blocks streamed, at each transformer precision. */
export function sixGbTable(o: ActivationOptions): string {
  const bucket = official.defaultBucket;
  const lines = [
    row(['transformer', 'Llama', 'groups K', 'conditioning GiB', 'sampling GiB', 'decoding GiB', 'peak GiB', 'moved/step GiB', 'official DynamicSwap moved/step GiB']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  const bf16Transformer = weightBytes('transformer', 'fp16');
  for (const p of ['fp16', 'int8', 'int4'] as Precision[]) {
    const input = planInput(p, bucket, official.defaults.windowSize, o);
    const llama = planInput('int4', bucket, official.defaults.windowSize, o).components.text_encoder;
    const mixed = { ...input, components: { ...input.components, text_encoder: llama } };
    const plan = bestPlan(mixed, 'stream-blocks', SIX_GB_CARD_AVAILABLE_BYTES);
    const fits = plan.peakBytes <= SIX_GB_CARD_AVAILABLE_BYTES;
    const [c, s, d] = plan.phases.map((x) => g(x.peakBytes));
    lines.push(row([p, 'int4', `${plan.groups}${fits ? '' : ' (does not fit)'}`, c!, s!, d!, g(plan.peakBytes), g(plan.bytesMovedPerCall), g(bf16Transformer)]));
  }
  return lines.join('\n');
}

export interface MeasuredRow {
  bundle: string;
  bucket: string;
  /** The all-resident plan's peak from the manifest (weights = file sizes, activations estimated). */
  planPeakMiB: number;
  weightsMiB: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  maxRssMiB: number;
  /** Sampled RSS peak − RSS before loading: what loading and running every graph added. */
  rssGrowthMiB: number;
  /** rssGrowthMiB / planPeakMiB. */
  ratio: number;
}

export async function measureBundle(bundleDir: string): Promise<MeasuredRow> {
  const m = await readManifest(bundleDir);
  const bytes = jobComponentBytes(m, m.defaultBucket, m.defaults.windowSize);
  const plan = planOf(bytes, 'all-resident');
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  const sampler = new MemorySampler(2);
  sampler.start();
  await benchGraphs({ bundleDir: path.resolve(bundleDir), runs: 1, onRow: () => {} });
  const w = sampler.stop();
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const growth = w.rssPeakMiB - before / MiB;
  return {
    bundle: m.name, bucket: `${m.defaultBucket.height}×${m.defaultBucket.width}`,
    planPeakMiB: r1(plan.peakBytes / MiB), weightsMiB: r1(PLAN_COMPONENTS.reduce((a, id) => a + bytes.components[id].weightBytes, 0) / MiB),
    rssBeforeMiB: r1(before / MiB), rssPeakMiB: w.rssPeakMiB, maxRssMiB: w.maxRssMiB, rssGrowthMiB: r1(growth), ratio: Math.round((growth / (plan.peakBytes / MiB)) * 100) / 100,
  };
}
