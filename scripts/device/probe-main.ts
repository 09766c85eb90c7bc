// The device probe's program (bundled into one JS file by pack.ts; run by run.sh on the device):
//   build  --out DIR [--preset tiny|fullwidth] [--dual N] [--single N] [--llama-layers N] [--dtype fp16|fp32] --tokenizers DIR
//   run    --bundle DIR --out RESULTS_DIR --provider cpu|cuda|webgpu [--bucket HxW] [--runs N] [--steps N] [--matmul M,K,N]
//   graphs --bundle DIR --provider P [--bucket HxW] [--runs N] [--placement-log]   (one JSON row per line; `run` calls it)
//   env    the Vulkan stack as doctor sees it (vulkan-env.ts) and every provider's probe, as JSON
// `run` writes RESULTS_DIR/<provider>.json: per-graph load and forward ms with the nodes that fell
// back to the CPU, one step with and without GPU-resident activations, one section of the 5 s job
// (session load, s/step, decode), fp16 MatMul vs 4-bit MatMulNBits, and peak VRAM (nvidia-smi).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { benchGraphs, type GraphBenchRow, type StepBenchRow } from '../bench/graphs-bench.js';
import { runWithPlacementLog } from '../bench/placements.js';
import { buildCheapBundle, fullWidthConfig } from './cheap-bundle.js';
import { compareMatmul } from './matmul-compare.js';
import { timeSection } from './section-timing.js';
import { probeProviders } from '../../daemon/diagnostics/ort-checks.js';
import { diagnoseWebgpu, vulkanFacts } from '../../daemon/diagnostics/vulkan-env.js';
import { startVramSampler } from './vram-sampler.js';

type Provider = 'cpu' | 'cuda' | 'webgpu';
const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'webgpu'];

export class ProbeUsageError extends Error { override readonly name = 'ProbeUsageError'; }

function parseBucket(text: string | undefined): { height: number; width: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m || Number(m[1]) % 16 || Number(m[2]) % 16) throw new ProbeUsageError(`--bucket must be HxW in pixels, multiples of 16 (got ${text})`);
  return { height: Number(m[1]), width: Number(m[2]) };
}
function parseProvider(text: string | undefined): Provider {
  if (!PROVIDERS.includes(text as Provider)) throw new ProbeUsageError(`--provider must be one of ${PROVIDERS.join(', ')} (got ${text})`);
  return text as Provider;
}
function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ProbeUsageError(`${flag} must be a positive integer (got ${text})`);
  return n;
}

const OPTIONS = {
  out: { type: 'string' }, preset: { type: 'string', default: 'tiny' }, dual: { type: 'string' }, single: { type: 'string' },
  'llama-layers': { type: 'string' }, dtype: { type: 'string', default: 'fp16' }, tokenizers: { type: 'string' },
  bundle: { type: 'string' }, provider: { type: 'string' }, bucket: { type: 'string' }, runs: { type: 'string' },
  steps: { type: 'string' }, matmul: { type: 'string' }, 'placement-log': { type: 'boolean', default: false },
} as const;

