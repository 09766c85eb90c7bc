// Command lines of two graph benches (scripts/bench.ts hands them their argv):
//   npm run bench -- fullsize  [--part transformer|vae|llama]... [--attention fused|explicit]
//                              [--max-scores-gib G] [--json]
//   npm run bench -- precision [--attention fused|explicit] [--seconds S] [--steps N] [--json]
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { AttentionForm } from '../../daemon/onnx/graph.js';
import { FULLSIZE_PARTS, runFullsizePart, scoresGiB, VAE_TILE_FRAMES, type FullsizePart, type FullsizeRow } from './fullsize-bench.js';
import { benchAttention } from './attention-bench.js';
import { benchPrecision } from './precision-bench.js';

export const SIZE_PRECISION_HELP = `  fullsize   official widths (transformer hidden 3072 / 24 heads, VAE 128-512 channels,
             Llama 4096) with 1 dual + 1 single block and 2 Llama layers, cheap deterministic
             weights in a temp folder: one transformer step at 640×608 (middle section),
             one VAE decode of a 640×608 tile (5 latents), the text encoder; time and peak
             RSS, fused and explicit attention, each in its own process
    --part P            transformer, vae or llama (repeatable; default: all three), or
                        attention alone: one 24 × 128-head call at --tokens N (default
                        4096) in both forms, alternating in one process, medians of 3
    --attention A       fused or explicit (default: both)
    --vae-frames N      latent frames of the VAE tile (default: 5, the official tile;
                        17 pixel frames at 640×608 need ≈ 14 GB of activations)
    --max-scores-gib G  skip the explicit form where one attention's float32 S×S scores
                        exceed G GiB (default: a quarter of the RAM)
  precision  the default bundle's trained weights built in fp16 (temp folder) vs the
             committed fp32 bundle on the README job: per-frame PSNR, both times
    --attention A       attention form of the fp16 build (default: fused)
    --seconds S         job length (default: the README job's 145 frames)
    --steps N           sampling steps (default: the bundle's)
`;

const isForm = (v: string): v is AttentionForm => v === 'fused' || v === 'explicit';

