// Transformer block groups on the CPU, measured (docs/memory.md): a transformer at the official
// width (24 heads × 128) with `--dual N` dual- and `--single M` single-stream blocks, seeded, its
// blocks graph written once whole and once as `--groups K` group graphs; then, each in a fresh
// process, (a) the whole graph: one session, one run; (b) the groups as per-group sessions, each
// created, run and released in turn. Reported: RSS growth over the process's start (sampled every
// 2 ms, and ru_maxrss), session-creation and run time.
//   npx tsx scripts/bench/blocks-bench.ts [--dual 1] [--single 1] [--groups 2] [--dtype fp16|fp32] [--tokens 1024]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { writeModel } from '../../daemon/onnx/model-writer.js';
import { createCpuSession, tensorF32 } from '../../daemon/onnx/run.js';
import { seededWeights } from '../../daemon/weights/seeded.js';
import { buildBlockGroupGraphs } from '../../daemon/models/transformer/block-groups.js';
import { fullTransformerConfig, transformerDims, type TransformerConfig } from '../../daemon/models/transformer/config.js';
import { buildBlocksGraph } from '../../daemon/models/transformer/graphs.js';
import { transformerParameterShapes } from '../../daemon/models/transformer/params.js';
import { MemorySampler } from './memory-sampler.js';

const TEXT_TOKENS = 64;
const { values } = parseArgs({ args: process.argv.slice(2), options: {
  dual: { type: 'string', default: '1' }, single: { type: 'string', default: '1' }, groups: { type: 'string', default: '2' },
  dtype: { type: 'string', default: 'fp16' }, tokens: { type: 'string', default: '1024' },
  child: { type: 'string' }, files: { type: 'string' },
} });
const config: TransformerConfig = { ...fullTransformerConfig, numLayers: Number(values.dual), numSingleLayers: Number(values.single) };
const { hidden, headDim } = transformerDims(config);
const tokens = Number(values.tokens);

function feeds() {
  const r = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 0.5);
  return {
    hidden_states: tensorF32(r(tokens * hidden), [1, tokens, hidden]), encoder_hidden_states: tensorF32(r(TEXT_TOKENS * hidden), [1, TEXT_TOKENS, hidden]),
    temb: tensorF32(r(hidden), [1, hidden]), rope_cos: tensorF32(r(tokens * headDim), [tokens, headDim]), rope_sin: tensorF32(r(tokens * headDim), [tokens, headDim]),
  };
}

async function child(mode: string, files: string[]): Promise<void> {
  const f = feeds();
  const before = process.memoryUsage.rss();
  const sampler = new MemorySampler(2);
  sampler.start();
  let loadMs = 0;
  let runMs = 0;
  let x = f;
  for (const file of files) {
    const t0 = performance.now();
    const s = await createCpuSession(file);
    const t1 = performance.now();
    const out = await s.run(x);
    runMs += performance.now() - t1;
    loadMs += t1 - t0;
    if (out.encoder_hidden_states_out) x = { ...x, hidden_states: out.hidden_states_out as typeof x.hidden_states, encoder_hidden_states: out.encoder_hidden_states_out as typeof x.hidden_states };
    await s.release();
  }
  const w = sampler.stop();
  console.log(JSON.stringify({ mode, sessions: files.length, rssBeforeMiB: Math.round(before / 2 ** 20), rssPeakMiB: w.rssPeakMiB, maxRssMiB: w.maxRssMiB, growthMiB: Math.round(w.rssPeakMiB - before / 2 ** 20), loadMs: Math.round(loadMs), runMs: Math.round(runMs) }));
}

function runChild(mode: string, files: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--child', mode, '--files', files.join(','), '--dual', values.dual, '--single', values.single, '--tokens', values.tokens], { stdio: ['ignore', 'pipe', 'inherit'] });
    let line = '';
    createInterface({ input: c.stdout }).on('line', (l) => { line = l; });
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(line) : reject(new Error(`${mode} child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  if (values.child) return child(values.child, values.files!.split(','));
  const weightDtype = values.dtype === 'fp32' ? 'float32' : 'float16';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-blocks-bench-'));
  try {
    const shapes = transformerParameterShapes(config).filter(([n]) => /^(single_)?transformer_blocks\./.test(n));
    let weights: ReturnType<typeof seededWeights> | null = seededWeights(shapes, 5);
    const whole = path.join(dir, 'whole.onnx');
    const w = await writeModel(buildBlocksGraph(config, weights, { weightDtype }), whole);
    const groupFiles: string[] = [];
    for (const [i, g] of buildBlockGroupGraphs(config, weights, { weightDtype }, Number(values.groups)).entries()) {
      const file = path.join(dir, `group${i}.onnx`);
      await writeModel(g, file);
      groupFiles.push(file);
    }
    weights = null;
    console.log(`official width, ${config.numLayers} dual + ${config.numSingleLayers} single blocks, ${values.dtype}, ${tokens} image + ${TEXT_TOKENS} text tokens; blocks graph ${(w.modelBytes + w.dataBytes) / 2 ** 20 | 0} MiB; ${os.availableParallelism()} threads`);
    console.log(await runChild('whole', [whole]));
    console.log(await runChild(`groups K=${groupFiles.length}`, groupFiles));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