export async function probeMain(argv: string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (command === 'build') {
    if (!values.out || !values.tokenizers) throw new ProbeUsageError('build needs --out DIR and --tokenizers DIR');
    if (values.dtype !== 'fp16' && values.dtype !== 'fp32') throw new ProbeUsageError(`--dtype must be fp16 or fp32 (got ${values.dtype})`);
    if (values.preset !== 'tiny' && values.preset !== 'fullwidth') throw new ProbeUsageError(`--preset must be tiny or fullwidth (got ${values.preset})`);
    const config = values.preset === 'tiny'
      ? { name: 'framepack-tiny-cheap', preset: 'tiny' as const }
      : fullWidthConfig({ dual: positiveInt(values.dual, '--dual', 2), single: positiveInt(values.single, '--single', 2), llamaLayers: positiveInt(values['llama-layers'], '--llama-layers', 4) });
    const r = await buildCheapBundle({ outDir: path.resolve(values.out), config, dtype: values.dtype === 'fp16' ? 'float16' : 'float32', tokenizersSrc: path.resolve(values.tokenizers), onProgress: log });
    process.stdout.write(`${JSON.stringify({ bundle: config.name, outDir: path.resolve(values.out), parameters: r.parameters, weightsSeconds: r.weightsSeconds, buildSeconds: r.buildSeconds })}\n`);
    return 0;
  }
  if (command === 'env') {
    const facts = vulkanFacts();
    const providers = await probeProviders();
    process.stdout.write(`${JSON.stringify({
      env: { LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH ?? null, VK_DRIVER_FILES: process.env.VK_DRIVER_FILES ?? null },
      vulkan: facts, webgpuDiagnosis: diagnoseWebgpu(facts, providers.find((p) => p.provider === 'webgpu')?.error ?? null), providers,
    }, null, 2)}\n`);
    return 0;
  }
  if (command === 'graphs') {
    if (!values.bundle) throw new ProbeUsageError('graphs needs --bundle DIR');
    const bucket = parseBucket(values.bucket);
    await benchGraphs({
      bundleDir: path.resolve(values.bundle), runs: positiveInt(values.runs, '--runs', 3), provider: parseProvider(values.provider ?? 'cpu'),
      placementLog: values['placement-log'], ...(bucket ? { bucket } : {}), onRow: (row) => process.stdout.write(`${JSON.stringify(row)}\n`),
    });
    return 0;
  }
  if (command === 'run') {
    if (!values.bundle || !values.out) throw new ProbeUsageError('run needs --bundle DIR and --out RESULTS_DIR');
    const provider = parseProvider(values.provider);
    const bucket = parseBucket(values.bucket);
    const runs = positiveInt(values.runs, '--runs', 3);
    const mm = (values.matmul ?? '17408,3072,3072').split(',').map(Number);
    if (mm.length !== 3 || mm.some((v) => !Number.isInteger(v) || v < 1)) throw new ProbeUsageError(`--matmul must be M,K,N (got ${values.matmul})`);
    const result: Record<string, unknown> = { provider, startedAt: new Date().toISOString(), host: { cpus: os.availableParallelism(), ort: ort.env.versions.node ?? null, node: process.version } };
    await mkdir(path.resolve(values.out), { recursive: true });
    const file = path.join(path.resolve(values.out), `${provider}.json`);
    // Written after every stage: a run killed by run.sh's timeout keeps what it finished.
    const save = () => writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> => {
      log(`${provider}: ${name}…`);
      const vram = startVramSampler();
      const t0 = performance.now();
      try {
        const v = await fn();
        result[`${name}Vram`] = await vram.stop();
        result[`${name}WallMs`] = Math.round(performance.now() - t0);
        return v;
      } catch (err: unknown) {
        await vram.stop();
        const error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        log(`${provider}: ${name} failed: ${error}`);
        return { error };
      }
    };
    await save();
    result.graphs = await stage('graphs', async () => {
      const args = [...process.execArgv, process.argv[1]!, 'graphs', '--bundle', values.bundle!, '--provider', provider, '--runs', String(runs), '--placement-log', ...(values.bucket ? ['--bucket', values.bucket] : [])];
      let last = '';
      const r = await runWithPlacementLog(args, { onStderr: (l) => { log(l); if (l.startsWith('probe: ')) last = l.slice(7); } });
      if (r.code !== 0) throw new Error(`graphs bench exited with status ${r.code}${last ? `: ${last}` : ''}`);
      return r.lines.map((l) => JSON.parse(l) as GraphBenchRow | StepBenchRow).map((row) => (row.bench === 'graphs' && r.placements[row.graph] ? { ...row, placement: r.placements[row.graph] } : row));
    });
    await save();
    result.section = await stage('section', () => timeSection({ bundleDir: values.bundle!, provider, ...(bucket ? { bucket } : {}), steps: positiveInt(values.steps, '--steps', 25) }));
    await save();
    result.matmul = await stage('matmul', () => compareMatmul({ m: mm[0]!, k: mm[1]!, n: mm[2]! }, { provider, runs }));
    result.finishedAt = new Date().toISOString();
    await save();
    process.stdout.write(`${file}\n`);
    return ['graphs', 'section', 'matmul'].some((k) => (result[k] as { error?: string }).error !== undefined) ? 1 : 0;
  }
  throw new ProbeUsageError(`name a command: build, run, graphs or env (got ${command ?? 'nothing'})`);
}

// Run as a program (the bundled probe.mjs, or tsx scripts/device/probe-main.ts).
const invoked = process.argv[1] ?? '';
if (/probe-main\.ts$|probe\.mjs$/.test(invoked)) {
  // exitCode, not exit(): a natural exit lets ORT's buffered native log reach stderr (the placement lines of the last sessions).
  probeMain(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`probe: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof ProbeUsageError ? 2 : 1;
  });
}
