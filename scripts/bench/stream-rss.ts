// `npm run bench -- stream`: the daemon's peak RSS for one job with the transformer's blocks
// resident against the same job with them streamed (the stream-blocks memory plan), on a bundle
// whose blocks outweigh everything else: by default a seeded, 1536-wide transformer (12 heads ×
// 128) with 6 single-stream blocks, fp32, its blocks also in 6 groups (wide-bundle.ts; 1.97 GB
// on disk, built into a temp folder and removed after). One daemon after the other, same job and
// seed: a daemon with room runs it all resident; a daemon whose --device-memory lies between the
// encoders-released plan's peak and the streaming plan's runs it streamed. Peak = the daemon's
// VmHWM (ONNX Runtime runs in its worker thread); after = its VmRSS once the job has ended. The
// videos are compared frame for frame. The streamed job runs twice, once per form of streaming
// (FRAMEPACK_STREAM_MODE, stream-mode.ts): `sessions` (per-group sessions created and released per
// call) and `inputs` (kept weight-free group sessions fed host-held weights). Time per transformer
// call = the daemon's seconds per step at the last step of each section (cfg 1: one call per step).
// `inputs` frames may differ from resident ones by ORT's prepacked-GEMM rounding (docs/memory.md).
//   npm run bench -- stream [--bundle DIR] [--runs N] [--json]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { readManifest } from '../../daemon/models/bundle/load-bundle.js';
import { jobComponentBytes } from '../../daemon/residency/job-memory.js';
import { planOf } from '../../daemon/residency/memory-plan.js';
import { nearestBucket } from '../../daemon/engine/buckets.js';
import { collectEvents, startDaemon, terminalsOf } from '../../test/helpers/daemon-harness.js';
import { buildWideBundle } from './wide-bundle.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const [WIDTH, HEIGHT] = [96, 64];
const kib = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

export interface StreamRun {
  plan: 'all-resident' | 'stream-blocks';
  /** FRAMEPACK_STREAM_MODE of a streamed run. */
  mode: 'sessions' | 'inputs' | null;
  groups: number | null;
  /** Seconds per step (one transformer call at cfg 1), mean over sections. */
  secPerCall: number;
  plannedPeakBytes: number;
  plannedTransformerBytes: number;
  peakBytes: number;
  afterBytes: number;
  jobSeconds: number;
}

async function measure(bundleDir: string, plan: StreamRun['plan'], deviceMemoryGiB: number | null, spec: { seconds: number; steps: number }, mode: StreamRun['mode'] = null): Promise<StreamRun & { frames: Buffer }> {
  const args = deviceMemoryGiB === null ? ['--preserve-vram', '0'] : ['--device-memory', deviceMemoryGiB.toFixed(6), '--preserve-vram', '0'];
  const d = await startDaemon({ env: { FRAMEPACK_ENGINE: 'onnx', FRAMEPACK_MODELS_DIR: path.dirname(bundleDir), ...(mode ? { FRAMEPACK_STREAM_MODE: mode } : {}) }, args });
  try {
    const image = path.join(d.base, 'start.png');
    const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
    for (let i = 0; i < WIDTH * HEIGHT; i++) rgb.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256], i * 3);
    await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).png().toFile(image);
    const c = await d.client();
    const col = await collectEvents(c);
    const job = { image, prompt: 'block streaming', model: path.basename(bundleDir), seconds: spec.seconds, steps: spec.steps, seed: 11, cfg: 1 };
    const planned = (await c.call('jobs.plan', { image, model: job.model, seconds: job.seconds, steps: job.steps })).memory!;
    if (planned.kind !== plan || !planned.fits) throw new Error(`expected ${plan}, the daemon planned ${planned.kind} (fits ${planned.fits}): ${planned.reason ?? ''}`);
    const started = performance.now();
    const { jobId } = await c.call('jobs.submit', job);
    await col.until((ev) => terminalsOf(ev, jobId).length > 0, 1_800_000);
    const jobSeconds = (performance.now() - started) / 1000;
    const [term] = terminalsOf(col.events, jobId);
    if (term!.event !== 'job.succeeded') throw new Error(JSON.stringify(term));
    const pid = d.child.pid!;
    const out = (term!.payload as { outputPath: string }).outputPath;
    type Step = { jobId: string; step: number; steps: number; secPerStep: number };
    const lastSteps = col.events.filter((e) => e.event === 'step').map((e) => e.payload as Step).filter((p) => p.jobId === jobId && p.step === p.steps);
    const secPerCall = lastSteps.reduce((a, p) => a + p.secPerStep, 0) / Math.max(1, lastSteps.length);
    const frames = execFileSync('ffmpeg', ['-v', 'error', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 256 << 20 });
    return {
      plan, mode, secPerCall, groups: planned.groups, plannedPeakBytes: planned.peakBytes,
      plannedTransformerBytes: planned.components.find((x) => x.component === 'transformer')!.weightBytes,
      peakBytes: kib(pid, 'VmHWM'), afterBytes: kib(pid, 'VmRSS'), jobSeconds, frames,
    };
  } finally {
    await d.cleanup();
  }
}

