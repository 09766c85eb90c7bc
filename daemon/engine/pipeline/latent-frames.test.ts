import { describe, expect, it } from 'vitest';
import { contextRange } from '../section-plan.js';
import { contextFrames, framesToTensor, scaled, tensorToFrames } from './latent-frames.js';

const g = { channels: 2, height: 2, width: 3 };
const frame = (v: number) => Float32Array.from({ length: 12 }, (_, i) => v * 100 + i);

describe('latent frames', () => {
  it('stacks frames into [1, C, T, h, w] channel-major and back', () => {
    const t = framesToTensor([frame(1), frame(2)], g);
    expect(t.dims).toEqual([1, 2, 2, 2, 3]);
    // channel 0 of frame 0, channel 0 of frame 1, channel 1 of frame 0, channel 1 of frame 1
    expect(Array.from(t.data.subarray(0, 6))).toEqual([100, 101, 102, 103, 104, 105]);
    expect(Array.from(t.data.subarray(6, 12))).toEqual([200, 201, 202, 203, 204, 205]);
    expect(Array.from(t.data.subarray(12, 18))).toEqual([106, 107, 108, 109, 110, 111]);
    const back = tensorToFrames(t);
    expect(back.map((f) => Array.from(f))).toEqual([Array.from(frame(1)), Array.from(frame(2))]);
  });

  it('fills context slots with zeros where the history is short', () => {
    const history = [frame(1), frame(2), frame(3)];
    // inverted 4× slot [3, 19) of a 3-frame history: all 16 zeros, after
    const four = contextFrames(history, contextRange(3, 16, 3), g);
    expect(four).toHaveLength(16);
    expect(four.every((f) => f.every((v) => v === 0))).toBe(true);
    // inverted 2× slot [1, 3): history frames 1 and 2
    expect(contextFrames(history, contextRange(1, 2, 3), g).map((f) => f[0])).toEqual([200, 300]);
    // F1 2× slot of the last 19 of a 2-frame history: [-1, 1) → one zero frame before frame 0
    const f1 = contextFrames(history.slice(0, 2), contextRange(2 - 19 + 16, 2, 2), g);
    expect(f1.map((f) => f[0])).toEqual([0, 100]);
  });

  it('rejects frames of the wrong size', () => {
    expect(() => framesToTensor([new Float32Array(5)], g)).toThrow(/frame 0 has 5 values/);
    expect(Array.from(scaled(Float32Array.of(1, -2), 0.5))).toEqual([0.5, -1]);
  });
});
