// `npm run bench -- <name> [options]`: benchmarks that report numbers (tests assert behaviour).
//   graphs     load time and one forward of each graph of a bundle at its default bucket
//   sections   time and peak memory per section of a long video, packed context vs naive
//   daemon     a real daemon: cold first job vs median of warm jobs, request latency while a job runs
//   seam       an extension's seam: consecutive-frame difference at the seam vs typical, ours vs a hard cut
//   drift      inverted vs vanilla over long videos: per-second colour/sharpness drift, prompt following
//   direct     end frame, loop and timestamped prompts on the default model: do they act (issue 17)
//   quant      int8/int4 (MatMulNBits) builds of the default model vs fp32: README job, per-frame PSNR
//   overlap    one job with section k's decode/write serial vs overlapped with section k+1's sampling
//   eta        the job ETA (measured sections, all stages) vs the sampling-only figure, against the time really left
//   memory     the official model's computed memory tables (docs/memory.md) and the estimate vs measured RSS
//   fullsize   official widths, 1+1 blocks: a 640×608 transformer step and VAE tile decode on the CPU
//   precision  fp16 vs fp32 graphs of the default bundle on the README job (per-frame PSNR)
//   lora       a LoRA set's first-job and repeat-job cost, and seconds per step with it (docs/lora.md)
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { benchDaemon, type DaemonBenchRow } from './bench/daemon-bench.js';
import { benchDrift, LATE_SECONDS, type DriftBenchOutput } from './bench/drift-bench.js';
import { cachesLines } from './bench/cache-compare.js';
import { STEP_CACHE_KINDS, type StepCacheKind } from '../daemon/engine/step-cache.js';
import { benchDirect, directLine } from './bench/direct-bench.js';
import { benchEta } from './bench/eta-bench.js';
import { benchOverlap } from './bench/overlap-bench.js';
import { benchGraphs, type GraphBenchRow, type StepBenchRow } from './bench/graphs-bench.js';
import { benchQuant, benchQuantMatmul, type QuantBenchRow } from './bench/quant-bench.js';
import { runWithPlacementLog, summariseCpuNodes } from './bench/placements.js';
import { resolveProvider } from '../daemon/engine/pipeline/sessions.js';
import { measureBundle, peakTable, sixGbTable, weightTable } from './bench/memory-bench.js';
import { benchSections, type SectionsBenchOutput, type SectionsVariant } from './bench/sections-bench.js';
import { benchSeam, seamTable } from './bench/seam-bench.js';
import { runSizePrecisionBench, SIZE_PRECISION_HELP } from './bench/size-precision-cli.js';
import { runLoraBench } from './bench/lora-bench.js';

const DEFAULT_SECTIONS_STEPS = 5;
const DEFAULT_NAIVE_CAP_S = 60;
const defaultNaiveRssMiB = () => Math.min(16384, Math.floor((os.totalmem() / (1024 * 1024)) / 2));