/** Byte differences of two rgb24 videos: the largest, the mean, and the share of bytes that differ. */
function frameDiff(a: Buffer, b: Buffer): { max: number; mean: number; differing: number } {
  if (a.length !== b.length) return { max: Infinity, mean: Infinity, differing: 1 };
  let [max, sum, n] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
    if (d) n++;
  }
  return { max, mean: sum / a.length, differing: n / a.length };
}

export async function runStreamBench(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: {
      bundle: { type: 'string' }, runs: { type: 'string', default: '1' }, seconds: { type: 'string', default: '1' },
      steps: { type: 'string', default: '2' }, json: { type: 'boolean', default: false },
    } }));
  } catch (err: unknown) {
    console.error(`bench stream: ${(err as Error).message}`);
    return 2;
  }
  const [runs, seconds, steps] = [Number(values.runs), Number(values.seconds), Number(values.steps)];
  if (!(Number.isInteger(runs) && runs >= 1 && seconds > 0 && Number.isInteger(steps) && steps >= 1)) {
    console.error('bench stream: --runs and --steps must be positive integers, --seconds > 0');
    return 2;
  }
  let tmp: string | null = null;
  let bundleDir: string;
  if (values.bundle) bundleDir = path.resolve(values.bundle);
  else {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'fp-stream-bench-'));
    bundleDir = path.join(tmp, 'framepack-wide-stream');
    console.error('bench stream: building the 1536-wide, 6-block bundle with 6 block groups (≈ 2.0 GB)…');
    await buildWideBundle({ outDir: bundleDir, dual: 0, single: 6, heads: 12, blockGroups: 6, name: 'framepack-wide-stream' });
  }
  try {
    const m = await readManifest(bundleDir);
    const k = m.components.transformer.blockGroups;
    if (!k) { console.error(`bench stream: ${bundleDir} has no block groups (build it with --block-groups K)`); return 2; }
    const b = nearestBucket(HEIGHT, WIDTH, m.buckets.map((x) => ({ heightPx: x.height, widthPx: x.width })));
    const bytes = jobComponentBytes(m, { width: b.widthPx, height: b.heightPx }, m.defaults.windowSize);
    const released = planOf(bytes, 'release-encoders').peakBytes;
    const streamed = planOf(bytes, 'stream-blocks', k).peakBytes;
    if (!(streamed < released)) { console.error(`bench stream: streaming in ${k} groups (${(streamed / MIB).toFixed(1)} MiB) saves nothing over the encoders released (${(released / MIB).toFixed(1)} MiB); use more groups`); return 2; }
    // A budget only the streaming plan fits.
    const budgetGiB = (released + streamed) / 2 / GIB;
    const rows: StreamRun[] = [];
    for (let r = 1; r <= runs; r++) {
      const resident = await measure(bundleDir, 'all-resident', null, { seconds, steps });
      const stream = await measure(bundleDir, 'stream-blocks', budgetGiB, { seconds, steps }, 'sessions');
      const fed = await measure(bundleDir, 'stream-blocks', budgetGiB, { seconds, steps }, 'inputs');
      const same = resident.frames.equals(stream.frames);
      const fedDiff = frameDiff(resident.frames, fed.frames);
      for (const x of [resident, stream, fed]) {
        const { frames: _frames, ...row } = x;
        rows.push(row);
      }
      const mib = (x: number) => `${(x / MIB).toFixed(1)} MiB`;
      const line = (x: StreamRun) => `${x.plan}${x.mode ? ` [${x.mode}]` : ''}${x.groups ? ` (${x.groups} groups)` : ''}: ${x.secPerCall.toFixed(2)} s/call, peak ${mib(x.peakBytes)}, after ${mib(x.afterBytes)}, planned peak ${mib(x.plannedPeakBytes)} (transformer weights ${mib(x.plannedTransformerBytes)}), job ${x.jobSeconds.toFixed(1)} s`;
      if (values.json) console.log(JSON.stringify({ bench: 'stream', run: r, bundle: m.name, budgetGiB, resident: rows.at(-3), streamed: rows.at(-2), inputs: rows.at(-1), framesIdentical: same, inputsFrameDiff: fedDiff }));
      else {
        console.log(`run ${r}, ${m.name}, ${WIDTH}×${HEIGHT}, ${seconds} s, ${steps} steps:`);
        console.log(`  ${line(resident)}`);
        console.log(`  ${line(stream)}  [--device-memory ${budgetGiB.toFixed(6)}]`);
        console.log(`  ${line(fed)}  [--device-memory ${budgetGiB.toFixed(6)}]`);
        console.log(`  sessions: peak ratio ${(stream.peakBytes / resident.peakBytes).toFixed(3)}, peak saved ${mib(resident.peakBytes - stream.peakBytes)}, time ratio ${(stream.jobSeconds / resident.jobSeconds).toFixed(2)}; frames identical: ${same}`);
        console.log(`  inputs: peak ratio ${(fed.peakBytes / resident.peakBytes).toFixed(3)}, time ratio ${(fed.jobSeconds / resident.jobSeconds).toFixed(2)}; frames vs resident: max |Δ| ${fedDiff.max} (of 255), mean |Δ| ${fedDiff.mean.toFixed(4)}, ${(fedDiff.differing * 100).toFixed(2)} % of bytes differ`);
      }
      if (!same) return 1;
    }
    return 0;
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
