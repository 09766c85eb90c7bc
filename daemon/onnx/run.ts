// Thin helpers around onnxruntime-node for running graphs: sessions on one execution provider (the
// CPU by default) with this machine's thread count, and Float32/Int64 feeds built from plain arrays.
// Nodes a GPU provider has no kernel for run on the CPU inside ONNX Runtime (its implicit fallback).
import ort from 'onnxruntime-node';
import os from 'node:os';

export type Feed = ort.Tensor;
export const tensorF32 = (data: Float32Array, dims: number[]): ort.Tensor => new ort.Tensor('float32', data, dims);
export const tensorI64 = (data: ArrayLike<number>, dims: number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
export const tensorBool = (data: ArrayLike<number | boolean>, dims: number[]): ort.Tensor =>
  new ort.Tensor('bool', Uint8Array.from(Array.from(data, (v) => (v ? 1 : 0))), dims);

export interface SessionOptions {
  threads?: number;
  executionProviders?: string[];
  /** Per-output 'cpu' | 'gpu-buffer' (WebGPU only: outputs that stay on the GPU for the next session). */
  preferredOutputLocation?: Record<string, 'cpu' | 'gpu-buffer'>;
  /** Session config entries (e.g. 'session.disable_cpu_ep_fallback': '1'). */
  extra?: Record<string, string>;
  /** ORT's log severity (default 3, errors); 0 logs node placements (scripts/bench/placements.ts). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** Names the session in ORT's log lines ("[V:onnxruntime:<logId>, …]"). */
  logId?: string;
  /** ORT's CPU memory arena (default on); off for graphs whose activations are large and transient. */
  cpuMemArena?: boolean;
}

export async function createCpuSession(model: string | Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: opts.executionProviders ?? ['cpu'],
    intraOpNumThreads: opts.threads ?? Math.max(1, os.availableParallelism()),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: opts.logSeverityLevel ?? 3,
    ...(opts.logId ? { logId: opts.logId } : {}),
    ...(opts.preferredOutputLocation && Object.keys(opts.preferredOutputLocation).length ? { preferredOutputLocation: opts.preferredOutputLocation } : {}),
    // The binding joins nested keys with dots, so flat dotted keys pass through as they are.
    ...(opts.extra ? { extra: opts.extra } : {}),
    // The arena keeps a session's peak (and grows by fragmentation from run to run); without it
    // the buffers of a run go back to the system when the run ends.
    ...(opts.cpuMemArena === false ? { enableCpuMemArena: false } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** Runs a model once and returns its outputs as Float32Arrays (non-float outputs are converted). */
export async function runOnce(model: string | Uint8Array | ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = typeof model === 'string' || model instanceof Uint8Array ? await createCpuSession(model) : model;
  const result = await session.run(feeds);
  const out: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [name, t] of Object.entries(result) as [string, ort.Tensor][]) {
    const data = t.data instanceof Float32Array ? t.data : Float32Array.from(Array.from(t.data as ArrayLike<number | bigint>, Number));
    out[name] = { data, dims: [...t.dims] };
  }
  return out;
}