const HELP = `usage: npm run bench -- <benchmark> [--json] [--bundle DIR] [options]

benchmarks:
  graphs     session load time and one forward of every graph of a bundle at its
             default bucket (transformer chained as one sampling step), then one step
             through the step chain (on WebGPU: host round trips vs activations kept
             on the GPU). On a GPU provider (or with --placements) it runs in a child
             process with ORT's placement log and reports per graph how many nodes
             fell back to the CPU and their op types
  sections   a long video at the default bucket, time and peak RSS per section, for
             the packed context (the real section loop, bundle's mode) and for a naive
             baseline that feeds all history latents at 1× (forward); prints both
             growth ratios (last section / first). TeaCache off in both; each variant
             runs in its own process. The naive run stops at a cap; where and why is
             reported.
  daemon     a real daemon process (temp runtime/data dirs, the tiny bundle): a cold
             first job (components load) vs a warm second job (resident), each as
             submit → first step and submit → done, and daemon.status round trips
             (p50/p99/max) while the second job runs
  drift      held-out data.py start images and prompts, each generated in inverted
             and vanilla mode with the same seed (in-process, the bundle's TeaCache
             default): per second, colour-histogram distance and sharpness ratio
             against the first second; prompt following per 145-frame window; a
             summary of late drift (last ${LATE_SECONDS} s) per mode
  seam       on the default model, a 2 s source continued by 2 s: --extend-job,
             --extend, Studio's hard cut (source ‖ decode of the new latents) and a
             restart from the last frame; consecutive-frame difference at the seam
             against the typical one (docs/benchmarks.md "Extension seam")
  direct     the directing options on the default model (4-section inverted jobs,
             held-out data.py shapes the prompt moves right): the last frame's
             distance to an end image (the shape moved left) with and without
             --end-image; last vs first frame with and without a loop (--end-image =
             start); the shape's horizontal motion per display section for
             "[0s: … right] [2.4s: … left]" against the two plain prompts
  memory     the official model (computed from its configs, no weights read): weight
             bytes per component and precision, expected peak per component for
             bucket × precision × plan, the 6 GB card plan against the official
             DynamicSwap; then the bundle's graphs loaded and run once (all resident)
             with the RSS growth set against the plan's peak (docs/memory.md)

  stream     peak RSS and s per transformer call of a daemon job with the transformer's
             blocks resident vs streamed (the stream-blocks memory plan) as per-group
             sessions and as weights fed to kept sessions (FRAMEPACK_STREAM_MODE
             sessions / inputs), on a seeded 1536-wide, 6-block
             bundle with 6 block groups (built in a temp folder, 1.97 GB) or --bundle
             DIR (one built with --block-groups); videos compared frame for frame
             (--runs N, default 1; --seconds, --steps; docs/memory.md)
  quant      the default model's trained weights built again as int8 and int4
             (MatMulNBits) bundles; the README job (docs/examples/start.png, its
             prompt, default seed and steps) with fp32 and each: per-frame PSNR
             against the fp32 video, weight bytes, seconds per step
  quant-matmul  one full-width Linear (256 tokens, 3072 → 3072) on the CPU: fp32
             MatMul vs MatMulNBits int8/int4 at block 16/32/64/128 (and block 32 with
             accuracy_level 4: int8 activations), median ms, ratio to fp32 and the
             output's max error relative to fp32's (--runs N, default 5)
  lora       a LoRA set as the daemon applies it (own options: --bundle DIR,
             --lora FILE[:S]…, --steps N, --streamed; default the blue test fixture):
             base transformer load, variant build and its bytes on disk, first job
             with the set (hash + variant build + open), repeat job (hash only),
             switching back and forth through the cache; then the README job (1 s,
             TeaCache off) without and with the set: seconds per step. --streamed
             (a bundle built with --block-groups K): the blocks as the bundle's
             groups, as the stream-blocks plan opens them; no README job
  eta        one generation (partial videos on, as generate does); at every sampling
             step from the second section on, the reported ETA (measured whole
             sections, all stages, plus the final encode) and the sampling-only figure
             (s/step × steps left, what was reported before) against the time that
             was really left: mean absolute error and mean estimate/actual of each
  overlap    one job (partial videos on) with each section's decode, stitch, partial
             MP4 and checkpoint run serial, then overlapped with the next section's
             sampling; per intra-op thread count: wall time of each and whether the
             two videos' frames are identical (after an untimed warm-up job)

${SIZE_PRECISION_HELP}
options:
  --bundle DIR          bundle folder (default: models/framepack-tiny)
  --json                one JSON object per line instead of a table
  graphs:
  --runs N              timed forwards after the first, median reported (default: 5)
  --provider cpu|cuda|webgpu   execution provider (default: cpu)
  --bucket HxW          pixel bucket instead of the bundle's default (e.g. 640x608)
  --placements          report node placements on the CPU provider too
  sections:
  --seconds S           video length (default: 60, i.e. 50 sections)
  --steps N             sampling steps per section (default: ${DEFAULT_SECTIONS_STEPS})
  --only packed|naive   run one variant only
  --naive-cap-s S       stop naive after a section slower than S seconds (default: ${DEFAULT_NAIVE_CAP_S})
  --naive-rss-mib M     stop naive past M MiB RSS, or before a section whose attention
                        scores would pass it (default: half the RAM, at most 16384)
  daemon:
  --engine onnx|fake    the daemon's engine (default: onnx, the real pipeline)
  --seconds S           video length of each job (default here: 2.4)
  --steps N             sampling steps per section (default here: 5)
  --pings N             daemon.status calls timed during the first warm job (default: 200)
  --warm N              warm jobs after the cold one; their median submit → first step
                        is the warm figure (default: 5)
  drift:
  --seconds S           video length (default here: 30)
  --cases N             held-out cases, one motion each in a cycle of 9 (default: 9)
  --steps N             sampling steps per section (default here: the bundle's)
  --caches LIST         generate every case with each step cache (e.g. off,tea,mag) and
                        compare them: speed-up vs off, blocks skipped, drift, PSNR vs off
  eta:
  --seconds S           video length (default here: 6)
  --steps N             sampling steps per section (default here: the bundle's)
  overlap:
  --seconds S           video length (default here: 6)
  --steps N             sampling steps per section (default here: 3)
  --threads LIST        comma-separated intra-op thread counts (default: cores, cores/2)
  direct:
  --cases N             held-out cases (default here: 3)
  --steps N             sampling steps per section (default here: the bundle's)
  quant:
  --seconds S           video length (default here: the README job's 5)
  --steps N             sampling steps per section (default here: the bundle's)
  --block-size N        quantisation block size (default: the bundles' default)
  --formats LIST        comma-separated, of int8,int4 (default: both)
`;