export async function runSizePrecisionBench(argv: string[]): Promise<number> {
  const name = argv[0];
  let values;
  try {
    ({ values } = parseArgs({ args: argv.slice(1), options: {
      part: { type: 'string', multiple: true }, attention: { type: 'string', multiple: true },
      'max-scores-gib': { type: 'string' }, 'vae-frames': { type: 'string' }, tokens: { type: 'string' }, seconds: { type: 'string' }, steps: { type: 'string' },
      json: { type: 'boolean', default: false }, child: { type: 'boolean', default: false },
    } }));
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 2;
  }
  const forms = values.attention ?? (name === 'precision' ? ['fused'] : ['fused', 'explicit']);
  const bad = forms.find((f) => !isForm(f));
  if (bad !== undefined) { console.error(`bench: --attention must be fused or explicit (got ${bad})`); return 2; }
  if (name === 'precision') {
    const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
    const steps = values.steps === undefined ? undefined : Number(values.steps);
    if (seconds !== undefined && !(seconds > 0 && seconds <= 60)) { console.error(`bench: --seconds must be > 0 and ≤ 60 (got ${values.seconds})`); return 2; }
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1)) { console.error(`bench: --steps must be a positive integer (got ${values.steps})`); return 2; }
    const row = await benchPrecision({ attention: forms[0] as AttentionForm, over: { seconds, steps } });
    console.log(values.json ? JSON.stringify(row) : `fp16 (${row.attention} attention) vs fp32, ${row.job}, ${row.frames} frames: ` +
      `PSNR min ${row.minPsnrDb.toFixed(1)} dB, mean ${row.meanPsnrDb.toFixed(1)} dB; job time fp32 ${(row.fp32Ms / 1000).toFixed(1)} s, fp16 ${(row.fp16Ms / 1000).toFixed(1)} s`);
    return 0;
  }
  if (values.part?.length === 1 && values.part[0] === 'attention') {
    const tokens = values.tokens === undefined ? 4096 : Number(values.tokens);
    if (!(Number.isInteger(tokens) && tokens >= 1)) { console.error(`bench: --tokens must be a positive integer (got ${values.tokens})`); return 2; }
    const r = await benchAttention(tokens);
    console.log(values.json ? JSON.stringify(r) : `attention ${r.heads}×${r.headDim} at ${r.tokens} tokens, median of ${r.runs} alternating runs: ` +
      `fused ${r.fusedMs} ms (${r.fusedCpuMs} CPU-ms), explicit ${r.explicitMs} ms (${r.explicitCpuMs} CPU-ms), explicit/fused ×${r.ratio}, max |Δ| ${r.maxAbsDiff.toExponential(1)}`);
    return 0;
  }
  const parts = (values.part ?? [...FULLSIZE_PARTS]) as FullsizePart[];
  const badPart = parts.find((p) => !FULLSIZE_PARTS.includes(p));
  if (badPart !== undefined) { console.error(`bench: --part must be one of ${FULLSIZE_PARTS.join(', ')} (got ${badPart})`); return 2; }
  const maxScoresGiB = values['max-scores-gib'] === undefined ? os.totalmem() / 4 / 2 ** 30 : Number(values['max-scores-gib']);
  if (!(maxScoresGiB > 0)) { console.error(`bench: --max-scores-gib must be > 0 (got ${values['max-scores-gib']})`); return 2; }
  const vaeFrames = values['vae-frames'] === undefined ? VAE_TILE_FRAMES : Number(values['vae-frames']);
  if (!(Number.isInteger(vaeFrames) && vaeFrames >= 1 && vaeFrames <= 9)) { console.error(`bench: --vae-frames must be an integer from 1 to 9 (got ${values['vae-frames']})`); return 2; }
  const print = (r: FullsizeRow) => console.log(values.json ? JSON.stringify(r) : fullsizeLine(r));
  if (values.child) {
    // One part, one form, in this process: the parent reads one JSON line.
    console.log(JSON.stringify(await runFullsizePart(parts[0]!, forms[0] as AttentionForm, { vaeFrames })));
    return 0;
  }
  for (const part of parts) {
    for (const form of forms as AttentionForm[]) {
      const gib = scoresGiB(part, vaeFrames);
      if (form === 'explicit' && gib > maxScoresGiB) {
        print({ part, attention: form, ran: false, what: '', scoresGiB: gib,
          skipped: `one attention's float32 S×S scores are ${gib.toFixed(1)} GiB (more than --max-scores-gib ${maxScoresGiB.toFixed(1)}), and the explicit form holds them and their softmax at once` });
        continue;
      }
      const row = await fullsizeChild(part, form, vaeFrames);
      if (!row) return 1;
      print(row);
    }
  }
  return 0;
}

/** `bench fullsize --child --part P --attention A` in a fresh Node (same loader flags). */
function fullsizeChild(part: FullsizePart, form: AttentionForm, vaeFrames: number): Promise<FullsizeRow | null> {
  const args = [...process.execArgv, path.join(import.meta.dirname, '..', 'bench.ts'), 'fullsize', '--child', '--part', part, '--attention', form, '--vae-frames', String(vaeFrames)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let row: FullsizeRow | null = null;
    createInterface({ input: child.stdout }).on('line', (line) => { if (line.trim().startsWith('{')) row = JSON.parse(line) as FullsizeRow; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) console.error(`bench fullsize: ${part} (${form}) exited with ${signal ?? code}${signal === 'SIGKILL' ? ' (killed: out of memory?)' : ''}`);
      resolve(code === 0 ? row : null);
    });
  });
}

function fullsizeLine(r: FullsizeRow): string {
  if (!r.ran) return `${r.part.padEnd(11)} ${r.attention.padEnd(8)} not run: ${r.skipped}`;
  const graphs = Object.entries(r.graphMs ?? {}).map(([g, ms]) => `${g} ${(ms / 1000).toFixed(2)} s`).join(', ');
  return `${r.part.padEnd(11)} ${r.attention.padEnd(8)} ${r.what}: ${r.totalS} s (${r.cpuS} CPU-s), peak RSS ${r.peakRssMiB} MiB ` +
    `(build ${r.buildS} s, load ${r.loadS} s; ${graphs})`;
}
