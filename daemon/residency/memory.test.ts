import { describe, expect, it } from 'vitest';
import { budgetBytes, budgetedBytes, DEFAULT_PRESERVE_VRAM_BYTES, GB, parseNvidiaSmi, readTelemetry } from './memory.js';

describe('memory budget', () => {
  it('keeps the preserved headroom out of the budget', () => {
    expect(budgetBytes(80 * GB, DEFAULT_PRESERVE_VRAM_BYTES)).toBe(74 * GB);
    expect(budgetBytes(4 * GB, DEFAULT_PRESERVE_VRAM_BYTES)).toBe(0);
  });

  it('counts VRAM on a GPU and RAM on the CPU', () => {
    expect(budgetedBytes({ device: 'cuda:0', vramBytes: 5, ramBytes: 7 })).toBe(5);
    expect(budgetedBytes({ device: 'cpu', vramBytes: 0, ramBytes: 7 })).toBe(7);
  });

  it('parses nvidia-smi csv in MiB', () => {
    expect(parseNvidiaSmi('0, NVIDIA H100 80GB HBM3, 1024, 81559\nbad line\n')).toEqual([
      { device: 'cuda:0', name: 'NVIDIA H100 80GB HBM3', usedBytes: 1024 * 1024 ** 2, totalBytes: 81559 * 1024 ** 2, processBytes: null },
    ]);
  });

  it('always reports RSS and RAM', async () => {
    const t = await readTelemetry(new Date('2026-01-01T00:00:00Z'));
    expect(t.rssBytes).toBeGreaterThan(0);
    expect(t.ramTotalBytes).toBeGreaterThan(t.rssBytes);
    expect(t.at).toBe('2026-01-01T00:00:00.000Z');
  });
});