const root = path.resolve(import.meta.dirname, '..');
// `npm run bench -- graphs --json | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); else throw err; });

async function main(argv: string[]): Promise<number> {
  // These two take their own options (scripts/bench/size-precision-cli.ts).
  if (argv[0] === 'fullsize' || argv[0] === 'precision') return runSizePrecisionBench(argv);
  if (argv[0] === 'stream') return (await import('./bench/stream-rss.js')).runStreamBench(argv.slice(1));
  if (argv[0] === 'lora') return runLoraBench(argv);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: {
      json: { type: 'boolean', default: false },
      bundle: { type: 'string', default: path.join(root, 'models', 'framepack-tiny') },
      runs: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '60' },
      steps: { type: 'string', default: String(DEFAULT_SECTIONS_STEPS) },
      only: { type: 'string' },
      'naive-cap-s': { type: 'string', default: String(DEFAULT_NAIVE_CAP_S) },
      'naive-rss-mib': { type: 'string' },
      engine: { type: 'string', default: 'onnx' },
      pings: { type: 'string', default: '200' },
      warm: { type: 'string', default: '5' },
      cases: { type: 'string', default: '9' },
      caches: { type: 'string' },
      'block-size': { type: 'string' },
      formats: { type: 'string', default: 'int8,int4' },
      provider: { type: 'string', default: 'cpu' },
      bucket: { type: 'string' },
      placements: { type: 'boolean', default: false },
      threads: { type: 'string' },
      'placement-log': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    } });
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(HELP); return 0; }
  const name = positionals[0];
  if (name === 'sections') return runSectionsBench(values);
  if (name === 'daemon') return runDaemonBench(values, argv);
  if (name === 'drift') return runDriftBench(values, argv);
  if (name === 'seam') {
    // The extension's seam (scripts/bench/seam-bench.ts): 2 s source, 2 s more, 10 steps, seed 31337.
    const rows = await benchSeam({ seconds: 2, extendSeconds: 2, steps: 10, seed: 31337, prompt: 'a red circle moves to the right' });
    console.log(values.json ? JSON.stringify(rows) : seamTable(rows));
    return 0;
  }
  if (name === 'direct') return runDirectBench(values, argv);
  if (name === 'memory') return runMemoryBench(values);
  if (name === 'eta') return runEtaBench(values, argv);
  if (name === 'overlap') return runOverlapBench(values, argv);
  if (name === 'quant') return runQuantBench(values, argv);
  if (name === 'quant-matmul') {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) { console.error(`bench: --runs must be a positive integer (got ${values.runs})`); return 2; }
    await benchQuantMatmul({
      m: 256, k: 3072, n: 3072, runs, blockSizes: [16, 32, 64, 128],
      onRow: (r) => console.log(values.json ? JSON.stringify(r) : `${r.variant.padEnd(14)} [${r.m}×${r.k}]·[${r.k}×${r.n}]  ${(r.weightBytes / 1e6).toFixed(2).padStart(6)} MB  median ${r.medianMs.toFixed(1).padStart(7)} ms  ×${r.ratioToFp32.toFixed(2)} of fp32  max rel. error ${r.maxRelError.toExponential(1)}`),
    });
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) { console.error(`bench: --runs must be a positive integer (got ${values.runs})`); return 2; }
  if (name !== 'graphs') {
    const available = 'graphs, sections, daemon, drift, seam, direct, eta, overlap, fullsize, memory, precision, quant, quant-matmul, stream, lora';
    console.error(name ? `bench: unknown benchmark '${name}' (available: ${available})` : `bench: name a benchmark (available: ${available}); --help for usage`);
    return 2;
  }
  const provider = values.provider;
  if (provider !== 'cpu' && provider !== 'cuda' && provider !== 'webgpu') { console.error(`bench: --provider must be cpu, cuda or webgpu (got ${provider})`); return 2; }
  let bucket: { height: number; width: number } | undefined;
  if (values.bucket !== undefined) {
    const mb = /^(\d+)x(\d+)$/.exec(values.bucket);
    if (!mb || Number(mb[1]) % 16 || Number(mb[2]) % 16) { console.error(`bench: --bucket must be HxW in pixels, multiples of 16 (got ${values.bucket})`); return 2; }
    bucket = { height: Number(mb[1]), width: Number(mb[2]) };
  }
  if (provider !== 'cpu' && !values['placement-log']) {
    // The doctor's probe first: a provider that cannot run is named with its fix, not an ORT trace.
    try { await resolveProvider(provider); } catch (err: unknown) { console.error(`bench: ${(err as Error).message}`); return 1; }
  }
  const rows: (GraphBenchRow | StepBenchRow)[] = [];
  if (values['placement-log'] || (provider === 'cpu' && !values.placements)) {
    await benchGraphs({
      bundleDir: path.resolve(values.bundle), runs, provider, placementLog: values['placement-log'], ...(bucket ? { bucket } : {}),
      onRow: (row) => { rows.push(row); if (values.json) console.log(JSON.stringify(row)); },
    });
  } else {
    // ORT logs placements on native stderr: run the bench in a child and read them from there.
    const code = await graphsChild(argv, (row) => { rows.push(row); if (values.json) console.log(JSON.stringify(row)); });
    if (code !== 0) return code;
  }
  if (!values.json) {
    const graphs = rows.filter((r): r is GraphBenchRow => r.bench === 'graphs');
    console.log(`bundle ${graphs[0]?.bundle} at ${graphs[0]?.bucket} on ${provider}, ${graphs[0]?.threads} threads, median of ${runs} forwards after the first`);
    console.log(`${'graph'.padEnd(30)} ${'load ms'.padStart(9)} ${'first ms'.padStart(9)} ${'median ms'.padStart(10)}  nodes on the CPU`);
    for (const r of graphs) {
      const cpu = r.placement ? `${r.placement.cpuNodes.length ? `${r.placement.cpuNodes.length}: ${summariseCpuNodes(r.placement)}` : provider === 'cpu' ? 'all' : '0'}` : '';
      console.log(`${r.graph.padEnd(30)} ${r.loadMs.toFixed(1).padStart(9)} ${r.firstForwardMs.toFixed(1).padStart(9)} ${r.medianForwardMs.toFixed(1).padStart(10)}  ${cpu}`);
    }
    for (const r of rows) if (r.bench === 'graphs-step') console.log(`one transformer step (${r.imageSideTokens} image-side tokens), activations ${r.chain === 'gpu' ? 'kept on the GPU' : 'through the host'}: first ${r.firstStepMs.toFixed(1)} ms, median ${r.medianStepMs.toFixed(1)} ms`);
  }
  return 0;
}

