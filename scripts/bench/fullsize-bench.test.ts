import { describe, expect, it } from 'vitest';
import { packedTokenCounts } from '../../daemon/models/transformer/rope.js';
import { FULLSIZE_CONFIG, HashWeights, MIDDLE_SECTION, scoresGiB } from './fullsize-bench.js';
import { psnr8bit, videoPsnr } from './precision-bench.js';

describe('fullsize bench setup', () => {
  it('uses the official widths with 1 dual + 1 single block and 2 Llama layers run', () => {
    expect(FULLSIZE_CONFIG.transformer).toMatchObject({ numAttentionHeads: 24, attentionHeadDim: 128, inChannels: 16, numLayers: 1, numSingleLayers: 1 });
    expect(FULLSIZE_CONFIG.vae.blockOutChannels).toEqual([128, 256, 512, 512]);
    expect(FULLSIZE_CONFIG.text_encoder).toMatchObject({ hiddenSize: 4096, numLayers: 4 }); // hidden_states[-3]: 2 run
  });

  it('feeds an official middle section at 640×608: 17,500 image-side tokens', () => {
    const counts = packedTokenCounts(MIDDLE_SECTION, 80, 76);
    expect(counts).toMatchObject({ noisy: 9 * 40 * 38, clean: 2 * 40 * 38, clean2x: 380, clean4x: 400, total: 17_500 });
    // 24 heads × (17,500 + 729 SigLIP + 32 text)² float32
    expect(scoresGiB('transformer')).toBeCloseTo((24 * 18_261 ** 2 * 4) / 2 ** 30, 6);
  });

  it('hash weights are deterministic, differ per tensor and have the init spread', async () => {
    const w = new HashWeights([['a.weight', [256, 512]], ['b.weight', [256, 512]], ['a.bias', [256]]]);
    const read = async (n: string) => { const t = await w.read(n); return new Float32Array(t.bytes.buffer); };
    const a1 = await read('a.weight'), a2 = await read('a.weight'), b = await read('b.weight');
    expect(a1).toEqual(a2);
    expect(a1).not.toEqual(b);
    const mean = a1.reduce((s, v) => s + v, 0) / a1.length;
    const std = Math.sqrt(a1.reduce((s, v) => s + (v - mean) ** 2, 0) / a1.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeCloseTo(1 / Math.sqrt(512), 3); // defaultInit: 1/√fan_in
    expect(w.info('a.bias')).toEqual({ dtype: 'float32', shape: [256], byteLength: 1024 });
  });
});

describe('PSNR', () => {
  it('is 10·log10(255²/MSE) per frame, Infinity for identical frames', () => {
    const a = Uint8Array.from([10, 20, 30, 40]);
    expect(psnr8bit(a, a)).toBe(Infinity);
    // MSE = (4 + 0 + 0 + 0) / 4 = 1 → 48.13 dB
    expect(psnr8bit(Uint8Array.from([12, 20, 30, 40]), a)).toBeCloseTo(10 * Math.log10(255 * 255), 10);
    const set = (frames: Uint8Array[]) => ({ width: 2, height: 2, frames });
    const s = videoPsnr(set([a, Uint8Array.from([12, 20, 30, 40])]), set([a, a]));
    expect(s.minDb).toBeCloseTo(48.13, 2);
    expect(s.meanDb).toBeCloseTo((99 + 48.13) / 2, 2);
    expect(() => psnr8bit(a, Uint8Array.of(1))).toThrow(/sizes differ/);
  });
});
