// The latent history as the pipeline keeps it: a list of frames in display (time) order, each one
// frame of a [1, C, T, h, w] tensor (C·h·w floats, channel-major). Prepending and appending whole
// sections is then cheap, and tensors for the graphs are assembled on demand.
import type { ContextRange } from '../section-plan.js';
import type { F32 } from '../../models/transformer/run-transformer.js';

export interface LatentGeometry { channels: number; height: number; width: number }

/** Frames [t] of a [1, C, T, h, w] tensor, each copied out as C·h·w floats. */
export function tensorToFrames(t: F32): Float32Array[] {
  const [b, c, frames, h, w] = t.dims as [number, number, number, number, number];
  if (b !== 1 || t.dims.length !== 5) throw new RangeError(`tensorToFrames: expected [1, C, T, h, w], got [${t.dims.join(', ')}]`);
  const plane = h * w;
  return Array.from({ length: frames }, (_, f) => {
    const out = new Float32Array(c * plane);
    for (let ch = 0; ch < c; ch++) out.set(t.data.subarray((ch * frames + f) * plane, (ch * frames + f + 1) * plane), ch * plane);
    return out;
  });
}

/** Stacks frames into a [1, C, T, h, w] tensor. */
export function framesToTensor(frames: readonly Float32Array[], g: LatentGeometry): F32 {
  const plane = g.height * g.width;
  const t = frames.length;
  const data = new Float32Array(g.channels * t * plane);
  frames.forEach((frame, f) => {
    if (frame.length !== g.channels * plane) throw new RangeError(`framesToTensor: frame ${f} has ${frame.length} values, expected ${g.channels * plane}`);
    for (let ch = 0; ch < g.channels; ch++) data.set(frame.subarray(ch * plane, (ch + 1) * plane), (ch * t + f) * plane);
  });
  return { data, dims: [1, g.channels, t, g.height, g.width] };
}

/** A context slot from the history: zeros before, history[from, to), zeros after (section-plan.ts). */
export function contextFrames(history: readonly Float32Array[], range: ContextRange, g: LatentGeometry): Float32Array[] {
  if (range.to > history.length) throw new RangeError(`context range [${range.from}, ${range.to}) outside a history of ${history.length}`);
  const zero = () => new Float32Array(g.channels * g.height * g.width);
  return [
    ...Array.from({ length: range.zerosBefore }, zero),
    ...history.slice(range.from, range.to),
    ...Array.from({ length: range.zerosAfter }, zero),
  ];
}

/** Element-wise `x · k` into a new array. */
export function scaled(x: Float32Array, k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! * k;
  return out;
}