/** `bench graphs … --json --placement-log` in a fresh Node; rows relayed with each graph's placement from its stderr. */
async function graphsChild(argv: string[], onRow: (row: GraphBenchRow | StepBenchRow) => void): Promise<number> {
  const args = [...process.execArgv, path.join(import.meta.dirname, 'bench.ts'), ...argv.filter((a) => a !== '--json' && a !== '--placements'), '--json', '--placement-log'];
  const r = await runWithPlacementLog(args);
  for (const line of r.lines) {
    const row = JSON.parse(line) as GraphBenchRow | StepBenchRow;
    onRow(row.bench === 'graphs' && r.placements[row.graph] ? { ...row, placement: r.placements[row.graph]! } : row);
  }
  return r.code;
}

async function runDaemonBench(values: { json: boolean; engine: string; seconds: string; steps: string; pings: string; warm: string }, argv: string[]): Promise<number> {
  // --seconds/--steps default to the sections bench's values; this bench wants a short job.
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 2.4;
  const steps = given('--steps') ? Number(values.steps) : 5;
  const pings = Number(values.pings);
  if (values.engine !== 'onnx' && values.engine !== 'fake') { console.error(`bench: --engine must be onnx or fake (got ${values.engine})`); return 2; }
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (!Number.isInteger(steps) || steps < 1) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (!Number.isInteger(pings) || pings < 1) { console.error(`bench: --pings must be a positive integer (got ${values.pings})`); return 2; }
  const warmJobs = Number(values.warm);
  if (!Number.isInteger(warmJobs) || warmJobs < 1) { console.error(`bench: --warm must be a positive integer (got ${values.warm})`); return 2; }
  const rows: DaemonBenchRow[] = [];
  await benchDaemon({ engine: values.engine, seconds, steps, pings, warmJobs }, (row) => {
    rows.push(row);
    if (values.json) console.log(JSON.stringify(row));
  });
  if (!values.json) {
    console.log(`daemon bench: ${values.engine} engine, ${seconds} s video, ${steps} steps per section, ${os.cpus().length} CPUs`);
    for (const r of rows) {
      if (r.type === 'job') console.log(`${r.run.padEnd(5)} job: submit → first step ${r.submitToFirstStepMs.toFixed(0).padStart(6)} ms (sampling stage ${r.submitToSamplingMs.toFixed(0).padStart(5)} ms), total ${r.totalMs.toFixed(0).padStart(6)} ms, ${r.modelLoads} component loads`);
      else if (r.type === 'summary') console.log(`summary: cold ${r.coldFirstStepMs} ms, warm median ${r.warmMedianFirstStepMs} ms over ${r.warmJobs} jobs (warm/cold ${r.warmOverCold}); warm median submit → sampling stage ${r.warmMedianToSamplingMs} ms`);
      else console.log(`${r.method} while a job runs: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms (${r.samples} calls)`);
    }
  }
  return 0;
}

