// Runs one ONNX graph with onnxruntime-node and the independent PyTorch reference on the same
// weights and inputs (Debian's python3-torch under /usr/bin/python3), and returns the max abs error
// per output. Tests skip with a visible reason only when that Python cannot import torch.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { writeSafetensors, type TensorToWrite } from '../../daemon/weights/safetensors.js';
import type { WeightSource } from '../../daemon/weights/weight-source.js';
import { runOnce } from '../../daemon/onnx/run.js';

const run = promisify(execFile);
export const REFERENCE_PYTHON = process.env.FRAMEPACK_REFERENCE_PYTHON ?? '/usr/bin/python3';
const REFERENCE_DIR = path.resolve(import.meta.dirname, '../../scripts/reference');

let torchAvailable: boolean | undefined;
export async function hasTorch(): Promise<boolean> {
  if (torchAvailable === undefined) {
    torchAvailable = await run(REFERENCE_PYTHON, ['-c', 'import torch, numpy']).then(() => true, () => false);
  }
  return torchAvailable;
}

function tensorToWrite(name: string, t: ort.Tensor): TensorToWrite {
  const data = t.data as ArrayBufferView;
  const dtype = t.type === 'float32' ? 'float32' : t.type === 'int64' ? 'int64' : t.type === 'bool' ? 'bool' : t.type === 'int32' ? 'int32' : undefined;
  if (!dtype) throw new Error(`crosscheck: unsupported tensor type ${t.type} for '${name}'`);
  return { name, dtype, shape: [...t.dims], read: () => new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export interface CrosscheckResult { [output: string]: { maxAbsErr?: number; refMaxAbs?: number; error?: string } }

/**
 * Runs `model` on `feeds` with ORT, then `scripts/reference/<module>.py` on the same data.
 * Returns the per-output report plus ORT's outputs.
 */
export async function crosscheck(opts: {
  module: string;
  model: string | Uint8Array;
  weights: WeightSource;
  feeds: Record<string, ort.Tensor>;
  config: unknown;
}): Promise<CrosscheckResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fp-xcheck-'));
  try {
    const outputs = await runOnce(opts.model, opts.feeds);
    const weightList: TensorToWrite[] = opts.weights.names().map((name) => {
      const info = opts.weights.info(name)!;
      return { name, dtype: info.dtype, shape: info.shape, read: async () => (await opts.weights.read(name)).bytes };
    });
    await writeSafetensors(path.join(dir, 'weights.safetensors'), weightList);
    await writeSafetensors(path.join(dir, 'inputs.safetensors'), Object.entries(opts.feeds).map(([n, t]) => tensorToWrite(n, t)));
    await writeSafetensors(path.join(dir, 'outputs.safetensors'), Object.entries(outputs).map(([name, o]) => ({
      name, dtype: 'float32' as const, shape: o.dims, read: () => new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength),
    })));
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(opts.config));
    const { stdout } = await run(REFERENCE_PYTHON, [path.join(REFERENCE_DIR, 'crosscheck.py'), opts.module, dir], { maxBuffer: 16 << 20, timeout: 600_000 });
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as CrosscheckResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
