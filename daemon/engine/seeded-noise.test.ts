import { describe, expect, it } from 'vitest';
import { SeededNoise } from './seeded-noise.js';

describe('SeededNoise', () => {
  it('is the standard mt19937 (seed 5489: first output 3499211612, 10000th 4123659995)', () => {
    const g = SeededNoise.fromSeed(5489);
    expect(g.nextUint32()).toBe(3499211612);
    let v = 0;
    for (let i = 1; i < 10000; i++) v = g.nextUint32();
    expect(v).toBe(4123659995);
  });

  it('follows torch.randn with a seeded CPU generator (values from torch 1.13)', () => {
    // torch.Generator("cpu").manual_seed(31337); randn((1,16,1,2,2)); then randn(20).
    const g = SeededNoise.fromSeed(31337);
    const a = g.randn(64);
    const torchA = [1.183281660079956, -0.06305880844593048, 0.9908509254455566, -0.5060694217681885, 2.9656178951263428, 0.8502276539802551, -1.2627558708190918, 0.5218433737754822];
    torchA.forEach((v, i) => expect(a[i]).toBeCloseTo(v, 5));
    const b = g.randn(20); // not a multiple of 16: the last 16 are redrawn
    [0.07520002871751785, -0.4020113945007324, -1.6596256494522095, 0.8458442091941833].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
    [0.2260781228542328, 0.5240132808685303, 1.4198817014694214, -1.7628788948059082].forEach((v, i) => expect(b[16 + i]).toBeCloseTo(v, 5));
    expect(g.drawn).toBe(84);
  });

  it('resumes exactly from a saved (JSON round-tripped) state', () => {
    const dims = { channels: 16, frames: 9, height: 10, width: 8 };
    const g = SeededNoise.fromSeed(42);
    g.sectionNoise(dims);
    g.randn(20); // leave the stream mid-block
    const saved = JSON.parse(JSON.stringify(g.saveState()));
    const next1 = g.sectionNoise(dims);
    const next2 = g.sectionNoise(dims);
    const resumed = SeededNoise.fromState(saved);
    expect(resumed.seed).toBe(42);
    expect(resumed.drawn).toBe(saved.drawn);
    expect(resumed.sectionNoise(dims)).toEqual(next1);
    expect(resumed.sectionNoise(dims)).toEqual(next2);
  });

  it('draws fresh noise per section from one stream, reproducibly per seed', () => {
    const dims = { channels: 16, frames: 9, height: 4, width: 4 };
    const a = SeededNoise.fromSeed(7);
    const b = SeededNoise.fromSeed(7);
    const a1 = a.sectionNoise(dims);
    expect(a.sectionNoise(dims)).not.toEqual(a1);
    expect(b.sectionNoise(dims)).toEqual(a1);
    expect(SeededNoise.fromSeed(8).sectionNoise(dims)).not.toEqual(a1);
    expect(SeededNoise.fromSeed(2 ** 32 + 7).sectionNoise(dims)).toEqual(a1); // low 32 bits, as torch
  });

  it('is standard normal', () => {
    const x = SeededNoise.fromSeed(1).randn(200_000);
    let m = 0; let v = 0;
    for (const e of x) m += e;
    m /= x.length;
    for (const e of x) v += (e - m) ** 2;
    v /= x.length - 1;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.01);
  });

  it('rejects bad seeds and states', () => {
    expect(() => SeededNoise.fromSeed(-1)).toThrow();
    expect(() => SeededNoise.fromSeed(1.5)).toThrow();
    expect(() => SeededNoise.fromState({ algorithm: 'mt19937-torch-randn', seed: 1, words: 'AAAA', index: 0, drawn: 0 })).toThrow();
    expect(() => SeededNoise.fromSeed(1).randn(8)).toThrow();
  });
});