async function runEtaBench(values: { json: boolean; bundle: string; seconds: string; steps: string }, argv: string[]): Promise<number> {
  // --seconds/--steps default to the sections bench's values; here 6 s and the bundle's steps.
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 6;
  const steps = given('--steps') ? Number(values.steps) : undefined;
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  const r = await benchEta({ bundleDir: path.resolve(values.bundle), imagePath: path.join(root, 'docs', 'examples', 'start.png'), seconds, ...(steps !== undefined ? { steps } : {}) });
  if (values.json) { console.log(JSON.stringify(r)); return 0; }
  const f = (x: number, d = 2) => x.toFixed(d);
  console.log(`eta: ${r.bundle}, ${r.seconds} s = ${r.sections} sections × ${r.steps} steps, ${f(r.wallSeconds, 1)} s wall, ${r.samples} step samples (sections 2…${r.sections})`);
  console.log(`  measured sections (now)  mean |error| ${f(r.measured.meanAbsErrorSeconds)} s  mean estimate/actual ${f(r.measured.meanRatio)}`);
  console.log(`  sampling only (before)   mean |error| ${f(r.samplingOnly.meanAbsErrorSeconds)} s  mean estimate/actual ${f(r.samplingOnly.meanRatio)}`);
  console.log(`  error ratio (before / now) ${f(r.errorRatio)}`);
  return 0;
}

