// `npm run bench -- <name> [options]`: benchmarks that report numbers (tests assert behaviour).
//   graphs     load time and one forward of each graph of a bundle at its default bucket
//   sections   time and peak memory per section of a long video, packed context vs naive
//   daemon     a real daemon: cold first job vs warm second job, request latency while a job runs
//   drift      inverted vs vanilla over long videos: per-second colour/sharpness drift, prompt following
//   fullsize   official widths, 1+1 blocks: a 640×608 transformer step and VAE tile decode on the CPU
//   precision  fp16 vs fp32 graphs of the default bundle on the README job (per-frame PSNR)
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { benchDaemon, type DaemonBenchRow } from './bench/daemon-bench.js';
import { benchDrift, LATE_SECONDS, type DriftBenchOutput } from './bench/drift-bench.js';
import { benchGraphs, type GraphBenchRow } from './bench/graphs-bench.js';
import { benchSections, type SectionsBenchOutput, type SectionsVariant } from './bench/sections-bench.js';
import { runSizePrecisionBench, SIZE_PRECISION_HELP } from './bench/size-precision-cli.js';

const DEFAULT_SECTIONS_STEPS = 5;
const DEFAULT_NAIVE_CAP_S = 60;
const defaultNaiveRssMiB = () => Math.min(16384, Math.floor((os.totalmem() / (1024 * 1024)) / 2));

const HELP = `usage: npm run bench -- <benchmark> [--json] [--bundle DIR] [options]

benchmarks:
  graphs     session load time and one forward of every graph of a bundle at its
             default bucket (transformer chained as one sampling step)
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
${SIZE_PRECISION_HELP}
options:
  --bundle DIR          bundle folder (default: models/framepack-tiny)
  --json                one JSON object per line instead of a table
  graphs:
  --runs N              timed forwards after the first, median reported (default: 5)
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
  --pings N             daemon.status calls timed during the second job (default: 200)
  drift:
  --seconds S           video length (default here: 30)
  --cases N             held-out cases, one motion each in a cycle of 9 (default: 9)
  --steps N             sampling steps per section (default here: the bundle's)
`;

const root = path.resolve(import.meta.dirname, '..');
// `npm run bench -- graphs --json | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); else throw err; });

async function main(argv: string[]): Promise<number> {
  // These two take their own options (scripts/bench/size-precision-cli.ts).
  if (argv[0] === 'fullsize' || argv[0] === 'precision') return runSizePrecisionBench(argv);
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
      cases: { type: 'string', default: '9' },
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
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) { console.error(`bench: --runs must be a positive integer (got ${values.runs})`); return 2; }
  if (name !== 'graphs') {
    console.error(name ? `bench: unknown benchmark '${name}' (available: graphs, sections, daemon, drift, fullsize, precision)` : 'bench: name a benchmark (available: graphs, sections, daemon, drift, fullsize, precision); --help for usage');
    return 2;
  }
  const rows: GraphBenchRow[] = [];
  await benchGraphs({
    bundleDir: path.resolve(values.bundle), runs,
    onRow: (row) => { rows.push(row); if (values.json) console.log(JSON.stringify(row)); },
  });
  if (!values.json) {
    console.log(`bundle ${rows[0]?.bundle} at ${rows[0]?.bucket}, ${rows[0]?.threads} threads, median of ${runs} forwards after the first`);
    console.log(`${'graph'.padEnd(30)} ${'load ms'.padStart(9)} ${'first ms'.padStart(9)} ${'median ms'.padStart(10)}`);
    for (const r of rows) console.log(`${r.graph.padEnd(30)} ${r.loadMs.toFixed(1).padStart(9)} ${r.firstForwardMs.toFixed(1).padStart(9)} ${r.medianForwardMs.toFixed(1).padStart(10)}`);
  }
  return 0;
}

async function runDaemonBench(values: { json: boolean; engine: string; seconds: string; steps: string; pings: string }, argv: string[]): Promise<number> {
  // --seconds/--steps default to the sections bench's values; this bench wants a short job.
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 2.4;
  const steps = given('--steps') ? Number(values.steps) : 5;
  const pings = Number(values.pings);
  if (values.engine !== 'onnx' && values.engine !== 'fake') { console.error(`bench: --engine must be onnx or fake (got ${values.engine})`); return 2; }
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (!Number.isInteger(steps) || steps < 1) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (!Number.isInteger(pings) || pings < 1) { console.error(`bench: --pings must be a positive integer (got ${values.pings})`); return 2; }
  const rows: DaemonBenchRow[] = [];
  await benchDaemon({ engine: values.engine, seconds, steps, pings }, (row) => {
    rows.push(row);
    if (values.json) console.log(JSON.stringify(row));
  });
  if (!values.json) {
    console.log(`daemon bench: ${values.engine} engine, ${seconds} s video, ${steps} steps per section, ${os.cpus().length} CPUs`);
    for (const r of rows) {
      if (r.type === 'job') console.log(`${r.run.padEnd(5)} job: submit → first step ${r.submitToFirstStepMs.toFixed(0).padStart(6)} ms, total ${r.totalMs.toFixed(0).padStart(6)} ms, ${r.modelLoads} component loads`);
      else console.log(`${r.method} while a job runs: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms (${r.samples} calls)`);
    }
  }
  return 0;
}

async function runDriftBench(values: { json: boolean; bundle: string; seconds: string; steps: string; cases: string }, argv: string[]): Promise<number> {
  // --seconds/--steps default to the sections bench's values; here 30 s and the bundle's steps.
  const given = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const seconds = given('--seconds') ? Number(values.seconds) : 30;
  const steps = given('--steps') ? Number(values.steps) : undefined;
  const cases = Number(values.cases);
  if (!(seconds > 0 && seconds <= 120)) { console.error(`bench: --seconds must be > 0 and ≤ 120 (got ${values.seconds})`); return 2; }
  if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
  if (!(Number.isInteger(cases) && cases >= 1)) { console.error(`bench: --cases must be a positive integer (got ${values.cases})`); return 2; }
  await benchDrift({
    bundleDir: path.resolve(values.bundle), seconds, cases, ...(steps !== undefined ? { steps } : {}),
    onRow: (row) => console.log(values.json ? JSON.stringify(row) : driftLine(row)),
  });
  return 0;
}

function driftLine(r: DriftBenchOutput): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  if (r.type === 'case') {
    const curve = r.perSecond.map((s) => f(s.histDistance, 2)).join(' ');
    return `case ${r.case} ${r.mode.padEnd(8)} ${r.motion.padEnd(6)} late hist ${f(r.lateHistDistance)}  late sharpness ×${f(r.lateSharpnessRatio, 2)}  ` +
      `prompt ${r.promptWindows.filter((w) => w.follows).length}/${r.promptWindows.length}  (${r.generateSeconds} s)  "${r.prompt}"\n  hist distance per second: ${curve}`;
  }
  const lines = r.modes.map((m) => `  ${m.mode.padEnd(8)} late hist distance ${f(m.meanLateHistDistance)}  late sharpness ×${f(m.meanLateSharpnessRatio, 2)}  prompt following ${f(m.promptFollowingRate * 100, 0)} % (without bounce/rotate ${m.promptFollowingRateMeasurable === null ? 'n/a' : `${f(m.promptFollowingRateMeasurable * 100, 0)} %`})  (${m.cases} cases)`);
  return `drift: ${r.bundle} ${r.bucket}, ${r.seconds} s, ${r.steps} steps, TeaCache ${r.teacache ? 'on' : 'off'}, late = last ${r.lateSeconds} s, ${r.wallSeconds} s wall\n${lines.join('\n')}\n` +
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

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
