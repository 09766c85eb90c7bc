import { describe, expect, it } from 'vitest';
import { activationBytes, bestPlan, parameterCount, planInput, tensorBytes, weightBytes } from './memory-table.js';
import { sixGbTable, SIX_GB_CARD_AVAILABLE_BYTES } from './memory-bench.js';

const GiB = 1024 ** 3;

describe('official memory table', () => {
  it('counts the official parameters (13B transformer; Llama without its two unused layers)', () => {
    expect(parameterCount('transformer') / 1e9).toBeCloseTo(12.87, 2);
    // 8.03 B in the checkpoint; 30 of 32 layers run, no final norm.
    expect(parameterCount('text_encoder') / 1e9).toBeCloseTo(7.07, 2);
    expect(weightBytes('transformer', 'fp16')).toBe(2 * parameterCount('transformer'));
  });

  it('quantises only 2-D linear weights of the transformer and Llama, with one fp16 scale per 32', () => {
    expect(tensorBytes('transformer', 'x.weight', [64, 64], 'int4')).toBe(64 * 64 / 2 + 64 * 64 / 32 * 2);
    expect(tensorBytes('transformer', 'x.weight', [64, 64], 'int8')).toBe(64 * 64 + 64 * 64 / 32 * 2);
    expect(tensorBytes('transformer', 'x.bias', [64], 'int4')).toBe(128);
    expect(tensorBytes('text_encoder', 'embed_tokens.weight', [100, 64], 'int4')).toBe(2 * 6400);
    expect(tensorBytes('vae', 'x.weight', [64, 64], 'int4')).toBe(2 * 4096);
  });

  it('drops the score matrix with fused attention and most of the VAE with tiling', () => {
    const b = { height: 640, width: 608 };
    expect(activationBytes('transformer', 'fp16', b, 9, { fusedAttention: true, vaeTilePx: null })).toBeLessThan(activationBytes('transformer', 'fp16', b, 9, { fusedAttention: false, vaeTilePx: null }) / 10);
    expect(activationBytes('vae', 'fp16', b, 9, { fusedAttention: false, vaeTilePx: 256 })).toBeLessThan(activationBytes('vae', 'fp16', b, 9, { fusedAttention: false, vaeTilePx: null }) / 10);
  });

  it('fits the int4 model on a 6 GB card by streaming the transformer blocks', () => {
    const input = planInput('int4', { height: 640, width: 608 }, 9, { fusedAttention: true, vaeTilePx: 256 });
    const plan = bestPlan(input, 'stream-blocks', SIX_GB_CARD_AVAILABLE_BYTES);
    expect(plan.peakBytes).toBeLessThanOrEqual(SIX_GB_CARD_AVAILABLE_BYTES);
    expect(plan.bytesMovedPerCall).toBe(input.transformerBlocks.weightBytes);
    expect(plan.bytesMovedPerCall / GiB).toBeLessThan(weightBytes('transformer', 'fp16') / GiB / 3);
    expect(sixGbTable({ fusedAttention: true, vaeTilePx: 256 }).split('\n')).toHaveLength(5);
  });
});