async function runOverlapBench(values: { json: boolean; bundle: string; seconds: string; steps: string; threads?: string | undefined }, argv: string[]): Promise<number> {
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 6;
  const steps = given('--steps') ? Number(values.steps) : 3;
  const cores = os.availableParallelism();
  const threads = values.threads === undefined ? [...new Set([cores, Math.max(1, Math.floor(cores / 2))])] : values.threads.split(',').map(Number);
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (!(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (threads.some((t) => !(Number.isInteger(t) && t >= 1))) { console.error(`bench: --threads must list positive integers (got ${values.threads})`); return 2; }
  let serial = 0;
  await benchOverlap({
    bundleDir: path.resolve(values.bundle), imagePath: path.join(root, 'docs', 'examples', 'start.png'), seconds, steps, threads,
    onRow: (r) => {
      if (values.json) { console.log(JSON.stringify(r)); return; }
      if (!r.overlap) serial = r.wallSeconds;
      console.log(`overlap: ${r.bundle}, ${r.seconds} s = ${r.sections} sections × ${r.steps} steps, ${r.threads} intra-op threads on ${r.cores} cores, ${r.overlap ? 'overlapped' : 'serial    '}: ${r.wallSeconds.toFixed(2)} s` +
        (r.overlap ? ` (×${(r.wallSeconds / serial).toFixed(3)} of serial), frames md5 ${r.framesMd5}` : `, frames md5 ${r.framesMd5}`));
    },
  });
  return 0;
}

async function runMemoryBench(values: { json: boolean; bundle: string }): Promise<number> {
  const measured = await measureBundle(path.resolve(values.bundle));
  if (values.json) {
    console.log(JSON.stringify({ bench: 'memory', measured }));
    return 0;
  }
  const untiled = { fusedAttention: false, vaeTilePx: null };
  const fusedTiled = { fusedAttention: true, vaeTilePx: 256 };
  console.log('## Weights (GiB)\n');
  console.log(weightTable());
  console.log('\n## Peak per component, attention unfused, VAE untiled (estimate.ts today)\n');
  console.log(peakTable(untiled));
  console.log('\n## Peak per component, attention fused, VAE decoded in 256 px tiles\n');
  console.log(peakTable(fusedTiled));
  console.log('\n## A 6 GB card (5.5 GiB usable), attention fused, VAE tiled\n');
  console.log(sixGbTable(fusedTiled));
  console.log('\n## Measured on this CPU\n');
  const m = measured;
  console.log(`${m.bundle} at ${m.bucket}: plan peak (all resident) ${m.planPeakMiB} MiB (weights ${m.weightsMiB} MiB); RSS ${m.rssBeforeMiB} → peak ${m.rssPeakMiB} MiB (ru_maxrss ${m.maxRssMiB} MiB), growth ${m.rssGrowthMiB} MiB = ×${m.ratio} the plan's peak`);
  return 0;
}

async function runDirectBench(values: { json: boolean; bundle: string; steps: string; cases: string }, argv: string[]): Promise<number> {
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const steps = given('--steps') ? Number(values.steps) : undefined;
  const cases = given('--cases') ? Number(values.cases) : 3;
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (!(Number.isInteger(cases) && cases >= 1)) { console.error(`bench: --cases must be a positive integer (got ${values.cases})`); return 2; }
  await benchDirect({
    bundleDir: path.resolve(values.bundle), cases, ...(steps !== undefined ? { steps } : {}),
    onRow: (row) => console.log(values.json ? JSON.stringify(row) : directLine(row)),
  });
  return 0;
}

async function runDriftBench(values: { json: boolean; bundle: string; seconds: string; steps: string; cases: string; caches?: string | undefined }, argv: string[]): Promise<number> {
  // --seconds/--steps default to the sections bench's values; here 30 s and the bundle's steps.
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 30;
  const steps = given('--steps') ? Number(values.steps) : undefined;
  const cases = Number(values.cases);
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (!(Number.isInteger(cases) && cases >= 1)) { console.error(`bench: --cases must be a positive integer (got ${values.cases})`); return 2; }
  const caches = values.caches === undefined ? undefined : values.caches.split(',').map((c) => c.trim());
  if (caches && (caches.length === 0 || caches.some((c) => !(STEP_CACHE_KINDS as readonly string[]).includes(c)))) { console.error(`bench: --caches must list ${STEP_CACHE_KINDS.join(', ')} (got ${values.caches})`); return 2; }
  await benchDrift({
    bundleDir: path.resolve(values.bundle), seconds, cases, ...(steps !== undefined ? { steps } : {}), ...(caches ? { caches: caches as StepCacheKind[] } : {}),
    onRow: (row) => console.log(values.json ? JSON.stringify(row) : driftLine(row)),
  });
  return 0;
}

async function runQuantBench(values: { json: boolean; bundle: string; seconds: string; steps: string; 'block-size'?: string | undefined; formats: string }, argv: string[]): Promise<number> {
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : undefined;
  const steps = given('--steps') ? Number(values.steps) : undefined;
  const blockSize = values['block-size'] === undefined ? undefined : Number(values['block-size']);
  const formats = values.formats.split(',').map((s) => s.trim());
  if (seconds !== undefined && !(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (blockSize !== undefined && !(Number.isInteger(blockSize) && blockSize >= 16 && (blockSize & (blockSize - 1)) === 0)) { console.error(`bench: --block-size must be a power of two ≥ 16 (got ${values['block-size']})`); return 2; }
  if (formats.length === 0 || formats.some((f) => f !== 'int8' && f !== 'int4')) { console.error(`bench: --formats must list int8 and/or int4 (got ${values.formats})`); return 2; }
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  await benchQuant({
    referenceDir: path.resolve(values.bundle), formats: formats as ('int8' | 'int4')[],
    ...(blockSize !== undefined ? { blockSize } : {}), ...(seconds !== undefined ? { seconds } : {}), ...(steps !== undefined ? { steps } : {}),
    onRow: (r: QuantBenchRow) => console.log(values.json ? JSON.stringify(r) :
      `${r.format.padEnd(5)} ${r.blockSize === null ? '        ' : `block ${String(r.blockSize).padEnd(3)}`} transformer ${(r.transformerWeightBytes / 1e6).toFixed(3)} MB, ` +
      `text_encoder ${(r.textEncoderWeightBytes / 1e6).toFixed(3)} MB, ${r.frames} frames, ${f(r.secondsPerStep, 3)} s/step` +
      (r.psnr ? `; PSNR vs fp32 mean ${f(r.psnr.mean)} dB, median ${f(r.psnr.median)}, min ${f(r.psnr.min)} (frame ${r.psnr.minAt}), first ${f(r.psnr.first)}, last ${f(r.psnr.last)}` : '')),
  });
  return 0;
}

function driftLine(r: DriftBenchOutput): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  if (r.type === 'caches') return cachesLines(r);
  if (r.type === 'case') {
    const curve = r.perSecond.map((s) => f(s.histDistance, 2)).join(' ');
    return `case ${r.case} ${r.mode.padEnd(8)} ${r.cache ? `${r.cache.padEnd(4)}` : ''}${r.motion.padEnd(6)} late hist ${f(r.lateHistDistance)}  late sharpness ×${f(r.lateSharpnessRatio, 2)}  ` +
      `prompt ${r.promptWindows.filter((w) => w.follows).length}/${r.promptWindows.length}  (${r.generateSeconds} s)  "${r.prompt}"\n  hist distance per second: ${curve}`;
  }
  const lines = r.modes.map((m) => `  ${m.mode.padEnd(8)} late hist distance ${f(m.meanLateHistDistance)}  late sharpness ×${f(m.meanLateSharpnessRatio, 2)}  prompt following ${f(m.promptFollowingRate * 100, 0)} % (without bounce/rotate ${m.promptFollowingRateMeasurable === null ? 'n/a' : `${f(m.promptFollowingRateMeasurable * 100, 0)} %`})  (${m.cases} cases)`);
  return `drift: ${r.bundle} ${r.bucket}, ${r.seconds} s, ${r.steps} steps, ${r.cache ? `cache ${r.cache}` : `TeaCache ${r.teacache ? 'on' : 'off'}`}, late = last ${r.lateSeconds} s, ${r.wallSeconds} s wall\n${lines.join('\n')}\n` +
    `  inverted / vanilla late hist distance ×${f(r.lateHistDistanceRatio)}; inverted drifts less in ${r.casesInvertedDriftsLess} case(s)`;
}

interface SectionsFlags { json: boolean; bundle: string; seconds: string; steps: string; only?: string | undefined; 'naive-cap-s': string; 'naive-rss-mib'?: string | undefined }

async function runSectionsBench(values: SectionsFlags): Promise<number> {
  const seconds = Number(values.seconds), steps = Number(values.steps), capS = Number(values['naive-cap-s']);
  const rssMiB = values['naive-rss-mib'] === undefined ? defaultNaiveRssMiB() : Number(values['naive-rss-mib']);
  const bad = (flag: string, v: string | undefined, rule: string) => { console.error(`bench: ${flag} must be ${rule} (got ${v})`); return 2; };
  if (!(seconds > 0 && seconds <= 120)) return bad('--seconds', values.seconds, '> 0 and ≤ 120');
  if (!Number.isInteger(steps) || steps < 1) return bad('--steps', values.steps, 'a positive integer');
  if (!(capS > 0)) return bad('--naive-cap-s', values['naive-cap-s'], '> 0');
  if (!(rssMiB > 0)) return bad('--naive-rss-mib', values['naive-rss-mib'], '> 0');
  if (values.only !== undefined && values.only !== 'packed' && values.only !== 'naive') return bad('--only', values.only, 'packed or naive');
  const print = (row: SectionsBenchOutput) => console.log(values.json ? JSON.stringify(row) : sectionsLine(row));
  if (values.only === undefined) {
    // One process per variant: RSS and ORT's arena only grow, so a variant run after the other
    // would start from the other's high-water mark.
    for (const only of ['packed', 'naive'] as const) {
      const code = await sectionsChild(only, { ...values, json: true }, print);
      if (code !== 0) return code;
    }
    return 0;
  }
  await benchSections({
    bundleDir: path.resolve(values.bundle), seconds, steps, naiveSectionCapMs: capS * 1000, naiveRssCapMiB: rssMiB,
    variants: [values.only as SectionsVariant], onRow: print,
  });
  return 0;
}

/** Runs `bench sections --only <variant> --json` in a fresh Node (same loader flags) and relays its rows. */
function sectionsChild(only: SectionsVariant, values: SectionsFlags, onRow: (row: SectionsBenchOutput) => void): Promise<number> {
  const args = [
    ...process.execArgv, path.join(import.meta.dirname, 'bench.ts'), 'sections', '--json', '--only', only,
    '--bundle', values.bundle, '--seconds', values.seconds, '--steps', values.steps, '--naive-cap-s', values['naive-cap-s'],
    ...(values['naive-rss-mib'] !== undefined ? ['--naive-rss-mib', values['naive-rss-mib']] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).on('line', (line) => { if (line.trim()) onRow(JSON.parse(line) as SectionsBenchOutput); });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function sectionsLine(r: SectionsBenchOutput): string {
  if (r.type === 'section') {
    return `${r.variant.padEnd(6)} section ${String(r.section).padStart(3)}/${r.sections}  context ${String(r.contextLatents).padStart(4)} latents  ${String(r.imageSideTokens).padStart(6)} tokens  ` +
      `sampling ${r.samplingMs.toFixed(0).padStart(7)} ms  section ${r.sectionMs.toFixed(0).padStart(7)} ms  RSS peak ${r.rssPeakMiB.toFixed(0).padStart(6)} MiB`;
  }
  const stop = r.stopped ? `stopped after section ${r.stopped.afterSection}: ${r.stopped.reason}` : 'ran every section';
  return `${r.variant} (${r.mode}, ${r.bundle} ${r.bucket}, ${r.steps} steps, ${r.threads} threads): ${r.sectionsRun}/${r.sectionsPlanned} sections in ${r.wallSeconds} s, ${stop}\n` +
    `  growth last/first: time ×${r.timeRatio} (${r.firstSamplingMs.toFixed(0)} → ${r.lastSamplingMs.toFixed(0)} ms; medians of 5: ×${r.timeRatioMedian5}), RSS peak ×${r.rssPeakRatio} (${r.firstRssPeakMiB} → ${r.lastRssPeakMiB} MiB, +${r.rssPeakGrowthMiB}, of which ArrayBuffers +${r.arrayBuffersGrowthMiB}); process peak ${r.maxRssMiB} MiB`;
}

main(process.argv.slice(2)).then((code) => {
  // The placement-log child ends naturally so ORT's buffered native log reaches stderr in full.
  if (process.argv.includes('--placement-log')) process.exitCode = code;
  else process.exit(code);
}, (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
